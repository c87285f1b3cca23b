#!/usr/bin/env python3
"""Paging through a real `warroom serve`: PagerDuty Events v2, Opsgenie and an outgoing
webhook, each played by its fake (tests/support/fake_*.py), which checks every request against
the vendor's documented schema and records what arrived.

  - declared at a severity with page_on_declare: one trigger per target; the announcement says
    "paged …" and the pinned summary shows the page; ack/resolve/reopen follow at each vendor
  - a missed acknowledgement pages; a severity raised into a paging one pages
  - `/incident page` by hand (a pager, a person), answered in the channel, on the timeline
  - 429 and 500 are retried; a 400 is a dead letter with the vendor's words in `warroom outbox`
  - no secret in any log line or in /metrics

Usage: python3 tests/integration/test_paging.py build/warroom   (or WARROOM_BINARY=build/warroom)
"""

import json
import math
import os
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "support"))
import test_serve as harness  # noqa: E402
from fake_opsgenie import FakeOpsgenie  # noqa: E402
from fake_pagerduty import FakePagerDuty  # noqa: E402
from fake_webhook import FakeWebhook  # noqa: E402

PD_KEY = "R0ut1ngKeyOfPaymentsOnCall000042"  # 32 characters, as PagerDuty's are
PD_ESCALATION_KEY = "R0ut1ngKeyOfTheEscalationTeam042"
OG_KEY = "11111111-2222-4333-8444-555555555555"
HOOK_SECRET = "whsec-paging-test-secret-9f8e7d"
SECRETS = (PD_KEY, PD_ESCALATION_KEY, OG_KEY, HOOK_SECRET)
INSTALL = "warroom"

PD = OG = HOOK = None


def config():
    return f"""
[[pagers]]
name = "pd-payments"
kind = "pagerduty"
routing_key_env = "PD_PAYMENTS_KEY"
base_url = "{PD.base}"

[[pagers]]
name = "pd-escalation"
kind = "pagerduty"
routing_key_env = "PD_ESCALATION_KEY"
base_url = "{PD.base}"

[[pagers]]
name = "og-oncall"
kind = "opsgenie"
api_key_env = "OG_KEY"
base_url = "{OG.base}"

[[pagers]]
name = "og-security"
kind = "opsgenie"
api_key_env = "OG_KEY"
base_url = "{OG.base}"

[[pagers]]
name = "hook"
kind = "webhook"
url = "{HOOK.base}/hook"
secret_env = "HOOK_SECRET"

[[severities]]
name               = "P0"
label              = "Critical"
ack_within         = "2s"
update_every       = "1h"
resolve_within     = "4h"
notify_channels    = []
page               = ["S0ONCALL", "pd-escalation"]
postmortem         = false
page_outside_hours = true

[[severities]]
name               = "P1"
label              = "High"
ack_within         = "15m"
update_every       = "30m"
resolve_within     = "4h"
notify_channels    = []
page               = ["pd-payments", "og-oncall", "hook"]
page_on_declare    = true
postmortem         = false
page_outside_hours = true

[[severities]]
name               = "P2"
label              = "Medium"
ack_within         = "1h"
update_every       = "2h"
resolve_within     = "24h"
notify_channels    = []
page               = []
postmortem         = false
page_outside_hours = true

[[incident_types]]
name = "security"
label = "Security"
checklist = ["Rotate what leaked"]
page = ["og-security"]
"""


def setUpModule():
    global PD, OG, HOOK
    harness.start_own_fake()
    PD = FakePagerDuty(routing_keys=[PD_KEY, PD_ESCALATION_KEY]).start()
    OG = FakeOpsgenie(api_key=OG_KEY).start()
    HOOK = FakeWebhook(secret=HOOK_SECRET).start()


def tearDownModule():
    for fake in (PD, OG, HOOK):
        if fake:
            fake.stop()
    harness.stop_own_fake()


def requests_of(fake):
    with fake.lock:
        return [dict(r) for r in fake.requests]


def dedup(n):
    return f"warroom-{INSTALL}-INC-{n}"


class PagingWarroom(harness.Warroom):
    extra_env = {"PD_PAYMENTS_KEY": PD_KEY, "PD_ESCALATION_KEY": PD_ESCALATION_KEY, "OG_KEY": OG_KEY,
                 "HOOK_SECRET": HOOK_SECRET}

    def pages_quiet(self):
        self.integrations_drained()


class PagingCase(harness.ServeCase):
    @classmethod
    def setUpClass(cls):
        harness.FAKE.post("reset")
        for fake in (PD, OG, HOOK):
            with fake.lock:
                fake.requests.clear()
                fake.faults.clear()
                fake.reset_state()
        PD.routing_keys = [PD_KEY, PD_ESCALATION_KEY]
        cls.tmp = tempfile.TemporaryDirectory(prefix="warroom-paging-")
        cls.w = PagingWarroom(cls.tmp.name, config()).start()

    def pd_events(self, n):
        return [r for r in requests_of(PD) if isinstance(r["body"], dict) and r["body"].get("dedup_key") == dedup(n)]

    def og_requests(self, n):
        out = []
        for r in requests_of(OG):
            body = r["body"] if isinstance(r["body"], dict) else {}
            if body.get("alias") == dedup(n) or f"/{dedup(n)}/" in r["path"]:
                out.append(r)
        return out

    def hooks(self, n):
        with HOOK.lock:
            return [d for d in HOOK.deliveries if d["incident"]["number"] == n]

    def assert_valid(self, requests):
        for r in requests:
            self.assertEqual(r["errors"], [], f"{r['path']}: the vendor refused: {r['errors']}: {r['body']}")

    def summary_text(self, ch):
        pins = harness.FAKE.channel(cid=ch["id"])["pins"]
        msgs = {m["ts"]: m for m in harness.FAKE.messages(ch["id"])}
        return harness.msg_text(msgs[pins[0]]) if pins and pins[0] in msgs else ""

    def timeline(self, n):
        return harness.answer_text(self.w.command(f"timeline INC-{n}"))


class SequenceTests(PagingCase):
    def test_declare_ack_resolve_reopen_at_each_vendor(self):
        n, ch, _ = self.declare("card payments failing", sev="P1")
        self.w.pages_quiet()
        # PagerDuty: one trigger, with the schema's payload and a link back to the channel.
        pd = self.pd_events(n)
        self.assert_valid(pd)
        self.assertEqual([r["body"]["event_action"] for r in pd], ["trigger"])
        trigger = pd[0]["body"]
        self.assertEqual(trigger["routing_key"], PD_KEY)
        self.assertEqual(trigger["payload"]["severity"], "error")  # P1 is the second of the list
        self.assertIn(f"INC-{n}", trigger["payload"]["summary"])
        self.assertEqual(PD.alerts[dedup(n)]["status"], "triggered")
        # Opsgenie: one create with the alias; the webhook: incident.declared, verified by the fake.
        og = self.og_requests(n)
        self.assert_valid(og)
        self.assertEqual([r["path"] for r in og], ["/v2/alerts"])
        self.assertEqual(og[0]["body"]["priority"], "P2")
        self.assertEqual([d["event"] for d in self.hooks(n)], ["incident.declared"])
        # Slack: the announcement says who was paged, the pinned summary shows the pages.
        announce = harness.FAKE.channel(name="incidents")
        self.assertTrue(any(f"INC-{n}" in harness.msg_text(m) and "paged pd-payments, og-oncall, hook"
                            in harness.msg_text(m) for m in announce["messages"]),
                        [harness.msg_text(m) for m in announce["messages"]])
        self.assertIn("pd-payments (triggered)", self.summary_text(ch))
        self.assertIn("Paged pd-payments, og-oncall, hook", self.timeline(n))

        self.w.command(f"ack INC-{n}", user="W222")
        self.w.pages_quiet()
        self.w.quiet()
        self.assertEqual([r["body"]["event_action"] for r in self.pd_events(n)], ["trigger", "acknowledge"])
        self.assertEqual(PD.alerts[dedup(n)]["status"], "acknowledged")
        self.assertTrue(OG.alerts[dedup(n)]["acknowledged"])
        self.assertEqual(OG.alerts[dedup(n)]["acknowledged_by"], "W222")
        # Acknowledging made W222 commander: the webhook hears of that too (PagerDuty and Opsgenie do not).
        self.assertEqual([d["event"] for d in self.hooks(n)],
                         ["incident.declared", "incident.acknowledged", "incident.role_assigned"])
        self.assertEqual(self.hooks(n)[-1]["details"], {"role": "commander", "user": "W222", "pager": "hook"})
        self.assertEqual(self.hooks(n)[1]["incident"]["state"], "acknowledged")
        self.w.command(f"update INC-{n} impact: card payments fail for 5% next: roll back")
        self.w.pages_quiet()
        self.assertEqual(self.hooks(n)[-1]["event"], "incident.update_posted")
        self.assertIn("roll back", self.hooks(n)[-1]["details"]["text"])
        self.assertEqual([r["body"]["event_action"] for r in self.pd_events(n)], ["trigger", "acknowledge"])
        harness.wait_until("the summary to show the acknowledged page",
                           lambda: "pd-payments (acknowledged by" in self.summary_text(ch))

        self.w.command(f"resolve INC-{n} rolled back")
        self.w.pages_quiet()
        self.assertEqual(PD.alerts[dedup(n)]["status"], "resolved")
        self.assertEqual(OG.alerts[dedup(n)]["status"], "closed")
        self.assertEqual(self.hooks(n)[-1]["event"], "incident.resolved")

        self.w.command(f"reopen INC-{n}")
        self.w.pages_quiet()
        self.assertEqual([r["body"]["event_action"] for r in self.pd_events(n)],
                         ["trigger", "acknowledge", "resolve", "trigger"])
        self.assertEqual(PD.alerts[dedup(n)]["status"], "triggered")
        self.assertEqual(OG.alerts[dedup(n)]["status"], "open")
        self.assertEqual(self.hooks(n)[-1]["event"], "incident.reopened")
        self.assert_valid(self.pd_events(n) + self.og_requests(n))
        self.assertFalse(any(d["duplicate"] for d in self.hooks(n)))

    def test_security_type_adds_its_own_pager(self):
        answer = self.w.command("declare P1 type:security leaked key")
        n = harness.incident_number(answer)
        self.w.pages_quiet()
        paths = [r["path"] for r in self.og_requests(n)]
        self.assertEqual(paths, ["/v2/alerts", "/v2/alerts"])  # og-oncall and og-security, one alias
        self.assertIn("og-security", self.timeline(n))

    def test_p2_pages_nobody_until_asked(self):
        n, ch, _ = self.declare("slow search", sev="P2")
        self.w.pages_quiet()
        self.assertEqual(self.pd_events(n), [])
        answer = self.w.command(f"page INC-{n} pd-payments")
        self.assertIn("Paged pd-payments", harness.answer_text(answer))
        self.w.pages_quiet()
        self.assertEqual([r["body"]["event_action"] for r in self.pd_events(n)], ["trigger"])
        self.wait_post(ch["id"], lambda t: "paged pd-payments" in t and f"INC-{n}" in t, "the page said in the channel")
        self.assertIn("Paged pd-payments", self.timeline(n))
        again = self.w.command(f"page INC-{n} pd-payments")
        self.assertIn("already paged", harness.answer_text(again))
        unknown = self.w.command(f"page INC-{n} nobody-oncall")
        self.assertIn("Unknown pager", harness.answer_text(unknown))
        # A person: invited, mentioned in the channel, and a direct message.
        mark = harness.FAKE.last_seq()
        self.w.command(f"page INC-{n} <@W333>")
        self.w.quiet()
        invites = harness.FAKE.calls("conversations.invite", since=mark)
        self.assertTrue(any("W333" in c["args"].get("users", "") for c in invites), invites)
        self.wait_post(ch["id"], lambda t: "paged <@W333>" in t or "paged @" in t, "the person paged in the channel")
        self.assertTrue(any(c["args"].get("users") == "W333" or c["args"].get("channel") == "W333"
                            for c in harness.FAKE.calls(since=mark)
                            if c["method"] in ("conversations.open", "chat.postMessage")))

    def test_severity_raised_into_a_paging_one_pages(self):
        n, _, _ = self.declare("queue backing up", sev="P2")
        self.w.command(f"severity INC-{n} P1")
        self.w.pages_quiet()
        self.assertEqual([r["body"]["event_action"] for r in self.pd_events(n)], ["trigger"])
        self.assertEqual([d["event"] for d in self.hooks(n)], ["incident.severity_changed"])


class EscalationTests(PagingCase):
    def test_missed_acknowledgement_pages(self):
        # Deadlines are whole seconds from the declare's second: ack_within (2 s) ends no earlier than this.
        ack_deadline = math.floor(time.time()) + 2
        n, ch, _ = self.declare("nobody answers", sev="P0")
        # P0 pages only when not acknowledged: not at the declare (which, on a slow sanitizer build,
        # may itself take longer than ack_within), but once the acknowledgement is missed.
        harness.wait_until("the missed acknowledgement to page", lambda: self.pd_events(n), timeout=10)
        self.w.pages_quiet()
        pd = self.pd_events(n)
        self.assertGreaterEqual(pd[0]["time"], ack_deadline - 0.05, "paged before ack_within ran out")
        self.assertEqual([r["body"]["event_action"] for r in pd], ["trigger"])
        self.assertEqual(pd[0]["body"]["routing_key"], PD_ESCALATION_KEY)
        self.assertEqual(pd[0]["body"]["payload"]["severity"], "critical")
        self.wait_post(ch["id"], lambda t: "pd-escalation" in t and "not acknowledged" in t, "the page in the channel")
        time.sleep(2.5)  # the next reminder does not page again
        self.w.pages_quiet()
        self.assertEqual(len(self.pd_events(n)), 1)


class FaultTests(PagingCase):
    def test_429_and_500_are_retried(self):
        with PD.lock:
            PD.faults.append({"kind": "429", "path": "/v2/enqueue", "count": 1, "retry_after": 1, "status": 429,
                              "seconds": 0})
            PD.faults.append({"kind": "500", "path": "/v2/enqueue", "count": 1, "retry_after": None, "status": 500,
                              "seconds": 0})
        n, _, _ = self.declare("flaky vendor", sev="P1")
        self.w.pages_quiet()
        events = self.pd_events(n)
        self.assertEqual([r["status"] for r in events], [429, 500, 202])
        self.assertEqual(PD.alerts[dedup(n)]["triggers"], 1)
        self.assertIn("pagerduty: 429", self.w.logs())

    def test_a_hanging_vendor_does_not_hold_the_other_pagers(self):
        # PagerDuty answers nothing: each request hangs 5 s, then the connection drops.
        with PD.lock:
            PD.faults.append({"kind": "hang", "path": "/v2/enqueue", "count": 100, "retry_after": None,
                              "status": 500, "seconds": 5})
        try:
            a = harness.incident_number(self.w.command("declare P1 vendor hangs one"))
            harness.wait_until("PagerDuty to hang on the first page", lambda: self.pd_events(a))
            b = harness.incident_number(self.w.command("declare P1 vendor hangs two"))
            harness.wait_until("the second incident's Opsgenie page", lambda: self.og_requests(b), timeout=30)
            harness.wait_until("the second incident's PagerDuty page", lambda: self.pd_events(b), timeout=30)
            # Once PagerDuty failed, the other pagers go first: the second incident's Opsgenie
            # page waited for the attempt in hand only, not for its own PagerDuty page to hang too.
            og_at = self.og_requests(b)[0]["time"]
            pd_at = self.pd_events(b)[0]["time"]
            self.assertLess(og_at, pd_at, "Opsgenie's page was sent after PagerDuty's second hang")
        finally:
            with PD.lock:
                PD.faults.clear()
        self.w.pages_quiet()
        for n in (a, b):
            self.assertEqual(PD.alerts[dedup(n)]["triggers"], 1)  # delivered once PagerDuty answered

    def test_400_is_dead_with_the_vendors_words(self):
        PD.routing_keys = ["SomeOtherServiceKey0000000000042"]
        try:
            n, ch, _ = self.declare("key revoked", sev="P1")
            harness.wait_until("the dead letter", lambda: self.w.integrations().get("dead", 0) >= 1)
        finally:
            PD.routing_keys = [PD_KEY, PD_ESCALATION_KEY]
        self.assertEqual(len(self.pd_events(n)), 1)  # never retried
        # The incident's channel is told to page another way; the pinned summary shows it.
        self.wait_post(ch["id"], lambda t: "could not page" in t and "pd-payments" in t and "400" in t,
                       "the failed page said in the channel")
        harness.wait_until("the summary to show the page failed",
                           lambda: "pd-payments (triggered, NOT DELIVERED)" in self.summary_text(ch))
        out = self.w.outbox_command()
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertIn(f"[pagerduty pd-payments] trigger INC-{n}", out.stdout)
        self.assertIn("400 invalid event: Event object is invalid", out.stdout)
        self.assertIn("pager outbox:", out.stdout)
        logs = self.w.logs()
        self.assertIn("dead letter", logs)
        status, _, metrics = self.w.get("/metrics")
        self.assertIn('warroom_integration_outbox_actions{destination="pager",state="dead"} 1', metrics)
        self.assertIn('warroom_integration_attempts_total{destination="pager",kind="pagerduty",outcome="dead"} 1',
                      metrics)

    def test_zz_secrets_never_logged_nor_in_metrics(self):
        _, _, metrics = self.w.get("/metrics")
        logs = self.w.logs()
        with open(self.w.log_path, "rb") as f:
            logs = f.read().decode("utf-8", "replace")
        self.assertIn("pagerduty", logs)  # pages were logged...
        for secret in SECRETS:
            self.assertNotIn(secret, logs)  # ...without their secrets
            self.assertNotIn(secret, metrics)
        out = self.w.outbox_command()
        for secret in SECRETS:
            self.assertNotIn(secret, out.stdout + out.stderr)


if __name__ == "__main__":
    harness.run_suite("test_paging")
