#!/usr/bin/env python3
"""Never lose an update: `warroom serve` against a fake Slack that misbehaves for a while.

Usage: python3 tests/integration/test_delivery_faults.py build/warroom

429 storms on every method, Slack down (connections dropped) and back, 500s in the middle of a
burst, and permanent errors: every accepted post arrives exactly once (the fake's faults here
never do the work, so a second copy would be warroom's fault), in order within its channel, and
what cannot be delivered ends as a dead letter an operator can see. The pinned summary follows
the incident by chat.update of the same message, and a queued burst of edits reaches Slack once.
"""

import contextlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_serve as harness  # noqa: E402

# The fake has no rate limits of its own; warroom may go faster than Slack allows here.
os.environ["WARROOM_SLACK_PACE"] = "10"


setUpModule = harness.start_own_fake
tearDownModule = harness.stop_own_fake


class FaultCase(harness.ServeCase):
    def setUp(self):
        harness.FAKE.post("clear_faults")
        self.n, self.ch, _ = self.declare(f"Flaky Slack {uuid.uuid4().hex[:6]}")

    def tearDown(self):
        harness.FAKE.post("clear_faults")

    def notes(self, count, tag):
        texts = [f"{tag} {i} {uuid.uuid4().hex[:6]}" for i in range(count)]
        for t in texts:
            self.w.command(f"note {t}", channel=self.ch)
        return texts

    def drained(self, timeout):
        harness.wait_until("the outbox to drain", lambda: self.w.outbox().get("pending", 1) == 0, timeout=timeout)

    def assert_each_once_in_order(self, texts):
        msgs = [harness.msg_text(m) for m in harness.FAKE.messages(self.ch["id"])]
        positions = []
        for t in texts:
            where = [i for i, m in enumerate(msgs) if t in m]
            self.assertEqual(len(where), 1, f"{t!r} posted {len(where)} times{self.fail_info()}")
            positions.append(where[0])
        self.assertEqual(positions, sorted(positions), f"posts out of order: {positions}")


class StormTests(FaultCase):
    def test_429_storm_on_every_method(self):
        mark = harness.FAKE.last_seq()
        harness.FAKE.post("fault", {"method": "*", "kind": "429", "retry_after": 1, "count": 12})
        texts = self.notes(5, "during the storm")
        answer = self.w.command("declare P3 declared during the storm")
        n = harness.incident_number(answer)
        self.drained(60)
        self.assert_each_once_in_order(texts)
        limited = [c for c in harness.FAKE.calls(since=mark) if c["outcome"] == "ratelimited"]
        self.assertEqual(len(limited), 12, "the storm did not happen as planned")
        creates = [c for c in harness.FAKE.calls("conversations.create", since=mark) if c["outcome"] == "ok"]
        self.assertEqual(len(creates), 1, f"INC-{n}'s channel: {creates}")
        # Retry-After was honoured per method: no method was called again within a second of its 429.
        by_method = {}
        for c in harness.FAKE.calls(since=mark):
            last = by_method.get(c["method"])
            if last is not None and last["outcome"] == "ratelimited":
                self.assertGreaterEqual(c["time"] - last["time"], 0.9, f"{c['method']} retried too soon")
            by_method[c["method"]] = c

    def test_500s_in_the_middle_of_a_burst_keep_the_order(self):
        harness.FAKE.post("fault", {"method": "chat.postMessage", "kind": "500", "count": 3})
        texts = self.notes(6, "burst")
        self.drained(60)
        self.assert_each_once_in_order(texts)


class OutageTests(FaultCase):
    def test_slack_down_for_a_while_then_back(self):
        mark = harness.FAKE.last_seq()
        harness.FAKE.post("fault", {"method": "*", "kind": "drop", "count": 0})  # every call, until cleared
        texts = self.notes(4, "while Slack is down")
        answer = self.w.command("declare P3 declared while Slack is down")
        self.assertIn("Declared", harness.answer_text(answer), "commands must be accepted while Slack is down")
        harness.wait_until("warroom to notice Slack is down",
                           lambda: len([c for c in harness.FAKE.calls(since=mark) if c["outcome"] == "drop"]) >= 3)
        time.sleep(6)  # the outage lasts a while: retries back off meanwhile
        harness.FAKE.post("clear_faults")
        back = time.monotonic()
        self.drained(90)
        recovered = time.monotonic() - back
        print(f"\n  delivered everything {recovered:.1f} s after Slack came back", file=sys.stderr)
        self.assertLess(recovered, 30, "delivery took too long to resume after Slack came back")
        self.assert_each_once_in_order(texts)
        status, _, body = self.w.get("/healthz")
        self.assertEqual(status, 200, body)

    def test_a_long_outage_ends_within_seconds_of_slack_coming_back(self):
        mark = harness.FAKE.last_seq()
        harness.FAKE.post("fault", {"method": "*", "kind": "500", "count": 0})  # every call, until cleared
        answer = self.w.command("declare P3 declared during a long outage")
        self.assertIn("Declared", harness.answer_text(answer), "commands must be accepted while Slack is down")
        n = harness.incident_number(answer)
        time.sleep(40)  # long enough for the queue's own backoff to reach half a minute
        during = len(harness.FAKE.calls(since=mark))
        harness.FAKE.post("clear_faults")
        back = time.monotonic()

        def channel():
            return next((c for c in harness.FAKE.state()["channels"] if c["name"].startswith("incident-")
                         and any(f"INC-{n}" in harness.msg_text(m) for m in c["messages"])), None)
        harness.wait_until(f"INC-{n}'s channel", channel, timeout=30)
        recovered = time.monotonic() - back
        print(f"\n  {during} calls during the 40 s outage; INC-{n}'s channel {recovered:.1f} s after Slack came back",
              file=sys.stderr)
        self.assertLess(recovered, 10, f"the channel came {recovered:.1f} s after Slack was back{self.fail_info()}")
        self.assertLess(during, 100, "a retry storm while Slack was down")
        self.drained(30)


class PermanentErrorTests(FaultCase):
    def test_a_permanent_error_is_a_visible_dead_letter_and_holds_nothing_else(self):
        harness.FAKE.post("fault", {"method": "chat.postMessage", "kind": "error", "error": "is_archived",
                                    "count": 1})
        lost, kept = self.notes(2, "permanent")
        self.drained(30)
        msgs = [harness.msg_text(m) for m in harness.FAKE.messages(self.ch["id"])]
        self.assertFalse(any(lost in m for m in msgs), "a refused post appeared anyway")
        self.assertTrue(any(kept in m for m in msgs), "the next post was held behind a dead letter")
        out = subprocess.run([harness.BINARY, "outbox", "--db", self.w.db], capture_output=True, text=True,
                             timeout=30)
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertIn("is_archived", out.stdout)
        self.assertIn("1 dead", out.stdout)
        _, _, metrics = self.w.get("/metrics")
        self.assertIn('warroom_outbox_actions{state="dead"} 1', metrics)


@contextlib.contextmanager
def database_unwritable(db, seconds):
    """Every write to warroom's database fails for `seconds`, through SQLite itself.

    `chattr +i` on the database and its WAL makes each write fail with EPERM ("disk I/O error");
    where that is not possible (not root, a file system without the flag) another connection
    holds the write lock (BEGIN EXCLUSIVE) past warroom's 5 s busy timeout ("database is locked").
    """
    files = [f for f in (db, db + "-wal") if os.path.exists(f)]
    probe = os.path.join(os.path.dirname(db), "chattr-probe")
    open(probe, "w").close()
    chattr = shutil.which("chattr") and subprocess.run(["chattr", "+i", probe], capture_output=True).returncode == 0
    if chattr:
        subprocess.run(["chattr", "-i", probe], check=True)
    os.unlink(probe)
    if chattr:
        subprocess.run(["chattr", "+i"] + files, check=True)
        try:
            yield "chattr"
            time.sleep(seconds)
        finally:
            subprocess.run(["chattr", "-i"] + files, check=True)
    else:
        lock = sqlite3.connect(db, timeout=10, isolation_level=None)
        lock.execute("BEGIN EXCLUSIVE")
        try:
            yield "lock"
            time.sleep(max(seconds, 8))  # past the busy timeout, or warroom only waits
        finally:
            lock.execute("ROLLBACK")
            lock.close()


class DatabaseFaultTests(harness.ServeCase):
    """A failed database write is an episode the bot rides out, not the end of delivery."""

    def test_delivery_survives_a_failed_database_write(self):
        mark = harness.FAKE.last_seq()
        # The create fails once, so its retry comes while the database refuses writes.
        harness.FAKE.post("fault", {"method": "conversations.create", "kind": "500", "count": 1})
        answer = self.w.command("declare P3 database refuses writes")
        self.assertIn("Declared", harness.answer_text(answer))
        n = harness.incident_number(answer)
        harness.wait_until("the failed conversations.create", lambda: [
            c for c in harness.FAKE.calls("conversations.create", since=mark) if c["outcome"] != "ok"])
        with database_unwritable(self.w.db, 4) as how:
            print(f"\n  database unwritable by {how}", file=sys.stderr)
        harness.wait_until(f"INC-{n}'s channel with its pinned summary", lambda: any(
            c["pins"] and c["name"].startswith("incident-") and any(f"INC-{n}" in harness.msg_text(m)
                                                                       for m in c["messages"])
            for c in harness.FAKE.state()["channels"]), timeout=30)
        # Later work goes out too, without a restart.
        answer = self.w.command("declare P3 after the database came back")
        later = harness.incident_number(answer)
        harness.wait_until(f"INC-{later}'s channel", lambda: any(
            c["name"].startswith("incident-") and any(f"INC-{later}" in harness.msg_text(m) for m in c["messages"])
            for c in harness.FAKE.state()["channels"]), timeout=30)
        self.w.quiet()
        with open(self.w.log_path, encoding="utf-8", errors="replace") as f:
            logs = f.read()
        self.assertNotIn("stopped on an unexpected error", logs)
        status, _, body = self.w.get("/healthz")
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body).get("delivery"), "running", body)


class ReadinessTests(harness.ServeCase):
    """/healthz stays 200 (liveness) while Slack is unreachable; /readyz and healthcheck --ready fail."""

    config = 'slack_unreachable_after = "2s"\n' + harness.CONFIG

    def tearDown(self):
        harness.FAKE.post("clear_faults")

    def healthcheck(self, *args):
        return subprocess.run([harness.BINARY, "healthcheck", "--url", f"127.0.0.1:{self.w.port}", *args],
                              capture_output=True, text=True, timeout=30)

    def test_slack_unreachable_past_the_threshold_is_not_ready(self):
        _, ch, _ = self.declare(f"Readiness {uuid.uuid4().hex[:6]}", sev="P3")
        status, _, body = self.w.get("/readyz")
        self.assertEqual(status, 200, body)
        self.assertEqual(self.healthcheck("--ready").returncode, 0)
        harness.FAKE.post("fault", {"method": "*", "kind": "drop", "count": 0})
        self.w.command("note while Slack is unreachable", channel=ch)

        def not_ready():
            status, _, body = self.w.get("/readyz")
            return (status, body) if status == 503 else None
        _, body = harness.wait_until("/readyz to answer 503", not_ready)
        report = json.loads(body)
        self.assertIn("unreachable for", report["slack"], body)
        self.assertIn("network", report["slack"], body)  # the last error
        self.assertGreaterEqual(report["outbox"].get("pending", 0), 1, body)
        status, _, body = self.w.get("/healthz")
        self.assertEqual(status, 200, f"liveness must not fail on Slack: {body}")
        self.assertIn("unreachable for", json.loads(body)["slack"], body)
        ready = self.healthcheck("--ready")
        self.assertEqual(ready.returncode, 1, ready.stdout + ready.stderr)
        self.assertIn("unreachable", ready.stderr)
        self.assertEqual(self.healthcheck().returncode, 0)
        _, _, metrics = self.w.get("/metrics")
        m = re.search(r"^warroom_slack_seconds_since_success (\d+)$", metrics, re.M)
        self.assertTrue(m, metrics)
        self.assertGreaterEqual(int(m.group(1)), 2, "seconds since the last successful call")

        harness.FAKE.post("clear_faults")
        harness.wait_until("/readyz to answer 200 again", lambda: self.w.get("/readyz")[0] == 200)
        self.w.quiet()
        self.assertEqual(self.healthcheck("--ready").returncode, 0)
        self.assertEqual(json.loads(self.w.get("/healthz")[2])["slack"], "ok")


class LiveSummaryTests(harness.ServeCase):
    """The pinned summary is edited in place (chat.update) as the incident changes, never posted twice."""

    def setUp(self):
        harness.FAKE.post("clear_faults")
        self.n, self.ch, _ = self.declare(f"Summary follows {uuid.uuid4().hex[:6]}", sev="P2")
        pins = harness.FAKE.channel(cid=self.ch["id"])["pins"]
        self.assertEqual(len(pins), 1, "one pinned summary after the declaration")
        self.pinned_ts = pins[0]

    def tearDown(self):
        harness.FAKE.post("clear_faults")

    def summary(self):
        ch = harness.FAKE.channel(cid=self.ch["id"])
        self.assertEqual(ch["pins"], [self.pinned_ts], "the summary stays the one pinned message")
        return next(m for m in ch["messages"] if m["ts"] == self.pinned_ts)

    def wait_summary(self, needles, what):
        def shows():
            text = harness.msg_text(self.summary())
            return all(n in text for n in needles)
        try:
            harness.wait_until(what, shows)
        except AssertionError as e:
            raise AssertionError(f"{e}\nsummary now: {harness.msg_text(self.summary())}{self.fail_info()}")
        return harness.msg_text(self.summary())

    def change(self, what):
        self.w.command(what.replace("INC-n", f"INC-{self.n}"))

    def assert_one_summary(self, since):
        summaries = [c for c in harness.FAKE.calls("chat.postMessage", since=since)
                     if f"INC-{self.n}" in harness.all_text(c["args"]) and "Declared by" in harness.all_text(c["args"])]
        self.assertEqual(summaries, [], "the summary was posted again instead of edited")
        for c in harness.FAKE.calls("chat.update", since=since):
            self.assertEqual(c["args"].get("ts"), self.pinned_ts, c)
            self.assertEqual(c["args"].get("channel"), self.ch["id"], c)
        self.assertEqual(self.w.outbox().get("dead", 0), 0, f"dead letters{self.fail_info()}")

    def test_each_change_edits_the_pinned_summary(self):
        mark = harness.FAKE.last_seq()
        self.change("severity INC-n P1")
        self.change("status INC-n mitigating")
        self.change("tl INC-n <@W333>")
        self.change("update INC-n db failover done")
        self.w.quiet()
        self.wait_summary(["P1 (High)", "mitigating", "W333", "db failover done"],
                          "the pinned summary to show P1, mitigating, the tech lead and the update")
        self.assertTrue(any(c["outcome"] == "ok" for c in harness.FAKE.calls("chat.update", since=mark)))
        self.assert_one_summary(mark)
        # The summary's ts is in the database: a restarted warroom edits the same message.
        self.w.stop()
        self.w.start()
        self.change("status INC-n monitoring")
        self.w.quiet()
        self.wait_summary(["monitoring", "db failover done"], "the summary edited after a restart")
        self.assert_one_summary(mark)

    def test_an_incident_from_before_the_upgrade_changes_without_dead_letters(self):
        # Schema 2 had no summary ts: such an incident's summary cannot be found to edit.
        self.w.stop()
        with sqlite3.connect(self.w.db) as db:
            db.execute("UPDATE incidents SET summary_ts = '' WHERE number = ?", (self.n,))
        db.close()
        self.w.start()
        mark = harness.FAKE.last_seq()
        self.change("status INC-n identified")
        self.w.quiet()
        harness.wait_until("the status post", lambda: any(
            "identified" in harness.msg_text(m) for m in harness.FAKE.messages(self.ch["id"])))
        self.assertEqual(harness.FAKE.calls("chat.update", since=mark), [])
        self.assertEqual(self.w.outbox().get("dead", 0), 0, f"dead letters{self.fail_info()}")

    def test_a_burst_of_changes_ends_with_the_final_state(self):
        mark = harness.FAKE.last_seq()
        # The first edit is rate limited, so the burst queues up behind it in one incident's order.
        harness.FAKE.post("fault", {"method": "chat.update", "kind": "429", "retry_after": 3, "count": 1})
        self.change("status INC-n identified")
        harness.wait_until("the rate-limited chat.update",
                           lambda: [c for c in harness.FAKE.calls("chat.update", since=mark)
                                    if c["outcome"] == "ratelimited"])
        final = f"burst final {uuid.uuid4().hex[:6]}"
        for what in ("severity INC-n P1", "status INC-n mitigating", "update INC-n burst step 1",
                     "severity INC-n P3", "status INC-n monitoring", "update INC-n burst step 2",
                     "severity INC-n P1", "tl INC-n <@W222>", f"update INC-n {final}"):
            self.change(what)
        self.w.quiet()
        text = self.wait_summary(["P1 (High)", "monitoring", "W222", final], "the summary to end with the final state")
        self.assertNotIn("burst step 2", text, "an older update shown instead of the last one")
        self.assert_one_summary(mark)
        ok = [c for c in harness.FAKE.calls("chat.update", since=mark) if c["outcome"] == "ok"]
        # Everything after the 429 waited behind it; then only the newest edit went to Slack.
        self.assertEqual(len(ok), 1, f"{len(ok)} chat.update calls for a queued burst{self.fail_info()}")


if __name__ == "__main__":
    harness.run_suite("test_delivery_faults.py")
