/**
 * Schema migrations, applied in order at start. Append only: a released migration is never
 * edited, so every store file reaches the same schema whatever version created it.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE deliveries (
    seq          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    event        TEXT NOT NULL,
    action       TEXT,
    repo         TEXT,
    content_key  TEXT UNIQUE,
    state        TEXT NOT NULL,            -- pending | done | dead | ignored
    reason       TEXT,                     -- why it was ignored
    received_at  INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    finished_at  INTEGER
  );
  -- Pending deliveries in arrival order; small, because processed rows leave it.
  CREATE INDEX deliveries_pending ON deliveries(seq) WHERE state = 'pending';

  -- The verified JSON payloads, apart from the rows whose state changes: updating a row
  -- would otherwise rewrite its payload too. Ignored deliveries keep none.
  CREATE TABLE delivery_bodies (
    seq          INTEGER PRIMARY KEY REFERENCES deliveries(seq) ON DELETE CASCADE,
    body         BLOB NOT NULL
  );

  CREATE TABLE handler_results (
    delivery_seq INTEGER NOT NULL REFERENCES deliveries(seq) ON DELETE CASCADE,
    handler      TEXT NOT NULL,
    state        TEXT NOT NULL,            -- done | failed
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (delivery_seq, handler)
  );

  CREATE TABLE outbox (
    seq          INTEGER PRIMARY KEY,
    key          TEXT NOT NULL UNIQUE,     -- idempotency key: enqueuing it again is a no-op
    lane         TEXT NOT NULL,            -- writes of one lane (one PR) go out strictly in order
    op           TEXT NOT NULL,
    args         TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'pending',  -- pending | done | failed
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      INTEGER NOT NULL,
    last_error   TEXT,
    result       TEXT,
    created_at   INTEGER NOT NULL,
    done_at      INTEGER
  );
  CREATE INDEX outbox_lane ON outbox(state, lane, seq);

  CREATE TABLE cursors (
    key          TEXT PRIMARY KEY,
    value        TEXT NOT NULL,
    updated_at   INTEGER NOT NULL
  );
  `,
];
