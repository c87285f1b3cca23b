#!/usr/bin/env bash
# How late warroom's timers fire (issue #16), from the histogram
# warroom_timer_lateness_seconds on /metrics (how long after its deadline each
# timer fired). Prints p50 and p99 (read from the buckets: an upper bound, the
# bucket's edge) and the count of each phase:
#   idle:   5 P0 incidents, their timers alone (P0: ack_within 2s, update_every 3s below);
#   steady: 20 P0 incidents escalating and reminding (about 17 timers a second)
#           while the shared loadgen's declare load (`declare P2 load test…`, whose
#           own timers are hours away) runs on STEADY_CONNECTIONS; only the timers
#           that fired during that load are counted: the issue's "under the declare load";
#   storm:  a `declare P0` load, so every declared incident arms timers due
#           seconds later: thousands fall due each second (throughput, not lateness).
#
#   bench/timer_lateness.sh [DURATION] [CONNECTIONS] [STEADY_CONNECTIONS]   (defaults: 10 s, 2, 50)
#   env: WARROOM_BENCH_BINARY (default build/warroom); WARROOM_SHARED_BENCH (../shared/bench)
# Needs the shared loadgen (wrk, node). The figures mean something only with
# the machine stated: the timers share the network thread with the load.
set -euo pipefail
cd "$(dirname "$0")/.."
loadgen=$(cd "${WARROOM_SHARED_BENCH:-../shared/bench}/loadgen" && pwd)
warroom=${WARROOM_BENCH_BINARY:-build/warroom}
duration=${1:-10} conns=${2:-2} steady_conns=${3:-50}

work=$(mktemp -d /tmp/timer-lateness.XXXXXX)
bot_pid='' fake_pid=''
cleanup() {
  for p in $bot_pid $fake_pid; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/warroom.toml" <<'EOF'
[[severities]]
name               = "P0"
label              = "Critical"
ack_within         = "2s"
update_every       = "3s"
resolve_within     = "1h"
notify_channels    = []
page               = []
postmortem         = false
page_outside_hours = true

[[severities]]
name               = "P2"
label              = "Medium"
ack_within         = "1h"
update_every       = "2h"
resolve_within     = "24h"
notify_channels    = []
page               = []
postmortem         = false
page_outside_hours = false
EOF

token=xoxb-test-token
secret="lateness-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
node "$loadgen/fake-slack-server.mjs" --impl builtin --bot-token "$token" >"$work/fake.out" 2>"$work/fake.err" &
fake_pid=$!
for _ in $(seq 100); do [ "$(wc -l <"$work/fake.out")" -ge 2 ] && break; sleep 0.1; done
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
SLACK_API_URL="$(sed -n 2p "$work/fake.out")" SLACK_SIGNING_SECRET="$secret" SLACK_BOT_TOKEN="$token" \
  WARROOM_LISTEN="127.0.0.1:$port" WARROOM_DB="$work/warroom.db" \
  "$warroom" serve --config "$work/warroom.toml" >"$work/bot.log" 2>&1 &
bot_pid=$!
for _ in $(seq 300); do
  [ "$(curl -s -o /dev/null -m 1 -w '%{http_code}' "$base/healthz" || true)" = 200 ] && break
  sleep 0.05
done

# p50, p99 (the upper edge of the bucket holding that rank) and the count, from /metrics.
buckets() { curl -s "$base/metrics" | grep '^warroom_timer_lateness_seconds_bucket'; }
# With a file of earlier buckets as $1: only what fired since.
quantiles() {
  { if [ -n "${1:-}" ]; then sed 's/^/before /' "$1"; fi; buckets; } | awk '
    /^before / { sub(/^before /, ""); base[$1] = $NF; next }
    /^warroom_timer_lateness_seconds_bucket/ { $NF = $NF - base[$1] }
    /^warroom_timer_lateness_seconds_bucket/ {
      match($0, /le="[^"]*"/); le = substr($0, RSTART + 4, RLENGTH - 5); n[++k] = $NF; edge[k] = le }
    END {
      total = n[k]
      if (total == 0) { print "count=0"; exit }
      split("0.5 0.99", qs, " ")
      line = ""
      for (j = 1; j <= 2; ++j) {
        want = qs[j] * total
        for (i = 1; i <= k; ++i) if (n[i] >= want) { line = line sprintf("p%g<=%ss ", qs[j] * 100, edge[i]); break }
      }
      print line "count=" total
    }'
}

# Idle: a handful of incidents, their timers alone.
for i in 1 2 3 4 5; do node "$loadgen/slack-request.mjs" "$base/slack/events" "$secret" "declare P0 idle timer $i" >/dev/null; done
sleep 4
echo "idle (5 incidents, nothing else running): $(quantiles)"

# Steady: 15 more P0 incidents (20 in all, each escalating every 2 s and reminding every 3 s),
# then the compare.sh declare load on STEADY_CONNECTIONS; counted: what fired during it.
for i in $(seq 6 20); do node "$loadgen/slack-request.mjs" "$base/slack/events" "$secret" "declare P0 steady timer $i" >/dev/null; done
sleep 3
buckets >"$work/steady.before"
line=$("$loadgen/run.sh" "$base/slack/events" "$secret" 'declare P2 load test c{c} r{r} {n}' "$duration" "$steady_conns" || true)
echo "steady timers of 20 P0 incidents during a declare P2 load c=$steady_conns ${duration}s: $(quantiles "$work/steady.before")"
echo "  that load: $line"
sleep 2
before=$(curl -s "$base/metrics" | awk '/^warroom_timer_lateness_seconds_count/ {print $2}')

# Under load: declares for DURATION s; each incident's first deadlines come due while it runs.
line=$("$loadgen/run.sh" "$base/slack/events" "$secret" 'declare P0 lateness load {n}' "$duration" "$conns" || true)
echo "declare load c=$conns ${duration}s: $line"
after_load=$(quantiles)
echo "after the load (all timers so far, idle ones included: $before): $after_load"
sleep 4
echo "4 s later (the load's last deadlines fired too): $(quantiles)"
echo "# $(date -u) on $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); warroom $(git rev-parse --short HEAD), $warroom"
