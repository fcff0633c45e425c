-- riskcap schema v11 (sqlite): failed authentication counted per peer, minute and method instead
-- of one audit row per call, and the server's page-token key.
-- Keep in step with migrations/postgresql/0011_auth_failures_and_secrets.sql (a test checks both
-- have the same columns). Timestamps: BIGINT microseconds since the Unix epoch, UTC.

-- One row per (peer address, minute, method) in which calls failed authentication; `failures`
-- counts them (db/store_audit.cc upserts it). Bounded: a flood adds one row per peer and minute.
CREATE TABLE auth_failures (
  peer           TEXT    NOT NULL,  -- the caller's address without its port, at most 128 bytes
  minute_us      BIGINT  NOT NULL,  -- start of the minute
  method         TEXT    NOT NULL,  -- e.g. "MarginService/SubmitMargin"
  failures       BIGINT  NOT NULL CHECK (failures > 0),
  last_reason    TEXT    NOT NULL,  -- why the last one failed, e.g. "unknown API key"
  last_at_us     BIGINT  NOT NULL,
  PRIMARY KEY (peer, minute_us, method)
);

-- Server-side secrets. page_token: the HMAC-SHA256 key that binds a List RPC's page token to its
-- method and filters (server/rpc/page_token.cc); never sent to clients. Generated once, from
-- OpenSSL's random source, by the first server that needs it (db/store_audit.cc inserts it if
-- absent and reads back the one that won), not here: a migrated but empty store must stay empty,
-- so that a backup can copy every row into it.
CREATE TABLE server_secrets (
  name    TEXT  NOT NULL PRIMARY KEY,
  secret  TEXT  NOT NULL  -- 64 hex digits (256 bits)
);
