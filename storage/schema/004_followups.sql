-- Follow-ups (action items): records of their own, with an owner, a due day
-- and a state, and the time of the next reminder to their owner (NULL: none),
-- which the scheduler reads beside the timers table so a restart re-arms it.
CREATE TABLE followups (
    id          INTEGER PRIMARY KEY,
    incident    INTEGER NOT NULL REFERENCES incidents (number) ON DELETE CASCADE,
    text        TEXT NOT NULL,
    owner       TEXT NOT NULL DEFAULT '',
    due         TEXT NOT NULL DEFAULT '',     -- YYYY-MM-DD in the configured time zone; '' none
    state       TEXT NOT NULL DEFAULT 'open', -- open, done, dropped
    created_by  TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    closed_at   INTEGER,
    closed_by   TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',     -- done: the note; dropped: why
    remind_at   INTEGER
);
CREATE INDEX followups_by_incident ON followups (incident, id);
CREATE INDEX followups_open ON followups (id) WHERE state = 'open';
CREATE INDEX followups_by_created_at ON followups (created_at);
CREATE INDEX followups_by_reminder ON followups (remind_at) WHERE remind_at IS NOT NULL;
-- Ids are never reused, like incident numbers.
INSERT INTO counters (name, value) VALUES ('followup', 1);
