-- Schema 6 belongs to paging (issue #13), built on another branch: this file
-- keeps the version numbers without a gap until that branch's 006_paging.sql
-- replaces it at the merge.
SELECT 1;
