-- riskcap schema v6: positions of one fund in one batch, in load order, straight from an index.
-- The margin_status job reads each OTC fund's positions of a batch (WHERE version_id = ? AND
-- fund_id = ? AND row_no > ? ORDER BY row_no); with the old (fund_id, version_id) index SQLite
-- preferred walking the whole batch in primary-key order for every fund. Same number of indexes
-- as before, so bulk loads pay nothing more.
DROP INDEX positions_by_fund;
CREATE INDEX positions_by_fund ON positions (fund_id, version_id, row_no);
