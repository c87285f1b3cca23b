#!/usr/bin/env bash
# One command for every test: installs what is missing, builds, runs ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
# The status page's browser test runs wherever the tests run (CI too); opt out with =0.
WARROOM_BROWSER_DEPS=${WARROOM_BROWSER_DEPS:-1} scripts/install-deps.sh
scripts/build.sh
ctest --test-dir "${WARROOM_BUILD_DIR:-build}" --output-on-failure -j "${WARROOM_JOBS:-$(nproc)}" "$@"
