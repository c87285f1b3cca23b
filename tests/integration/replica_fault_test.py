#!/usr/bin/env python3
"""Three `warroom serve` replicas on one PostgreSQL under a mixed load (declares, App Home
events, acknowledgements typed in incident channels), one replica SIGKILLed and restarted every
few seconds, and PostgreSQL itself stopped and started once mid-run.

Usage (the throwaway cluster of tests/support/pg_cluster.sh; exit 77 without it):
    tests/support/with_pg.sh STATE python3 tests/integration/replica_fault_test.py build/warroom \
        [--seconds 30] [--seed N]

Afterwards every acknowledged declare is stored once, no channel was created twice, no
reminder was posted twice (two `not acknowledged` posts for one incident closer than half its
ack interval), and every acknowledgement timer that came due fired within lease + 5 s of its
deadline. Printed: sent / acknowledged / stored / duplicated / late.
"""

import argparse
import collections
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_serve as harness  # noqa: E402

LEASE = 6  # longer than the PostgreSQL restart below: an outcome owed to the database is written before the lease ends
ACK = 4  # P1's acknowledgement interval: its reminder repeats every 4 s until acknowledged
CONFIG = f'''lease = "{LEASE}s"
[[severities]]
name = "P1"
label = "High"
ack_within = "{ACK}s"
update_every = "1h"
resolve_within = "4h"
notify_channels = []
page = []
postmortem = false
page_outside_hours = true
[[severities]]
name = "P3"
label = "Low"
ack_within = "4h"
resolve_within = "7d"
notify_channels = []
page = []
postmortem = false
page_outside_hours = true
'''
CLUSTER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support", "pg_cluster.sh")
TITLE = re.compile(r"fault (p[13]) (\d+)")


def psql(sql):
    out = subprocess.run(["psql", "-qAt", "-F", "\t", os.environ["WARROOM_TEST_DB"], "-c", sql],
                         check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("binary")
    p.add_argument("--seconds", type=float, default=30)
    p.add_argument("--kill-every", type=float, default=4)
    p.add_argument("--seed", type=int, default=None)
    args = p.parse_args()
    if not os.environ.get("WARROOM_TEST_DB", "").startswith("postgres"):
        print("SKIPPED: needs the PostgreSQL test cluster (tests/support/with_pg.sh)")
        return 77
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    harness.BINARY = os.path.abspath(args.binary)
    os.environ["WARROOM_SLACK_PACE"] = "20"
    harness.FAKE = fake = harness.Fake()
    failures = []
    tmps = [tempfile.TemporaryDirectory(prefix=f"warroom-fault-{i}-") for i in range(3)]
    replicas = []
    for i, tmp in enumerate(tmps):
        w = harness.Warroom(tmp.name, CONFIG, fresh_db=(i == 0))
        w.extra_env = {"WARROOM_REPLICA_ID": f"fault-{i}"}
        replicas.append(w.start())
    lock = threading.Lock()
    stop = threading.Event()
    results = []  # (title, acknowledged)
    counter = iter(range(1, 1_000_000))

    def client(k):
        while not stop.is_set():
            with lock:
                w = rng.choice(replicas)
                n = next(counter)
            kind = "p1" if n % 3 == 0 else "p3"
            title = f"fault {kind} {n}"
            try:
                if n % 4 == 1:  # an event: the App Home, which reads the database
                    body = {"type": "event_callback", "event_id": "Ev" + uuid.uuid4().hex[:10].upper(),
                            "event_time": int(time.time()), "team_id": "T111", "api_app_id": "A111",
                            "event": {"type": "app_home_opened", "user": "W111", "channel": "D0", "tab": "home"}}
                    w.event(body)
                body = w.command_body(f"declare {kind.upper()} {title}")
                status, _, answer = w.send(body, "application/x-www-form-urlencoded")
                ok = status == 200 and "Declared" in answer
            except OSError:
                ok = False
            results.append((title, ok))
            time.sleep(0.15)

    kills, pg_restarts = [], []

    def killer():
        started = time.monotonic()
        restarted_pg = False
        while not stop.wait(args.kill_every):
            if not restarted_pg and time.monotonic() - started > args.seconds / 2:
                subprocess.run([CLUSTER, "stop", os.environ["WARROOM_PG_STATE"]], check=True)
                time.sleep(2)
                subprocess.run([CLUSTER, "start", os.environ["WARROOM_PG_STATE"]], check=True)
                pg_restarts.append(time.monotonic() - started)
                restarted_pg = True
                continue
            with lock:
                i = rng.randrange(3)
                w = replicas[i]
            w.kill9()
            kills.append((time.monotonic() - started, i))
            w.start()

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(3)] + [threading.Thread(target=killer)]
    for t in threads:
        t.start()
    time.sleep(args.seconds)
    stop.set()
    for t in threads:
        t.join(60)
    run_end = time.time()

    # Acknowledge every P1 so its reminders stop, then let the replicas drain the outbox.
    stored = {row[0]: (int(row[1]), int(row[2]), row[3]) for row in
              psql("SELECT title, number, declared_at, channel_id FROM incidents")}
    ack_sent_at = time.time()
    for title, (number, declared_at, cid) in stored.items():
        if title.startswith("fault p1") and cid:
            replicas[0].command("ack", channel={"id": cid, "name": "x"})
    try:
        harness.wait_until("the outbox to drain",
                           lambda: all(w.outbox().get("pending", 1) == 0 for w in replicas), timeout=90)
    except AssertionError as e:
        failures.append(str(e))
    for w in replicas:
        w.stop()

    acked = [t for t, ok in results if ok]
    titles = [row[0] for row in psql("SELECT title FROM incidents")]
    stored_counts = collections.Counter(titles)
    twice_stored = {t: n for t, n in stored_counts.items() if n > 1}
    creates = [c["args"]["name"] for c in fake.calls("conversations.create") if c["outcome"] == "ok"]
    twice_created = {n: k for n, k in collections.Counter(creates).items() if k > 1}
    # Reminders: a timer fired twice shows as two escalations in the timeline closer than half the
    # ack interval; a reminder posted twice as the same text (its "after Ns" differs per firing)
    # twice in the channel. Lateness is the first firing (the timeline's time) after its deadline.
    state = fake.state()
    by_channel = {ch["id"]: ch for ch in state["channels"]}
    fired = collections.defaultdict(list)
    for incident, at in psql("SELECT incident, at FROM timeline WHERE kind = 'escalation' ORDER BY at"):
        fired[int(incident)].append(int(at))
    duplicated, late, timers_due = 0, [], 0
    for title, (number, declared_at, cid) in stored.items():
        if not title.startswith("fault p1"):
            continue
        times = fired.get(number, [])
        duplicated += sum(1 for x, y in zip(times, times[1:]) if y - x < ACK / 2)
        if cid in by_channel:
            texts = collections.Counter(harness.msg_text(m) for m in by_channel[cid]["messages"]
                                        if "is not acknowledged after" in harness.msg_text(m))
            duplicated += sum(n - 1 for n in texts.values() if n > 1)
        due = declared_at + ACK
        if due > min(run_end, ack_sent_at) - 1:
            continue  # came due after the run (or was acknowledged first): not counted
        timers_due += 1
        if not times or times[0] - due > LEASE + 5:
            late.append((title, (times[0] - due) if times else None))

    print(f"replica fault test (seed {seed}): {len(kills)} SIGKILLs of 3 replicas, PostgreSQL restarted at "
          f"{', '.join(f'{t:.0f} s' for t in pg_restarts) or 'never'}, {time.monotonic() - started:.0f} s")
    print(f"sent {len(results)} / acknowledged {len(acked)} / stored {len(set(acked) & set(titles))} "
          f"(of {len(titles)} stored) / duplicated {len(twice_stored) + len(twice_created) + duplicated} "
          f"(stored twice {len(twice_stored)}, channels twice {len(twice_created)}, reminders twice {duplicated}) / "
          f"late {len(late)} of {timers_due} timers due")
    missing = set(acked) - set(titles)
    if missing:
        failures.append(f"acknowledged but not stored: {sorted(missing)[:10]}")
    if twice_stored:
        failures.append(f"stored twice: {twice_stored}")
    if twice_created:
        failures.append(f"channels created twice: {twice_created}")
    if duplicated:
        failures.append(f"{duplicated} reminders posted twice")
    if late:
        failures.append(f"timers later than lease + 5 s: {late[:10]}")
    if not pg_restarts:
        failures.append("PostgreSQL was not restarted")
    if len(acked) < len(results) // 2:
        failures.append(f"only {len(acked)} of {len(results)} acknowledged")
    fake.stop()
    for t in tmps:
        t.cleanup()
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
