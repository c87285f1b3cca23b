#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang (ASan + UBSan) in
# build-fuzz/ and runs them on their seed corpora for N seconds in all
# (default 120), shared equally between the targets run: adding a target
# does not lengthen CI. One target named: it gets all N seconds.
# New inputs go to a temporary directory, so the corpus in the repository
# only grows by hand. Fails if any target crashes, leaks, times out or trips
# a sanitizer; the input that did it is saved in build-fuzz/artifacts/.
#   scripts/fuzz.sh [total seconds] [target...]
set -euo pipefail
cd "$(dirname "$0")/.."
total=${1:-120}
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then
  targets=(fuzz_signature fuzz_payloads fuzz_command_parser fuzz_interactions fuzz_pager_webhooks fuzz_status_site)
fi
seconds=$((total / ${#targets[@]}))
((seconds >= 1)) || seconds=1
build_dir=${WARROOM_FUZZ_BUILD_DIR:-build-fuzz}

WARROOM_FUZZ_DEPS=1 scripts/install-deps.sh
if [[ ! -f "$build_dir/build.ninja" ]]; then
  # -O1 -g with assertions on: fast enough to fuzz, and asserts are checks too.
  # Warnings are not errors here: the GCC build (scripts/test.sh) enforces
  # them, and a warning only clang 14 gives must not stop the fuzzing.
  CC=clang CXX=clang++ cmake -S . -B "$build_dir" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
    -DWARROOM_FUZZ=ON -DWARROOM_SANITIZE=address,undefined -DWARROOM_WERROR=OFF \
    -DWARROOM_BUILD_TESTS=OFF -DWARROOM_BUILD_BENCH=OFF
fi
# Only the fuzz targets and what they link: no Beast, no Asio.
cmake --build "$build_dir" -j "${WARROOM_JOBS:-$(nproc)}" --target "${targets[@]}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:print_stacktrace=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}
mkdir -p "$build_dir/artifacts"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=()
for t in "${targets[@]}"; do
  echo "fuzz: $t for ${seconds}s"
  mkdir -p "$work/$t"
  # -timeout: one input taking over 10 s is a hang; -rss_limit_mb: a leak or
  # a blow-up. The first corpus directory receives new inputs.
  if ! "$build_dir/tests/fuzz/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -max_len=4096 -print_final_stats=1 -artifact_prefix="$build_dir/artifacts/$t-" \
      "$work/$t" "tests/fuzz/corpus/$t" >"$work/$t.log" 2>&1; then
    failed+=("$t")
    tail -n 80 "$work/$t.log"
  else
    grep -E '^(Done|stat::number_of_executed_units|stat::new_units_added|stat::peak_rss_mb)' "$work/$t.log" || true
  fi
done
if ((${#failed[@]})); then
  echo "fuzz: FAILED: ${failed[*]} (reproduce: $build_dir/tests/fuzz/<target> $build_dir/artifacts/<file>)"
  exit 1
fi
echo "fuzz: no crash in ${targets[*]}"
