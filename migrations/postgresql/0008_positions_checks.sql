-- riskcap schema v8 (postgresql): positions' references to funds and snapshot_versions are
-- checked once per statement by triggers instead of by per-row foreign-key triggers.
-- A FOREIGN KEY fires one RI trigger per inserted row and column: a COPY of 1M positions took
-- 9.3-11.3 s with the two foreign keys and 3.3-5.0 s with the statement-level triggers below
-- instead, which check the whole statement's rows set-based (about 0.25 s per 1M rows) and
-- fire for every writer (INSERT, COPY, UPDATE, psql by hand), so referential integrity stays a
-- guarantee of the database. Semantics are those of the dropped keys (NO ACTION): a positions
-- row naming a missing fund or version, and deleting, re-keying or truncating a fund or
-- version that positions still name, fail with SQLSTATE 23503 (foreign_key_violation).
-- Concurrency as with a foreign key: the positions-side check locks the referenced rows
-- FOR KEY SHARE, so a concurrent DELETE of them waits for the loading transaction and then sees
-- its rows. The references stay visible as column comments, which the backup's copy order reads
-- (db/internal/backup_schema.cc). The value checks stay CHECK (... IN ...): PostgreSQL evaluates them
-- without the per-row cost SQLite has (see migrations/sqlite/0008_positions_checks.sql).

DO $$
DECLARE k record;
BEGIN
  FOR k IN SELECT conname FROM pg_constraint
           WHERE conrelid = 'positions'::regclass AND contype = 'f'
             AND confrelid IN ('funds'::regclass, 'snapshot_versions'::regclass) LOOP
    EXECUTE format('ALTER TABLE positions DROP CONSTRAINT %I', k.conname);
  END LOOP;
END $$;

-- positions side: every fund_id and version_id of the statement's new rows must exist.
CREATE FUNCTION positions_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  fund_ids BIGINT[];
  version_ids BIGINT[];
  missing BIGINT;
BEGIN
  SELECT array_agg(DISTINCT n.fund_id), array_agg(DISTINCT n.version_id)
    INTO fund_ids, version_ids FROM new_rows n;
  IF fund_ids IS NULL THEN
    RETURN NULL;  -- no rows
  END IF;
  -- As a foreign key does: keep the referenced rows from being deleted or re-keyed until commit.
  PERFORM 1 FROM funds WHERE id = ANY (fund_ids) FOR KEY SHARE;
  PERFORM 1 FROM snapshot_versions WHERE id = ANY (version_ids) FOR KEY SHARE;
  SELECT x INTO missing FROM unnest(fund_ids) AS x
    WHERE NOT EXISTS (SELECT 1 FROM funds f WHERE f.id = x) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insert or update on table "positions" violates its reference to funds: fund_id % is not in funds', missing
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  SELECT x INTO missing FROM unnest(version_ids) AS x
    WHERE NOT EXISTS (SELECT 1 FROM snapshot_versions v WHERE v.id = x) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insert or update on table "positions" violates its reference to snapshot_versions: version_id % is not in snapshot_versions', missing
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER positions_references_on_insert AFTER INSERT ON positions
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION positions_check_references();
CREATE TRIGGER positions_references_on_update AFTER UPDATE ON positions
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION positions_check_references();

-- funds side: an id the statement removed (DELETE, or UPDATE of id) must not be named by
-- positions. Probes positions_by_fund (fund_id, version_id, row_no).
CREATE FUNCTION funds_check_positions() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE gone BIGINT;
BEGIN
  SELECT o.id INTO gone FROM old_rows o
    WHERE NOT EXISTS (SELECT 1 FROM funds f WHERE f.id = o.id)
      AND EXISTS (SELECT 1 FROM positions p WHERE p.fund_id = o.id) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'update or delete on table "funds" violates the reference from positions: fund_id % is still named by positions', gone
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER funds_positions_on_delete AFTER DELETE ON funds
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
  EXECUTE FUNCTION funds_check_positions();
CREATE TRIGGER funds_positions_on_update AFTER UPDATE ON funds
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION funds_check_positions();

-- snapshot_versions side: likewise; probes the primary key (version_id, row_no).
CREATE FUNCTION snapshot_versions_check_positions() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE gone BIGINT;
BEGIN
  SELECT o.id INTO gone FROM old_rows o
    WHERE NOT EXISTS (SELECT 1 FROM snapshot_versions v WHERE v.id = o.id)
      AND EXISTS (SELECT 1 FROM positions p WHERE p.version_id = o.id) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'update or delete on table "snapshot_versions" violates the reference from positions: version_id % is still named by positions', gone
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER snapshot_versions_positions_on_delete AFTER DELETE ON snapshot_versions
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
  EXECUTE FUNCTION snapshot_versions_check_positions();
CREATE TRIGGER snapshot_versions_positions_on_update AFTER UPDATE ON snapshot_versions
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION snapshot_versions_check_positions();

-- TRUNCATE removes rows without row triggers. AFTER TRUNCATE statement triggers run once every
-- table of the TRUNCATE is emptied, so `TRUNCATE funds, positions, ...` passes and
-- `TRUNCATE funds` alone fails while positions has rows.
CREATE FUNCTION positions_referenced_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM positions) THEN
    RAISE EXCEPTION 'cannot truncate table "%" alone: positions still references it (truncate positions in the same statement)', TG_TABLE_NAME
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER funds_positions_on_truncate AFTER TRUNCATE ON funds
  FOR EACH STATEMENT EXECUTE FUNCTION positions_referenced_truncate();
CREATE TRIGGER snapshot_versions_positions_on_truncate AFTER TRUNCATE ON snapshot_versions
  FOR EACH STATEMENT EXECUTE FUNCTION positions_referenced_truncate();

COMMENT ON COLUMN positions.fund_id IS
  'references funds(id); checked per statement by trigger positions_check_references (and funds_check_positions, positions_referenced_truncate on funds) instead of a foreign key, see migration 0008';
COMMENT ON COLUMN positions.version_id IS
  'references snapshot_versions(id); checked per statement by trigger positions_check_references (and snapshot_versions_check_positions, positions_referenced_truncate on snapshot_versions) instead of a foreign key, see migration 0008';
