-- riskcap schema v4 (postgresql): the margin_status job's output (per-fund submission status and risk
-- capital, docs/rules.md) and the exposure measures that need the fund's NAV. Keep in step with the
-- other dialect's 0004_fund_status.sql (a test checks both have the same columns).
-- Money: BIGINT micro-units. Ratios: fractions (0.7 = 70%). Dates: DATE.

-- One row per fund in a MARGIN_STATUS snapshot version (snapshot_versions.kind = 'MARGIN_STATUS');
-- the current status of a reference date is its highest version. Every figure keeps the dates
-- and sources of its inputs and the rule version that produced it.
CREATE TABLE fund_status (
  version_id                   BIGINT  NOT NULL REFERENCES snapshot_versions(id),
  fund_id                      BIGINT  NOT NULL REFERENCES funds(id),
  reference_date               DATE    NOT NULL,
  rule_version                 TEXT    NOT NULL,
  -- Copied from the fund on the run, so BI and history read one row.
  manager_id                   BIGINT  NOT NULL REFERENCES managers(id),
  regulatory_class             TEXT    NOT NULL,
  target_audience              TEXT    NOT NULL,
  -- Submission status.
  consolidated_exposure        TEXT    NOT NULL CHECK (consolidated_exposure IN ('OTC','OFFSHORE','NONE')),
  exposure_position_date       DATE,
  periodicity_days             INTEGER,
  submission_id                BIGINT  REFERENCES margin_submissions(id),
  submission_state             TEXT,
  exemption_id                 BIGINT  REFERENCES exemptions(id),
  last_submission_date         DATE,
  last_submission_source       TEXT    NOT NULL CHECK (last_submission_source IN ('NONE','SUBMISSION','EXEMPTION')),
  next_due_date                DATE,
  days_to_due                  INTEGER,
  deadline_status              TEXT    NOT NULL CHECK (deadline_status IN
                                 ('ON_TIME','OVERDUE','NEVER_SUBMITTED','NOT_APPLICABLE')),
  validation_status            TEXT    NOT NULL CHECK (validation_status IN
                                 ('RECEIVED_VALIDATED','RECEIVED_NOT_VALIDATED','NOT_RECEIVED','NOT_APPLICABLE')),
  local_margin_micros          BIGINT,
  offshore_margin_micros       BIGINT,
  consolidated_margin_micros   BIGINT,
  -- Risk capital (CVM Resolution 175, Anexo Normativo I, art. 73).
  nav_micros                   BIGINT,
  nav_date                     DATE,
  exchange_margin_micros       BIGINT,
  exchange_margin_date         DATE,
  otc_margin_micros            BIGINT,
  otc_margin_source            TEXT    CHECK (otc_margin_source IS NULL OR otc_margin_source IN ('SERVER_ESTIMATE','MANAGER')),
  otc_margin_date              DATE,
  offshore_component_micros    BIGINT,
  offshore_component_date      DATE,
  gross_margin_micros          BIGINT  NOT NULL,
  utilisation                  DOUBLE PRECISION,
  cap                          DOUBLE PRECISION,
  cap_source                   TEXT    NOT NULL CHECK (cap_source IN ('NONE','REGULATORY_CLASS','BYLAWS')),
  limit_status                 TEXT    NOT NULL CHECK (limit_status IN
                                 ('WITHIN_LIMIT','WARNING','BREACH','CRITICAL','NOT_APPLICABLE')),
  stale                        SMALLINT NOT NULL CHECK (stale IN (0, 1)),
  breach_start_date            DATE,
  breach_business_days         INTEGER NOT NULL,
  -- The server's independent benchmark over the fund's qualifying OTC positions.
  schedule_im_micros           BIGINT,
  saccr_ead_micros             BIGINT,
  benchmark_position_count     INTEGER NOT NULL,
  benchmark_excluded_count     INTEGER NOT NULL,
  PRIMARY KEY (version_id, fund_id)
);
CREATE INDEX fund_status_by_fund ON fund_status (fund_id, version_id);

-- Exposure measures relative to NAV (docs/rules.md): filled by exposure_snapshot from the NAV snapshot
-- of the positions date; NULL when the fund has no NAV for that date (or NAV <= 0).
ALTER TABLE fund_exposures ADD COLUMN nav_micros BIGINT;
ALTER TABLE fund_exposures ADD COLUMN offshore_share_of_nav DOUBLE PRECISION;
ALTER TABLE fund_exposures ADD COLUMN largest_position_share_of_nav DOUBLE PRECISION;
