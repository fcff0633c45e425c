-- The audit chain moves out of audit_log into a table of its own (docs/security.md "The audit
-- chain"). Sealing now appends (position, record id, hash) rows instead of updating each record:
-- audit_log is append-only again, and a sealing round writes one small row with two index
-- entries per record instead of a new version of the record with all of audit_log's indexes
-- (and the dead versions autovacuum then had to clean).
CREATE TABLE audit_chain (
  chain_pos   BIGINT PRIMARY KEY CHECK (chain_pos >= 1),
  audit_id    BIGINT NOT NULL UNIQUE,
  chain_hash  TEXT   NOT NULL
);
INSERT INTO audit_chain (chain_pos, audit_id, chain_hash)
  SELECT chain_pos, id, chain_hash FROM audit_log WHERE chain_pos IS NOT NULL;
CREATE TRIGGER audit_chain_no_update BEFORE UPDATE OR DELETE ON audit_chain
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON audit_chain
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

DROP TRIGGER audit_log_seal_only ON audit_log;
DROP FUNCTION audit_log_seal_once();
ALTER TABLE audit_log DROP COLUMN chain_pos, DROP COLUMN chain_hash;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- Record ids a sealing round passed over because no committed record held them yet: a writer
-- still in its transaction, or one that rolled back. Later rounds look there again until the
-- range is older than the sealer's gap expiry. Bookkeeping, not audit data.
CREATE TABLE audit_chain_gaps (
  first_id  BIGINT PRIMARY KEY,
  last_id   BIGINT NOT NULL CHECK (last_id >= first_id),
  since_us  BIGINT NOT NULL
);
