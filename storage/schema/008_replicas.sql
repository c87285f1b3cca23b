-- Schema 8 belongs to another branch of this session (replicas); this file
-- keeps the version numbers without a gap until that branch's 008_replicas.sql
-- replaces it at the merge.
SELECT 1;
