#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: initdb into a temporary
# directory, listening only on a Unix socket in that directory, run by an
# unprivileged user (PostgreSQL refuses to run as root, and CI runs as root).
#
#   pg_cluster.sh setup   STATE   make and start a cluster; STATE (a file) gets
#                                 `url=…` and `dir=…`, or `unavailable=why`
#   pg_cluster.sh cleanup STATE   stop it and remove its directory
#   pg_cluster.sh stop    STATE   stop the server, keep the data (fault tests)
#   pg_cluster.sh start   STATE   start it again
#
# setup never fails the suite when PostgreSQL is missing: it records why, and
# each PostgreSQL test then exits 77 (skipped) printing that reason
# (tests/support/with_pg.sh), so a machine without PostgreSQL reports the
# tests as skipped, never as passed.
set -uo pipefail

cmd=${1:?usage: pg_cluster.sh setup|cleanup|stop|start STATE}
state=${2:?usage: pg_cluster.sh setup|cleanup|stop|start STATE}
pg_user=${WARROOM_PG_TEST_USER:-warroom-pgtest}

# initdb and pg_ctl: an explicit PG_BINDIR, Debian's versioned directory
# (the newest), pg_config's, then PATH.
find_bindir() {
  local d
  if [[ -n "${PG_BINDIR:-}" && -x "$PG_BINDIR/initdb" ]]; then echo "$PG_BINDIR"; return 0; fi
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -V -r); do
    [[ -x "$d/initdb" && -x "$d/pg_ctl" ]] && { echo "$d"; return 0; }
  done
  if command -v pg_config >/dev/null; then
    d=$(pg_config --bindir 2>/dev/null)
    [[ -x "$d/initdb" && -x "$d/pg_ctl" ]] && { echo "$d"; return 0; }
  fi
  if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    dirname "$(command -v initdb)"; return 0
  fi
  return 1
}

# Runs a command as the cluster's owner: as is when we are not root.
as_owner() {
  if [[ $(id -u) -ne 0 ]]; then "$@"; return; fi
  if command -v runuser >/dev/null; then runuser -u "$pg_user" -- "$@"; return; fi
  setpriv --reuid="$pg_user" --regid="$pg_user" --init-groups -- "$@"
}

unavailable() {
  echo "unavailable=$1" >"$state"
  echo "pg_cluster: PostgreSQL tests will be SKIPPED: $1" >&2
  exit 0
}

read_state() {
  [[ -f "$state" ]] || { echo "pg_cluster: no state file $state" >&2; exit 1; }
  dir=$(sed -n 's/^dir=//p' "$state")
  bindir=$(sed -n 's/^bindir=//p' "$state")
}

pg_ctl_run() {  # start|stop
  if [[ $1 == start ]]; then
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start \
      -o "-k $dir -c listen_addresses='' -c fsync=off -c full_page_writes=off -c max_connections=60" >/dev/null
  else
    as_owner "$bindir/pg_ctl" -D "$dir/data" -w -t 30 stop -m fast >/dev/null
  fi
}

case "$cmd" in
  setup)
    rm -f "$state"
    bindir=$(find_bindir) || unavailable "initdb/pg_ctl not found (install Debian's postgresql package: scripts/install-deps.sh)"
    if [[ $(id -u) -eq 0 ]] && ! id "$pg_user" >/dev/null 2>&1; then
      useradd --system --no-create-home --shell /usr/sbin/nologin "$pg_user" 2>/dev/null ||
        unavailable "running as root and cannot create the unprivileged user $pg_user for PostgreSQL"
    fi
    # Short: a Unix socket's path must fit in 107 bytes.
    dir=$(mktemp -d /tmp/wpg.XXXXXX) || unavailable "cannot make a temporary directory"
    chmod 700 "$dir"
    [[ $(id -u) -eq 0 ]] && chown "$pg_user" "$dir"
    if ! as_owner "$bindir/initdb" -D "$dir/data" -U warroom -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1; then
      why=$(tail -3 "$dir/initdb.log" | tr '\n' ' ')
      rm -rf "$dir"
      unavailable "initdb failed: $why"
    fi
    { echo "dir=$dir"; echo "bindir=$bindir"; } >"$state"
    if ! pg_ctl_run start; then
      why=$(tail -3 "$dir/server.log" 2>/dev/null | tr '\n' ' ')
      rm -rf "$dir"
      unavailable "the server did not start: $why"
    fi
    as_owner "$bindir/psql" -h "$dir" -U warroom -d postgres -qc "CREATE DATABASE warroom_test" >/dev/null 2>&1 ||
      psql -h "$dir" -U warroom -d postgres -qc "CREATE DATABASE warroom_test" >/dev/null 2>&1 ||
      { rm -rf "$dir"; unavailable "cannot create the test database"; }
    # Everyone may reach the socket: the tests connect as whoever runs ctest.
    chmod 755 "$dir"
    echo "url=postgresql://warroom@/warroom_test?host=$dir" >>"$state"
    echo "pg_cluster: PostgreSQL from $bindir running in $dir" >&2
    ;;
  cleanup)
    [[ -f "$state" ]] || exit 0
    read_state
    if [[ -n "$dir" && -d "$dir" ]]; then
      pg_ctl_run stop 2>/dev/null
      rm -rf "$dir"
    fi
    rm -f "$state"
    ;;
  stop) read_state; pg_ctl_run stop ;;
  start) read_state; pg_ctl_run start ;;
  *) echo "usage: pg_cluster.sh setup|cleanup|stop|start STATE" >&2; exit 2 ;;
esac
