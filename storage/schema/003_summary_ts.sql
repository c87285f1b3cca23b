-- The Slack timestamp of the incident's pinned summary, so delivery can edit
-- it in place (chat.update) as the incident changes, also after a restart.
-- Empty until the summary is posted; incidents declared before this version
-- have none.
ALTER TABLE incidents ADD COLUMN summary_ts TEXT NOT NULL DEFAULT '';
