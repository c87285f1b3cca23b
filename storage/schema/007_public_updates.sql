-- Schema 7 belongs to another branch of this session (public_updates); this file
-- keeps the version numbers without a gap until that branch's 007_public_updates.sql
-- replaces it at the merge.
SELECT 1;
