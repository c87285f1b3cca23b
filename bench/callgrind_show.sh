#!/usr/bin/env bash
# CPU cost per request that a busy machine cannot blur: instructions counted
# by callgrind while `warroom serve` answers N `show INC-1` and then M
# `declare` slash commands, sent one at a time (bench/send_commands.mjs, the
# shared loadgen's own signed requests) to the real HTTP endpoint, with the
# shared fake Slack answering the outbox's Web API calls.
#
# Counting is switched on only around each phase (callgrind_control -i), so
# start-up, the seed and the warm-up are not in the figures. A declare's
# count runs until the bot is idle again: it includes the outbox delivery
# (the Web API calls after the ack), as compare.sh's CPU per request does.
# An idle phase of the same length is measured too: the background loops'
# cost (timers, delivery polling) that the phases carry.
#
#   bench/callgrind_show.sh [-n SHOWS] [-m DECLARES] [-b BINARY] [-k DIR] [-t TOP]
#     -n 300  shows   -m 30  declares   -b build/warroom   -t 15 functions listed
#     -k DIR  keep the callgrind files (callgrind_annotate DIR/callgrind.out.show)
# Prints: instructions per show, per declare, and the top functions (self cost) of each.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=$(cd "${WARROOM_SHARED_BENCH:-../shared/bench}" && pwd)
export WARROOM_SHARED_BENCH=$shared
shows=300 declares=30 bin=build/warroom keep='' top=15
while getopts n:m:b:k:t: o; do
  case $o in n) shows=$OPTARG ;; m) declares=$OPTARG ;; b) bin=$OPTARG ;; k) keep=$OPTARG ;; t) top=$OPTARG ;;
    *) sed -n '2,19p' "$0" >&2; exit 2 ;; esac
done
command -v valgrind >/dev/null && command -v callgrind_control >/dev/null || { echo "needs valgrind (callgrind)" >&2; exit 2; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
[ -x "$bin" ] || { echo "no binary at $bin (scripts/build.sh)" >&2; exit 2; }

run_dir=$(mktemp -d /tmp/warroom-callgrind.XXXXXX)
bot_pid='' fake_pid=''
cleanup() {
  for p in $bot_pid $fake_pid; do kill "$p" 2>/dev/null || true; done
  for p in $bot_pid $fake_pid; do wait "$p" 2>/dev/null || true; done
  if [ -n "$keep" ]; then
    # Named by phase (callgrind numbers its dumps), as the usage line says.
    mkdir -p "$keep"
    cp "$run_dir"/bot.log "$keep"/ 2>/dev/null || true
    for f in "$run_dir"/callgrind.out.*; do
      phase=$(sed -n 's/^desc: Trigger: dump //p' "$f" 2>/dev/null | head -1)
      [ -n "$phase" ] && cp "$f" "$keep/callgrind.out.$phase"
    done
  fi
  rm -rf "$run_dir"
}
trap cleanup EXIT
log() { echo "[callgrind] $*" >&2; }

secret="cg-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
token=xoxb-test-token
node "$shared/loadgen/fake-slack-server.mjs" --impl builtin --bot-token "$token" >"$run_dir/fake.out" 2>"$run_dir/fake.err" &
fake_pid=$!
for _ in $(seq 100); do [ "$(wc -l <"$run_dir/fake.out")" -ge 2 ] && break; sleep 0.1; done
api_url=$(sed -n 2p "$run_dir/fake.out")
[ -n "$api_url" ] || { log "fake Slack did not start"; cat "$run_dir/fake.err" >&2; exit 1; }

port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
url="http://127.0.0.1:$port/slack/events"
env SLACK_API_URL="$api_url" SLACK_SIGNING_SECRET="$secret" SLACK_BOT_TOKEN="$token" \
  WARROOM_LISTEN="127.0.0.1:$port" WARROOM_DB="$run_dir/warroom.db" \
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$run_dir/callgrind.out" \
  "$bin" serve >"$run_dir/bot.log" 2>&1 &
bot_pid=$!
code=000
for _ in $(seq 600); do
  kill -0 "$bot_pid" 2>/dev/null || { log "warroom exited:"; tail -20 "$run_dir/bot.log" >&2; exit 1; }
  code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' -X POST "$url" 2>/dev/null) || true
  [ "$code" != 000 ] && break
  sleep 0.2
done
[ "$code" = 401 ] || { log "warroom did not answer the unsigned probe with 401 (got $code)"; exit 1; }

hz=$(getconf CLK_TCK)
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
wait_idle() { # until bot + fake use < 5% of a core over two consecutive 0.5 s windows (max 120 s)
  local quiet=0 a b n=0
  a=$(( $(ticks $bot_pid) + $(ticks $fake_pid) ))
  while [ $quiet -lt 2 ] && [ $n -lt 240 ]; do
    sleep 0.5; n=$((n + 1))
    b=$(( $(ticks $bot_pid) + $(ticks $fake_pid) ))
    if [ $(( (b - a) * 100 )) -le $(( hz * 5 / 2 )) ]; then quiet=$((quiet + 1)); else quiet=0; fi
    a=$b
  done
}
send() { node "$(pwd)/bench/send_commands.mjs" "$url" "$secret" "$@"; }

pending() { sqlite3 "$run_dir/warroom.db" "SELECT count(*) FROM outbox WHERE state = 'pending'" 2>/dev/null || echo 1; }
drain() { # the outbox delivered (Slack's pace is kept: that is waiting, not work), then quiet
  local n=0
  while [ "$(pending)" != 0 ] && [ $n -lt 600 ]; do sleep 0.5; n=$((n + 1)); done
  [ "$(pending)" = 0 ] || log "WARNING: outbox still has pending actions after 300 s"
  wait_idle
}

send 'declare P1 loadgen seed incident' 1 'INC-1'
send 'show INC-1' 20 'INC-1'              # warm-up: caches, prepared statements, connections
send 'declare P2 callgrind warm-up {n}' 10 'Declared'
drain

# One phase: count on, run, count off, dump that phase (a dump resets the counts).
phase() {
  local name=$1; shift
  local t0 t1
  t0=$(date +%s%N)
  callgrind_control -i on "$bot_pid" >/dev/null 2>&1
  "$@"
  callgrind_control -i off "$bot_pid" >/dev/null 2>&1
  t1=$(date +%s%N)
  callgrind_control -d "$name" "$bot_pid" >/dev/null 2>&1
  echo $(( (t1 - t0) / 1000000 )) >"$run_dir/$name.ms"
}
phase idle sleep 5
phase show send 'show INC-1' "$shows" 'INC-1'
phase declare send 'declare P2 callgrind {n}' "$declares" 'Declared'
phase delivery drain

dump_file() { grep -l "^desc: Trigger: dump $1\$" "$run_dir"/callgrind.out.* | head -1; }
ir() { awk '/^totals:/ { print $2; exit }' "$(dump_file "$1")"; }

show_ir=$(ir show) declare_ir=$(ir declare) delivery_ir=$(ir delivery) idle_ir=$(ir idle)
echo "binary: $bin ($(date -u -r "$bin" '+built %Y-%m-%d %H:%M UTC')); tree: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . || echo ' with uncommitted changes')"
echo "instructions (callgrind Ir), requests sent one at a time:"
awk -v s="$show_ir" -v d="$declare_ir" -v o="$delivery_ir" -v i="$idle_ir" -v ns="$shows" -v nd="$declares" \
  -v sms="$(cat "$run_dir/show.ms")" -v dms="$(cat "$run_dir/declare.ms")" -v oms="$(cat "$run_dir/delivery.ms")" \
  -v ims="$(cat "$run_dir/idle.ms")" 'BEGIN {
  rate = i * 1000 / ims
  printf "  show:     %9d per request (%d shows, %.1f s under callgrind)\n", s / ns, ns, sms / 1000
  printf "  declare:  %9d per request up to its answer (%d declares, %.1f s)\n", d / nd, nd, dms / 1000
  printf "  delivery: %9d per declare after its answer: the outbox sent to the fake Slack at Slack'"'"'s pace (%.1f s)\n", o / nd, oms / 1000
  printf "  idle:     %9d per second of the background loops (measured %.1f s before the phases; included above)\n", rate, ims / 1000
}'
for name in show declare delivery; do
  echo
  echo "top $top functions by own instructions, $name phase (% of the phase):"
  callgrind_annotate --inclusive=no "$(dump_file "$name")" 2>/dev/null \
    | awk '/^-+$/ { sep++; next } sep >= 3 && NF && $1 ~ /^[0-9,]+/ && !/PROGRAM TOTALS/' | head -n "$top" \
    | sed -e 's/ \[[^]]*\]$//' \
    | cut -c1-200 | sed 's/^/  /'
done
