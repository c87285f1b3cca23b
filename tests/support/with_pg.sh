#!/usr/bin/env bash
# Runs a test against the throwaway PostgreSQL of pg_cluster.sh:
#   with_pg.sh STATE command args...
# with WARROOM_TEST_DB (and WARROOM_PG_STATE, for fault tests that stop and
# start the server) set. Without a cluster it prints SKIPPED and why and exits
# 77, which ctest reports as skipped (SKIP_RETURN_CODE), never as passed.
set -uo pipefail
state=${1:?usage: with_pg.sh STATE command...}
shift
if [[ ! -f "$state" ]]; then
  echo "SKIPPED: no PostgreSQL cluster (the pg_cluster fixture did not run: $state is missing)"
  exit 77
fi
why=$(sed -n 's/^unavailable=//p' "$state")
if [[ -n "$why" ]]; then
  echo "SKIPPED: PostgreSQL is not available: $why"
  exit 77
fi
WARROOM_TEST_DB=$(sed -n 's/^url=//p' "$state")
export WARROOM_TEST_DB WARROOM_PG_STATE="$state"
exec "$@"
