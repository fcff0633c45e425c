-- riskcap schema v9 (sqlite): where each fund's rows lie in a positions batch, instead of an index entry
-- per position.
-- Batches are stored in canonical order (fund first, core/canonical.h), so one fund's rows are
-- consecutive row numbers; position_fund_ranges records them (one row per fund and batch), and
-- one fund's positions are a range of the primary key (version_id, row_no). The index
-- positions_by_fund cost an entry per position on every load: dropping it took a 1M-row
-- upload on PostgreSQL from 3.1-3.6 s to 2.4 s of write time (docs/benchmarks.md).
--
-- Batches written before canonical order (load order) are renumbered first: by fund, then by
-- their old number, so each fund's rows become consecutive and keep their relative order.
-- Rows already in place keep their numbers (the new numbers are a permutation of the old ones
-- within a batch, so moving the others through negative numbers never collides).
CREATE TABLE position_fund_ranges (
  version_id    BIGINT  NOT NULL REFERENCES snapshot_versions(id),
  fund_id       BIGINT  NOT NULL REFERENCES funds(id),
  first_row_no  INTEGER NOT NULL,
  last_row_no   INTEGER NOT NULL,
  PRIMARY KEY (version_id, fund_id),
  CHECK (first_row_no >= 1 AND last_row_no >= first_row_no)
);

CREATE TABLE position_renumbering AS
  SELECT version_id, row_no,
         ROW_NUMBER() OVER (PARTITION BY version_id ORDER BY fund_id, row_no) AS new_row_no
  FROM positions;
DELETE FROM position_renumbering WHERE new_row_no = row_no;
UPDATE positions SET row_no = -r.new_row_no FROM position_renumbering r
  WHERE r.version_id = positions.version_id AND r.row_no = positions.row_no;
UPDATE positions SET row_no = -row_no WHERE row_no < 0;
DROP TABLE position_renumbering;

INSERT INTO position_fund_ranges (version_id, fund_id, first_row_no, last_row_no)
  SELECT version_id, fund_id, MIN(row_no), MAX(row_no) FROM positions GROUP BY version_id, fund_id;

DROP INDEX positions_by_fund;
