-- riskcap schema v17 (sqlite): which inputs a MARGIN_STATUS snapshot version was computed from,
-- so every status figure can be explained and recomputed (docs/rules.md, "Explaining a status
-- figure"). fund_status (0004) records each input's dates, sources, the submission and the
-- exemption, but not which NAV snapshot, exposure snapshot or positions batch the run read, nor
-- the configuration values behind its rule version. One row per status version, written in the
-- same transaction as the version; versions written before this migration have none.
-- Keep in step with the other dialect's 0017_margin_status_inputs.sql.
CREATE TABLE margin_status_inputs (
  version_id            BIGINT NOT NULL PRIMARY KEY REFERENCES snapshot_versions(id),
  -- The NAV_SNAPSHOT version of the reference date the run read; NULL when there was none.
  nav_version_id        BIGINT REFERENCES snapshot_versions(id),
  -- The EXPOSURE version current on the reference date, and the POSITIONS batch it came from.
  exposure_version_id   BIGINT REFERENCES snapshot_versions(id),
  positions_version_id  BIGINT REFERENCES snapshot_versions(id),
  -- The rules configuration the run used: "key=value" lines (core/rules/rules_config.h).
  rules_config          TEXT   NOT NULL
);
