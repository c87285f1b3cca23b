#!/usr/bin/env python3
"""Pages answered in PagerDuty or Opsgenie: `warroom serve` against the fake Slack, with
PagerDuty's webhooks v3 and Opsgenie's webhook integration played by the test.
Usage: python3 tests/integration/test_pager_answers.py build/warroom

A signed acknowledgement acknowledges the incident once, on its timeline and in its channel,
however often the vendor delivers it; a close in Opsgenie is noted and leaves the incident
open; forged, unsigned and stale requests get 401 and change nothing; a verified event about
an alert warroom did not open is taken (2xx) and ignored; no secret reaches the log or /metrics.
"""
import json
import os
import sys
import time
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "support"))
import test_serve as harness  # noqa: E402
from test_serve import all_text, answer_text, http, msg_text, wait_until  # noqa: E402
import fake_opsgenie  # noqa: E402
import fake_pagerduty  # noqa: E402

os.environ["WARROOM_SLACK_PACE"] = "10"

setUpModule = harness.start_own_fake
tearDownModule = harness.stop_own_fake

INSTALL = "t111"
PD_SECRET = "pd-subscription-secret-" + uuid.uuid4().hex
PD_SECRET_NEXT = "pd-rotated-in-secret-" + uuid.uuid4().hex
OG_SECRET = "og-header-secret-" + uuid.uuid4().hex
ROUTING_KEY = "R" * 32
GENIE_KEY = "00000000-0000-4000-8000-00000000beef"

# Two PagerDuty subscriptions (one mid-rotation: two secrets in its variable) and one Opsgenie pager.
CONFIG = f'install_id = "{INSTALL}"\n' + harness.CONFIG + '''
[[pagers]]
name               = "payments-oncall"
kind               = "pagerduty"
routing_key_env    = "PD_PAYMENTS_KEY"
webhook_secret_env = "PD_PAYMENTS_WEBHOOK_SECRET"
base_url           = "http://127.0.0.1:9"

[[pagers]]
name               = "platform-oncall"
kind               = "pagerduty"
routing_key_env    = "PD_PLATFORM_KEY"
webhook_secret_env = "PD_PLATFORM_WEBHOOK_SECRET"
base_url           = "http://127.0.0.1:9"

[[pagers]]
name               = "platform"
kind               = "opsgenie"
api_key_env        = "OPSGENIE_KEY"
webhook_secret_env = "OPSGENIE_WEBHOOK_SECRET"
base_url           = "http://127.0.0.1:9"
'''

ENV = {"PD_PAYMENTS_KEY": ROUTING_KEY, "PD_PLATFORM_KEY": ROUTING_KEY, "OPSGENIE_KEY": GENIE_KEY,
       "PD_PAYMENTS_WEBHOOK_SECRET": PD_SECRET,
       "PD_PLATFORM_WEBHOOK_SECRET": "an-old-secret," + PD_SECRET_NEXT,
       "OPSGENIE_WEBHOOK_SECRET": OG_SECRET}
SECRETS = [PD_SECRET, PD_SECRET_NEXT, "an-old-secret", OG_SECRET, ROUTING_KEY, GENIE_KEY]


def fake():
    return harness.FAKE


class PagerWarroom(harness.Warroom):
    extra_env = ENV

    def full_log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")


def key(n, install=INSTALL):
    return f"warroom-{install}-INC-{n}"


class PagerAnswerTests(harness.ServeCase):
    config = CONFIG

    @classmethod
    def setUpClass(cls):
        fake().post("reset")
        import tempfile
        cls.tmp = tempfile.TemporaryDirectory(prefix="warroom-pager-answers-")
        cls.w = PagerWarroom(cls.tmp.name, cls.config).start()

    # -- what the vendors send ---------------------------------------------------------------
    def pagerduty(self, body, signature=None, secret=PD_SECRET, headers=None):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        h = {"Content-Type": "application/json"}
        if signature is None:
            signature = fake_pagerduty.sign_webhook(secret, raw)
        if signature:
            h["X-PagerDuty-Signature"] = signature
        h.update(headers or {})
        return http("POST", self.w.url + "/pagerduty/webhook", raw, h)

    def opsgenie(self, body, secret=OG_SECRET):
        raw = json.dumps(body).encode()
        h = {"Content-Type": "application/json"}
        if secret:
            h["X-Warroom-Secret"] = secret
        return http("POST", self.w.url + "/opsgenie/webhook", raw, h)

    def timeline(self, n):
        return self.w.command(f"timeline INC-{n}").get("text", "")

    def channel_texts(self, cid):
        return [msg_text(m) for m in fake().messages(cid)]

    # -- the tests -----------------------------------------------------------------------------
    def test_a_signed_pagerduty_ack_acknowledges_once_even_when_delivered_twice(self):
        n, ch, _ = self.declare("Payments API errors")
        body = json.dumps(fake_pagerduty.webhook_event("incident.acknowledged", key(n))).encode()
        for attempt in range(2):  # PagerDuty retries what it thinks we missed: same event id, same body
            status, _, text = self.pagerduty(body)
            self.assertEqual(status, 200, f"attempt {attempt}: {text}{self.fail_info()}")
        self.w.quiet()
        line = "Acknowledged in PagerDuty by Tenex Engineer"
        self.assertEqual(self.timeline(n).count(line), 1, self.timeline(n))
        posts = [t for t in self.channel_texts(ch["id"]) if "acknowledged in PagerDuty by Tenex Engineer" in t]
        self.assertEqual(len(posts), 1, self.channel_texts(ch["id"]))
        self.assertIn("That acknowledges it here too", posts[0])
        # warroom's incident is acknowledged (by the vendor's person, never as a Slack mention) ...
        shown = answer_text(self.w.command(f"show INC-{n}"))
        self.assertIn("Acknowledged* by Tenex Engineer in PagerDuty", shown)
        again = answer_text(self.w.command(f"ack INC-{n}", user="W222"))
        self.assertIn("already acknowledged by Tenex Engineer in PagerDuty", again)
        # ... and the pinned summary says so, edited in place.
        self.assertTrue(any("Tenex Engineer in PagerDuty" in all_text(c["args"].get("blocks") or [])
                            + c["args"].get("text", "") for c in fake().calls("chat.update")),
                        "the pinned summary was not updated")

    def test_a_vendor_ack_stops_the_escalation_for_a_missed_acknowledgement(self):
        # P0 escalates after 2 s without an acknowledgement; the platform subscription is mid-rotation
        # and signs with both secrets, old first.
        n, ch, _ = self.declare("Checkout down", sev="P0")
        body = json.dumps(fake_pagerduty.webhook_event("incident.acknowledged", key(n), agent="Ana Oncall")).encode()
        both = fake_pagerduty.sign_webhook("retired-secret", body) + "," + \
            fake_pagerduty.sign_webhook(PD_SECRET_NEXT, body)
        status, _, text = self.pagerduty(body, signature=both)
        self.assertEqual(status, 200, text + self.fail_info())
        mark = fake().last_seq()
        time.sleep(3.5)
        self.w.quiet()
        late = [c for c in fake().calls("chat.postMessage", since=mark)
                if f"INC-{n}" in json.dumps(c["args"]) and "not acknowledged" in json.dumps(c["args"])]
        self.assertEqual(late, [], "escalated though acknowledged in PagerDuty")
        self.assertIn("Acknowledged in PagerDuty by Ana Oncall", self.timeline(n))

    def test_an_opsgenie_close_is_noted_and_the_incident_stays_open(self):
        n, ch, _ = self.declare("Search is slow", sev="P2")
        body = fake_opsgenie.webhook_body("Close", key(n), username="alice@example.com")
        for _ in range(2):
            status, _, text = self.opsgenie(body)
            self.assertEqual(status, 200, text + self.fail_info())
        self.w.quiet()
        self.assertEqual(self.timeline(n).count("Resolved in Opsgenie by alice@example.com"), 1)
        posts = [t for t in self.channel_texts(ch["id"]) if "resolved in Opsgenie by alice@example.com" in t]
        self.assertEqual(len(posts), 1, self.channel_texts(ch["id"]))
        self.assertIn("stays open in warroom", posts[0])
        shown = answer_text(self.w.command(f"show INC-{n}"))
        self.assertIn("investigating", shown)
        self.assertNotIn("Acknowledged* by", shown)

    def test_unverified_stale_and_foreign_requests_change_nothing(self):
        n, ch, _ = self.declare("Refunds failing")
        before_timeline = self.timeline(n)
        before_posts = self.channel_texts(ch["id"])
        mark = fake().last_seq()
        log_from = len(self.w.full_log())
        ack = json.dumps(fake_pagerduty.webhook_event("incident.acknowledged", key(n))).encode()
        refused = {
            "forged signature": self.pagerduty(ack, secret="guessed-secret"),
            "no signature header": self.pagerduty(ack, signature=""),
            "stale event": self.pagerduty(json.dumps(fake_pagerduty.webhook_event(
                "incident.acknowledged", key(n), occurred_at=time.time() - 20 * 60)).encode()),
            "wrong Opsgenie secret": self.opsgenie(fake_opsgenie.webhook_body("Acknowledge", key(n)),
                                                   secret=OG_SECRET[:-1]),
            "no Opsgenie secret header": self.opsgenie(fake_opsgenie.webhook_body("Acknowledge", key(n)), secret=None),
        }
        for what, (status, _, text) in refused.items():
            self.assertEqual(status, 401, f"{what}: {status} {text}{self.fail_info()}")
        # Verified, but not ours: another install's key, an incident this warroom never had,
        # an alert another tool opened. Taken (so the vendor does not retry) and ignored.
        foreign = {
            "another install": self.pagerduty(json.dumps(fake_pagerduty.webhook_event(
                "incident.acknowledged", key(n, install="t222"))).encode()),
            "no such incident": self.pagerduty(json.dumps(fake_pagerduty.webhook_event(
                "incident.acknowledged", key(999))).encode()),
            "unknown alias": self.opsgenie(fake_opsgenie.webhook_body("Acknowledge", "db01/disk-full")),
        }
        for what, (status, _, text) in foreign.items():
            self.assertEqual(status, 202, f"{what}: {status} {text}{self.fail_info()}")
        self.w.quiet()
        self.assertEqual(self.timeline(n), before_timeline)
        self.assertEqual(self.channel_texts(ch["id"]), before_posts)
        changed = [c for c in fake().calls(since=mark) if c["method"] in ("chat.postMessage", "chat.update")]
        self.assertEqual(changed, [], "a refused or foreign webhook reached Slack")
        shown = answer_text(self.w.command(f"show INC-{n}"))
        self.assertNotIn("Acknowledged* by", shown)
        # One log line per refused request, saying why.
        log = self.w.full_log()[log_from:]
        self.assertEqual(log.count("refused a webhook from PagerDuty"), 3, log)
        self.assertEqual(log.count("refused a webhook from Opsgenie"), 2, log)
        for why in ("signature mismatch", "no X-PagerDuty-Signature header", "stale", "no X-Warroom-Secret header"):
            self.assertIn(why, log)

    def test_an_oversized_body_is_refused_before_it_is_read(self):
        status, _, _ = self.pagerduty(b"{" + b" " * (300 * 1024) + b"}")
        self.assertEqual(status, 413)

    def test_zz_no_secret_in_the_log_or_metrics(self):
        # Last (zz): after every other test has logged what it logs.
        status, _, metrics = http("GET", self.w.url + "/metrics")
        self.assertEqual(status, 200)
        self.assertIn('warroom_requests_total{kind="pagerduty_webhook",outcome="ok"}', metrics)
        self.assertIn('warroom_requests_total{kind="pagerduty_webhook",outcome="duplicate"}', metrics)
        log = self.w.full_log()
        for secret in SECRETS:
            self.assertNotIn(secret, log)
            self.assertNotIn(secret, metrics)
        # Nor a signature, which would let anyone replay the body it signs.
        self.assertNotIn("v1=", log)
        # What it does take is said once, at startup: the rotating variable counts as two.
        self.assertIn("PagerDuty answers on /pagerduty/webhook (3 secrets); "
                      "Opsgenie answers on /opsgenie/webhook (1 secret)", log)


if __name__ == "__main__":
    harness.run_suite("test_pager_answers.py")
