-- The audit log as a hash chain (docs/security.md "The audit chain"). Writers insert records
-- unsealed (chain_pos and chain_hash NULL); one sealer at a time gives each its position and
-- hash, in id order. Sealing is the only update the table allows, and only once per row.
ALTER TABLE audit_log ADD COLUMN chain_pos BIGINT;
ALTER TABLE audit_log ADD COLUMN chain_hash TEXT;
CREATE UNIQUE INDEX audit_log_by_chain_pos ON audit_log (chain_pos);
CREATE INDEX audit_log_unsealed ON audit_log (id) WHERE chain_pos IS NULL;

DROP TRIGGER audit_log_no_update;
CREATE TRIGGER audit_log_seal_only BEFORE UPDATE ON audit_log
WHEN NOT (OLD.chain_pos IS NULL AND NEW.chain_pos IS NOT NULL AND NEW.chain_hash IS NOT NULL
          AND NEW.id = OLD.id AND NEW.at_us = OLD.at_us AND NEW.principal = OLD.principal
          AND NEW.method = OLD.method AND NEW.request_id = OLD.request_id
          AND NEW.outcome = OLD.outcome AND NEW.detail = OLD.detail)
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only: only sealing sets the chain columns, once');
END;

-- Signed checkpoints of the chain's head (append-only like the log).
CREATE TABLE audit_checkpoints (
  id          INTEGER PRIMARY KEY,
  chain_pos   BIGINT  NOT NULL CHECK (chain_pos >= 0),
  head_hash   TEXT    NOT NULL,
  at_us       BIGINT  NOT NULL,
  public_key  TEXT    NOT NULL,
  signature   TEXT    NOT NULL
);
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;
