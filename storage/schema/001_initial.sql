-- Incidents, their roles, timeline and armed timers, the incident number
-- counter, and the outbox of Slack actions waiting for delivery.
-- Times are Unix seconds (UTC).

CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
-- Numbers are never reused, even when the newest incident is deleted by hand.
INSERT INTO counters (name, value) VALUES ('incident', 1);

CREATE TABLE incidents (
    number            INTEGER PRIMARY KEY,
    title             TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    severity          TEXT NOT NULL,
    type              TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL,
    declared_by       TEXT NOT NULL,
    declared_in       TEXT NOT NULL DEFAULT '',
    channel_name      TEXT NOT NULL,
    channel_id        TEXT NOT NULL DEFAULT '',
    declared_at       INTEGER NOT NULL,
    acked_at          INTEGER,
    acked_by          TEXT NOT NULL DEFAULT '',
    resolved_at       INTEGER,
    resolution        TEXT NOT NULL DEFAULT '',
    last_update_at    INTEGER,
    last_update       TEXT NOT NULL DEFAULT '',
    update_clock_from INTEGER NOT NULL,
    snoozed           INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX incidents_open ON incidents (status) WHERE status <> 'resolved';
CREATE INDEX incidents_channel_name ON incidents (channel_name);
CREATE INDEX incidents_channel_id ON incidents (channel_id) WHERE channel_id <> '';
CREATE INDEX incidents_declared_at ON incidents (declared_at);

CREATE TABLE roles (
    incident INTEGER NOT NULL REFERENCES incidents (number) ON DELETE CASCADE,
    role     TEXT NOT NULL,
    user_id  TEXT NOT NULL,
    PRIMARY KEY (incident, role)
) WITHOUT ROWID;

CREATE TABLE timeline (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    incident INTEGER NOT NULL REFERENCES incidents (number) ON DELETE CASCADE,
    at       INTEGER NOT NULL,
    actor    TEXT NOT NULL DEFAULT '',
    kind     TEXT NOT NULL,
    text     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX timeline_by_incident ON timeline (incident, id);

-- One row per armed deadline, kept in step with the incident by every write,
-- so the scheduler finds the next one with an index instead of a scan.
CREATE TABLE timers (
    incident INTEGER NOT NULL REFERENCES incidents (number) ON DELETE CASCADE,
    kind     TEXT NOT NULL,
    due_at   INTEGER NOT NULL,
    PRIMARY KEY (incident, kind)
) WITHOUT ROWID;
CREATE INDEX timers_by_due ON timers (due_at);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    incident        INTEGER NOT NULL DEFAULT 0,
    kind            TEXT NOT NULL,
    channel         TEXT NOT NULL DEFAULT '',
    payload         TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending',  -- pending, done, dead
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    finished_at     INTEGER,
    last_error      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_pending ON outbox (id) WHERE state = 'pending';
CREATE INDEX outbox_pending_by_incident ON outbox (incident, id) WHERE state = 'pending';
