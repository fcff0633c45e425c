-- The audit chain moves out of audit_log into a table of its own (docs/security.md "The audit
-- chain"). Sealing now appends (position, record id, hash) rows instead of updating each record:
-- audit_log is append-only again, and a sealing round writes one small row per record instead
-- of rewriting the record and all of audit_log's indexes.
CREATE TABLE audit_chain (
  chain_pos   INTEGER PRIMARY KEY CHECK (chain_pos >= 1),
  audit_id    BIGINT  NOT NULL UNIQUE,
  chain_hash  TEXT    NOT NULL
);
INSERT INTO audit_chain (chain_pos, audit_id, chain_hash)
  SELECT chain_pos, id, chain_hash FROM audit_log WHERE chain_pos IS NOT NULL;
CREATE TRIGGER audit_chain_no_update BEFORE UPDATE ON audit_chain
BEGIN SELECT RAISE(ABORT, 'audit_chain is append-only'); END;
CREATE TRIGGER audit_chain_no_delete BEFORE DELETE ON audit_chain
BEGIN SELECT RAISE(ABORT, 'audit_chain is append-only'); END;

DROP TRIGGER audit_log_seal_only;
DROP INDEX audit_log_by_chain_pos;
DROP INDEX audit_log_unsealed;
ALTER TABLE audit_log DROP COLUMN chain_pos;
ALTER TABLE audit_log DROP COLUMN chain_hash;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- Record ids a sealing round passed over because no committed record held them yet. Later
-- rounds look there again until the range is older than the sealer's gap expiry. Bookkeeping,
-- not audit data. (SQLite has one writer at a time, so gaps do not arise there; the table keeps
-- the two backends' sealers the same.)
CREATE TABLE audit_chain_gaps (
  first_id  BIGINT  PRIMARY KEY,
  last_id   BIGINT  NOT NULL CHECK (last_id >= first_id),
  since_us  BIGINT  NOT NULL
);
