-- Schema 6 belongs to another branch of this session (paging); this file
-- keeps the version numbers without a gap until that branch's 006_paging.sql
-- replaces it at the merge.
SELECT 1;
