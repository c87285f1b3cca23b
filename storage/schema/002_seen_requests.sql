-- Slack retries events and users double-submit commands: the keys of requests
-- already handled, so a repeat is acknowledged and ignored. Old keys are
-- pruned by age.
CREATE TABLE seen_requests (
    key     TEXT PRIMARY KEY,
    seen_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX seen_requests_by_age ON seen_requests (seen_at);

-- Dead letters are listed newest first by `warroom outbox`.
CREATE INDEX outbox_dead ON outbox (finished_at) WHERE state = 'dead';
