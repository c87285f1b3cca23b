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
  libcurl4-openssl-dev python3-aiosmtpd
  # PostgreSQL storage (libpq's C API), and the server the tests run a throwaway cluster of.
  libpq-dev postgresql
)
if [[ "${WARROOM_BENCH_DEPS:-}" == 1 ]]; then
  packages+=(wrk curl)
  # A Node.js installed another way (nodesource, nvm) brings its own npm, which
  # Debian's npm package would conflict with: take Debian's only when missing.
  command -v node >/dev/null || packages+=(nodejs)
  command -v npm >/dev/null || packages+=(npm)
fi
# The status page's browser test (tests/integration/test_status_page_browser.py):
# Debian's Chromium, and puppeteer-core and axe-core from npm into tests/browser.
if [[ "${WARROOM_BROWSER_DEPS:-}" == 1 ]]; then
  packages+=(chromium fonts-dejavu-core)
  command -v node >/dev/null || packages+=(nodejs)
  command -v npm >/dev/null || packages+=(npm)
fi
# clang 14 with its runtimes (libFuzzer, ASan, UBSan): scripts/fuzz.sh only.
if [[ "${WARROOM_FUZZ_DEPS:-}" == 1 ]]; then packages+=(clang libclang-rt-14-dev); fi

# npm packages at the versions package-lock.json pins, only when they are not there yet.
install_browser_packages() {
  [[ "${WARROOM_BROWSER_DEPS:-}" == 1 ]] || return 0
  local dir
  dir="$(cd "$(dirname "$0")/../tests/browser" && pwd)"
  if [[ -d "$dir/node_modules/puppeteer-core" && -d "$dir/node_modules/axe-core" ]] &&
    [[ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]]; then
    return 0
  fi
  echo "install-deps: npm ci in tests/browser (puppeteer-core, axe-core)"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
}

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: everything is installed"
  install_browser_packages
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
install_browser_packages
