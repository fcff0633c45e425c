-- riskcap schema v18 (sqlite): GetRiskCapitalSummary's counts stored with their MARGIN_STATUS
-- version, so the summary sums a few rows per manager instead of grouping every fund of the
-- version (docs/benchmarks.md, "reads"). One row per version, manager and combination of the
-- statuses the summary counts, written in the same transaction as the version's fund_status
-- rows (0004) and never changed; versions written before this migration have none and are
-- summarised from fund_status. Keep in step with the other dialect's 0018_fund_status_counts.sql.
CREATE TABLE fund_status_counts (
  version_id               BIGINT   NOT NULL REFERENCES snapshot_versions(id),
  manager_id               BIGINT   NOT NULL REFERENCES managers(id),
  -- The group's key: the fund_status columns of the same names.
  regulatory_class         TEXT     NOT NULL,
  consolidated_exposure    TEXT     NOT NULL,
  deadline_status          TEXT     NOT NULL,
  validation_status        TEXT     NOT NULL,
  limit_status             TEXT     NOT NULL,
  stale                    INTEGER  NOT NULL CHECK (stale IN (0, 1)),
  -- How many of the version's funds have this key.
  funds                    BIGINT   NOT NULL CHECK (funds > 0),
  -- The group's highest utilisation and the lowest fund id that has it; NULL when no fund of
  -- the group has a utilisation.
  max_utilisation          DOUBLE PRECISION,
  max_utilisation_fund_id  BIGINT   REFERENCES funds(id),
  PRIMARY KEY (version_id, manager_id, regulatory_class, consolidated_exposure, deadline_status,
               validation_status, limit_status, stale)
);

-- The same counts over every manager, one row per version and combination: what a summary
-- without a manager filter reads, so its cost does not grow with the number of managers.
CREATE TABLE fund_status_totals (
  version_id               BIGINT   NOT NULL REFERENCES snapshot_versions(id),
  regulatory_class         TEXT     NOT NULL,
  consolidated_exposure    TEXT     NOT NULL,
  deadline_status          TEXT     NOT NULL,
  validation_status        TEXT     NOT NULL,
  limit_status             TEXT     NOT NULL,
  stale                    INTEGER  NOT NULL CHECK (stale IN (0, 1)),
  funds                    BIGINT   NOT NULL CHECK (funds > 0),
  max_utilisation          DOUBLE PRECISION,
  max_utilisation_fund_id  BIGINT   REFERENCES funds(id),
  PRIMARY KEY (version_id, regulatory_class, consolidated_exposure, deadline_status,
               validation_status, limit_status, stale)
);

-- The summary's live count of a date's OPEN and ACKNOWLEDGED findings: read from this index
-- alone, bounded by that date's findings of those states (findings_by_date has no fund_id).
CREATE INDEX findings_open_by_date ON findings (reference_date, state, fund_id);
