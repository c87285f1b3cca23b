#!/usr/bin/env bash
# One command to try warroom: installs what is missing, builds, and runs it:
# `serve` when a Slack bot token is in the environment, else the console.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
if [[ -n "${SLACK_BOT_TOKEN:-}" ]]; then
  exec build/warroom serve "$@"
fi
exec build/warroom console "$@"
