#!/usr/bin/env python3
"""Crash safety: a few hundred /incident declares while `warroom serve` is killed with
SIGKILL at random moments and restarted on the same database.

Usage: python3 tests/integration/crash_test.py build/warroom [--commands 300] [--kills 4] [--seed N]

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
import test_serve as harness  # noqa: E402  (the fake Slack and warroom process helpers)

TITLE = re.compile(r"crash test (\d+)")


def send_commands(w, titles, results, stop, pause):
    """One client: sends declares until the queue is empty; a kill shows up as a refused or
    dropped connection, which counts as sent but not acknowledged (Slack would show an error)."""
    while not stop.is_set():
        time.sleep(pause)
        try:
            title = titles.get_nowait()
        except queue.Empty:
            return
        body = w.command_body(f"declare P3 {title}")
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
    fake.stop()
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
