#!/usr/bin/env python3
"""warroom serve while its PostgreSQL is stopped and started again (the throwaway cluster of
tests/support/pg_cluster.sh, through with_pg.sh; exit 77 without PostgreSQL).

During the outage a slash command is answered within Slack's 3 s that nothing was changed, an
Events API delivery gets 500 so Slack retries it, and /healthz says the database fails; once the
server is back, commands work again without a restart of warroom. Started while the database is
down, warroom waits and says so instead of exiting, and serves once it is up.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_serve as harness  # noqa: E402

setUpModule = harness.start_own_fake
tearDownModule = harness.stop_own_fake
CLUSTER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support", "pg_cluster.sh")


def cluster(action):
    subprocess.run([CLUSTER, action, os.environ["WARROOM_PG_STATE"]], check=True, stdout=subprocess.DEVNULL)


def event_body():
    return {"token": "t", "team_id": "T111", "api_app_id": "A111", "type": "event_callback",
            "event_id": "Ev" + uuid.uuid4().hex[:10].upper(), "event_time": int(time.time()),
            "event": {"type": "app_home_opened", "user": "W111", "channel": "D0HOME", "tab": "home",
                      "event_ts": f"{time.time():.6f}"}}


class OutageTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.environ.get("WARROOM_PG_STATE"):
            raise unittest.SkipTest("needs the PostgreSQL test cluster (tests/support/with_pg.sh)")

    def setUp(self):
        harness.FAKE.post("reset")
        self.tmp = tempfile.TemporaryDirectory(prefix="warroom-outage-")
        self.w = harness.Warroom(self.tmp.name)

    def tearDown(self):
        if not self.cluster_up():
            cluster("start")
        self.w.stop()
        self.tmp.cleanup()

    def cluster_up(self):
        return subprocess.run(["psql", os.environ["WARROOM_TEST_DB"], "-qAtc", "SELECT 1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0

    def test_an_outage_is_answered_honestly_and_survived_without_a_restart(self):
        self.w.start()
        self.assertIn("Declared", json.dumps(self.w.command("declare P3 before the outage")))
        cluster("stop")
        try:
            answer = self.w.command("declare P3 during the outage")  # asserts 200 within 3 s
            self.assertIn("cannot reach its database; nothing was changed", json.dumps(answer), answer)
            status, _, _ = self.w.event(event_body())
            self.assertEqual(status, 500, "an event must be retried by Slack while the database is down")
            status, _, body = self.w.get("/healthz")
            self.assertEqual(status, 503, body)
            self.assertNotIn("password", body)
        finally:
            cluster("start")
        # Back: the next command works on a new connection (the backoff is at most 5 s).
        def works():
            return "Declared" in json.dumps(self.w.command("declare P3 after the outage"))
        harness.wait_until("a command to work after PostgreSQL is back", works, 15)
        self.w.quiet()
        names = [c["name"] for c in harness.FAKE.state()["channels"] if c["name"].startswith("incident-")]
        self.assertTrue(any("before-the-outage" in n for n in names), names)
        self.assertTrue(any("after-the-outage" in n for n in names), names)
        self.assertFalse(any("during-the-outage" in n for n in names), names)
        self.assertIsNone(self.w.proc.poll(), "warroom exited during the outage")

    def test_started_while_the_database_is_down_it_waits_then_serves(self):
        cluster("stop")
        try:
            self.w.ready_statuses = (200, 503)
            # start() waits for /healthz; warroom does not listen until the database is there.
            self.w.runs += 1
            self.w.port = harness.free_port()
            self.w.url = f"http://127.0.0.1:{self.w.port}"
            env = dict(os.environ, SLACK_BOT_TOKEN=harness.TOKEN, SLACK_SIGNING_SECRET=harness.SECRET,
                       SLACK_API_URL=harness.FAKE.api, WARROOM_LISTEN=f"127.0.0.1:{self.w.port}",
                       WARROOM_DB=self.w.db)
            self.w.log_path = os.path.join(self.tmp.name, "warroom-waiting.log")
            self.w.log = open(self.w.log_path, "wb")
            self.w.proc = subprocess.Popen([harness.BINARY, "serve", "--config", self.w.config], env=env,
                                           stdin=subprocess.DEVNULL, stdout=self.w.log, stderr=subprocess.STDOUT)
            harness.wait_until("warroom to say it waits for the database",
                               lambda: "waiting for the database" in self.w.logs(), 10)
            time.sleep(2)
            self.assertIsNone(self.w.proc.poll(), f"warroom exited while the database was down:\n{self.w.logs()}")
            self.assertNotIn("password", self.w.logs())
        finally:
            cluster("start")

        def serving():
            try:
                return self.w.get("/healthz")[0] == 200
            except OSError:
                return False
        harness.wait_until("warroom to serve once the database is up", serving, 20)
        self.assertIn("Declared", json.dumps(self.w.command("declare P3 after a late database")))


if __name__ == "__main__":
    harness.run_suite("test_db_outage.py")
