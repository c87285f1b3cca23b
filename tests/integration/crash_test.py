#!/usr/bin/env python3
"""Crash safety: a few hundred /incident declares while `warroom serve` is killed with
SIGKILL at random moments and restarted on the same database.

Usage: python3 tests/integration/crash_test.py build/warroom [--commands 300] [--kills 4] [--seed N]

Then paging (issue #13): P1 declares that page a fake PagerDuty, with SIGKILLs between the
decision and the page's delivery (while PagerDuty hangs before acting, and after it acted but
before its answer came back) and at random: every stored incident must have exactly one
PagerDuty alert (one dedup_key), however often its trigger was sent.

At the end, every acknowledged command's incident must be in the database and its channel and
summary in the fake Slack; no channel may have been created twice. Posts whose answer was lost in
a kill may arrive twice (at-least-once): they are counted and reported, not failed. The report
line is what the issue's closing note quotes:
    sent / acknowledged / persisted / delivered / channels twice / duplicate posts
Bounded in time: every wait has a deadline; the whole run takes about a minute.
"""

import argparse
import collections
import os
import queue
import random
import re
import sqlite3
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import test_serve as harness  # noqa: E402  (the fake Slack and warroom process helpers)
from fake_pagerduty import FakePagerDuty  # noqa: E402

PD_KEY = "CrashTestRoutingKey0000000000042"
PAGE_TITLE = re.compile(r"page crash (\d+)")

TITLE = re.compile(r"crash test (\d+)")


def send_commands(w, titles, results, stop, pause, sev="P3"):
    """One client: sends declares until the queue is empty; a kill shows up as a refused or
    dropped connection, which counts as sent but not acknowledged (Slack would show an error)."""
    while not stop.is_set():
        time.sleep(pause)
        try:
            title = titles.get_nowait()
        except queue.Empty:
            return
        body = w.command_body(f"declare {sev} {title}")
        try:
            status, _, answer = w.send(body, "application/x-www-form-urlencoded")
            ok = status == 200 and "Declared" in answer
        except OSError:
            ok = False
        results.append((title, ok))


def killer(w, at, stop, log):
    """SIGKILLs at the given offsets into the load, restarting at once each time."""
    started = time.monotonic()
    for offset in at:
        time.sleep(max(0.0, started + offset - time.monotonic()))
        if stop.is_set():
            return
        w.kill9()
        log.append(time.monotonic() - started)
        w.start()


class PagingWarroom(harness.Warroom):
    extra_env = {"PD_CRASH_KEY": PD_KEY}

    def pages_pending(self):
        status, _, body = self.get("/metrics")
        if status != 200:
            return 1
        return sum(int(line.rsplit(" ", 1)[1]) for line in body.splitlines()
                   if line.startswith("warroom_integration_outbox_actions{") and 'state="pending"' in line)


def declare_page(w, title):
    try:
        status, _, answer = w.send(w.command_body(f"declare P1 {title}"), "application/x-www-form-urlencoded")
        return status == 200 and "Declared" in answer
    except OSError:
        return False


def paging_phase(rng, failures):
    """SIGKILLs between a paging decision and its delivery; returns the report line."""
    pd = FakePagerDuty(routing_keys=[PD_KEY]).start()
    config = f"""
[[pagers]]
name = "pd"
kind = "pagerduty"
routing_key_env = "PD_CRASH_KEY"
base_url = "{pd.base}"

[[severities]]
name = "P1"
label = "High"
ack_within = "1h"
update_every = "1h"
resolve_within = "4h"
page = ["pd"]
page_on_declare = true
page_outside_hours = true
"""
    acked = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            w = PagingWarroom(tmp, config=config).start()
            # 1: PagerDuty hangs before acting; warroom is killed while it waits.
            # 2: PagerDuty acted, its answer is late; killed before warroom recorded it.
            for i, kind in ((1, "hang"), (2, "late")):
                with pd.lock:
                    pd.faults.append({"kind": kind, "path": "/v2/enqueue", "count": 1, "retry_after": None,
                                      "status": 500, "seconds": 30})
                    seen = len(pd.requests)
                if declare_page(w, f"page crash {i}"):
                    acked.append(f"page crash {i}")
                harness.wait_until(f"the page of 'page crash {i}' to reach PagerDuty",
                                   lambda: len(pd.requests) > seen, timeout=15)
                w.kill9()
                with pd.lock:
                    pd.faults.clear()
                w.start()
            # 3: declares under random kills.
            results, kill_log, stop = [], [], threading.Event()
            titles = queue.Queue()
            for i in range(3, 43):
                titles.put(f"page crash {i}")
            clients = [threading.Thread(target=send_commands, args=(w, titles, results, stop, 0.2), kwargs={"sev": "P1"})
                       for _ in range(2)]
            k = threading.Thread(target=killer, args=(w, sorted(rng.uniform(0.5, 3.5) for _ in range(2)), stop, kill_log))
            for t in clients:
                t.start()
            k.start()
            for t in clients:
                t.join(60)
            stop.set()
            k.join(30)
            acked += [t for t, ok in results if ok]
            try:
                harness.wait_until("the pages to be delivered", lambda: w.pages_pending() == 0, timeout=90)
            except AssertionError as e:
                failures.append(str(e))
            db = sqlite3.connect(w.db)
            stored = {row[1]: row[0] for row in db.execute("SELECT number, title FROM incidents")}
            db.close()
            logs = w.logs()
            w.stop()
        with pd.lock:
            alerts = {k: dict(v) for k, v in pd.alerts.items()}
            triggers = [r for r in pd.requests if isinstance(r["body"], dict) and r["body"].get("event_action") == "trigger"]
        keys = {f"warroom-warroom-INC-{n}": title for title, n in stored.items()}
        missing = [t for key, t in keys.items() if key not in alerts]
        strangers = [k for k in alerts if k not in keys]
        unacked_missing = [t for t in acked if t not in stored]
        repeats = sum(a["triggers"] - 1 for a in alerts.values())
        report = (f"paging: {len(acked)} acknowledged / {len(stored)} stored / {len(alerts)} PagerDuty alerts / "
                  f"{len(triggers)} trigger requests ({repeats} repeats deduplicated by dedup_key)")
        if missing:
            failures.append(f"stored incidents never paged: {missing[:10]}\n{logs}")
        if strangers:
            failures.append(f"PagerDuty alerts for no stored incident: {strangers[:10]}")
        if unacked_missing:
            failures.append(f"acknowledged but not stored: {unacked_missing[:10]}")
        if len(alerts) != len(stored):
            failures.append(f"{len(alerts)} PagerDuty alerts for {len(stored)} incidents: a duplicate trigger")
        if any(r["errors"] for r in triggers):
            failures.append(f"PagerDuty refused a trigger: {[r['errors'] for r in triggers if r['errors']][:3]}")
        return report
    finally:
        pd.stop()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("binary")
    p.add_argument("--commands", type=int, default=300)
    p.add_argument("--kills", type=int, default=4)
    p.add_argument("--clients", type=int, default=4)
    p.add_argument("--seconds", type=float, default=20, help="how long the load lasts")
    p.add_argument("--seed", type=int, default=None)
    args = p.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)

    harness.BINARY = os.path.abspath(args.binary)
    # Slack's real pace (20 channel creations a minute) would make draining take a quarter of
    # an hour; the fake Slack has no limits, so warroom may go 20 times faster here.
    os.environ["WARROOM_SLACK_PACE"] = "20"
    harness.FAKE = fake = harness.Fake()
    # Bot already in #incidents, so each announcement is one call and duplicates are easy to count.
    fake.post("channel", {"name": "incidents", "id": "C0INCIDENTS", "bot_member": True})
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        w = harness.Warroom(tmp, config=None).start()
        titles = queue.Queue()
        for i in range(1, args.commands + 1):
            titles.put(f"crash test {i}")
        results, kill_log, stop = [], [], threading.Event()
        # Each command waits for its fsync'd commit: a slow pace per client, so a few clients.
        pause = args.seconds * args.clients / args.commands
        clients = [threading.Thread(target=send_commands, args=(w, titles, results, stop, pause))
                   for _ in range(args.clients)]
        kill_at = sorted(rng.uniform(1, args.seconds - 1) for _ in range(args.kills))
        k = threading.Thread(target=killer, args=(w, kill_at, stop, kill_log))
        started = time.monotonic()
        for t in clients:
            t.start()
        k.start()
        # Clients stop when the queue is empty; a client whose request died with the process
        # moves on to the next title (the process restarts within a second).
        deadline = started + args.seconds + 60
        for t in clients:
            t.join(max(0.1, deadline - time.monotonic()))
        stop.set()
        k.join(30)
        # Keep the last incarnation running until everything accepted reached Slack.
        try:
            harness.wait_until("the outbox to drain", lambda: w.outbox().get("pending", 1) == 0, timeout=90)
        except AssertionError as e:
            failures.append(str(e))

        acked = {t for t, ok in results if ok}
        sent = len(results)
        db = sqlite3.connect(w.db)
        stored = {row[0] for row in db.execute("SELECT title FROM incidents")}
        numbers = [row[0] for row in db.execute("SELECT number FROM incidents ORDER BY number")]
        db.close()
        w.stop()

        creates = [c for c in fake.calls("conversations.create") if c["outcome"] == "ok"]
        made = collections.Counter(re.sub(r"-\d+$", "", c["args"]["name"]) if re.search(r"-test-\d+-\d+$", c["args"]["name"])
                                   else c["args"]["name"] for c in creates)
        twice = {name: n for name, n in made.items() if n > 1}
        state = fake.state()
        summaries = collections.Counter()
        announced = collections.Counter()
        for ch in state["channels"]:
            for m in ch["messages"]:
                found = TITLE.search(harness.msg_text(m))
                if not found:
                    continue
                if ch["name"] == "incidents":
                    announced[found.group(1)] += 1
                elif ch["name"].startswith("incident-"):
                    if ":rotating_light:" in m.get("text", ""):
                        summaries[found.group(1)] += 1
        delivered = {t for t in acked if summaries[TITLE.search(t).group(1)] >= 1 and announced[TITLE.search(t).group(1)] >= 1}
        duplicate_posts = sum(n - 1 for n in summaries.values() if n > 1) + sum(n - 1 for n in announced.values() if n > 1)

        print(f"crash test (seed {seed}): {args.kills} SIGKILLs in {time.monotonic() - started:.0f} s")
        print(f"sent {sent} / acknowledged {len(acked)} / persisted {len(acked & stored)} (of {len(stored)} stored) / "
              f"delivered {len(delivered)} / channels created twice {len(twice)} / duplicate posts {duplicate_posts}")

        if len(kill_log) < args.kills:
            failures.append(f"only {len(kill_log)} of {args.kills} kills happened")
        if acked - stored:
            failures.append(f"acknowledged but not stored: {sorted(acked - stored)[:10]}")
        if acked - delivered:
            failures.append(f"acknowledged but not in Slack: {sorted(acked - delivered)[:10]}")
        if twice:
            failures.append(f"channels created more than once: {twice}")
        if len(numbers) != len(set(numbers)) or (numbers and numbers != list(range(numbers[0], numbers[0] + len(numbers)))):
            failures.append(f"incident numbers are not unique and consecutive: {numbers[:20]}…")
        if len(acked) < args.commands // 2:
            failures.append(f"only {len(acked)} of {args.commands} commands acknowledged: the restarts took too long")
    print(paging_phase(rng, failures))
    fake.stop()
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
