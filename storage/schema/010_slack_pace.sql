-- Slack's pace shared by every replica (issue #12): one row per bucket key
-- (a method, or a method and channel). `tat` is the bucket as GCRA keeps it:
-- the Unix time in milliseconds at which the bucket would be full again; a
-- call is allowed while tat is at most the burst's allowance ahead of now.
-- One integer per row, so a grant is one upsert with RETURNING. Unused on
-- SQLite (one process paces itself in memory).
CREATE TABLE slack_pace (
    key TEXT PRIMARY KEY,
    tat INTEGER NOT NULL
);
