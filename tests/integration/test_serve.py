#!/usr/bin/env python3
"""`warroom serve` end to end: the real binary against the fake Slack (tests/support/fake_slack.py).

Usage: python3 tests/integration/test_serve.py build/warroom   (or WARROOM_BINARY=build/warroom)

Every request is sent the way Slack sends it: form-encoded slash commands and JSON events,
signed with HMAC-SHA256 over `v0:<ts>:<body>`. What warroom does in Slack is read back from the
fake's control API (/_control/calls, /_control/state), polled with a deadline, because delivery
is asynchronous. Standard library only.
"""

import datetime
import hashlib
import hmac
import json
import math
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
FAKE_SLACK = os.path.join(HERE, "..", "support", "fake_slack.py")
TOKEN = "xoxb-test"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
WAIT = 15.0  # the longest any single wait may take

BINARY = None  # set in main()

# Short timers for P0 so escalations and reminders can be watched; the rest keep long ones so
# they stay quiet. Every severity pages outside working hours, so the test does not depend on
# the time of day it runs at.
CONFIG = """
[[severities]]
name               = "P0"
label              = "Critical"
ack_within         = "2s"
update_every       = "3s"
resolve_within     = "1h"
notify_channels    = []
page               = ["S0ONCALL"]
postmortem         = true
page_outside_hours = true

[[severities]]
name               = "P1"
label              = "High"
ack_within         = "15m"
update_every       = "30m"
resolve_within     = "4h"
notify_channels    = []
page               = []
postmortem         = true
page_outside_hours = true

[[severities]]
name               = "P2"
label              = "Medium"
ack_within         = "1h"
update_every       = "2h"
resolve_within     = "24h"
notify_channels    = ["leadership"]
page               = []
postmortem         = false
page_outside_hours = true

[[severities]]
name               = "P3"
label              = "Low"
ack_within         = "4h"
resolve_within     = "7d"
notify_channels    = []
page               = []
postmortem         = false
page_outside_hours = true
"""


# -- small helpers ---------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method, url, body=None, headers=None, timeout=10):
    """(status, headers, body text); HTTP errors are answers, not exceptions."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode("utf-8", "replace")


def sign(body, ts=None, secret=SECRET):
    ts = str(int(time.time()) if ts is None else ts)
    base = b"v0:" + ts.encode() + b":" + body
    return ts, "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def all_text(node):
    """Every string in a JSON tree, joined: what a reader of the message could see."""
    if isinstance(node, str):
        return node
    if isinstance(node, dict):
        return "\n".join(all_text(v) for v in node.values())
    if isinstance(node, list):
        return "\n".join(all_text(v) for v in node)
    return ""


def msg_text(m):
    return (m.get("text") or "") + "\n" + all_text(m.get("blocks") or [])


def stated_age(text, after):
    """The whole seconds an update reminder says have passed ("declared 3s ago", "last one 1m 4s ago")."""
    m = re.search(re.escape(after) + r" ((?:\d+[hms] ?)+) ago", text)
    assert m, f"no age after {after!r} in {text[:200]!r}"
    return sum(int(n) * {"h": 3600, "m": 60, "s": 1}[u] for n, u in re.findall(r"(\d+)([hms])", m.group(1)))


def wait_until(what, fn, timeout=WAIT, interval=0.1):
    """Polls fn until it returns something truthy; fails naming `what` after the deadline."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = fn()
        if last:
            return last
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


# -- the fake Slack --------------------------------------------------------------------------

class Fake:
    def __init__(self, extra_args=()):
        # No --max-seconds: its timer thread would keep the fake alive after a clean stop.
        self.proc = subprocess.Popen([sys.executable, FAKE_SLACK, "--port", "0", "--token", TOKEN,
                                      "--exit-on-stdin-eof", *extra_args],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True)
        line = self.proc.stdout.readline().strip()
        if not line.startswith("FAKE_SLACK_URL="):
            raise RuntimeError(f"fake Slack did not start: {line!r}")
        self.api = line.split("=", 1)[1]
        self.base = self.api[: -len("/api/")]

    def stop(self):
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def get(self, name, **params):
        q = ("?" + urllib.parse.urlencode(params)) if params else ""
        status, _, body = http("GET", f"{self.base}/_control/{name}{q}")
        assert status == 200, (name, status, body)
        return json.loads(body)

    def post(self, name, payload=None):
        status, _, body = http("POST", f"{self.base}/_control/{name}", json.dumps(payload or {}).encode(),
                               {"Content-Type": "application/json"})
        assert status == 200, (name, status, body)
        return json.loads(body)

    def calls(self, method=None, since=0):
        params = {"since": since}
        if method:
            params["method"] = method
        return self.get("calls", **params)["calls"]

    def last_seq(self):
        calls = self.calls()
        return calls[-1]["seq"] if calls else 0

    def state(self):
        return self.get("state")

    def channel(self, name=None, cid=None):
        for c in self.state()["channels"]:
            if (name and c["name"] == name) or (cid and c["id"] == cid):
                return c
        return None

    def messages(self, cid):
        c = self.channel(cid=cid)
        return c["messages"] if c else []

    def response_url(self):
        return f"{self.base}/response/{uuid.uuid4().hex}"


FAKE = None


def setUpModule():
    global FAKE
    FAKE = Fake()


def tearDownModule():
    if FAKE:
        FAKE.stop()


# -- for the suites that import this file as their harness -----------------------------------

def start_own_fake():
    """Their setUpModule: a fake Slack of their own, so suites never share state."""
    global FAKE
    FAKE = Fake()


def stop_own_fake():
    if FAKE:
        FAKE.stop()


def run_suite(name):
    """Their main(): the warroom binary from the first argument or WARROOM_BINARY, then unittest."""
    global BINARY
    args = sys.argv[1:]
    binary = None
    if args and not args[0].startswith("-") and os.path.isfile(args[0]):
        binary = args.pop(0)
    BINARY = os.path.abspath(binary or os.environ.get("WARROOM_BINARY", "build/warroom"))
    if not os.access(BINARY, os.X_OK):
        sys.exit(f"{name}: no warroom binary at {BINARY}; pass its path or set WARROOM_BINARY")
    unittest.main(argv=[sys.argv[0]] + args, verbosity=2)


# -- the warroom process ---------------------------------------------------------------------

class Warroom:
    """One `warroom serve` process; `restart()` keeps the database."""

    extra_env = {}
    ready_statuses = (200,)  # what /healthz must answer for the process to count as started

    def __init__(self, tmpdir, config=CONFIG, fresh_db=True):
        self.tmpdir = tmpdir
        self.db = os.path.join(tmpdir, "w.db")
        # ctest's PostgreSQL pass (tests/support/with_pg.sh): the same tests on an emptied PostgreSQL database.
        pg = os.environ.get("WARROOM_TEST_DB", "")
        if pg.startswith(("postgresql://", "postgres://")):
            self.db = pg
            if fresh_db:
                subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", pg, "-c",
                                "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public"],
                               check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.config = None
        if config:
            self.config = os.path.join(tmpdir, "warroom.toml")
            with open(self.config, "w") as f:
                f.write(config)
        self.proc = None
        self.runs = 0
        self.log_path = None
        self.port = None

    def start(self):
        self.runs += 1
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=FAKE.api,
                   WARROOM_LISTEN=f"127.0.0.1:{self.port}", WARROOM_DB=self.db)
        env.pop("SLACK_APP_TOKEN", None)
        env.pop("WARROOM_CONFIG", None)
        # A restart here takes a new port; the replica's name (its leases) stays, as host:port would in service.
        env["WARROOM_REPLICA_ID"] = f"test-replica-{id(self)}"
        for k, v in self.extra_env.items():  # e.g. Socket Mode's SLACK_APP_TOKEN; None unsets
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
        args = [BINARY, "serve"]
        if self.config:
            args[1:1] = ["--config", self.config]
        self.log_path = os.path.join(self.tmpdir, f"warroom-{self.runs}.log")
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT)

        def ready():
            if self.proc.poll() is not None:
                raise AssertionError(f"warroom serve exited with {self.proc.returncode}:\n{self.logs()}")
            try:
                status, _, _ = http("GET", self.url + "/healthz", timeout=1)
                return status in self.ready_statuses
            except OSError:
                return False
        wait_until("GET /healthz to answer 200", ready)
        return self

    def outbox(self):
        status, _, body = http("GET", self.url + "/healthz")
        return json.loads(body).get("outbox", {}) if status in (200, 503) else {}

    def quiet(self):
        """Waits until the delivery queue is empty: everything accepted so far reached Slack."""
        wait_until("the outbox to drain", lambda: self.outbox().get("pending", 1) == 0)

    def logs(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")[-6000:]
        except OSError:
            return ""

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.log.close()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=12)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.log.close()

    # -- sending what Slack sends --------------------------------------------------------------
    def send(self, body, content_type, headers=None, sign_it=True, ts=None, secret=SECRET):
        h = {"Content-Type": content_type}
        if sign_it:
            t, sig = sign(body, ts, secret)
            h.update({"X-Slack-Request-Timestamp": t, "X-Slack-Signature": sig})
        h.update(headers or {})
        try:
            return http("POST", self.url + "/slack/events", body, h)
        except OSError as e:
            # Refused or reset usually means warroom died: say how, with its last words.
            # Still an OSError, so callers that expect refusals (the crash test) keep working.
            code = self.proc.poll() if self.proc else None
            if code is None:
                raise
            raise ConnectionError(f"POST /slack/events failed ({e}); warroom exited with {code}\n{self.logs()}") from e

    def command_body(self, text, user="W111", channel_id="C0GENERAL", channel_name="general", **extra):
        fields = {
            "token": "legacy-verification-token", "team_id": "T111", "team_domain": "warroom-test",
            "channel_id": channel_id, "channel_name": channel_name, "user_id": user,
            "user_name": {"W111": "alice", "W222": "bob", "W333": "carol", "W444": "dave"}.get(user, "x"),
            "command": "/incident", "text": text, "api_app_id": "A111", "is_enterprise_install": "false",
            "response_url": FAKE.response_url(), "trigger_id": f"{time.time():.0f}.111.{uuid.uuid4().hex[:8]}",
        }
        fields.update(extra)
        return urllib.parse.urlencode(fields).encode()

    def command(self, text, user="W111", channel=None):
        """Sends /incident <text>; returns the parsed JSON answer (asserting 200 JSON within 3 s)."""
        ch = channel or {"id": "C0GENERAL", "name": "general"}
        body = self.command_body(text, user, ch["id"], ch["name"])
        started = time.monotonic()
        status, headers, answer = self.send(body, "application/x-www-form-urlencoded")
        took = time.monotonic() - started
        assert status == 200, f"/incident {text}: HTTP {status}: {answer}\n{self.logs()}"
        assert took < 3.0, f"/incident {text} took {took:.2f} s, past Slack's 3 s"
        ctype = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
        assert "application/json" in ctype, f"/incident {text}: Content-Type {ctype!r}: {answer}"
        return json.loads(answer)

    def event(self, payload, headers=None):
        return self.send(json.dumps(payload).encode(), "application/json", headers)

    def home_text(self, user):
        """Opens the App Home as `user` (an app_home_opened event) and returns the text of the
        view warroom publishes for them."""
        mark = FAKE.last_seq()
        event = {"token": "t", "team_id": "T111", "api_app_id": "A111", "type": "event_callback",
                 "event_id": "Ev" + uuid.uuid4().hex[:10].upper(), "event_time": int(time.time()),
                 "event": {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home",
                           "event_ts": f"{time.time():.6f}"},
                 "authorizations": [{"team_id": "T111", "user_id": "U0BOT", "is_bot": True}]}
        status = self.event(event)[0]
        assert status == 200, f"app_home_opened: HTTP {status}"

        def published():
            calls = [c for c in FAKE.calls("views.publish", since=mark)
                     if c["outcome"] == "ok" and c["args"].get("user_id") == user]
            return calls[-1] if calls else None
        return all_text(wait_until(f"views.publish for {user}", published)["args"]["view"]["blocks"])

    def get(self, path):
        return http("GET", self.url + path)

    def integrations(self):
        """The integration outbox (pages, e-mail, Statuspage) by state, from /metrics."""
        status, _, body = self.get("/metrics")
        assert status == 200, body
        out = {}
        for line in body.splitlines():
            if line.startswith("warroom_integration_outbox_actions{"):
                labels, value = line.rsplit(" ", 1)
                state = labels.split('state="', 1)[1].split('"', 1)[0]
                out[state] = out.get(state, 0) + int(value)
        return out

    def integrations_drained(self, timeout=WAIT):
        wait_until("the integration outbox to drain", lambda: self.integrations().get("pending", 0) == 0,
                   timeout=timeout)

    def outbox_command(self):
        """`warroom outbox` on this database, beside the running service."""
        return subprocess.run([BINARY, "outbox", "--db", self.db], capture_output=True, text=True, timeout=20)


def answer_text(answer):
    return (answer.get("text") or "") + "\n" + all_text(answer.get("blocks") or [])


def incident_number(answer):
    m = re.search(r"INC-(\d+)", answer_text(answer))
    assert m, f"no INC-n in the declare answer: {answer}"
    return int(m.group(1))


class ServeCase(unittest.TestCase):
    """A fresh fake Slack state and a fresh warroom (own database) for each test class."""

    config = CONFIG

    @classmethod
    def setUpClass(cls):
        FAKE.post("reset")
        # Notified channel of P2; the bot is not a member, as with #incidents.
        FAKE.post("channel", {"name": "leadership", "id": "C0LEADERSHIP", "bot_member": False,
                              "members": ["W444"]})
        cls.tmp = tempfile.TemporaryDirectory(prefix="warroom-serve-")
        cls.w = Warroom(cls.tmp.name, cls.config).start()

    @classmethod
    def tearDownClass(cls):
        cls.w.stop()
        cls.tmp.cleanup()

    def fail_info(self):
        return f"\n--- warroom log ---\n{self.w.logs()}"

    # -- high-level steps ----------------------------------------------------------------------
    def declare(self, title, sev="P1", user="W111"):
        """Declares and waits until the summary is posted and pinned; returns (n, channel, answer)."""
        answer = self.w.command(f"declare {sev} {title}".replace("  ", " "), user)
        self.assertEqual(answer.get("response_type", "ephemeral"), "ephemeral", answer)
        n = incident_number(answer)

        def channel_ready():
            for c in FAKE.state()["channels"]:
                if c["pins"] and any(f"INC-{n}" in msg_text(m) for m in c["messages"]) \
                        and c["name"].startswith("incident-"):
                    return c
            return None
        ch = wait_until(f"INC-{n}'s channel with a pinned summary", channel_ready)
        self.w.quiet()  # announcements too, so a test's later call counts start clean
        return n, ch, answer

    def wait_post(self, cid, pred, what, since_count=0, timeout=WAIT):
        def found():
            msgs = FAKE.messages(cid)[since_count:]
            return next((m for m in msgs if pred(msg_text(m))), None)
        try:
            return wait_until(what, found, timeout)
        except AssertionError as e:
            texts = [msg_text(m)[:300] for m in FAKE.messages(cid)]
            raise AssertionError(f"{e}\nmessages in {cid}: {json.dumps(texts, indent=1)}{self.fail_info()}")

    def assert_no_new_posts(self, since_seq):
        posts = FAKE.calls("chat.postMessage", since=since_seq)
        self.assertEqual(posts, [], "the command posted to a channel; it should answer only the caller")


# ==============================================================================================

class EndpointTests(ServeCase):
    """The HTTP surface: verification, signatures, malformed bodies, health and metrics."""

    def test_url_verification_challenge_is_echoed(self):
        challenge = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
        status, headers, body = self.w.event({"token": "t", "challenge": challenge, "type": "url_verification"})
        self.assertEqual(status, 200, body)
        try:
            echoed = json.loads(body).get("challenge")
        except ValueError:
            echoed = body.strip()
        self.assertEqual(echoed, challenge)

    def test_unsigned_url_verification_is_refused(self):
        body = json.dumps({"type": "url_verification", "challenge": "abc"}).encode()
        status, _, answer = self.w.send(body, "application/json", sign_it=False)
        self.assertEqual(status, 401, answer)
        self.assertNotIn("abc", answer)

    def test_bad_signatures_get_401_and_change_nothing(self):
        mark = FAKE.last_seq()
        before = self.w.command("list all")
        n_before = len(set(re.findall(r"INC-\d+", answer_text(before))))

        def declare_body(title):
            return self.w.command_body(f"declare P1 {title}")
        form = "application/x-www-form-urlencoded"
        cases = {}
        # Signed with the wrong secret.
        cases["forged"] = self.w.send(declare_body("forged signature title"), form, secret="not-the-secret")
        # Correctly signed, but 10 minutes old (replay).
        cases["stale"] = self.w.send(declare_body("stale timestamp title"), form, ts=int(time.time()) - 600)
        # No signature headers at all.
        cases["unsigned"] = self.w.send(declare_body("unsigned request title"), form, sign_it=False)
        # Timestamp but no signature, and signature but no timestamp.
        body = declare_body("half signed title")
        ts, sig = sign(body)
        cases["no signature"] = self.w.send(body, form, {"X-Slack-Request-Timestamp": ts}, sign_it=False)
        cases["no timestamp"] = self.w.send(body, form, {"X-Slack-Signature": sig}, sign_it=False)
        # Signed over one body, sent with another.
        good = declare_body("harmless title")
        ts, sig = sign(good)
        tampered = good.replace(b"harmless+title", b"tampered+body+title")
        self.assertNotEqual(good, tampered)
        cases["tampered"] = self.w.send(tampered, form, {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig},
                                        sign_it=False)
        # A signature version other than v0.
        body = declare_body("wrong version title")
        ts, sig = sign(body)
        cases["v1"] = self.w.send(body, form, {"X-Slack-Request-Timestamp": ts,
                                               "X-Slack-Signature": "v1=" + sig[3:]}, sign_it=False)
        for name, (status, _, answer) in cases.items():
            self.assertEqual(status, 401, f"{name}: {answer}")
            self.assertNotIn("INC-", answer, f"{name}: a rejected request must not be acted on")

        # A valid declare as a barrier: delivery is in order, so anything the rejected requests
        # had caused would be delivered before it.
        n, ch, _ = self.declare("barrier after rejected requests")
        calls = FAKE.calls(since=mark)
        created = [c["args"].get("name") for c in calls if c["method"] == "conversations.create"]
        self.assertEqual(len(created), 1, f"channels created: {created}")
        self.assertIn("barrier-after-rejected-requests", created[0])
        seen = json.dumps(calls)
        for word in ("forged", "stale", "unsigned", "half", "tampered", "harmless", "wrong-version",
                     "wrong version"):
            self.assertNotIn(word, seen, f"a Slack call mentions the rejected request '{word}'")
        after = self.w.command("list all")
        listed = answer_text(after)
        for word in ("forged", "stale", "unsigned", "half signed", "tampered", "harmless", "wrong version"):
            self.assertNotIn(word, listed)
        self.assertEqual(len(set(re.findall(r"INC-\d+", listed))), n_before + 1, listed)
        self.assertIn(f"INC-{n}", listed)

    def test_malformed_bodies_get_400_and_the_bot_keeps_working(self):
        cases = {
            "json that does not parse": (b'{"type": "event_callback", "event": ', "application/json"),
            "json that is not an object": (b'["event_callback"]', "application/json"),
            "slash command without user and channel": (b"command=%2Fincident&text=list", "application/x-www-form-urlencoded"),
            "interaction payload that is not json": (b"payload=%7Bnot+json", "application/x-www-form-urlencoded"),
            "a body of no known kind": (b"\x00\x01\x02 garbage", "application/octet-stream"),
        }
        for name, (body, ctype) in cases.items():
            status, _, answer = self.w.send(body, ctype)
            self.assertEqual(status, 400, f"{name}: {answer}")
        status, _, _ = self.w.get("/healthz")
        self.assertEqual(status, 200)
        self.assertIn("Open incidents", answer_text(self.w.command("list")) + "Open incidents")

    def test_oversized_body_gets_413(self):
        big = self.w.command_body("note " + "x" * (1024 * 1024 + 100))
        ts, sig = sign(big)
        head = (f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(big)}\r\n"
                f"X-Slack-Request-Timestamp: {ts}\r\nX-Slack-Signature: {sig}\r\nConnection: close\r\n\r\n")
        # Raw socket: the server may answer and close before the whole body is sent, as it should.
        with socket.create_connection(("127.0.0.1", self.w.port), timeout=10) as s:
            try:
                s.sendall(head.encode() + big)
            except OSError:
                pass
            reply = b""
            try:
                while chunk := s.recv(65536):
                    reply += chunk
            except OSError:
                pass
        status_line = reply.split(b"\r\n", 1)[0].decode("latin-1")
        self.assertRegex(status_line, r"^HTTP/1\.[01] 413", reply[:300])
        status, _, _ = self.w.get("/healthz")
        self.assertEqual(status, 200)

    def test_healthz_reports_database_and_delivery(self):
        status, headers, body = self.w.get("/healthz")
        self.assertEqual(status, 200)
        report = json.loads(body)
        self.assertEqual(report.get("database"), "ok", report)

    def test_metrics_are_prometheus_text_named_warroom(self):
        self.w.command("help")
        status, headers, body = self.w.get("/metrics")
        self.assertEqual(status, 200)
        ctype = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
        self.assertIn("text/plain", ctype)
        names = set()
        for line in body.splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            self.assertRegex(line, r"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? [-+0-9.eEInfNa]+$", line)
            names.add(re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line).group(0))
        self.assertTrue(names, body)
        for name in names:
            self.assertTrue(name.startswith("warroom_"), name)
        self.assertIn("warroom_requests_total", body)

    def test_events_with_the_same_event_id_are_both_acknowledged(self):
        event = {"token": "t", "team_id": "T111", "api_app_id": "A111", "type": "event_callback",
                 "event_id": "Ev" + uuid.uuid4().hex[:10].upper(), "event_time": int(time.time()),
                 "event": {"type": "member_joined_channel", "user": "W333", "channel": "C0GENERAL",
                           "event_ts": f"{time.time():.6f}"},
                 "authorizations": [{"team_id": "T111", "user_id": "U0BOT", "is_bot": True}]}
        first = self.w.event(event)
        again = self.w.event(event, {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
        self.assertEqual(first[0], 200, first)
        self.assertEqual(again[0], 200, again)

    def test_ssl_check_gets_200(self):
        status, _, _ = self.w.send(b"ssl_check=1&token=x", "application/x-www-form-urlencoded")
        self.assertEqual(status, 200)

    def test_unknown_command_answers_only_the_caller(self):
        mark = FAKE.last_seq()
        answer = self.w.command("frobnicate the database")
        self.assertEqual(answer.get("response_type"), "ephemeral", answer)
        text = answer_text(answer)
        self.assertIn("frobnicate", text)
        self.assertIn("declare", text, "the answer to an unknown command should show the usage")
        # A later command's post proves the queue moved past anything the error could have caused.
        n, ch, _ = self.declare("barrier after unknown command")
        posts = [c for c in FAKE.calls("chat.postMessage", since=mark)]
        self.assertFalse(any("frobnicate" in json.dumps(c["args"]) for c in posts), posts)
        self.assertFalse(FAKE.calls("chat.postEphemeral", since=mark), "errors go back in the HTTP answer")

    def test_errors_change_nothing_and_post_nothing(self):
        n, ch, _ = self.declare("errors test incident")
        mark = FAKE.last_seq()
        for text in ("status INC-999 mitigating", "status resolved", "severity P9", "declare P1    ",
                     "ack", "note"):
            # `ack` from #general names no incident; the others are typed in the incident's channel.
            answer = self.w.command(text, channel=None if text == "ack" else ch)
            self.assertEqual(answer.get("response_type", "ephemeral"), "ephemeral", f"{text}: {answer}")
            # Says what was wrong and how to write it: an example of the command.
            self.assertIn("/incident", answer_text(answer), f"{text}: {answer}")
            self.assertNotRegex(answer_text(answer), r"(?i)^(declared|noted)", f"{text}: {answer}")
        # Barrier: a real change in the same channel, then nothing else may have been posted.
        self.w.command("note barrier note after errors", channel=ch)
        self.wait_post(ch["id"], lambda t: "barrier note after errors" in t, "the barrier note")
        posts = FAKE.calls("chat.postMessage", since=mark)
        self.assertEqual(len(posts), 1, [all_text(p["args"])[:200] for p in posts])
        show = answer_text(self.w.command("show", channel=ch))
        self.assertIn("investigating", show)
        self.assertIn("P1", show)


class DeclareTests(ServeCase):
    """A declaration's effects in Slack."""

    def test_declare_creates_channel_invites_topic_summary_pin_and_announcement(self):
        mark = FAKE.last_seq()
        answer = self.w.command("declare P1 Checkout API returns 500s")
        self.assertEqual(answer.get("response_type"), "ephemeral", answer)
        n = incident_number(answer)
        self.assertIn("Checkout API returns 500s", answer_text(answer))
        today = datetime.datetime.now(datetime.timezone.utc)
        days = {(today + datetime.timedelta(days=d)).strftime("%Y%m%d") for d in (-1, 0)}

        def created():
            return [c for c in FAKE.calls("conversations.create", since=mark) if c["outcome"] == "ok"]
        made = wait_until("conversations.create", created)
        self.assertEqual(len(made), 1, made)
        name = made[0]["args"]["name"]
        m = re.fullmatch(r"incident-(\d{8})-checkout-api-returns-500s", name)
        self.assertTrue(m, name)
        self.assertIn(m.group(1), days)
        self.assertFalse(made[0]["args"].get("is_private") in (True, "true", "1"), "the channel is public")

        ch = wait_until("the channel in the fake", lambda: FAKE.channel(name=name))
        cid = ch["id"]
        summary = self.wait_post(cid, lambda t: f"INC-{n}" in t and "Checkout API returns 500s" in t,
                                 "the summary in the incident channel")
        wait_until("the summary to be pinned", lambda: summary["ts"] in FAKE.channel(cid=cid)["pins"])
        self.assertIn("W111", FAKE.channel(cid=cid)["members"], "the declarer is invited")
        invites = [c for c in FAKE.calls("conversations.invite", since=mark) if c["args"].get("channel") == cid]
        self.assertTrue(any("W111" in str(c["args"].get("users")) for c in invites), invites)

        topic = wait_until("the topic", lambda: FAKE.channel(cid=cid)["topic"])
        self.assertIn(f"INC-{n}", topic)
        self.assertIn("P1", topic)
        self.assertIn("investigating", topic)
        self.assertRegex(topic, r"IC|[Cc]ommander")

        # The announcement in #incidents: the bot was not a member, so it had to join.
        announce = self.wait_post("C0INCIDENTS", lambda t: f"INC-{n}" in t, "the announcement in #incidents")
        self.assertIn("Checkout API returns 500s", msg_text(announce))
        self.assertTrue(FAKE.channel(cid="C0INCIDENTS")["bot_member"])
        joins = FAKE.calls("conversations.join", since=mark)
        self.assertTrue(any(c["args"].get("channel") == "C0INCIDENTS" for c in joins), joins)
        # Exactly once each: no duplicate summaries or announcements.
        self.w.quiet()
        self.assertEqual(sum(f"INC-{n}" in msg_text(m) for m in FAKE.messages("C0INCIDENTS")), 1)
        self.assertEqual(len(FAKE.channel(cid=cid)["pins"]), 1)

    def test_taken_name_gets_suffix_2(self):
        date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d")
        taken = f"incident-{date}-payments-are-slow"
        FAKE.post("channel", {"name": taken, "bot_member": False, "members": ["W222"]})
        mark = FAKE.last_seq()
        n, ch, _ = self.declare("Payments are slow")
        self.assertEqual(ch["name"], taken + "-2")
        tried = [c["args"]["name"] for c in FAKE.calls("conversations.create", since=mark)]
        self.assertEqual(tried, [taken, taken + "-2"])
        # Nothing of the incident went to the channel someone else owns.
        self.assertEqual(FAKE.channel(name=taken)["messages"], [])

    def test_mentions_in_a_title_are_escaped_everywhere(self):
        mark = FAKE.last_seq()
        title = "db <!channel> and <!here> <!everyone> <!subteam^S0ALL> @here & <@W222> down"
        n, ch, answer = self.declare(title)
        self.wait_post("C0INCIDENTS", lambda t: f"INC-{n}" in t, "the announcement")
        calls = FAKE.calls(since=mark)
        outgoing = [c for c in calls if c["method"] in ("chat.postMessage", "conversations.setTopic",
                                                         "conversations.setPurpose", "chat.update")]
        self.assertTrue(outgoing)
        for c in outgoing:
            text = all_text(c["args"])
            for special in ("<!channel>", "<!here>", "<!everyone>", "<!subteam^S0ALL>"):
                self.assertNotIn(special, text, f"{c['method']} carries an unescaped {special}")
            self.assertNotIn(str(c["args"].get("link_names", "")).lower(), ("1", "true"),
                             "link_names would turn @here into a ping")
        posts = [all_text(c["args"]) for c in outgoing if c["method"] == "chat.postMessage"]
        self.assertTrue(any("&lt;!channel&gt;" in p for p in posts), posts[:1])
        self.assertTrue(any("<@W222>" in p for p in posts), "a user mention the user typed is kept")
        for special in ("<!channel>", "<!here>", "<!everyone>"):
            self.assertNotIn(special, answer_text(answer))
        self.assertNotIn("<!channel>", FAKE.channel(cid=ch["id"])["topic"])

    def test_declare_without_severity_uses_least_severe(self):
        n, ch, answer = self.declare("no severity given", sev="")
        self.assertIn("P3", FAKE.channel(cid=ch["id"])["topic"])

    def test_declare_without_text_opens_the_modal(self):
        mark = FAKE.last_seq()
        body = self.w.command_body("declare")
        trigger = urllib.parse.parse_qs(body.decode())["trigger_id"][0]
        status, _, answer = self.w.send(body, "application/x-www-form-urlencoded")
        self.assertEqual(status, 200, answer)
        # The trigger_id lives 3 s: views.open must follow at once.
        opened = wait_until("views.open", lambda: FAKE.calls("views.open", since=mark), timeout=3)
        self.assertEqual(opened[0]["args"].get("trigger_id"), trigger)
        view = opened[0]["args"].get("view")
        view = json.loads(view) if isinstance(view, str) else view
        self.assertEqual(view.get("type"), "modal", view)

    def test_a_hanging_views_open_delays_no_answer_and_the_caller_is_told(self):
        mark = FAKE.last_seq()
        # Every views.open hangs past Slack's 3 s, then drops (a retry hangs too).
        FAKE.post("fault", {"method": "views.open", "kind": "hang", "seconds": 3.5, "count": -1})
        try:
            body = self.w.command_body("declare")
            url = urllib.parse.parse_qs(body.decode())["response_url"][0]
            started = time.monotonic()
            status, _, answer = self.w.send(body, "application/x-www-form-urlencoded")
            took = time.monotonic() - started
            self.assertEqual(status, 200, answer)
            self.assertLess(took, 3.0, f"a bare declare waited {took:.1f} s for views.open, past Slack's 3 s")
            self.assertIn("form", answer_text(json.loads(answer)))

            def told():
                rid = url.rsplit("/", 1)[1]
                said = [r for r in FAKE.get("responses")["responses"] if r["id"] == rid]
                return said or None
            said = wait_until("the caller to hear the form failed", told)
            text = said[0]["body"].get("text", "")
            self.assertIn("could not open", text)
            self.assertIn("/incident declare", text)
        finally:
            FAKE.post("clear_faults")
        self.assertTrue(FAKE.calls("views.open", since=mark), "views.open was tried")

    def submit_form(self, title, severity, commander=False, description=None):
        values = {"title": {"title": {"type": "plain_text_input", "value": title}},
                  "severity": {"severity": {"type": "static_select", "selected_option": {"value": severity}}},
                  "description": {"description": {"type": "plain_text_input", "value": description}},
                  "commander": {"commander": {"type": "checkboxes",
                                              "selected_options": [{"value": "me"}] if commander else []}}}
        payload = {"type": "view_submission", "team": {"id": "T111"}, "user": {"id": "W222"},
                   "api_app_id": "A111", "trigger_id": "1.2.x",
                   "view": {"id": "V" + uuid.uuid4().hex[:8].upper(), "type": "modal",
                            "callback_id": "warroom_declare", "private_metadata": "C0GENERAL",
                            "state": {"values": values}}}
        body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
        return self.w.send(body, "application/x-www-form-urlencoded")

    def test_the_declare_form_declares_with_commander_and_description(self):
        mark = FAKE.last_seq()
        title = f"Form declared outage {uuid.uuid4().hex[:6]}"
        status, _, answer = self.submit_form(title, "P2", commander=True, description="EU users only")
        self.assertEqual((status, answer), (200, ""), "an empty 200 closes the modal")

        def told():
            calls = [c for c in FAKE.calls("chat.postEphemeral", since=mark) if title in all_text(c["args"])]
            return calls or None
        said = wait_until("the ephemeral declare answer", told)
        self.assertEqual(said[0]["args"]["user"], "W222")
        n = int(re.search(r"INC-(\d+)", all_text(said[0]["args"])).group(1))
        shown = answer_text(self.w.command(f"show INC-{n}"))
        self.assertIn("P2", shown)
        self.assertRegex(shown, r"W222")  # the commander: "I am the commander" was ticked
        self.assertIn("EU users only", answer_text(self.w.command(f"timeline INC-{n}")))
        # The form's incident gets its channel like a typed declare. Waiting for
        # it, and for the rest of its delivery, keeps those calls out of the
        # next test's window (as self.declare does).
        slug = title.lower().replace(" ", "-")
        wait_until("the form's incident channel",
                   lambda: [c for c in FAKE.calls("conversations.create", since=mark)
                            if slug in c["args"].get("name", "")] or None)
        self.w.quiet()

    def test_the_declare_form_shows_errors_under_the_fields(self):
        mark = FAKE.last_seq()
        status, _, answer = self.submit_form("   ", "SEV-9")
        self.assertEqual(status, 200, answer)
        reply = json.loads(answer)
        self.assertEqual(reply["response_action"], "errors")
        self.assertEqual(set(reply["errors"]), {"title", "severity"})
        self.assertEqual(FAKE.calls("conversations.create", since=mark), [])

    def test_empty_title_is_refused(self):
        mark = FAKE.last_seq()
        answer = self.w.command("declare P1    ")
        self.assertNotRegex(answer_text(answer), r"Declared")
        n, ch, _ = self.declare("barrier after empty title")
        self.assertEqual(len(FAKE.calls("conversations.create", since=mark)), 1)


class CommandTests(ServeCase):
    """Every /incident command through Slack: the answer and the post it causes."""

    def setUp(self):
        self.n, self.ch, _ = self.declare(f"Search is down {uuid.uuid4().hex[:6]}")
        self.cid = self.ch["id"]

    def cmd(self, text, user="W111", in_channel=True):
        return self.w.command(text, user, self.ch if in_channel else None)

    def count(self):
        return len(FAKE.messages(self.cid))

    def test_ack_makes_acknowledger_commander(self):
        before = self.count()
        answer = self.cmd("ack", user="W222")
        self.assertEqual(answer.get("response_type", "ephemeral"), "ephemeral")
        self.assertRegex(answer_text(answer), rf"(?i)INC-{self.n}.*ack|ack.*INC-{self.n}")
        self.wait_post(self.cid, lambda t: re.search(r"(?i)acknowledged", t) and "W222" in t,
                       "the acknowledgement post", before)
        self.wait_post(self.cid, lambda t: "Set the severity" in t, "the commander checklist", before)
        wait_until("W222 invited", lambda: "W222" in FAKE.channel(cid=self.cid)["members"])
        wait_until("the topic naming the IC", lambda: "W222" in FAKE.channel(cid=self.cid)["topic"]
                   or "bob" in FAKE.channel(cid=self.cid)["topic"])

    def test_ack_by_number_from_another_channel(self):
        before = self.count()
        self.cmd(f"ack inc-{self.n}", user="W333", in_channel=False)
        self.wait_post(self.cid, lambda t: re.search(r"(?i)acknowledged", t), "the ack post", before)

    def test_severity_change_is_posted_and_topic_updated(self):
        before = self.count()
        answer = self.cmd("sev P2")
        self.assertIn("P2", answer_text(answer))
        self.wait_post(self.cid, lambda t: "P2" in t, "the severity change post", before)
        wait_until("the topic with P2", lambda: "P2" in FAKE.channel(cid=self.cid)["topic"])

    def test_upgrade_into_notified_severity_tells_notified_channels(self):
        # P2 notifies #leadership (see CONFIG); a P3 declared and upgraded to P2 must reach it.
        n, ch, _ = self.declare(f"Reports are late {uuid.uuid4().hex[:6]}", sev="P3")
        self.assertFalse(any(f"INC-{n}" in msg_text(m) for m in FAKE.messages("C0LEADERSHIP")),
                         "a P3 declaration is not for #leadership")
        mark_lead = len(FAKE.messages("C0LEADERSHIP"))
        self.w.command("severity P2", channel=ch)
        self.wait_post("C0LEADERSHIP", lambda t: f"INC-{n}" in t and "P2" in t,
                       "the upgrade in #leadership", mark_lead)
        self.wait_post(ch["id"], lambda t: "P2" in t and "P3" in t, "the change in the incident channel")

    def test_roles_invite_post_checklist_and_update_topic(self):
        before = self.count()
        self.cmd("commander <@W333|carol>")
        self.wait_post(self.cid, lambda t: "Set the severity" in t, "the commander checklist", before)
        wait_until("carol invited", lambda: "W333" in FAKE.channel(cid=self.cid)["members"])
        wait_until("the topic naming carol", lambda: re.search(r"W333|carol", FAKE.channel(cid=self.cid)["topic"]))
        before = self.count()
        self.cmd("tl me", user="W222")
        self.wait_post(self.cid, lambda t: "Form a hypothesis" in t, "the tech-lead checklist", before)
        wait_until("bob invited", lambda: "W222" in FAKE.channel(cid=self.cid)["members"])
        before = self.count()
        self.cmd("comms-lead <@W444>")
        self.wait_post(self.cid, lambda t: "Keep stakeholders" in t, "the comms-lead checklist", before)
        self.cmd("scribe me")
        self.wait_post(self.cid, lambda t: "Note decisions" in t, "the scribe checklist", before)
        self.cmd("ops-lead <@W222>")
        self.wait_post(self.cid, lambda t: "Coordinate rollbacks" in t, "the ops-lead checklist", before)
        show = answer_text(self.cmd("show"))
        for user in ("W333", "W222", "W444"):
            self.assertTrue(user in show or {"W333": "carol", "W222": "bob", "W444": "dave"}[user] in show, show)

    def test_roles_for_people_known_in_the_channel_send_no_invite(self):
        # W111 declared (the channel was made with them); W222 is invited once, for a first role.
        before = self.count()
        self.cmd("tl <@W222>")
        self.wait_post(self.cid, lambda t: "Form a hypothesis" in t, "the tech-lead checklist", before)
        wait_until("W222 invited", lambda: "W222" in FAKE.channel(cid=self.cid)["members"])
        self.w.quiet()
        mark = FAKE.last_seq()
        before = self.count()
        self.cmd("commander @me")
        self.wait_post(self.cid, lambda t: "Set the severity" in t, "the commander checklist", before)
        self.cmd("scribe <@W222|bob>")
        self.wait_post(self.cid, lambda t: "Note decisions" in t, "the scribe checklist", before)
        self.w.quiet()
        invites = [c for c in FAKE.calls("conversations.invite", since=mark) if c["args"].get("channel") == self.cid]
        self.assertEqual(invites, [], "no invite for people warroom knows are in the channel")

    def test_status_is_posted_and_resolved_is_refused(self):
        before = self.count()
        answer = self.cmd("status mitigating")
        self.assertIn("mitigating", answer_text(answer))
        self.wait_post(self.cid, lambda t: "mitigating" in t, "the status post", before)
        wait_until("the topic with mitigating", lambda: "mitigating" in FAKE.channel(cid=self.cid)["topic"])
        answer = self.cmd("status resolved")
        self.assertIn("resolve", answer_text(answer))
        self.assertIn("mitigating", answer_text(self.cmd("show")))

    def test_update_posts_sections(self):
        before = self.count()
        self.cmd("update impact: checkout fails for EU users next: roll back build 4711 eta: 20m")
        post = self.wait_post(self.cid, lambda t: "roll back build 4711" in t, "the update post", before)
        text = msg_text(post)
        self.assertIn("checkout fails for EU users", text)
        self.assertIn("investigating", text)
        self.assertIn("P1", text)

    def test_note_goes_to_timeline_and_channel(self):
        before = self.count()
        self.cmd("note restarted the search-indexer pods <!here>")
        post = self.wait_post(self.cid, lambda t: "restarted the search-indexer pods" in t, "the note post", before)
        self.assertNotIn("<!here>", msg_text(post))
        timeline = answer_text(self.cmd("timeline"))
        self.assertIn("restarted the search-indexer pods", timeline)
        self.assertRegex(timeline, r"\d\d:\d\d")

    def assert_within_slack_limits(self, m):
        """What Slack accepts in one message (SLACK.md section 7), checked as the fake checks posts."""
        self.assertLessEqual(len(m.get("text") or ""), 40_000)
        blocks = m.get("blocks") or []
        self.assertLessEqual(len(blocks), 50)
        texts = [b["text"]["text"] for b in blocks if isinstance(b.get("text"), dict)]
        for t in texts:
            self.assertLessEqual(len(t), 3000)
        self.assertLessEqual(sum(len(t) for t in texts), 13_000)

    def test_long_timeline_and_postmortem_stay_within_slacks_limits(self):
        # 12 notes of 2,900 characters: about three times what one message holds.
        filler = ("heap grew again, restarted the indexer " * 80)[:2880]
        for i in range(12):
            self.cmd(f"note n{i:02d}-start {filler} n{i:02d}-end")
        timeline = self.cmd("timeline")
        self.assert_within_slack_limits(timeline)
        text = answer_text(timeline)
        self.assertIn("n11-end", text)  # the most recent entries are shown
        self.assertNotIn("n00-start", text)
        self.assertRegex(timeline["text"], r"… \d+ earlier entries not shown")
        self.assertIn(f"/incident timeline INC-{self.n} all", timeline["text"])

        # The notes go out at Slack's pace (one post a second per channel): let
        # them all land first, so the wait below measures the post-mortem alone.
        self.wait_post(self.cid, lambda t: "n11-start" in t, "the last note's post", timeout=4 * WAIT)
        before = self.count()
        self.cmd("postmortem")
        last = self.wait_post(self.cid, lambda t: "## Action items" in t, "the post-mortem's last part", before)
        parts = [m for m in FAKE.messages(self.cid)[before:] if f"Post-mortem of INC-{self.n}, part" in (m.get("text") or "")]
        self.assertGreater(len(parts), 1, self.fail_info())
        head = parts[0]
        self.assertNotIn("thread_ts", head)
        self.assertIn("# Post-mortem", head["text"])
        for m in parts:
            self.assert_within_slack_limits(m)
            self.assertTrue(m.get("blocks"), "blocks refused, the text posted alone")
        for m in parts[1:]:
            self.assertEqual(m.get("thread_ts"), head["ts"], "parts 2.. go in the thread of part 1")
        self.assertEqual(parts[-1]["ts"], last["ts"])
        whole = "\n".join(m["text"] for m in parts)
        for i in range(12):
            self.assertIn(f"n{i:02d}-end", whole)
        self.assertLess(whole.index("n11-end"), whole.index("## Root cause"))

    def test_read_only_commands_answer_only_the_caller(self):
        mark = FAKE.last_seq()
        show = self.cmd("show")
        self.assertEqual(show.get("response_type"), "ephemeral")
        self.assertIn(f"INC-{self.n}", answer_text(show))
        self.assertIn("investigating", answer_text(show))
        lst = self.cmd("list", in_channel=False)
        self.assertIn(f"INC-{self.n}", answer_text(lst))
        timeline = self.cmd("timeline")
        self.assertRegex(answer_text(timeline), r"(?i)declared")
        stats = self.cmd("stats 30d", in_channel=False)
        self.assertIn("P1", answer_text(stats))
        self.assertRegex(answer_text(stats), r"(?i)MTTA|MTTR")
        help_ = self.cmd("help", in_channel=False)
        self.assertIn("declare", answer_text(help_))
        empty = self.cmd("", in_channel=False)
        self.assertIn("declare", answer_text(empty))
        for a in (show, lst, timeline, stats, help_):
            self.assertEqual(a.get("response_type"), "ephemeral", a)
        # Barrier: a change afterwards is posted; nothing before it was.
        self.cmd("note barrier after read-only commands")
        self.wait_post(self.cid, lambda t: "barrier after read-only" in t, "the barrier note")
        posts = FAKE.calls("chat.postMessage", since=mark)
        self.assertEqual(len(posts), 1, [all_text(p["args"])[:150] for p in posts])

    def test_resolve_posts_duration_in_channel_and_announce_and_postmortem(self):
        announce_before = len(FAKE.messages("C0INCIDENTS"))
        before = self.count()
        answer = self.cmd("resolve rolled back the bad deploy")
        self.assertIn(f"INC-{self.n}", answer_text(answer))
        post = self.wait_post(self.cid, lambda t: re.search(r"(?i)resolved", t), "the resolution post", before)
        self.assertRegex(msg_text(post), r"\d+(s|m|h|d)\b", "the resolution names the duration")
        self.wait_post("C0INCIDENTS", lambda t: f"INC-{self.n}" in t and re.search(r"(?i)resolved", t),
                       "the resolution in #incidents", announce_before)
        wait_until("the topic with resolved", lambda: "resolved" in FAKE.channel(cid=self.cid)["topic"])
        lst = answer_text(self.cmd("list", in_channel=False))
        self.assertNotIn(f"INC-{self.n}*", lst)
        self.assertNotRegex(lst, rf"INC-{self.n}\b")
        self.assertRegex(answer_text(self.cmd("list all", in_channel=False)), rf"INC-{self.n}\b")
        before = self.count()
        self.cmd("postmortem")
        pm = self.wait_post(self.cid, lambda t: re.search(r"(?i)post-?mortem", t) and "Timeline" in t,
                            "the post-mortem draft", before)
        self.assertIn("rolled back the bad deploy", msg_text(pm))
        # Reopen re-arms it and lists it again.
        before = self.count()
        self.cmd("reopen")
        self.wait_post(self.cid, lambda t: re.search(r"(?i)reopen", t), "the reopen post", before)
        self.assertRegex(answer_text(self.cmd("list", in_channel=False)), rf"INC-{self.n}\b")

    def test_pushpin_reaction_adds_message_to_timeline_once(self):
        # React to a message that exists in Slack: the update warroom just posted.
        said = f"payments rolled back to v41 {uuid.uuid4().hex[:6]}"
        self.cmd(f"update {said}")
        post = self.wait_post(self.cid, lambda t: said in t, "the update post")
        before = answer_text(self.cmd("timeline")).splitlines()
        event = {"token": "t", "team_id": "T111", "api_app_id": "A111", "type": "event_callback",
                 "event_id": "Ev" + uuid.uuid4().hex[:10].upper(), "event_time": int(time.time()),
                 "event": {"type": "reaction_added", "user": "W333", "reaction": "pushpin", "item_user": "U0BOT",
                           "item": {"type": "message", "channel": self.cid, "ts": post["ts"]},
                           "event_ts": f"{time.time():.6f}"},
                 "authorizations": [{"team_id": "T111", "user_id": "U0BOT", "is_bot": True}]}
        self.assertEqual(self.w.event(event)[0], 200)
        # Slack's retry of the same event (same event_id) must not add it twice.
        self.assertEqual(self.w.event(event, {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})[0], 200)

        def grown():
            now = answer_text(self.cmd("timeline")).splitlines()
            return now if len(now) > len(before) else None
        after = wait_until("the reacted-to message in the timeline", grown, timeout=5, interval=0.5)
        self.w.quiet()
        after = answer_text(self.cmd("timeline")).splitlines()
        # answer_text() holds the text and the blocks: the same line may be there twice.
        added = sorted({line for line in after if line not in before})
        self.assertEqual(len(added), 1, added)
        self.assertRegex(added[0], r"W333|carol|pushpin|pinned|" + re.escape(said[:20]))

    def event_envelope(self, event):
        return {"token": "t", "team_id": "T111", "api_app_id": "A111", "type": "event_callback",
                "event_id": "Ev" + uuid.uuid4().hex[:10].upper(), "event_time": int(time.time()),
                "event": event, "authorizations": [{"team_id": "T111", "user_id": "U0BOT", "is_bot": True}]}

    def test_someone_joining_the_channel_is_on_the_timeline(self):
        before = answer_text(self.cmd("timeline"))
        self.assertNotIn("<@W444> joined", before)
        event = self.event_envelope({"type": "member_joined_channel", "user": "W444", "channel": self.cid,
                                     "channel_type": "C", "team": "T111"})
        self.assertEqual(self.w.event(event)[0], 200)
        wait_until("the join in the timeline", lambda: "W444" in answer_text(self.cmd("timeline")).split(before)[-1]
                   or answer_text(self.cmd("timeline")).count("joined") > before.count("joined"), timeout=5)
        # A join elsewhere is not an incident's business.
        other = self.event_envelope({"type": "member_joined_channel", "user": "W333", "channel": "C0GENERAL"})
        self.assertEqual(self.w.event(other)[0], 200)

    def test_app_home_lists_the_open_incidents(self):
        mark = FAKE.last_seq()
        event = self.event_envelope({"type": "app_home_opened", "user": "W222", "channel": "D0HOME", "tab": "home",
                                     "event_ts": f"{time.time():.6f}"})
        self.assertEqual(self.w.event(event)[0], 200)

        def published():
            calls = [c for c in FAKE.calls("views.publish", since=mark) if c["outcome"] == "ok"]
            return calls[-1] if calls else None
        call = wait_until("views.publish for W222", published, timeout=5)
        self.assertEqual(call["args"]["user_id"], "W222")
        self.assertEqual(call["args"]["view"]["type"], "home")
        self.assertIn(f"INC-{self.n}", all_text(call["args"]["view"]["blocks"]))

    def test_snooze_is_recorded(self):
        before = self.count()
        self.cmd("snooze 20m")
        self.wait_post(self.cid, lambda t: re.search(r"(?i)snooze|postpone", t), "the snooze post", before)
        answer = self.cmd("snooze 30d")
        self.assertRegex(answer_text(answer), r"(?i)resolve|longer|too")


class TimerTests(ServeCase):
    """Short P0 timers: ack escalation in #incident-escalations, update reminder in the channel."""

    def test_ack_escalation_and_update_reminder(self):
        esc_before = len(FAKE.messages("C0ESCALATIONS"))
        # warroom keeps times as whole Unix seconds: the declaration is stamped with the second it
        # falls in (at least this one), and a deadline is due when the clock reaches that second plus
        # the interval. So a reminder may come up to 1 s sooner than the interval after our own
        # clock, never before the whole second; a bound in those terms holds however late the
        # machine runs us, and a timer a second short still fails it (unless the declaration
        # itself crossed a second boundary).
        declared = math.floor(time.time())
        n, ch, _ = self.declare("Login fails for everyone", sev="P0")
        cid = ch["id"]
        esc = self.wait_post("C0ESCALATIONS", lambda t: f"INC-{n}" in t, "the ack escalation", esc_before)
        self.assertIn("S0ONCALL", msg_text(esc), "the escalation mentions the page list")
        # /metrics counts the fired timer and how late it was against its deadline: seconds at most
        # (not the time since the declaration, nor since 1970), whatever the machine's load.
        _, _, metrics = self.w.get("/metrics")
        count = re.search(r"^warroom_timer_lateness_seconds_count (\d+)$", metrics, re.M)
        self.assertTrue(count and int(count.group(1)) >= 1, f"no timer lateness counted: {metrics[:2000]}")
        within = re.search(r'^warroom_timer_lateness_seconds_bucket\{le="10"\} (\d+)$', metrics, re.M)
        self.assertEqual(int(within.group(1)), int(count.group(1)), "a timer counted as fired over 10 s late")
        self.assertGreaterEqual(float(esc["ts"]), declared + 2, "escalated before ack_within passed")
        self.wait_post(cid, lambda t: re.search(r"(?i)not acknowledged", t),
                       "the missed-ack notice in the incident channel")
        # Not the pinned summary: it names the declarer too, and its Resolve confirmation the reminders.
        reminder = self.wait_post(cid, lambda t: re.search(r"(?i)update", t) and re.search(r"(?i)due|remind|overdue|no update", t)
                                  and "W111" in t and "Declared by" not in t, "the update reminder naming the declarer")
        self.assertGreaterEqual(float(reminder["ts"]), declared + 3, "reminded before update_every passed")
        # The post's ts trails the timer (Slack's pace queues it behind the missed-ack notice), so
        # the age the reminder states is what shows a timer that fired early.
        self.assertGreaterEqual(stated_age(msg_text(reminder), "declared"), 3,
                                f"reminded before update_every passed: {msg_text(reminder)[:200]!r}")
        # It repeats every ack_within until acknowledged...
        wait_until("a second escalation", lambda: sum(f"INC-{n}" in msg_text(m)
                                                        for m in FAKE.messages("C0ESCALATIONS")[esc_before:]) >= 2)
        # ... and stops once acknowledged.
        self.w.command("ack", "W222", ch)
        self.wait_post(cid, lambda t: re.search(r"(?i)acknowledged", t) and "W222" in t, "the ack post")
        time.sleep(0.5)  # let an in-flight escalation land before counting
        count = sum(f"INC-{n}" in msg_text(m) for m in FAKE.messages("C0ESCALATIONS"))
        # Update reminders keep coming (an ack is not an update); wait for one more to pass 2 s.
        reminders_at_ack = len(FAKE.messages(cid))
        self.wait_post(cid, lambda t: re.search(r"(?i)update", t) and "W222" in t,
                       "an update reminder naming the new commander", reminders_at_ack)
        self.assertEqual(sum(f"INC-{n}" in msg_text(m) for m in FAKE.messages("C0ESCALATIONS")), count,
                         "escalations continued after the ack")
        # An update restarts the update clock: the next reminder comes update_every after it.
        # Whole seconds again; the post itself may land later: Slack's pace is one a second.
        updated_at = math.floor(time.time())
        self.w.command("update impact: logins slow next: failover", "W222", ch)
        # The pinned summary shows the last update too, edited in place: not it.
        upd = self.wait_post(cid, lambda t: "failover" in t and "Declared by" not in t, "the update post")
        after_update = FAKE.messages(cid).index(upd) + 1
        nxt = self.wait_post(cid, lambda t: re.search(r"(?i)due a status update|update", t) and "W222" in t
                             and "failover" not in t, "the reminder after the update", after_update)
        self.assertGreaterEqual(float(nxt["ts"]), updated_at + 3,
                                f"the update did not restart the update clock: {msg_text(nxt)[:200]!r}")
        self.assertGreaterEqual(stated_age(msg_text(nxt), "last one"), 3,
                                f"reminded before update_every passed since the update: {msg_text(nxt)[:200]!r}")
        resolved_at = len(FAKE.messages(cid))
        self.w.command("resolve done", "W222", ch)
        self.wait_post(cid, lambda t: re.search(r"(?i)resolved", t), "the resolution", resolved_at)


class RestartTests(ServeCase):
    """kill -9 and restart on the same database: timers continue, nothing is created twice."""

    def test_sigkill_then_restart_resumes_timers_without_duplicates(self):
        esc_before = len(FAKE.messages("C0ESCALATIONS"))
        n, ch, _ = self.declare("Queue backlog growing", sev="P0")
        cid = ch["id"]
        self.wait_post("C0ESCALATIONS", lambda t: f"INC-{n}" in t, "the first escalation", esc_before)
        self.w.kill9()
        killed_at = time.time()
        # Also declare nothing while down; then start on the same database.
        self.w.start()
        esc = self.wait_post("C0ESCALATIONS",
                             lambda t: f"INC-{n}" in t, "an escalation after the restart",
                             len(FAKE.messages("C0ESCALATIONS")))
        self.assertGreater(float(esc["ts"]), killed_at)
        reminder_count = len(FAKE.messages(cid))
        self.wait_post(cid, lambda t: re.search(r"(?i)update", t), "an update reminder after the restart",
                       reminder_count)
        # The incident still answers, numbers continue, and its channel was created once.
        show = answer_text(self.w.command("show", channel=ch))
        self.assertIn(f"INC-{n}", show)
        self.w.command("resolve", channel=ch)
        self.wait_post(cid, lambda t: re.search(r"(?i)resolved", t), "the resolution")
        n2, ch2, _ = self.declare("After the restart")
        self.assertEqual(n2, n + 1)
        creates = [c["args"]["name"] for c in FAKE.calls("conversations.create") if c["outcome"] == "ok"]
        self.assertEqual(len(creates), len(set(creates)), creates)
        self.assertEqual(sum("queue-backlog-growing" in c for c in creates), 1, creates)
        summaries = [m for m in FAKE.messages(cid) if m["ts"] in FAKE.channel(cid=cid)["pins"]]
        self.assertEqual(len(summaries), 1)
        # After ack/resolve no more escalations once things settle.

    def test_declare_while_slack_is_down_is_created_once_after_restart(self):
        # Slack hangs on conversations.create: the declaration is recorded but not delivered.
        FAKE.post("fault", {"method": "conversations.create", "kind": "hang", "count": 1, "seconds": 30})
        mark = FAKE.last_seq()
        answer = self.w.command("declare P1 Cache stampede")
        n = incident_number(answer)
        wait_until("the hanging conversations.create", lambda: FAKE.calls("conversations.create", since=mark))
        self.w.kill9()
        self.w.start()
        name_ok = lambda: next((c for c in FAKE.state()["channels"] if "cache-stampede" in c["name"]), None)
        ch = wait_until("the channel created after the restart", name_ok)
        self.wait_post(ch["id"], lambda t: f"INC-{n}" in t, "the summary after the restart")
        self.wait_post("C0INCIDENTS", lambda t: f"INC-{n}" in t, "the announcement after the restart")
        made = [c["args"]["name"] for c in FAKE.calls("conversations.create") if "cache-stampede" in c["args"]["name"]]
        self.assertTrue(all(not x.endswith("-2") for x in made), made)
        self.assertEqual(len([c for c in FAKE.state()["channels"] if "cache-stampede" in c["name"]]), 1)


class MaybeDeliveredTests(ServeCase):
    """Slack did the work but the answer never reached warroom, which then died."""

    def test_channel_created_while_killed_is_not_created_twice(self):
        # conversations.create succeeds in the fake but answers 6 s late; warroom is killed
        # before it hears back. After the restart there must still be one channel.
        FAKE.post("fault", {"method": "conversations.create", "kind": "slow", "count": 1, "seconds": 6})
        mark = FAKE.last_seq()
        answer = self.w.command("declare P1 Disk full on db-3")
        n = incident_number(answer)
        wait_until("the slow conversations.create", lambda: FAKE.calls("conversations.create", since=mark))
        wait_until("the channel to exist in Slack", lambda: FAKE.channel(name=FAKE.calls(
            "conversations.create", since=mark)[0]["args"]["name"]))
        self.w.kill9()
        FAKE.post("clear_faults")
        self.w.start()
        self.wait_post("C0INCIDENTS", lambda t: f"INC-{n}" in t, "the announcement after the restart")
        self.w.quiet()
        channels = [c["name"] for c in FAKE.state()["channels"] if "disk-full-on-db-3" in c["name"]]
        self.assertEqual(len(channels), 1, f"one incident, channels {channels}")
        ch = FAKE.channel(name=channels[0])
        self.assertTrue(any(f"INC-{n}" in msg_text(m) for m in ch["messages"]), "the summary is in that channel")


class TokenTests(ServeCase):
    def test_rejected_token_makes_healthz_503_and_loses_nothing(self):
        n, ch, _ = self.declare("Token rotated by mistake")
        FAKE.post("config", {"token": "xoxb-rotated"})
        try:
            self.w.command("note posted while the token is rejected", channel=ch)

            def unhealthy():
                status, _, body = self.w.get("/healthz")
                return (status, body) if status == 503 else None
            status, body = wait_until("/healthz to answer 503", unhealthy)
            self.assertIn("invalid_auth", body)
            # The note is held, not given up on: it is still pending, nothing is dead.
            outbox = json.loads(body).get("outbox", {})
            self.assertGreaterEqual(outbox.get("pending", 0), 1, body)
            self.assertEqual(outbox.get("dead", 0), 0, body)
            self.assertFalse(any("posted while the token" in msg_text(m) for m in FAKE.messages(ch["id"])))
        finally:
            FAKE.post("config", {"token": TOKEN})


class FaultTests(ServeCase):
    """A Slack that answers 429 or 500 once: the post still arrives, exactly once."""

    def setUp(self):
        FAKE.post("clear_faults")
        self.n, self.ch, _ = self.declare(f"Flaky Slack {uuid.uuid4().hex[:6]}")

    def tearDown(self):
        FAKE.post("clear_faults")

    def note_arrives_once(self, fault):
        text = f"note under {fault['kind']} {uuid.uuid4().hex[:8]}"
        mark = FAKE.last_seq()
        FAKE.post("fault", dict(fault, method="chat.postMessage", count=1))
        self.w.command(f"note {text}", channel=self.ch)
        self.wait_post(self.ch["id"], lambda t: text in t, f"the note after a {fault['kind']}")
        self.w.quiet()  # a duplicate retry would be in the queue until now
        got = [m for m in FAKE.messages(self.ch["id"]) if text in msg_text(m)]
        self.assertEqual(len(got), 1, f"the note was posted {len(got)} times")
        attempts = [c for c in FAKE.calls("chat.postMessage", since=mark) if text in all_text(c["args"])]
        self.assertGreaterEqual(len(attempts), 2, "the fault was not hit")
        self.assertEqual(attempts[0]["fault"], fault["kind"], attempts[0])
        return attempts

    def test_429_with_retry_after_is_honoured(self):
        attempts = self.note_arrives_once({"kind": "429", "retry_after": 2})
        gap = attempts[1]["time"] - attempts[0]["time"]
        self.assertGreaterEqual(gap, 1.9, f"retried {gap:.2f} s after a Retry-After: 2")

    def test_500_once_is_retried(self):
        self.note_arrives_once({"kind": "500"})


class StopTests(ServeCase):
    def test_sigterm_exits_zero_quickly(self):
        n, ch, _ = self.declare("Before the stop")
        started = time.monotonic()
        self.w.proc.send_signal(signal.SIGTERM)
        try:
            code = self.w.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.fail(f"still running 5 s after SIGTERM{self.fail_info()}")
        self.assertEqual(code, 0, self.fail_info())
        self.assertLess(time.monotonic() - started, 5)
        # The database is intact: a new process sees the incident.
        self.w.start()
        self.assertIn(f"INC-{n}", answer_text(self.w.command("list")))


# Two shards run side by side, each with its own fake Slack and warroom processes: the tests
# mostly wait on Slack's one-post-a-second pace and on timers, so this halves the wall time
# without loading the CPU. Each shard's output is printed whole when it ends.
SHARDS = [
    ["CommandTests"],
    ["EndpointTests", "DeclareTests", "TimerTests", "RestartTests", "MaybeDeliveredTests", "FaultTests",
     "TokenTests", "StopTests"],
]


def run_sharded():
    classes = {name for name, obj in globals().items()
               if isinstance(obj, type) and issubclass(obj, ServeCase) and obj is not ServeCase}
    sharded = {name for names in SHARDS for name in names}
    if classes != sharded:
        return f"test_serve.py: SHARDS must list every test class exactly; differs by {sorted(classes ^ sharded)}"
    procs = []
    for names in SHARDS:
        env = dict(os.environ, WARROOM_BINARY=BINARY, WARROOM_SERVE_SHARD="1")
        procs.append(subprocess.Popen([sys.executable, os.path.abspath(__file__)] + names, env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    code = 0
    for names, proc in zip(SHARDS, procs):
        out, _ = proc.communicate()
        print(f"==== shard: {' '.join(names)} (exit {proc.returncode})")
        print(out, end="", flush=True)
        code = code or proc.returncode
    return code


def main():
    global BINARY
    args = sys.argv[1:]
    if args and not args[0].startswith("-") and os.path.isfile(args[0]):
        BINARY = args.pop(0)
    BINARY = os.path.abspath(BINARY or os.environ.get("WARROOM_BINARY", "build/warroom"))
    if not os.access(BINARY, os.X_OK):
        sys.exit(f"test_serve.py: no warroom binary at {BINARY}; pass its path or set WARROOM_BINARY")
    if not args and not os.environ.get("WARROOM_SERVE_SHARD"):
        sys.exit(run_sharded())
    unittest.main(argv=[sys.argv[0]] + args, verbosity=2)


if __name__ == "__main__":
    main()
