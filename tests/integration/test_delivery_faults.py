#!/usr/bin/env python3
"""Never lose an update: `warroom serve` against a fake Slack that misbehaves for a while.

Usage: python3 tests/integration/test_delivery_faults.py build/warroom

429 storms on every method, Slack down (connections dropped) and back, 500s in the middle of a
burst, and permanent errors: every accepted post arrives exactly once (the fake's faults here
never do the work, so a second copy would be warroom's fault), in order within its channel, and
what cannot be delivered ends as a dead letter an operator can see. The pinned summary follows
the incident by chat.update of the same message, and a queued burst of edits reaches Slack once.
"""

import os
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
