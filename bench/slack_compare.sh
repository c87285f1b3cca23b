#!/usr/bin/env bash
# warroom against the peer a user would otherwise write (Bolt for JavaScript,
# ../shared/bench/bolt-js) under signed slash commands, in one sitting:
# peer, warroom, peer, so drift on a noisy machine shows. Uses the shared
# yardstick ../shared/bench/loadgen/compare.sh unchanged; extra arguments go
# to it (e.g. -r 1 -d 5 for a quick look). About 13 minutes with defaults.
# The tables are printed and kept in bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=$(cd "${WARROOM_SHARED_BENCH:-../shared/bench}" && pwd)

WARROOM_BENCH_DEPS=1 scripts/install-deps.sh
# An optimised build of its own, so the test build's flags never leak into figures.
WARROOM_BUILD_DIR=build-release CMAKE_BUILD_TYPE=Release scripts/build.sh >/dev/null
warroom=$(pwd)/build-release/warroom

# The peer runs from a scratch copy: its node_modules never land in either tree.
peer=$(mktemp -d)
trap 'rm -rf "$peer"' EXIT
cp "$shared/bolt-js/app.js" "$shared/bolt-js/package.json" "$shared/bolt-js/package-lock.json" "$peer/"
(cd "$peer" && npm ci --omit=dev --no-audit --no-fund --loglevel=error >/dev/null)

mkdir -p bench/results
out=bench/results/slack-$(date -u +%Y%m%dT%H%MZ).txt
{
  echo "# $(date -u) on $(nproc) cores, $(uname -r); warroom $(git rev-parse --short HEAD)"
  for bot in bolt-js warroom bolt-js; do
    if [[ $bot == warroom ]]; then
      "$shared/loadgen/compare.sh" -n warroom "$@" -- "$warroom" serve
    else
      (cd "$peer" && "$shared/loadgen/compare.sh" -n bolt-js "$@" -- node app.js)
    fi
  done
} 2>&1 | tee "$out"
echo "kept in $out"
