#!/usr/bin/env python3
"""Declares/s and show/s through `warroom serve`: single-process SQLite beside 1, 2 and 3
replicas on one PostgreSQL (a benchmark, not a test; figures in README "PostgreSQL and replicas").

    tests/support/with_pg.sh STATE python3 bench/replica_bench.py build/warroom [--seconds 8] [--clients 8]

Each setup starts fresh: its database emptied, the replicas started, then `--clients` threads
send signed slash commands round-robin over the replicas on kept-alive connections for
`--seconds` (declares), then as long again `show 1`. The fake Slack (Python) and the load
generator share the machine with warroom and PostgreSQL: the figures compare setups on this
machine, they are not warroom's ceiling.
"""

import argparse
import http.client
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
import test_serve as harness  # noqa: E402

CONFIG = 'lease = "15s"\n'


def load(replicas, text, seconds, clients, expect):
    done, failed = [0] * clients, [0] * clients
    stop = time.monotonic() + seconds

    def client(k):
        w = replicas[k % len(replicas)]
        host, port = w.url[len("http://"):].split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        i = 0
        while time.monotonic() < stop:
            i += 1
            body = w.command_body(text.format(k=k, i=i))
            ts, sig = harness.sign(body)
            conn.request("POST", "/slack/events", body, {
                "Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": ts,
                "X-Slack-Signature": sig})
            r = conn.getresponse()
            answer = r.read().decode("utf-8", "replace")
            if r.status == 200 and expect in answer:
                done[k] += 1
            else:
                failed[k] += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - started
    return sum(done) / took, sum(failed)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("binary")
    p.add_argument("--seconds", type=float, default=8)
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--setups", default="sqlite,1,2,3")
    args = p.parse_args()
    pg = os.environ.get("WARROOM_TEST_DB", "")
    harness.BINARY = os.path.abspath(args.binary)
    os.environ["WARROOM_SLACK_PACE"] = "1000"
    harness.FAKE = harness.Fake()
    rows = []
    for setup in args.setups.split(","):
        tmps = []
        replicas = []
        n = 1 if setup == "sqlite" else int(setup)
        env_db = os.environ.pop("WARROOM_TEST_DB", None) if setup == "sqlite" else None
        if setup != "sqlite" and not pg:
            print(f"{setup} replicas: SKIPPED (no WARROOM_TEST_DB)")
            continue
        for i in range(n):
            tmp = tempfile.TemporaryDirectory(prefix="warroom-bench-")
            tmps.append(tmp)
            w = harness.Warroom(tmp.name, CONFIG, fresh_db=(i == 0))
            w.extra_env = {"WARROOM_REPLICA_ID": f"bench-{i}", "WARROOM_LOG_LEVEL": "warn"}
            replicas.append(w.start())
        if env_db is not None:
            os.environ["WARROOM_TEST_DB"] = env_db
        declares, dfail = load(replicas, "declare P3 bench {k} {i}", args.seconds, args.clients, "Declared")
        shows, sfail = load(replicas, "show 1", args.seconds, args.clients, "INC-1")
        name = "SQLite, 1 process" if setup == "sqlite" else f"PostgreSQL, {n} replica{'s' if n > 1 else ''}"
        rows.append((name, declares, shows, dfail + sfail))
        print(f"{name}: {declares:.0f} declares/s, {shows:.0f} show/s ({dfail + sfail} failed)", flush=True)
        for w in replicas:
            w.stop()
        for t in tmps:
            t.cleanup()
        harness.FAKE.post("reset")
    harness.FAKE.stop()
    print("\n| setup | declares/s | show/s |\n| --- | ---: | ---: |")
    for name, d, s, _ in rows:
        print(f"| {name} | {d:.0f} | {s:.0f} |")


if __name__ == "__main__":
    main()
