-- riskcap schema v1 (SQLite). Money: BIGINT micro-units (*_micros). Timestamps: BIGINT
-- microseconds since the Unix epoch, UTC (*_at_us). Dates: TEXT 'YYYY-MM-DD'. Flags: 0/1.
-- Keep in step with migrations/postgresql/0001_init.sql (a test checks both have the same columns).

CREATE TABLE managers (
  id             INTEGER PRIMARY KEY,
  name           TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  tax_id         TEXT    NOT NULL UNIQUE,
  created_at_us  BIGINT  NOT NULL
);

CREATE TABLE funds (
  id                 BIGINT  PRIMARY KEY,
  name               TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  tax_id             TEXT    NOT NULL UNIQUE,
  manager_id         BIGINT  NOT NULL REFERENCES managers(id),
  regulatory_class   TEXT    NOT NULL CHECK (regulatory_class IN
                       ('MULTIMERCADO','ACOES','RENDA_FIXA','CAMBIAL','FIDC','FII','OTHER')),
  target_audience    TEXT    NOT NULL CHECK (target_audience IN ('GENERAL','QUALIFIED','PROFESSIONAL')),
  bylaws_margin_cap  DOUBLE PRECISION CHECK (bylaws_margin_cap IS NULL OR (bylaws_margin_cap > 0 AND bylaws_margin_cap <= 1)),
  base_currency      TEXT    NOT NULL CHECK (length(base_currency) = 3),
  active             INTEGER NOT NULL CHECK (active IN (0, 1)),
  created_at_us      BIGINT  NOT NULL,
  updated_at_us      BIGINT  NOT NULL
);
CREATE INDEX funds_by_manager ON funds (manager_id);

CREATE TABLE job_runs (
  id              INTEGER PRIMARY KEY,
  job             TEXT    NOT NULL,
  reference_date  TEXT    NOT NULL,
  params_json     TEXT    NOT NULL,
  state           TEXT    NOT NULL CHECK (state IN ('QUEUED','RUNNING','SUCCEEDED','FAILED','CANCELLED')),
  queued_at_us    BIGINT  NOT NULL,
  started_at_us   BIGINT,
  finished_at_us  BIGINT,
  rows_read       BIGINT  NOT NULL DEFAULT 0,
  rows_written    BIGINT  NOT NULL DEFAULT 0,
  output_hash     TEXT    NOT NULL DEFAULT '',
  error           TEXT    NOT NULL DEFAULT '',
  triggered_by    TEXT    NOT NULL
);
CREATE INDEX job_runs_by_job_date ON job_runs (job, reference_date);
CREATE INDEX job_runs_by_state ON job_runs (state);

-- One row per load. A load never overwrites: it is a new version of (kind, reference_date);
-- the current version is the highest.
CREATE TABLE snapshot_versions (
  id                 INTEGER PRIMARY KEY,
  kind               TEXT    NOT NULL CHECK (kind IN
                       ('NAV_SNAPSHOT','NAV_HISTORY','POSITIONS','EXPOSURE','MARGIN_STATUS')),
  reference_date     TEXT    NOT NULL,
  version            INTEGER NOT NULL CHECK (version >= 1),
  content_hash       TEXT    NOT NULL,
  row_count          BIGINT  NOT NULL,
  job_run_id         BIGINT  REFERENCES job_runs(id),
  source_version_id  BIGINT  REFERENCES snapshot_versions(id),
  source             TEXT    NOT NULL,
  created_at_us      BIGINT  NOT NULL,
  UNIQUE (kind, reference_date, version)
);

CREATE TABLE nav_snapshots (
  version_id                  BIGINT  NOT NULL REFERENCES snapshot_versions(id),
  fund_id                     BIGINT  NOT NULL REFERENCES funds(id),
  position_date               TEXT    NOT NULL,
  nav_micros                  BIGINT  NOT NULL,
  exchange_margin_pct         DOUBLE PRECISION NOT NULL,
  derivatives_exposure_micros BIGINT  NOT NULL,
  derivatives_exposure_pct    DOUBLE PRECISION NOT NULL,
  derivatives_at_risk_micros  BIGINT  NOT NULL,
  derivatives_at_risk_pct     DOUBLE PRECISION NOT NULL,
  liquidity_ratio             DOUBLE PRECISION NOT NULL,
  var_95                      DOUBLE PRECISION NOT NULL,
  var_99                      DOUBLE PRECISION NOT NULL,
  stress_bull                 DOUBLE PRECISION NOT NULL,
  stress_bear                 DOUBLE PRECISION NOT NULL,
  return_day                  DOUBLE PRECISION NOT NULL,
  return_month                DOUBLE PRECISION NOT NULL,
  return_year                 DOUBLE PRECISION NOT NULL,
  criticality                 TEXT    NOT NULL,
  PRIMARY KEY (version_id, fund_id)
);
CREATE INDEX nav_snapshots_by_fund ON nav_snapshots (fund_id, position_date);

CREATE TABLE nav_history (
  version_id          BIGINT NOT NULL REFERENCES snapshot_versions(id),
  fund_id             BIGINT NOT NULL REFERENCES funds(id),
  nav_date            TEXT   NOT NULL,
  opening_nav_micros  BIGINT NOT NULL,
  closing_nav_micros  BIGINT NOT NULL,
  PRIMARY KEY (version_id, fund_id, nav_date)
);
CREATE INDEX nav_history_by_fund_date ON nav_history (fund_id, nav_date, version_id);

CREATE TABLE asset_types (
  code         TEXT PRIMARY KEY,
  description  TEXT NOT NULL
);

CREATE TABLE positions (
  version_id             BIGINT  NOT NULL REFERENCES snapshot_versions(id),
  row_no                 INTEGER NOT NULL,
  fund_id                BIGINT  NOT NULL REFERENCES funds(id),
  position_date          TEXT    NOT NULL,
  asset_nickname         TEXT    NOT NULL,
  isin                   TEXT    NOT NULL,
  asset_code             TEXT    NOT NULL,
  asset_type_code        TEXT    NOT NULL,
  classification         TEXT    NOT NULL CHECK (classification IN
                           ('OTC_OPTION','OTC_SWAP','OFFSHORE_FUND','FOREIGN_INVESTMENT','OTHER')),
  quantity_micros        BIGINT  NOT NULL,
  price_micros           BIGINT  NOT NULL,
  notional_micros        BIGINT  NOT NULL,
  market_value_micros    BIGINT  NOT NULL,
  asset_leg_micros       BIGINT,
  liability_leg_micros   BIGINT,
  asset_class            TEXT    CHECK (asset_class IS NULL OR asset_class IN ('IR','FX','CREDIT','EQUITY','COMMODITY')),
  start_date             TEXT,
  end_date               TEXT,
  direction              TEXT    NOT NULL,
  option_type            TEXT    NOT NULL,
  strike                 DOUBLE PRECISION,
  underlying_price       DOUBLE PRECISION,
  currency               TEXT    NOT NULL,
  PRIMARY KEY (version_id, row_no)
);
CREATE INDEX positions_by_fund ON positions (fund_id, version_id);

CREATE TABLE fund_exposures (
  version_id                   BIGINT  NOT NULL REFERENCES snapshot_versions(id),
  fund_id                      BIGINT  NOT NULL REFERENCES funds(id),
  position_date                TEXT    NOT NULL,
  otc                          INTEGER NOT NULL CHECK (otc IN (0, 1)),
  offshore                     INTEGER NOT NULL CHECK (offshore IN (0, 1)),
  otc_option_count             INTEGER NOT NULL,
  otc_swap_count               INTEGER NOT NULL,
  offshore_fund_count          INTEGER NOT NULL,
  otc_notional_micros          BIGINT  NOT NULL,
  otc_market_value_micros      BIGINT  NOT NULL,
  swap_notional_micros         BIGINT  NOT NULL,
  offshore_market_value_micros BIGINT  NOT NULL,
  gross_exposure_micros        BIGINT  NOT NULL,
  net_exposure_micros          BIGINT  NOT NULL,
  largest_position_micros      BIGINT  NOT NULL,
  PRIMARY KEY (version_id, fund_id)
);
CREATE INDEX fund_exposures_by_fund ON fund_exposures (fund_id, version_id);

CREATE TABLE margin_submissions (
  id                      INTEGER PRIMARY KEY,
  fund_id                 BIGINT  NOT NULL REFERENCES funds(id),
  reference_date          TEXT    NOT NULL,
  local_margin_micros     BIGINT  NOT NULL CHECK (local_margin_micros >= 0),
  offshore_margin_micros  BIGINT  NOT NULL CHECK (offshore_margin_micros >= 0),
  methodology             TEXT    NOT NULL,
  submitted_at_us         BIGINT  NOT NULL,
  submitted_by            TEXT    NOT NULL,
  idempotency_key         TEXT    NOT NULL UNIQUE,
  content_hash            TEXT    NOT NULL,
  state                   TEXT    NOT NULL CHECK (state IN ('RECEIVED','VALIDATED','REJECTED')),
  decision_reason         TEXT    NOT NULL DEFAULT '',
  decided_by              TEXT    NOT NULL DEFAULT '',
  decided_at_us           BIGINT
);
CREATE INDEX margin_submissions_by_fund ON margin_submissions (fund_id, reference_date, id);
CREATE INDEX margin_submissions_by_date ON margin_submissions (reference_date);

CREATE TABLE exemptions (
  id             INTEGER PRIMARY KEY,
  fund_id        BIGINT  NOT NULL REFERENCES funds(id),
  reason         TEXT    NOT NULL CHECK (length(reason) >= 1),
  valid_from     TEXT    NOT NULL,
  valid_to       TEXT    NOT NULL,
  granted_by     TEXT    NOT NULL,
  granted_at_us  BIGINT  NOT NULL,
  revoked_at_us  BIGINT,
  revoked_by     TEXT    NOT NULL DEFAULT '',
  CHECK (valid_to >= valid_from)
);
CREATE INDEX exemptions_by_fund ON exemptions (fund_id, valid_from);

CREATE TABLE findings (
  id                   INTEGER PRIMARY KEY,
  rule                 TEXT    NOT NULL,
  severity             TEXT    NOT NULL CHECK (severity IN ('INFO','WARNING','CRITICAL')),
  fund_id              BIGINT  REFERENCES funds(id),
  reference_date       TEXT    NOT NULL,
  job_run_id           BIGINT  REFERENCES job_runs(id),
  message              TEXT    NOT NULL,
  dedup_key            TEXT    NOT NULL,
  state                TEXT    NOT NULL CHECK (state IN ('OPEN','ACKNOWLEDGED','RESOLVED')),
  raised_at_us         BIGINT  NOT NULL,
  acknowledged_by      TEXT    NOT NULL DEFAULT '',
  acknowledged_at_us   BIGINT,
  resolved_by          TEXT    NOT NULL DEFAULT '',
  resolved_at_us       BIGINT,
  resolution           TEXT    NOT NULL DEFAULT ''
);
-- At most one unresolved finding per problem: re-running a job never duplicates it.
CREATE UNIQUE INDEX findings_one_unresolved ON findings (dedup_key) WHERE state <> 'RESOLVED';
CREATE INDEX findings_by_state ON findings (state, id);
CREATE INDEX findings_by_fund ON findings (fund_id, id);

CREATE TABLE reminders (
  id              INTEGER PRIMARY KEY,
  manager_id      BIGINT  NOT NULL REFERENCES managers(id),
  reference_date  TEXT    NOT NULL,
  body            TEXT    NOT NULL,
  content_hash    TEXT    NOT NULL,
  created_at_us   BIGINT  NOT NULL,
  UNIQUE (manager_id, content_hash)
);

CREATE TABLE api_keys (
  id             INTEGER PRIMARY KEY,
  label          TEXT    NOT NULL,
  role           TEXT    NOT NULL CHECK (role IN ('MANAGER','ANALYST','SERVICE','ADMIN')),
  manager_id     BIGINT  REFERENCES managers(id),
  secret_hash    TEXT    NOT NULL UNIQUE,
  created_at_us  BIGINT  NOT NULL,
  created_by     TEXT    NOT NULL,
  revoked_at_us  BIGINT,
  CHECK ((role = 'MANAGER') = (manager_id IS NOT NULL))
);

-- Append-only: triggers refuse UPDATE and DELETE.
CREATE TABLE audit_log (
  id          INTEGER PRIMARY KEY,
  at_us       BIGINT  NOT NULL,
  principal   TEXT    NOT NULL,
  method      TEXT    NOT NULL,
  request_id  TEXT    NOT NULL,
  outcome     TEXT    NOT NULL,
  detail      TEXT    NOT NULL
);
CREATE INDEX audit_log_by_time ON audit_log (at_us);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
