-- The integration outbox: actions for destinations other than Slack (pages
-- to PagerDuty, Opsgenie and webhooks now; e-mail and Statuspage next),
-- committed with the decision that asked for them and delivered by their own
-- loop, so a vendor's outage never holds Slack's queue (nor Slack's theirs).
-- `payload` is what the destination's sender rebuilds the request from at
-- each attempt; it never holds a secret (those stay in the environment).
-- `summary` is the line logs, `warroom outbox` and the console show.
CREATE TABLE integration_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    incident        INTEGER NOT NULL DEFAULT 0,
    destination     TEXT NOT NULL,            -- the sender: 'pager', …
    target          TEXT NOT NULL,            -- the configured target's name
    summary         TEXT NOT NULL DEFAULT '',
    payload         TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending',  -- pending, done, dead
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    finished_at     INTEGER,
    last_error      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX integration_outbox_pending ON integration_outbox (incident, target, id) WHERE state = 'pending';
CREATE INDEX integration_outbox_dead ON integration_outbox (finished_at) WHERE state = 'dead';

-- Where each incident's page to each target stands, for the pinned summary
-- and for what acknowledging, resolving and reopening send.
CREATE TABLE pages (
    incident   INTEGER NOT NULL REFERENCES incidents (number) ON DELETE CASCADE,
    target     TEXT NOT NULL,
    position   INTEGER NOT NULL,                -- the order they were first paged in
    status     TEXT NOT NULL,                   -- triggered, acknowledged, resolved
    paged_at   INTEGER NOT NULL,
    paged_by   TEXT NOT NULL DEFAULT '',
    changed_at INTEGER NOT NULL,
    changed_by TEXT NOT NULL DEFAULT '',
    via        TEXT NOT NULL DEFAULT '',        -- '' in warroom; else the vendor it was answered in
    PRIMARY KEY (incident, target)
);
