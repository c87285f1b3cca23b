#!/usr/bin/env bash
# Configures and builds warroom in build/ (ninja, ccache when present).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${WARROOM_BUILD_DIR:-build}
build_type=${CMAKE_BUILD_TYPE:-RelWithDebInfo}
if [[ ! -f "$build_dir/build.ninja" ]]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type" ${WARROOM_CMAKE_ARGS:-}
fi
cmake --build "$build_dir" -j "${WARROOM_JOBS:-$(nproc)}"
