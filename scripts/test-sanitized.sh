#!/usr/bin/env bash
# The whole test suite under AddressSanitizer (with LeakSanitizer) and
# UndefinedBehaviorSanitizer, built in build-asan/. Any sanitizer report
# aborts the process, so the test that triggered it fails.
#   scripts/test-sanitized.sh [ctest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${WARROOM_ASAN_BUILD_DIR:-build-asan}

scripts/install-deps.sh
# -O1: the optimisation ASan recommends (fast enough, exact stack traces);
# assertions stay on. Benchmarks are not tests: not built.
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" \
  -DWARROOM_SANITIZE=address,undefined -DWARROOM_BUILD_BENCH=OFF ${WARROOM_CMAKE_ARGS:-} >/dev/null
cmake --build "$build_dir" -j "${WARROOM_JOBS:-$(nproc)}"

# Inherited by everything the tests start (warroom serve, the console binary).
# detect_stack_use_after_return: a coroutine that outlives a stack frame it
# points into is the kind of bug GCC 12 coroutines make easy.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=1:print_stacktrace=1:strict_string_checks=1:check_initialization_order=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-print_suppressions=0}
ctest --test-dir "$build_dir" --output-on-failure -j "${WARROOM_JOBS:-$(nproc)}" "$@"
