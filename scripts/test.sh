#!/usr/bin/env bash
# One command for every test: installs what is missing, builds, runs ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
ctest --test-dir "${WARROOM_BUILD_DIR:-build}" --output-on-failure -j "${WARROOM_JOBS:-$(nproc)}" "$@"
