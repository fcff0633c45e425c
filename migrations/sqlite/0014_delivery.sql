-- riskcap schema v14 (sqlite): managers' contacts and the delivery outbox.
-- Keep in step with migrations/postgresql/0014_delivery.sql (a test checks both have the same
-- columns). Timestamps: BIGINT microseconds since the Unix epoch, UTC.

-- A manager's contact e-mail addresses, in the order the administrator gave them.
CREATE TABLE manager_emails (
  manager_id  BIGINT   NOT NULL REFERENCES managers(id),
  position    INTEGER  NOT NULL CHECK (position >= 0),
  address     TEXT     NOT NULL CHECK (length(address) BETWEEN 3 AND 254),
  PRIMARY KEY (manager_id, position),
  UNIQUE (manager_id, address)
);

-- A manager's webhook, at most one. `secret` keys the HMAC-SHA256 signature of each POST; the
-- server needs it in clear to sign, and never returns it through the API.
CREATE TABLE manager_webhooks (
  manager_id  BIGINT  NOT NULL PRIMARY KEY REFERENCES managers(id),
  url         TEXT    NOT NULL CHECK (length(url) BETWEEN 8 AND 2048),
  secret      TEXT    NOT NULL
);

-- The delivery outbox: one row per (notice, channel, address), inserted in the transaction that
-- creates the notice (a reminder, or a CRITICAL finding when configured), delivered by a worker
-- (server/delivery/delivery_worker.h). The UNIQUE constraint makes the enqueue idempotent; the claim
-- columns keep two servers from sending the same row at once.
CREATE TABLE deliveries (
  id                  INTEGER PRIMARY KEY,
  source              TEXT    NOT NULL CHECK (source IN ('REMINDER','FINDING')),
  source_id           BIGINT  NOT NULL,
  manager_id          BIGINT  NOT NULL REFERENCES managers(id),
  channel             TEXT    NOT NULL CHECK (channel IN ('EMAIL','WEBHOOK')),
  address             TEXT    NOT NULL,  -- e-mail address or webhook URL
  subject             TEXT    NOT NULL,
  body                TEXT    NOT NULL,  -- plain text for e-mail, JSON for a webhook
  message_id          TEXT    NOT NULL,  -- stable across attempts: receivers can de-duplicate
  state               TEXT    NOT NULL CHECK (state IN ('PENDING','SENT','FAILED')),
  attempts            INTEGER NOT NULL CHECK (attempts >= 0),
  last_error          TEXT    NOT NULL,
  created_at_us       BIGINT  NOT NULL,
  next_attempt_at_us  BIGINT  NOT NULL,
  last_attempt_at_us  BIGINT,
  sent_at_us          BIGINT,
  claimed_by          TEXT,
  claim_until_us      BIGINT,
  UNIQUE (source, source_id, channel, address)
);
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at_us);
CREATE INDEX deliveries_by_source ON deliveries (source, source_id);
