#!/usr/bin/env bash
# warroom against the peer a user would otherwise write (Bolt for JavaScript,
# ../shared/bench/bolt-js) under signed slash commands, in one sitting, with
# the shared yardsticks unchanged:
#   1. the machine's ceiling (../shared/bench/loadgen/ceiling.sh: wrk against
#      a C responder that answers 200 and does nothing else);
#   2. peer, warroom, peer (loadgen/compare.sh), so drift on a noisy machine shows;
#   3. the mixed load: `show INC-1` on its own connections while a `declare`
#      load runs on others (two loadgen/run.sh at once), warroom then peer:
#      the show tail a reader sees while incidents are being declared;
#   4. one table of ratios (warroom / peer, warroom / ceiling), so nobody
#      does arithmetic.
# Wall-clock figures mean something only on a quiet machine (compare.sh warns
# when it is not). For a CPU figure that load cannot blur, bench/callgrind_show.sh.
#
#   bench/slack_compare.sh [--quick] [compare.sh options]
#     --quick   a smoke check: -r 1 -d 5 -w 2 (about 4 minutes)
#     compare.sh options pass through (-c 2,50 -d 10 -r 3 ...); -c and -d also
#     set the ceiling's and the mixed load's connection counts and duration.
#   env: MIXED_SHOW_CONNS (2), MIXED_DECLARE_CONNS (50); WARROOM_BENCH_BINARY: measure
#        that binary instead of building build-release/ (Release)
# About 16 minutes with defaults. Everything printed is kept in bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=$(cd "${WARROOM_SHARED_BENCH:-../shared/bench}" && pwd)
loadgen=$shared/loadgen

args=()
for a in "$@"; do
  if [[ $a == --quick ]]; then args+=(-r 1 -d 5 -w 2); else args+=("$a"); fi
done
# The duration and connection counts compare.sh will use (its defaults: 10 s, 2,50), for the other loads.
duration=10 conns=2,50
set -- "${args[@]+"${args[@]}"}"
while [ $# -gt 0 ]; do
  case $1 in -d) duration=$2; shift ;; -c) conns=$2; shift ;; esac
  shift
done
show_conns=${MIXED_SHOW_CONNS:-2} declare_conns=${MIXED_DECLARE_CONNS:-50}

WARROOM_BENCH_DEPS=1 scripts/install-deps.sh
if [ -n "${WARROOM_BENCH_BINARY:-}" ]; then  # a binary already built (say so in the results)
  warroom=$(cd "$(dirname "$WARROOM_BENCH_BINARY")" && pwd)/$(basename "$WARROOM_BENCH_BINARY")
else
  # An optimised build of its own, so the test build's flags never leak into figures.
  WARROOM_BUILD_DIR=build-release CMAKE_BUILD_TYPE=Release scripts/build.sh >/dev/null
  warroom=$(pwd)/build-release/warroom
fi

# The peer runs from a scratch copy: its node_modules never land in either tree.
peer=$(mktemp -d)
work=$(mktemp -d /tmp/slack-compare.XXXXXX)
bot_pid='' fake_pid=''
cleanup() {
  for p in $bot_pid $fake_pid; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$peer" "$work"
}
trap cleanup EXIT
cp "$shared/bolt-js/app.js" "$shared/bolt-js/package.json" "$shared/bolt-js/package-lock.json" "$peer/"
(cd "$peer" && npm ci --omit=dev --no-audit --no-fund --loglevel=error >/dev/null)

log() { echo "[slack_compare] $*" >&2; }
field() { sed -n "s|.*\\b$1=\\([^ ]*\\).*|\\1|p" <<<"$2"; }

# The mixed load against one bot, started as compare.sh starts it (same
# environment, fresh database, the shared fake Slack). Prints one line per load.
mixed() {
  local name=$1 dir=$2; shift 2
  local secret token=xoxb-test-token port url run_dir
  secret="mixed-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  run_dir=$(mktemp -d "$work/$name.XXXXXX")
  node "$loadgen/fake-slack-server.mjs" --impl builtin --bot-token "$token" >"$run_dir/fake.out" 2>"$run_dir/fake.err" &
  fake_pid=$!
  for _ in $(seq 100); do [ "$(wc -l <"$run_dir/fake.out")" -ge 2 ] && break; sleep 0.1; done
  port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  url="http://127.0.0.1:$port/slack/events"
  (cd "$dir" && exec env SLACK_API_URL="$(sed -n 2p "$run_dir/fake.out")" SLACK_SIGNING_SECRET="$secret" \
    SLACK_BOT_TOKEN="$token" PORT="$port" WARROOM_LISTEN="127.0.0.1:$port" WARROOM_DB="$run_dir/warroom.db" \
    BOLT_DB="$run_dir/bolt.db" "$@" >"$run_dir/bot.log" 2>&1) &
  bot_pid=$!
  for _ in $(seq 300); do
    [ "$(curl -s -o /dev/null -m 1 -w '%{http_code}' -X POST "$url" 2>/dev/null || true)" != 000 ] && break
    sleep 0.1
  done
  node "$loadgen/slack-request.mjs" "$url" "$secret" 'declare P1 loadgen seed incident' >/dev/null
  node "$loadgen/slack-request.mjs" "$url" "$secret" 'show INC-1' | grep -q 'INC-1' \
    || log "WARNING: $name: 'show INC-1' does not answer with the seeded incident"
  "$loadgen/run.sh" "$url" "$secret" 'show INC-1' 2 "$show_conns" >/dev/null  # warm-up
  "$loadgen/run.sh" "$url" "$secret" "declare P2 mixed warm-up {n}" 2 "$show_conns" >/dev/null
  sleep 2
  # Both loads at once; the declare load starts first so the whole show load runs under it.
  "$loadgen/run.sh" "$url" "$secret" "declare P2 mixed load {n}" $((duration + 1)) "$declare_conns" >"$run_dir/declare.line" &
  local declare_pid=$!
  sleep 0.5
  "$loadgen/run.sh" "$url" "$secret" 'show INC-1' "$duration" "$show_conns" >"$run_dir/show.line"
  wait "$declare_pid" || true
  echo "$name mixed show c=$show_conns: $(cat "$run_dir/show.line")"
  echo "$name mixed declare c=$declare_conns: $(cat "$run_dir/declare.line")"
  kill "$bot_pid" "$fake_pid" 2>/dev/null || true
  wait "$bot_pid" "$fake_pid" 2>/dev/null || true
  bot_pid='' fake_pid=''
}

mkdir -p bench/results
stamp=$(date -u +%Y%m%dT%H%MZ)
out=bench/results/slack-$stamp.txt
{
  echo "# $(date -u) on $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(uname -r); warroom $(git rev-parse --short HEAD), $warroom"
  echo "# load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "## ceiling (loadgen/ceiling.sh $duration $conns 1)"
  # The C responder can answer writes faster than ceiling.sh pre-signs them at
  # 50 connections (run.sh exits 3, "ran out of distinct requests"): the rows
  # printed before that (the reads the ratios use) still stand.
  { "$loadgen/ceiling.sh" "$duration" "$conns" 1 ||
      echo "(ceiling.sh stopped with exit $?: the rows above stand; the ratios use its show rows)"; } |
    tee "$work/ceiling.txt"
  for bot in bolt-js warroom bolt-js; do
    echo
    if [[ $bot == warroom ]]; then
      "$loadgen/compare.sh" -n warroom "${args[@]+"${args[@]}"}" -- "$warroom" serve | tee "$work/warroom.txt"
    else
      (cd "$peer" && "$loadgen/compare.sh" -n bolt-js "${args[@]+"${args[@]}"}" -- node app.js) | tee -a "$work/peer.txt"
    fi
  done
  echo
  echo "## mixed load: show on $show_conns connections while declare runs on $declare_conns (${duration} s)"
  mixed warroom . "$warroom" serve | tee "$work/mixed.txt"
  mixed bolt-js "$peer" node app.js | tee -a "$work/mixed.txt"

  # The ratios. compare.sh's table rows: | load | conns | req/s | p50 | p99 | errors | non2xx | cpu us/req | ...
  echo
  echo "## ratios (peer: mean of its two runs; ceiling: the C responder)"
  awk -F'|' -v OFS='|' '
    function trim(s) { gsub(/^ +| +$/, "", s); return s }
    function kind(s) { return s ~ /^show/ ? "show" : "declare" }
    FILENAME ~ /ceiling/ && $2 ~ /C epoll/ { ceil[kind(trim($3)) "/" trim($4)] = trim($6) }
    FILENAME ~ /(warroom|peer)\.txt$/ && $3 ~ /^ *[0-9]+ *$/ && $2 !~ /---/ {
      who = FILENAME ~ /warroom/ ? "w" : "p"; k = kind(trim($2)) "/" trim($3)
      rps[who, k] += trim($4); p99[who, k] += trim($6); cpu[who, k] += trim($9); n[who, k]++
      if (!(k in seen)) { seen[k] = 1; order[++rows] = k }
    }
    FILENAME ~ /mixed/ {
      split($0, a, ":"); key = a[1]
      line = $0
      match(line, /requests\/s=[0-9.]+/); mr[key] = substr(line, RSTART + 11, RLENGTH - 11)
      match(line, /p99_ms=[0-9.]+/); mp[key] = substr(line, RSTART + 7, RLENGTH - 7)
    }
    function r(a, b) { return (b > 0) ? sprintf("%.2f", a / b) : "-" }
    END {
      printf "| %-12s | %10s | %10s | %10s | %9s | %9s | %8s | %8s | %10s | %10s | %10s |\n", "load/conns", "warroom/s", "peer/s",
        "C ceil/s", "w p99 ms", "p p99 ms", "w cpu us", "p cpu us", "w/peer", "w/ceiling", "p99 w/peer"
      print "|--------------|------------|------------|------------|-----------|-----------|----------|----------|------------|------------|------------|"
      for (i = 1; i <= rows; i++) {
        k = order[i]
        wr = n["w", k] ? rps["w", k] / n["w", k] : 0; pr = n["p", k] ? rps["p", k] / n["p", k] : 0
        wp = n["w", k] ? p99["w", k] / n["w", k] : 0; pp = n["p", k] ? p99["p", k] / n["p", k] : 0
        wc = n["w", k] ? cpu["w", k] / n["w", k] : 0; pc = n["p", k] ? cpu["p", k] / n["p", k] : 0
        printf "| %-12s | %10.1f | %10.1f | %10s | %9.2f | %9.2f | %8.0f | %8.0f | %10s | %10s | %10s |\n", k, wr, pr,
          (k in ceil) ? ceil[k] : "-", wp, pp, wc, pc, r(wr, pr), r(wr, ceil[k]), r(wp, pp)
      }
      ws = "warroom mixed show c='"$show_conns"'"; ps = "bolt-js mixed show c='"$show_conns"'"
      wd = "warroom mixed declare c='"$declare_conns"'"; pd = "bolt-js mixed declare c='"$declare_conns"'"
      printf "\nmixed load: show p99 %s ms warroom, %s ms peer (w/peer %s); show %s/s vs %s/s (w/peer %s);\n", mp[ws], mp[ps], r(mp[ws], mp[ps]), mr[ws], mr[ps], r(mr[ws], mr[ps])
      printf "            declares meanwhile %s/s warroom, %s/s peer (w/peer %s), declare p99 %s ms vs %s ms\n", mr[wd], mr[pd], r(mr[wd], mr[pd]), mp[wd], mp[pd]
    }' "$work/ceiling.txt" "$work/warroom.txt" "$work/peer.txt" "$work/mixed.txt"
} 2>&1 | tee "$out"
echo "kept in $out"
