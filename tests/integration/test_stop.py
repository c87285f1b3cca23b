#!/usr/bin/env python3
"""Stopping while Slack misbehaves: `warroom serve` ends in bounded time, cleanly.

Usage: python3 tests/integration/test_stop.py build/warroom

A Slack that never answers, or that is not there at all, must not hold a stop past its grace,
and the calls still pending must end before the objects they use are freed (under the sanitizer
build, a use-after-free at exit aborts the process: a non-zero exit here). Whatever was accepted
before the stop is in the database afterwards.
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_serve as harness  # noqa: E402

os.environ["WARROOM_SLACK_PACE"] = "10"

setUpModule = harness.start_own_fake
tearDownModule = harness.stop_own_fake

# The stop's grace for requests in hand (10 s in serve.cpp), then the cancellation: well inside
# the 30 s a container runtime waits before SIGKILL.
STOP_BOUND = 12.0


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class StopCase(harness.ServeCase):
    def stop_and_check(self):
        started = time.monotonic()
        self.w.proc.send_signal(signal.SIGTERM)
        try:
            code = self.w.proc.wait(timeout=STOP_BOUND + 10)
        except subprocess.TimeoutExpired:
            self.fail(f"still running {STOP_BOUND + 10:.0f} s after SIGTERM{self.fail_info()}")
        took = time.monotonic() - started
        self.w.log.close()
        logs = self.w.logs()
        for report in ("AddressSanitizer", "LeakSanitizer", "runtime error:", "stopped on an unexpected error",
                       "did not end when cancelled", "task group destroyed"):
            self.assertNotIn(report, logs, self.fail_info())
        self.assertEqual(code, 0, f"exit {code}{self.fail_info()}")
        self.assertLess(took, STOP_BOUND, f"the stop took {took:.1f} s{self.fail_info()}")
        self.assertIn("database closed cleanly", logs, self.fail_info())
        return logs

    def assert_kept(self, title):
        self.w.extra_env = {}
        self.w.start()
        self.assertIn(title, harness.answer_text(self.w.command("list")), self.fail_info())


class HangingSlackTests(StopCase):
    def tearDown(self):
        harness.FAKE.post("clear_faults")

    def test_stop_while_every_slack_call_hangs(self):
        mark = harness.FAKE.last_seq()
        harness.FAKE.post("fault", {"method": "*", "kind": "hang", "count": 0, "seconds": 60})
        title = f"Stop while Slack hangs {uuid.uuid4().hex[:6]}"
        # Delivery's conversations.create and the declare form's views.open, both left hanging.
        self.w.command(f"declare P3 {title}")
        self.w.command("declare")
        harness.wait_until("two Slack calls hanging", lambda: len(
            [c for c in harness.FAKE.calls(since=mark) if c["outcome"] == "hang"]) >= 2)
        logs = self.stop_and_check()
        # Not timed out by luck: the grace ran out and the pending calls were aborted.
        self.assertIn("aborting Slack calls in flight", logs)
        harness.FAKE.post("clear_faults")
        self.assert_kept(title)


class SlackDownTests(StopCase):
    @classmethod
    def setUpClass(cls):
        harness.FAKE.post("reset")
        cls.tmp = tempfile.TemporaryDirectory(prefix="warroom-stop-")
        cls.w = harness.Warroom(cls.tmp.name, cls.config)
        cls.w.extra_env = {"SLACK_API_URL": f"http://127.0.0.1:{closed_port()}/api/"}
        cls.w.start()

    def test_stop_while_slack_is_down(self):
        title = f"Stop while Slack is down {uuid.uuid4().hex[:6]}"
        self.w.command(f"declare P3 {title}")
        self.w.command("declare")
        harness.wait_until("warroom to notice Slack is down", lambda: "failing" in self.w.get("/healthz")[2]
                           or "unreachable" in self.w.get("/healthz")[2])
        logs = self.stop_and_check()
        # Nothing in hand: the loops were waiting to retry, and stopped at once.
        self.assertNotIn("aborting Slack calls in flight", logs)
        self.assert_kept(title)


if __name__ == "__main__":
    harness.run_suite("test_stop.py")
