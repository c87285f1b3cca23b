#!/usr/bin/env python3
"""Hostile traffic against `warroom serve`: it keeps answering, keeps its memory and its log short.

Usage: python3 tests/integration/test_hostile.py build/warroom

A signed event nested 100,000 levels deep, a thousand idle connections, floods of forged
requests and of big unsigned bodies: each was enough to crash warroom, lock everyone out,
fill its memory or its disk. After each, a new client still gets /healthz and a real command
still works.
"""

import concurrent.futures
import http.client
import json
import os
import re
import resource
import socket
import sys
import threading
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_serve as harness  # noqa: E402

setUpModule = harness.start_own_fake
tearDownModule = harness.stop_own_fake


def raise_own_fd_limit(want):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < want:
        raise unittest.SkipTest(f"RLIMIT_NOFILE hard limit {hard} < {want}")
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def metric(text, name, **labels):
    want = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = re.escape(name) + (r"\{" + re.escape(want) + r"\}" if want else "") + r" (\d+)"
    m = re.search(pattern, text)
    return int(m.group(1)) if m else 0


class HostileCase(harness.ServeCase):
    def assert_still_serving(self):
        status, _, body = harness.http("GET", self.w.url + "/healthz", timeout=5)
        self.assertEqual(status, 200, body + self.fail_info())
        answer = self.w.command("help")
        self.assertIn("text", answer)

    def log_lines(self):
        with open(self.w.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace").splitlines()


class NestingTests(HostileCase):
    DEPTH = 100_000

    def test_a_deeply_nested_signed_event_is_refused_and_warroom_keeps_answering(self):
        before = len(self.log_lines())
        body = (b'{"type":"event_callback","event_id":"E1","event_time":%d,"event":{"type":"x","d":'
                % int(time.time()) + b"[" * self.DEPTH + b"]" * self.DEPTH + b"}}")
        status, _, _ = self.w.send(body, "application/json")
        self.assertEqual(status, 400, self.fail_info())
        self.assertIsNone(self.w.proc.poll(), "warroom died" + self.fail_info())
        self.assertEqual(sum("nested" in line for line in self.log_lines()[before:]), 1, self.fail_info())
        self.assert_still_serving()

    def test_a_deeply_nested_interaction_payload_is_refused(self):
        payload = '{"type":"block_actions","x":' + "[" * self.DEPTH + "]" * self.DEPTH + "}"
        body = urllib.parse.urlencode({"payload": payload}).encode()
        status, _, _ = self.w.send(body, "application/x-www-form-urlencoded")
        self.assertEqual(status, 400, self.fail_info())
        self.assert_still_serving()

    def test_nesting_inside_strings_is_only_text(self):
        # Brackets inside a string are no nesting: such an event is an ordinary one.
        deep_text = "[" * 10_000
        ok = {"type": "event_callback", "event_id": "E-strings", "event_time": int(time.time()),
              "event": {"type": "x", "text": deep_text}}
        status, _, _ = self.w.event(ok)
        self.assertEqual(status, 200, self.fail_info())


class IdleConnectionTests(HostileCase):
    COUNT = 1100

    def open_idle(self, count, request=False):
        socks = []
        for _ in range(count):
            s = socket.create_connection(("127.0.0.1", self.w.port), timeout=5)
            socks.append(s)
            if request:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        if request:
            for s in socks:
                try:
                    s.recv(4096)
                except OSError:
                    pass
        return socks

    def check_newcomer(self, socks):
        try:
            status, _, body = harness.http("GET", self.w.url + "/healthz", timeout=5)
            self.assertEqual(status, 200, body)
        finally:
            for s in socks:
                s.close()
        self.assert_still_serving()

    def test_a_thousand_silent_connections_do_not_lock_out_a_new_client(self):
        raise_own_fd_limit(self.COUNT + 256)
        self.check_newcomer(self.open_idle(self.COUNT))
        pressure = [line for line in self.log_lines() if "connections open" in line]
        self.assertGreaterEqual(len(pressure), 1, self.fail_info())
        self.assertLessEqual(len(pressure), 3, self.fail_info())

    def test_a_thousand_idle_keep_alive_connections_do_not_lock_out_a_new_client(self):
        raise_own_fd_limit(self.COUNT + 256)
        time.sleep(0.5)  # the previous test's connections are closed
        self.check_newcomer(self.open_idle(self.COUNT, request=True))


class ForgedFloodTests(HostileCase):
    COUNT = 3000

    def test_a_flood_of_forged_requests_keeps_the_log_short_and_is_counted(self):
        before = len(self.log_lines())
        body = b"command=%2Fincident&text=help&user_id=W1&channel_id=C1"
        conn = http.client.HTTPConnection("127.0.0.1", self.w.port, timeout=10)
        refused = 0
        for i in range(self.COUNT):
            headers = {"Content-Type": "application/x-www-form-urlencoded",
                       "X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=" + "0" * 64}
            if i % 2:
                headers.pop("X-Slack-Signature")  # missing: refused before the body is read
            conn.request("POST", "/slack/events", body, headers)
            r = conn.getresponse()
            r.read()
            refused += r.status == 401
            if r.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.w.port, timeout=10)
        conn.close()
        self.assertEqual(refused, self.COUNT)
        written = self.log_lines()[before:]
        self.assertLess(len(written), 50, "\n".join(written[:20]))
        _, _, text = self.w.get("/metrics")
        self.assertEqual(metric(text, "warroom_requests_total", kind="unverified", outcome="signature mismatch"),
                         self.COUNT // 2)
        self.assertEqual(metric(text, "warroom_requests_total", kind="unverified",
                                outcome="missing signature or timestamp header"),
                         self.COUNT // 2)
        self.assertGreater(metric(text, "warroom_log_lines_suppressed_total"), self.COUNT - 50)
        self.assert_still_serving()


def under_asan(pid):
    """Whether the process runs with AddressSanitizer's runtime (the sanitizer build)."""
    with open(f"/proc/{pid}/maps") as f:
        return "libasan" in f.read()


class BigBodyTests(HostileCase):
    CLIENTS = 200
    SIZE = 1_048_000
    BODY = b"x" * SIZE

    def post_big(self, forged):
        head = (f"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                f"Content-Length: {self.SIZE}\r\n")
        if forged:  # fresh and complete headers: only the body can tell it is forged
            head += f"X-Slack-Request-Timestamp: {int(time.time())}\r\nX-Slack-Signature: v0={'0' * 64}\r\n"
        try:
            with socket.create_connection(("127.0.0.1", self.w.port), timeout=10) as s:
                s.sendall(head.encode() + b"\r\n")
                s.sendall(self.BODY)
                return s.recv(64).split(b" ")[1].decode()
        except (OSError, IndexError):
            return "reset"  # refused early: the rest of the body is not read

    def test_many_concurrent_big_bodies_leave_memory_bounded(self):
        raise_own_fd_limit(self.CLIENTS + 256)
        pid = self.w.proc.pid
        base = rss_kib(pid)
        peak = [base]
        done = threading.Event()

        def sample():
            while not done.is_set():
                peak[0] = max(peak[0], rss_kib(pid))
                time.sleep(0.01)
        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            with concurrent.futures.ThreadPoolExecutor(self.CLIENTS) as pool:
                answers = list(pool.map(self.post_big, [i % 4 == 0 for i in range(self.CLIENTS)]))
        finally:
            done.set()
            sampler.join()
        time.sleep(0.3)
        after = rss_kib(pid)
        counts = {a: answers.count(a) for a in set(answers)}
        info = f"RSS {base} KiB before, peak {peak[0]}, after {after}; answers {counts}{self.fail_info()}"
        self.assertNotIn("200", counts, info)
        # 200 MB of bodies arrived at once: memory holds a bounded share of them, and gives it back.
        self.assertLess(peak[0] - base, 120 * 1024, info)
        if under_asan(pid):
            # ASan's allocator keeps freed memory in quarantine (256 MB by default)
            # and ignores malloc_trim, so what is given back cannot be seen here.
            print("\nSKIPPED (AddressSanitizer build): the check that memory is given back after the load; "
                  "the release build's run of this test checks it", file=sys.stderr)
        else:
            self.assertLess(after - base, 40 * 1024, info)
        self.assert_still_serving()


if __name__ == "__main__":
    harness.run_suite("test_hostile.py")
