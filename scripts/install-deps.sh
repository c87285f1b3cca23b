#!/usr/bin/env bash
# Installs the Debian packages warroom builds and tests with, only those missing.
# Used by README's set-up commands, CI and the container build alike.
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config ccache
  libboost1.81-dev libboost-url1.81-dev libssl-dev
  nlohmann-json3-dev libsqlitecpp-dev libsqlite3-dev libspdlog-dev catch2
  libkainjow-mustache-dev libtomlplusplus-dev libcli11-dev libhowardhinnant-date-dev
  tzdata sqlite3 python3 openssl
)
if [[ "${WARROOM_BENCH_DEPS:-}" == 1 ]]; then
  packages+=(wrk curl)
  # A Node.js installed another way (nodesource, nvm) brings its own npm, which
  # Debian's npm package would conflict with: take Debian's only when missing.
  command -v node >/dev/null || packages+=(nodejs)
  command -v npm >/dev/null || packages+=(npm)
fi
# clang 14 with its runtimes (libFuzzer, ASan, UBSan): scripts/fuzz.sh only.
if [[ "${WARROOM_FUZZ_DEPS:-}" == 1 ]]; then packages+=(clang libclang-rt-14-dev); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: everything is installed"
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
