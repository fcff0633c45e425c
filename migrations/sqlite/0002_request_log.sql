-- riskcap schema v2 (SQLite): the request log that makes registry and admin calls idempotent.
-- Keep in step with migrations/postgresql/0002_request_log.sql (a test checks both have the same
-- columns). Timestamps: BIGINT microseconds since the Unix epoch, UTC.

-- One row per mutating call applied under a request id, written in the same transaction as the
-- call's change (db/store_requests.cc): a retry finds it and is answered without acting again.
-- Rows are never updated after that transaction commits, nor deleted.
CREATE TABLE request_log (
  method         TEXT    NOT NULL,
  scope          TEXT    NOT NULL,
  request_id     TEXT    NOT NULL,
  content_hash   TEXT    NOT NULL,
  resource_id    BIGINT,
  created_at_us  BIGINT  NOT NULL,
  PRIMARY KEY (method, scope, request_id)
);
