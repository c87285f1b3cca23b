#!/usr/bin/env python3
"""Slack's rate limits held by the fleet, not by each replica: two `warroom serve` on one
PostgreSQL, at Slack's own pace (WARROOM_SLACK_PACE=1), run by ctest through
tests/support/with_pg.sh (exit 77 without PostgreSQL).

conversations.create is Tier 2 (SLACK.md): about 20 a minute, bursts of a few. Each replica
alone would allow its own burst, so two together would create twice as many channels at once
as Slack allows the app and earn 429s in the worst hour. What must hold: channels created
through either replica stay within one burst plus one per 3 s, whichever replica delivers; and
a 429's Retry-After met by one replica keeps the other from calling that method too.
"""

import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_replicas as replicas  # noqa: E402  (two replicas on PostgreSQL, lease 3 s)
import test_serve as harness  # noqa: E402

# rate_limiter's tier 2 at Slack's pace: 20 calls a minute, 6 at once.
BURST, INTERVAL = 6, 3.0
JITTER = 1.0  # seconds a call may take from its token to the fake (a sanitizer build on a busy machine)
setUpModule = harness.start_own_fake
tearDownModule = harness.stop_own_fake


def created(since=0):
    """conversations.create calls Slack answered ok, oldest first."""
    return [c for c in harness.FAKE.calls("conversations.create", since) if c["outcome"] == "ok"]


class ReplicaPaceTests(replicas.TwoReplicas):
    env = {"WARROOM_SLACK_PACE": "1"}

    def setUp(self):
        harness.FAKE.post("clear_faults")
        # Each test starts with the fleet's buckets full (what an earlier test spent is forgotten).
        subprocess.run(["psql", "-q", os.environ["WARROOM_TEST_DB"], "-c", "DELETE FROM slack_pace"],
                       check=True, stdout=subprocess.DEVNULL)

    def wait_created(self, since, count, timeout):
        return harness.wait_until(f"{count} channels created", lambda: len(created(since)) >= count and created(since),
                                  timeout)

    def test_a_retry_after_met_by_one_replica_holds_the_other(self):
        since = harness.FAKE.last_seq()
        harness.FAKE.post("fault", {"method": "conversations.create", "kind": "429", "retry_after": 4, "count": 1})
        self.w1.command("declare P3 pace held by a 429 one")
        refused = harness.wait_until("replica one's create refused with 429", lambda: [
            c for c in harness.FAKE.calls("conversations.create", since) if c["fault"] == "429"], harness.WAIT)[0]
        # Replica two's own bucket is full: only the fleet's hold keeps it from creating now.
        self.w2.command("declare P3 pace held by a 429 two")
        calls = self.wait_created(since, 2, 30)
        early = [c for c in calls if c["time"] < refused["time"] + 4 - 0.2]
        self.assertEqual(early, [], f"created before Retry-After ended ({refused['time']}):\n{calls}{self.logs()}")

    def test_b_two_replicas_together_keep_one_burst_and_one_channel_per_interval(self):
        since = harness.FAKE.last_seq()
        # Replica one spends the fleet's burst and finishes its work, so it is idle (polling) when
        # replica two, whose own bucket is full, is handed declares of its own and delivers them.
        for i in range(BURST):
            self.w1.command(f"declare P3 paced first wave {i}")
        self.wait_created(since, BURST, 20)
        self.w1.quiet()
        for i in range(BURST):
            self.w2.command(f"declare P3 paced second wave {i}")
        times = [c["time"] for c in self.wait_created(since, 2 * BURST, 60)]
        # GCRA's bound for any stretch of the run: the burst, then one per interval. The fake
        # stamps a call when it arrives, not when the token was granted: up to JITTER apart.
        for i in range(len(times)):
            for j in range(i, len(times)):
                allowed = BURST + (times[j] - times[i] + JITTER) / INTERVAL
                self.assertLessEqual(j - i + 1, allowed,
                                     f"{j - i + 1} channels created in {times[j] - times[i]:.1f} s:\n{times}{self.logs()}")


if __name__ == "__main__":
    harness.run_suite("test_replica_pace.py")
