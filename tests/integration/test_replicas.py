#!/usr/bin/env python3
"""Two `warroom serve` replicas on one PostgreSQL database (run by ctest through
tests/support/with_pg.sh, which sets WARROOM_TEST_DB; exit 77 without PostgreSQL).

Slack sends each request to either replica. What must hold: each declare makes one channel
and one pinned summary whichever replica took it; a slash command Slack resends to the other
replica is carried out once; a replica killed while delivering leaves its outbox entries to
the other once its lease (3 s here) runs out; a timer armed by a replica that died fires on
the other; /healthz names the replica and its leases.
"""

import os
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_serve as harness  # noqa: E402

LEASE = 3
setUpModule = harness.start_own_fake
tearDownModule = harness.stop_own_fake
CONFIG = f'lease = "{LEASE}s"\n' + harness.CONFIG


def replica(tmpdir, name, fresh, env=None):
    w = harness.Warroom(tmpdir, CONFIG, fresh_db=fresh)
    w.extra_env = {"WARROOM_REPLICA_ID": name, **(env or {})}
    return w


def healthz(w):
    import json
    status, _, body = w.get("/healthz")
    return status, json.loads(body)


class TwoReplicas(unittest.TestCase):
    """Two replicas on the WARROOM_TEST_DB database (emptied first), for the suites of replicas."""
    env = {}  # more of each replica's environment

    @classmethod
    def setUpClass(cls):
        if not os.environ.get("WARROOM_TEST_DB", "").startswith(("postgresql://", "postgres://")):
            raise unittest.SkipTest("needs WARROOM_TEST_DB=postgresql://… (tests/support/with_pg.sh)")
        cls.tmp1 = tempfile.TemporaryDirectory(prefix="warroom-replica-1-")
        cls.tmp2 = tempfile.TemporaryDirectory(prefix="warroom-replica-2-")
        cls.w1 = replica(cls.tmp1.name, "replica-one", fresh=True, env=cls.env).start()
        cls.w2 = replica(cls.tmp2.name, "replica-two", fresh=False, env=cls.env).start()

    @classmethod
    def tearDownClass(cls):
        for w in (cls.w1, cls.w2):
            w.stop()
        cls.tmp1.cleanup()
        cls.tmp2.cleanup()

    def logs(self):
        return f"\n--- replica one ---\n{self.w1.logs()}\n--- replica two ---\n{self.w2.logs()}"


class ReplicaTests(TwoReplicas):
    def setUp(self):
        # The fake keeps its channels: incidents of earlier tests still post to theirs.
        harness.FAKE.post("clear_faults")
        for w in (self.w1, self.w2):
            if w.proc.poll() is not None:
                w.start()

    def quiet(self):
        self.w1.quiet()
        self.w2.quiet()

    def channel_of(self, n):
        def find():
            for c in harness.FAKE.state()["channels"]:
                if c["name"].startswith("incident-") and c["pins"] and \
                        any(f"INC-{n}" in harness.msg_text(m) for m in c["messages"]):
                    return c
            return None
        return harness.wait_until(f"INC-{n}'s channel with its pinned summary", find, harness.WAIT)

    def test_declares_through_either_replica_make_each_channel_and_summary_once(self):
        # Slow channel creation: both replicas look at the outbox while one is still creating.
        harness.FAKE.post("fault", {"method": "conversations.create", "kind": "slow", "seconds": 1.0, "count": 0})
        mark = harness.FAKE.last_seq()
        numbers = []
        for i in range(6):
            w = (self.w1, self.w2)[i % 2]
            numbers.append(harness.incident_number(w.command(f"declare P3 replicas test {i}")))
        self.assertEqual(len(set(numbers)), 6, f"incident numbers reused across replicas: {numbers}")
        for n in numbers:
            self.channel_of(n)
        self.quiet()
        time.sleep(3)  # a second replica's duplicate would come after its next poll
        harness.FAKE.post("clear_faults")
        creates = [c for c in harness.FAKE.calls("conversations.create", since=mark) if c["outcome"] == "ok"]
        names = [c["args"]["name"] for c in creates]
        self.assertEqual(len(names), 6, f"channels created: {names}{self.logs()}")
        self.assertEqual(len(set(names)), 6, f"a channel was created twice: {names}")
        pins = harness.FAKE.calls("pins.add", since=mark)
        self.assertEqual(len([p for p in pins if p["outcome"] == "ok"]), 6, f"pins: {pins}")

    def test_a_command_resent_to_the_other_replica_is_carried_out_once(self):
        body = self.w1.command_body("declare P3 resent to the other replica")
        s1, _, a1 = self.w1.send(body, "application/x-www-form-urlencoded")
        s2, _, a2 = self.w2.send(body, "application/x-www-form-urlencoded")
        self.assertEqual((s1, s2), (200, 200))
        self.assertIn("Declared", a1)
        self.assertIn("carried out once", a2)
        self.quiet()
        made = [c for c in harness.FAKE.state()["channels"] if "resent-to-the-other" in c["name"]]
        self.assertEqual(len(made), 1, [c["name"] for c in made])

    def test_a_replica_killed_while_delivering_leaves_its_work_to_the_other_after_the_lease(self):
        # Replica one's channel creation hangs: it holds the incident's queue when it dies.
        harness.FAKE.post("fault", {"method": "conversations.create", "kind": "hang", "seconds": 30, "count": 1})
        n = harness.incident_number(self.w1.command("declare P3 taken over after a kill"))
        harness.wait_until("replica one to hold a lease",
                           lambda: healthz(self.w1)[1].get("leases", {}).get("replica-one", 0) > 0, harness.WAIT)
        self.w1.kill9()
        killed = time.monotonic()
        harness.FAKE.post("clear_faults")
        self.channel_of(n)
        took = time.monotonic() - killed
        # The lease, the other replica's poll (2 s), and the work itself.
        self.assertLess(took, LEASE + 2 + 5, f"took over after {took:.1f} s{self.logs()}")
        self.w2.quiet()
        made = [c for c in harness.FAKE.state()["channels"] if "taken-over-after-a-kill" in c["name"]]
        self.assertEqual(len(made), 1, [c["name"] for c in made])

    def test_a_slack_call_longer_than_the_lease_keeps_the_action_its_replicas(self):
        n = harness.incident_number(self.w1.command("declare P3 slow post outlives the lease"))
        ch = self.channel_of(n)
        self.quiet()
        # Slack posts the note at once but answers after three leases: the replica in the call
        # is alive, so the other must not take the action and post it again.
        harness.FAKE.post("fault", {"method": "chat.postMessage", "kind": "slow", "seconds": 3 * LEASE, "count": 1})
        said = f"slow note {time.time():.0f}"
        self.w1.command(f"note {said}", channel={"id": ch["id"], "name": ch["name"]})
        harness.wait_until("the slow call to be answered", lambda: any(
            c["fault"] == "slow" and c["outcome"] == "ok" for c in harness.FAKE.calls("chat.postMessage")),
            3 * LEASE + harness.WAIT)
        self.quiet()
        posts = [m for m in harness.FAKE.messages(ch["id"]) if said in harness.msg_text(m)]
        self.assertEqual(len(posts), 1, f"posted {len(posts)} times{self.logs()}")

    def test_a_timer_armed_by_a_replica_that_died_fires_on_the_other(self):
        # P0: acknowledge within 2 s, else a reminder in the channel.
        n = harness.incident_number(self.w1.command("declare P0 timer outlives its replica"))
        ch = self.channel_of(n)
        self.w1.quiet()
        before = len(harness.FAKE.messages(ch["id"]))
        self.w1.kill9()
        harness.wait_until("a reminder posted by replica two",
                           lambda: len(harness.FAKE.messages(ch["id"])) > before, LEASE + 10)
        # Resolved, so its reminders (every 3 s) stop.
        answer = self.w2.command("resolve replicas test over", channel={"id": ch["id"], "name": ch["name"]})
        self.assertIn("resolved", harness.all_text(answer).lower(), answer)
        self.w2.quiet()

    def test_healthz_names_the_replica_the_database_and_the_leases(self):
        status, body = healthz(self.w2)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["replica"], "replica-two")
        self.assertEqual(body["backend"], "postgresql")
        self.assertIsInstance(body["database_round_trip_ms"], (int, float))
        self.assertGreaterEqual(body["database_round_trip_ms"], 0)
        self.assertIsInstance(body["leases"], dict)


if __name__ == "__main__":
    harness.run_suite("test_replicas.py")
