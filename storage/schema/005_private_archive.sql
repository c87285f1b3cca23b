-- Private incidents (a private channel, never announced, shown to members
-- only) and channels archived after resolving (a reopen unarchives them).
-- Incidents declared before this version are public and not archived.
ALTER TABLE incidents ADD COLUMN is_private INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN archived INTEGER NOT NULL DEFAULT 0;
