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
  `
  -- Pings to agent sessions, queued durably until delivered (docs/design.md#messenger).
  CREATE TABLE pings (
    seq          INTEGER PRIMARY KEY,
    loop         TEXT NOT NULL,
    role         TEXT NOT NULL,
    session      TEXT,                     -- tmux session name; NULL when the role has none
    text         TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'queued',   -- queued | delivered | undeliverable | dropped
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    received_at  INTEGER NOT NULL,         -- when the delivery that caused it reached the bot
    created_at   INTEGER NOT NULL,
    next_at      INTEGER NOT NULL,
    delivered_at INTEGER
  );
  CREATE INDEX pings_queued ON pings(session, seq) WHERE state = 'queued';

  -- Each (repo, commit, role) pings at most once, ever (docs/design.md#exactly-once).
  CREATE TABLE handoff_marks (
    repo         TEXT NOT NULL,
    sha          TEXT NOT NULL,
    role         TEXT NOT NULL,
    ping_seq     INTEGER,
    PRIMARY KEY (repo, sha, role)
  ) WITHOUT ROWID;

  CREATE TABLE alerts (
    seq          INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    subject      TEXT NOT NULL,
    message      TEXT NOT NULL,
    created_at   INTEGER NOT NULL
  );

  CREATE TABLE phase_transitions (
    seq          INTEGER PRIMARY KEY,
    loop         TEXT NOT NULL,
    from_phase   TEXT,
    to_phase     TEXT,                     -- NULL: the sequence is complete
    sha          TEXT NOT NULL,
    created_at   INTEGER NOT NULL
  );
  `,
  `
  -- !testme runs (docs/design.md#testme-runs). A run's files (log, exit status, results) live in <dataDir>/runs/<id>.
  CREATE TABLE runs (
    id           INTEGER PRIMARY KEY,
    repo         TEXT NOT NULL,
    pr           INTEGER NOT NULL,
    sha          TEXT NOT NULL,
    ref          TEXT NOT NULL,
    clone_url    TEXT NOT NULL,
    mode         TEXT NOT NULL,            -- full | quick
    state        TEXT NOT NULL,            -- queued | running | finished
    verdict      TEXT,                     -- GREEN | RED | ERROR
    reason       TEXT,
    requested_by TEXT NOT NULL,
    comment_id   INTEGER,
    pid          INTEGER,                  -- the run's supervising process while it runs
    exit_code    INTEGER,
    created_at   INTEGER NOT NULL,
    started_at   INTEGER,
    finished_at  INTEGER
  );
  CREATE INDEX runs_active ON runs(state, id) WHERE state != 'finished';
  CREATE INDEX runs_pr ON runs(repo, pr, id);
  `,
  `
  -- What the supervisor did to agent sessions, and why (docs/design.md#supervisor).
  CREATE TABLE supervisor_actions (
    seq          INTEGER PRIMARY KEY,
    session      TEXT NOT NULL,
    reason       TEXT NOT NULL,            -- dead | fatal | limit | nudge | probe | stall | idle | schedule | ...
    detail       TEXT NOT NULL,
    created_at   INTEGER NOT NULL
  );
  CREATE INDEX supervisor_actions_session ON supervisor_actions(session, seq);
  `,
  `
  -- Operator jobs (/recipe-upgrade, /upgrade-all); logs in <dataDir>/jobs/<id>/log (docs/design.md#operator-commands).
  CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    args         TEXT NOT NULL,            -- JSON array of the flags passed
    repo         TEXT NOT NULL,
    pr           INTEGER NOT NULL,
    requested_by TEXT NOT NULL,
    state        TEXT NOT NULL,            -- running | finished
    exit_code    INTEGER,
    outcome      TEXT,                     -- succeeded | failed
    pr_url       TEXT,
    created_at   INTEGER NOT NULL,
    finished_at  INTEGER
  );
  `,
  `
  -- The normalised event a delivery carries (JSON of webhooks/events.ts), which is what the
  -- handlers read: about a sixth of the payload Gitea sends, so the store writes and syncs far
  -- fewer bytes per delivery. Deliveries stored before this keep their raw payload in
  -- delivery_bodies.
  CREATE TABLE delivery_events (
    seq          INTEGER PRIMARY KEY REFERENCES deliveries(seq) ON DELETE CASCADE,
    event        TEXT NOT NULL
  );
  `,
  `
  -- Sweeps: every enrolled recipe's default branch tested on a schedule or by /testall (docs/design.md#scheduled-sweeps).
  -- A run of a sweep has pr = 0 and its sweep's id; cause says why it ran (CCCI_TRIGGER).
  CREATE TABLE sweeps (
    id           INTEGER PRIMARY KEY,
    key          TEXT NOT NULL UNIQUE,     -- schedule:<cron>:<slot> | command:<repo>:<comment>: one sweep per firing
    cause        TEXT NOT NULL,            -- schedule | command
    mode         TEXT NOT NULL,            -- full | quick
    requested_by TEXT NOT NULL,
    skipped      TEXT NOT NULL DEFAULT '[]',  -- JSON [{repo, reason}]: recipes whose head could not be read
    created_at   INTEGER NOT NULL,
    queued_at    INTEGER,                  -- every recipe's run is queued (NULL: resume after a crash)
    finished_at  INTEGER
  );
  ALTER TABLE runs ADD COLUMN cause TEXT NOT NULL DEFAULT 'pr';   -- pr | retest | command | schedule
  ALTER TABLE runs ADD COLUMN sweep_id INTEGER;
  CREATE INDEX runs_sweep ON runs(sweep_id, id) WHERE sweep_id IS NOT NULL;
  CREATE INDEX runs_repo_sweeps ON runs(repo, id) WHERE sweep_id IS NOT NULL;
  `,
  `
  -- Which run each trigger (a comment, at a head SHA, in a mode) led to: the run it created, or
  -- the one already in flight it was coalesced into. A handler run again after a crash finds
  -- its decision here instead of making it twice (exactly one run per trigger).
  CREATE TABLE run_triggers (
    trigger      TEXT PRIMARY KEY,
    run_id       INTEGER NOT NULL,
    created      INTEGER NOT NULL          -- 1: this trigger created the run; 0: coalesced into it
  ) WITHOUT ROWID;

  -- Since when a delivery has been waiting for Gitea to answer (NULL: it is not): such waits
  -- spend none of its attempts (docs/design.md#outages-and-restarts: an outage delays and never loses).
  ALTER TABLE deliveries ADD COLUMN waiting_since INTEGER;
  `,
];
