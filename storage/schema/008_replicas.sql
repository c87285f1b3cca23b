-- Several warroom replicas on one PostgreSQL database: an outbox entry taken
-- for delivery is claimed by one replica (claimed_by, its replica id; '' for
-- none) until lease_until (Unix seconds). While the lease lives no other
-- replica delivers that entry or anything later of the same incident, so an
-- incident's Slack calls keep their order; a replica that dies stops renewing
-- and another takes over once the lease has run out. SQLite (one process)
-- never claims.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
CREATE INDEX outbox_claimed ON outbox (claimed_by) WHERE claimed_by <> '';
