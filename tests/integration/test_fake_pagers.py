#!/usr/bin/env python3
"""Checks the fake PagerDuty, Opsgenie and webhook receiver (tests/support/fake_*.py) through
their command lines, as warroom's tests will use them: each accepts what its vendor accepts,
refuses what it refuses with the vendor's answer, injects faults and records what arrived.
Then sends them the requests bot/paging builds (argv[1]: the paging_samples program), so the
C++ wire formats are checked by the same rules.

Usage: test_fake_pagers.py [path/to/paging_samples]
"""

import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SUPPORT = os.path.join(HERE, "..", "support")
sys.path.insert(0, SUPPORT)
import fake_pagerduty  # noqa: E402
import fake_webhook  # noqa: E402

# The paging_samples program, when given: taken off argv before unittest reads it.
SAMPLES = sys.argv.pop(1) if __name__ == "__main__" and len(sys.argv) > 1 else None
ROUTING_KEY = "0123456789abcdef0123456789abcdef"
GENIE_KEY = "11111111-2222-4333-8444-555555555555"
HOOK_SECRET = "hook-secret"


def start(script, env_name, *args):
    proc = subprocess.Popen([sys.executable, os.path.join(SUPPORT, script), *args], stdout=subprocess.PIPE,
                            text=True)
    line = proc.stdout.readline().strip()
    if not line.startswith(env_name + "="):
        proc.kill()
        raise RuntimeError(f"{script} printed {line!r}")
    return proc, line.split("=", 1)[1]


def call(method, url, body=None, headers=None, timeout=5):
    """(status, parsed JSON or text, headers) for any answer, HTTP errors included."""
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else (body.encode() if isinstance(body, str) else json.dumps(body).encode())
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json",
                                                                          **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, raw, hdrs = r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as e:
        status, raw, hdrs = e.code, e.read(), dict(e.headers)
    text = raw.decode()
    try:
        return status, json.loads(text), hdrs
    except ValueError:
        return status, text, hdrs


def trigger(**overrides):
    body = {"routing_key": ROUTING_KEY, "event_action": "trigger", "dedup_key": "warroom-T1-INC-1",
            "payload": {"summary": "INC-1 [P0] checkout is down", "source": "warroom", "severity": "critical",
                        "custom_details": {"incident": "INC-1"}},
            "links": [{"href": "https://slack.com/app_redirect?channel=C1", "text": "INC-1 in Slack"}]}
    body.update(overrides)
    return body


class Fakes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.procs = []
        p, cls.pd = start("fake_pagerduty.py", "FAKE_PAGERDUTY_URL")
        cls.procs.append(p)
        p, cls.og = start("fake_opsgenie.py", "FAKE_OPSGENIE_URL", "--api-key", GENIE_KEY)
        cls.procs.append(p)
        p, cls.hook = start("fake_webhook.py", "FAKE_WEBHOOK_URL", "--secret", HOOK_SECRET)
        cls.procs.append(p)
        cls.hook_base = cls.hook.rsplit("/", 1)[0]

    @classmethod
    def tearDownClass(cls):
        for p in cls.procs:
            p.terminate()
            p.wait(5)

    def setUp(self):
        for base in (self.pd, self.og, self.hook_base):
            self.assertEqual(call("POST", base + "/_control/reset", {})[0], 200)
        call("POST", self.pd + "/_control/config", {"routing_keys": []})

    def control(self, base, name, body=None):
        status, answer, _ = call("GET" if body is None else "POST", f"{base}/_control/{name}", body)
        self.assertEqual(status, 200, answer)
        return answer

    # -- PagerDuty ---------------------------------------------------------------------------
    def enqueue(self, body):
        return call("POST", self.pd + "/v2/enqueue", body)

    def test_pagerduty_accepts_a_trigger_and_its_acknowledge_and_resolve(self):
        status, answer, _ = self.enqueue(trigger())
        self.assertEqual(status, 202, answer)
        self.assertEqual(answer, {"status": "success", "message": "Event processed", "dedup_key": "warroom-T1-INC-1"})
        for action, state in (("acknowledge", "acknowledged"), ("resolve", "resolved")):
            status, answer, _ = self.enqueue({"routing_key": ROUTING_KEY, "event_action": action,
                                              "dedup_key": "warroom-T1-INC-1"})
            self.assertEqual(status, 202, answer)
            alert = self.control(self.pd, "alerts")["alerts"]["warroom-T1-INC-1"]
            self.assertEqual(alert["status"], state)
        self.assertEqual(alert["events"], ["trigger", "acknowledge", "resolve"])

    def test_pagerduty_a_repeated_trigger_updates_the_open_alert(self):
        self.assertEqual(self.enqueue(trigger())[0], 202)
        self.assertEqual(self.enqueue(trigger())[0], 202)
        alerts = self.control(self.pd, "alerts")["alerts"]
        self.assertEqual(list(alerts), ["warroom-T1-INC-1"])
        self.assertEqual(alerts["warroom-T1-INC-1"]["triggers"], 2)

    def test_pagerduty_refuses_what_the_schema_refuses(self):
        long_summary = trigger()
        long_summary["payload"]["summary"] = "x" * 1025
        bad_severity = trigger()
        bad_severity["payload"]["severity"] = "P0"
        no_source = trigger()
        del no_source["payload"]["source"]
        cases = {
            "routing_key": trigger(routing_key="short"),
            "event_action": trigger(event_action="escalate"),
            "longer than 1024": long_summary,
            "payload.severity": bad_severity,
            "payload.source": no_source,
            "dedup_key": {"routing_key": ROUTING_KEY, "event_action": "resolve"},
            "255": trigger(dedup_key="k" * 256),
            "'payload' is missing": trigger(payload=None),
            "not a known field": trigger(severity="critical"),
            "links": trigger(links=[{"text": "no href"}]),
        }
        for expected, body in cases.items():
            with self.subTest(expected):
                status, answer, _ = self.enqueue(body)
                self.assertEqual(status, 400, answer)
                self.assertEqual(answer["status"], "invalid event")
                self.assertTrue(any(expected in e for e in answer["errors"]), answer)
        status, answer, _ = self.enqueue("{not json")
        self.assertEqual((status, answer["errors"]), (400, ["JSON parse error"]))
        self.assertEqual(self.control(self.pd, "alerts")["alerts"], {})

    def test_pagerduty_refuses_a_routing_key_it_does_not_know(self):
        self.control(self.pd, "config", {"routing_keys": ["f" * 32]})
        status, answer, _ = self.enqueue(trigger())
        self.assertEqual(status, 400, answer)
        self.assertEqual(self.enqueue(trigger(routing_key="f" * 32))[0], 202)

    def test_pagerduty_faults_429_500_hang_and_every_request_recorded(self):
        self.control(self.pd, "fault", {"kind": "429", "retry_after": 7})
        status, answer, headers = self.enqueue(trigger())
        self.assertEqual((status, headers.get("Retry-After")), (429, "7"))
        self.assertEqual(answer["status"], "throttle event")
        self.control(self.pd, "fault", {"kind": "500", "status": 502})
        self.assertEqual(self.enqueue(trigger())[0], 502)
        self.control(self.pd, "fault", {"kind": "hang", "seconds": 3})
        started = time.monotonic()
        with self.assertRaises(OSError):
            call("POST", self.pd + "/v2/enqueue", trigger(), timeout=0.5)
        self.assertLess(time.monotonic() - started, 2.5)
        self.assertEqual(self.enqueue(trigger())[0], 202)
        requests = self.control(self.pd, "requests")["requests"]
        self.assertEqual([r["fault"] for r in requests], ["429", "500", "hang", None])
        self.assertEqual(requests[-1]["body"]["dedup_key"], "warroom-T1-INC-1")
        self.assertEqual(self.control(self.pd, "alerts")["alerts"]["warroom-T1-INC-1"]["triggers"], 1)

    def test_pagerduty_webhook_signature_helper_is_v1_hmac_of_the_body(self):
        body = json.dumps(fake_pagerduty.webhook_event("incident.acknowledged", "warroom-T1-INC-1"))
        expected = hmac.new(b"s", body.encode(), hashlib.sha256).hexdigest()
        self.assertEqual(fake_pagerduty.sign_webhook("s", body), "v1=" + expected)

    # -- Opsgenie ----------------------------------------------------------------------------
    def genie(self, path, body, key=GENIE_KEY):
        headers = {"Authorization": f"GenieKey {key}"} if key else {}
        return call("POST", self.og + path, body, headers)

    def test_opsgenie_creates_acknowledges_and_closes_by_alias(self):
        status, answer, _ = self.genie("/v2/alerts", {"message": "INC-1 [P0] down", "alias": "warroom-T1-INC-1",
                                                      "priority": "P1", "details": {"incident": "INC-1"}})
        self.assertEqual(status, 202, answer)
        self.assertEqual(answer["result"], "Request will be processed")
        self.assertTrue(answer["requestId"])
        status, _, _ = self.genie("/v2/alerts/warroom-T1-INC-1/acknowledge?identifierType=alias", {"user": "U0BOB"})
        self.assertEqual(status, 202)
        alert = self.control(self.og, "alerts")["alerts"]["warroom-T1-INC-1"]
        self.assertTrue(alert["acknowledged"])
        self.assertEqual(alert["acknowledged_by"], "U0BOB")
        self.assertEqual(self.genie("/v2/alerts/warroom-T1-INC-1/close?identifierType=alias", {})[0], 202)
        alert = self.control(self.og, "alerts")["alerts"]["warroom-T1-INC-1"]
        self.assertEqual((alert["status"], alert["events"]), ("closed", ["create", "acknowledge", "close"]))

    def test_opsgenie_an_action_without_identifier_type_alias_finds_nothing(self):
        self.genie("/v2/alerts", {"message": "m", "alias": "warroom-T1-INC-1"})
        self.assertEqual(self.genie("/v2/alerts/warroom-T1-INC-1/close", {})[0], 202)  # async, as Opsgenie
        self.assertFalse(self.control(self.og, "requests")["requests"][-1]["found"])
        self.assertEqual(self.control(self.og, "alerts")["alerts"]["warroom-T1-INC-1"]["status"], "open")

    def test_opsgenie_needs_its_key(self):
        for key in (None, "wrong"):
            with self.subTest(key=key):
                status, answer, _ = self.genie("/v2/alerts", {"message": "m"}, key=key)
                self.assertEqual(status, 401, answer)
        status, _, _ = call("POST", self.og + "/v2/alerts", {"message": "m"}, {"Authorization": f"Bearer {GENIE_KEY}"})
        self.assertEqual(status, 401)
        self.assertEqual(self.control(self.og, "alerts")["alerts"], {})

    def test_opsgenie_refuses_what_its_limits_refuse(self):
        cases = {
            "message": {"alias": "a"},
            "message ": {"message": "x" * 131},
            "alias": {"message": "m", "alias": "a" * 513},
            "priority": {"message": "m", "priority": "P0"},
            "details": {"message": "m", "details": {"n": 1}},
            "description": {"message": "m", "description": "d" * 15001},
            "user": {"message": "m", "user": "u" * 101},
            "tags": {"message": "m", "tags": ["t"] * 21},
        }
        for field, body in cases.items():
            with self.subTest(field):
                status, answer, _ = self.genie("/v2/alerts", body)
                self.assertEqual(status, 422, answer)
                self.assertIn(field.strip(), answer["errors"])
        status, answer, _ = self.genie("/v2/alerts/a/close?identifierType=name", {})
        self.assertEqual(status, 422, answer)
        status, answer, _ = self.genie("/v2/alerts/a/acknowledge?identifierType=alias", {"note": "n" * 25001})
        self.assertEqual(status, 422, answer)

    def test_opsgenie_faults(self):
        self.control(self.og, "fault", {"kind": "429", "path": "/v2/alerts", "retry_after": None})
        status, _, headers = self.genie("/v2/alerts", {"message": "m"})
        self.assertEqual(status, 429)
        self.assertNotIn("Retry-After", headers)
        self.control(self.og, "fault", {"kind": "drop"})
        with self.assertRaises(OSError):
            self.genie("/v2/alerts", {"message": "m"})
        self.assertEqual(self.genie("/v2/alerts", {"message": "m"})[0], 202)

    def test_opsgenie_webhook_helper_has_what_warroom_reads(self):
        body = self.control(self.og, "webhook", {"action": "Acknowledge", "alias": "warroom-T1-INC-1",
                                                 "username": "alice@example.com"})["body"]
        self.assertEqual((body["action"], body["alert"]["alias"], body["alert"]["username"]),
                         ("Acknowledge", "warroom-T1-INC-1", "alice@example.com"))

    # -- Webhook receiver --------------------------------------------------------------------
    def deliver(self, doc, secret=HOOK_SECRET, ts=None, header=None):
        raw = json.dumps(doc).encode()
        sig = header if header is not None else fake_webhook.sign(secret, raw, ts)
        return call("POST", self.hook, raw, {"X-Warroom-Signature": sig})

    def document(self, **overrides):
        doc = {"schema_version": 1, "id": "evt-1", "event": "incident.declared", "occurred_at": "2026-12-01T04:00:00Z",
               "actor": "U0BOB", "details": {},
               "incident": {"id": "INC-1", "number": 1, "title": "down", "severity": "P0", "state": "open",
                            "dedup_key": "warroom-T1-INC-1", "channel_url": None, "commander": "U0ALICE"}}
        doc.update(overrides)
        return doc

    def test_webhook_receiver_accepts_a_signed_document_and_counts_repeats(self):
        self.assertEqual(self.deliver(self.document())[0], 204)
        self.assertEqual(self.deliver(self.document())[0], 204)
        deliveries = self.control(self.hook_base, "deliveries")["deliveries"]
        self.assertEqual([d["duplicate"] for d in deliveries], [False, True])

    def test_webhook_receiver_refuses_bad_signatures_and_documents(self):
        doc = self.document()
        for why, kwargs in (("signature mismatch", {"secret": "wrong"}),
                            ("stale", {"ts": time.time() - 400}),
                            ("stale", {"ts": time.time() + 400}),
                            ("missing", {"header": ""}),
                            ("malformed", {"header": "v1=abc"})):
            with self.subTest(why, **{k: str(v) for k, v in kwargs.items()}):
                status, answer, _ = self.deliver(doc, **kwargs)
                self.assertEqual(status, 401)
                self.assertIn(why, answer)
        raw = json.dumps(doc).encode()
        tampered = raw.replace(b"down", b"fine")
        status, _, _ = call("POST", self.hook, tampered, {"X-Warroom-Signature": fake_webhook.sign(HOOK_SECRET, raw)})
        self.assertEqual(status, 401)
        for field, value in (("schema_version", 2), ("event", "incident.exploded"), ("details", {"n": 1}),
                             ("incident", {"id": "INC-1"})):
            with self.subTest(field):
                self.assertEqual(self.deliver(self.document(**{field: value}))[0], 400)
        self.assertEqual(self.control(self.hook_base, "deliveries")["deliveries"], [])

    # -- What bot/paging builds --------------------------------------------------------------
    @unittest.skipUnless(SAMPLES, "needs the paging_samples program")
    def test_the_requests_warroom_builds_are_accepted_by_every_fake(self):
        out = subprocess.run([SAMPLES, self.pd, self.og, self.hook, ROUTING_KEY, GENIE_KEY, HOOK_SECRET],
                             check=True, capture_output=True, text=True).stdout
        samples = [json.loads(line) for line in out.splitlines()]
        self.assertEqual(len(samples), 19)
        for s in samples:
            with self.subTest(s["kind"], label=s["label"]):
                status, answer, _ = call(s["method"], s["url"], s["body"].encode(), s["headers"])
                self.assertIn(status, (202, 204), answer)
        pd = self.control(self.pd, "alerts")["alerts"]
        self.assertEqual({k: v["events"] for k, v in pd.items()},
                         {"warroom-T111-INC-7": ["trigger", "acknowledge", "resolve"],
                          "warroom-T111-INC-8": ["trigger", "acknowledge", "resolve"]})
        self.assertEqual(pd["warroom-T111-INC-7"]["severity"], "critical")
        self.assertEqual(pd["warroom-T111-INC-8"]["severity"], "info")
        og = self.control(self.og, "alerts")["alerts"]
        self.assertEqual({k: (v["events"], v["priority"]) for k, v in og.items()},
                         {"warroom-T111-INC-7": (["create", "acknowledge", "close"], "P1"),
                          "warroom-T111-INC-8": (["create", "acknowledge", "close"], "P5")})
        events = [d["event"] for d in self.control(self.hook_base, "deliveries")["deliveries"]]
        self.assertEqual(events, ["incident.declared", "incident.acknowledged", "incident.severity_changed",
                                  "incident.role_assigned", "incident.update_posted", "incident.resolved",
                                  "incident.reopened"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
