#!/usr/bin/env python3
"""Three `warroom serve` replicas on one PostgreSQL under a mixed load (declares, App Home
events, Acknowledge button presses, acknowledgements typed in incident channels), one replica
SIGKILLed and restarted every few seconds, and PostgreSQL itself stopped and started once mid-run.

Usage (the throwaway cluster of tests/support/pg_cluster.sh; exit 77 without it):
    tests/support/with_pg.sh STATE python3 tests/integration/replica_fault_test.py build/warroom \
        [--seconds 30] [--seed N]

A press is the announcement's Acknowledge button (block_actions, as Slack posts it), by W222 on
an incident declared earlier in the run; every other press is sent again, same trigger_id, to
another replica: Slack's retry after an answer it never got.

Afterwards every acknowledged declare is stored once, every acknowledged press took effect once
(one `ack` timeline entry, by W222, and one acknowledgement post), no channel was created twice,
no reminder was posted twice (two `not acknowledged` posts for one incident closer than half its
ack interval), and every acknowledgement timer that came due fired within lease + 5 s of its
deadline. Printed: sent / acknowledged / stored / duplicated / late, presses beside commands.
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
import urllib.parse
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


def press_body(number, trigger, rid):
    """The announcement's Acknowledge button as Slack posts it: a form with block_actions JSON."""
    payload = {
        "type": "block_actions", "user": {"id": PRESSER, "username": "bob", "team_id": "T111"},
        "api_app_id": "A111", "team": {"id": "T111", "domain": "warroom-test"},
        "container": {"type": "message", "message_ts": "1.2", "channel_id": "C0GENERAL", "is_ephemeral": False},
        "channel": {"id": "C0GENERAL", "name": "general"}, "trigger_id": trigger,
        "response_url": f"{harness.FAKE.base}/response/{rid}",
        "actions": [{"action_id": "warroom_ack", "block_id": "warroom_announce_actions", "value": str(number),
                     "type": "button", "action_ts": f"{time.time():.6f}"}],
    }
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()


PRESSER = "W222"  # presses only: the typed acknowledgements at the end are W111's


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
    declared = []  # incident numbers not pressed yet
    presses = []  # (incident, HTTP 200 from a replica, sent to how many replicas, response_url id)

    def press():
        """Acknowledge on an incident declared earlier; every other one again to another replica."""
        with lock:
            if not declared:
                return
            number = declared.pop(rng.randrange(len(declared)))
            order = rng.sample(replicas, 2 if len(presses) % 2 else 1)
        trigger, rid = f"{uuid.uuid4().int % 10**9}.222.{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
        body = press_body(number, trigger, rid)
        ok = False
        for w in order:
            try:
                status, _, _ = w.send(body, "application/x-www-form-urlencoded")
                ok = ok or status == 200
            except OSError:
                pass
        presses.append((number, ok, len(order), rid))

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
                if ok:
                    with lock:
                        declared.append(harness.incident_number(json.loads(answer)))
            except OSError:
                ok = False
            results.append((title, ok))
            if n % 3 == 2:
                press()
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
    # When each was acknowledged (by a press, before the typed acks below): its timer did not come due.
    acked_at = {int(n): int(at) for n, at in psql("SELECT number, acked_at FROM incidents WHERE acked_at IS NOT NULL")}
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
    twice_fired, twice_posted = [], []  # (incident, escalations' seconds after the declare / texts)
    for title, (number, declared_at, cid) in stored.items():
        if not title.startswith("fault p1"):
            continue
        times = fired.get(number, [])
        close = sum(1 for x, y in zip(times, times[1:]) if y - x < ACK / 2)
        if close:
            twice_fired.append((number, [t - declared_at for t in times]))
        duplicated += close
        if cid in by_channel:
            texts = collections.Counter(harness.msg_text(m) for m in by_channel[cid]["messages"]
                                        if "is not acknowledged after" in harness.msg_text(m))
            again = {t: n for t, n in texts.items() if n > 1}
            if again:
                twice_posted.append((number, again))
            duplicated += sum(n - 1 for n in again.values())
        due = declared_at + ACK
        if due > min(run_end, ack_sent_at) - 1:
            continue  # came due after the run (or was acknowledged first): not counted
        if not times and number in acked_at and acked_at[number] - due <= LEASE + 5:
            continue  # a press acknowledged it before its reminder was late
        timers_due += 1
        if not times or times[0] - due > LEASE + 5:
            late.append((title, (times[0] - due) if times else None))

    # Presses: each acknowledged one took effect once (one `ack` entry, the presser's, one post); no
    # incident has two acknowledgements whoever made them.
    acks_of = collections.defaultdict(list)
    for incident, actor in psql("SELECT incident, actor FROM timeline WHERE kind = 'ack'"):
        acks_of[int(incident)].append(actor)
    channel_of = {number: cid for number, _, cid in stored.values()}
    # Acknowledged: Slack had its 200 and the presser was not told that nothing was changed (a
    # press answered while PostgreSQL was down is told so, and may be pressed again).
    told = collections.defaultdict(list)
    for c in fake.calls("response_url"):
        told[c["args"].get("id")].append(harness.all_text(c["args"].get("body") or {}))
    refused = re.compile(r"(?i)nothing was (changed|recorded)")
    told_failed = [rid for _, ok, _, rid in presses if ok and told[rid] and all(refused.search(t) for t in told[rid])]
    pressed_ok = [number for number, ok, _, rid in presses if ok and rid not in told_failed]
    took_effect, lost_presses = 0, []
    for number in pressed_ok:
        if acks_of.get(number) == [PRESSER]:
            took_effect += 1
        else:
            lost_presses.append((number, acks_of.get(number)))
    presses_twice = {n: a for n, a in acks_of.items() if len(a) > 1}
    ack_posts_twice = {}
    for number in set(pressed_ok):
        ch = by_channel.get(channel_of.get(number))
        if ch:
            posts = [m for m in ch["messages"] if f"acknowledged *INC-{number}*" in harness.msg_text(m)]
            if len(posts) > 1:
                ack_posts_twice[number] = len(posts)
    retried = sum(1 for _, _, sent_to, _ in presses if sent_to > 1)

    print(f"replica fault test (seed {seed}): {len(kills)} SIGKILLs of 3 replicas, PostgreSQL restarted at "
          f"{', '.join(f'{t:.0f} s' for t in pg_restarts) or 'never'}, {time.monotonic() - started:.0f} s")
    print(f"sent {len(results)} declares + {len(presses)} presses ({retried} also to another replica) / "
          f"acknowledged {len(acked)} + {len(pressed_ok)} ({len(told_failed)} more told to press again) / "
          f"stored {len(set(acked) & set(titles))} (of {len(titles)} stored) + {took_effect} presses took effect / "
          f"duplicated {len(twice_stored) + len(twice_created) + duplicated + len(presses_twice) + len(ack_posts_twice)} "
          f"(stored twice {len(twice_stored)}, channels twice {len(twice_created)}, reminders twice {duplicated}, "
          f"acknowledged twice {len(presses_twice)}, acknowledgement posted twice {len(ack_posts_twice)}) / "
          f"late {len(late)} of {timers_due} timers due")
    missing = set(acked) - set(titles)
    if missing:
        failures.append(f"acknowledged but not stored: {sorted(missing)[:10]}")
    if twice_stored:
        failures.append(f"stored twice: {twice_stored}")
    if twice_created:
        failures.append(f"channels created twice: {twice_created}")
    if duplicated:
        failures.append(f"{duplicated} reminders posted twice: fired close together {twice_fired[:5]}, "
                        f"same text twice {twice_posted[:5]}")
    if lost_presses:
        failures.append(f"acknowledged presses without exactly their one ack (incident, ack actors): {lost_presses[:10]}")
    if presses_twice:
        failures.append(f"incidents acknowledged twice: {presses_twice}")
    if ack_posts_twice:
        failures.append(f"acknowledgement posted twice: {ack_posts_twice}")
    if not presses or len(pressed_ok) < len(presses) // 2:
        failures.append(f"only {len(pressed_ok)} of {len(presses)} presses acknowledged")
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
