-- Statuspage publishing (issue #14): which Statuspage incident is ours. The
-- create call is not idempotent on Statuspage's side, so its id is recorded
-- the moment it answers, before anything else, and `create_sent_at` says a
-- create went out whose answer may never have been stored: after a crash
-- the sender first looks for the incident on Statuspage by the key in its
-- metadata instead of creating a second one.
CREATE TABLE statuspage_incidents (
    incident       INTEGER PRIMARY KEY REFERENCES incidents (number) ON DELETE CASCADE,
    statuspage_id  TEXT,              -- NULL until Statuspage's create answered
    create_sent_at INTEGER,           -- the latest create sent without an id stored
    create_entry   INTEGER,           -- the integration outbox entry that sent it
    created_at     INTEGER            -- when the id was recorded
);
