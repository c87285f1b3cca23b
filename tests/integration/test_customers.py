#!/usr/bin/env python3
"""Telling customers through a real `warroom serve`: e-mail over SMTP (Debian's aiosmtpd with
STARTTLS and AUTH, tests/support/fake_smtp.py) and Atlassian Statuspage (the fake in
tests/support/fake_statuspage.py, which checks every request against the documented shape).

  - declared at a severity with an `email` list: one mail, then the resolution replying to it
    (one thread); the Statuspage incident created once and resolved
  - a status change updates the Statuspage incident; internal updates reach neither
  - a private incident is neither mailed nor published
  - Statuspage's create is not idempotent: its answer lost, or warroom SIGKILLed while it hangs,
    still one incident, found again by the key in its metadata
  - a refused recipient list is a dead letter with the server's words in `warroom outbox`;
    no secret in any log line

Usage: python3 tests/integration/test_customers.py build/warroom   (or WARROOM_BINARY=build/warroom)
Without aiosmtpd the test says SKIPPED and exits 77.
"""

import email
import email.policy
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "support"))
from test_email import make_certificate, require_aiosmtpd  # noqa: E402

require_aiosmtpd()
import test_serve as harness  # noqa: E402
from fake_smtp import FakeSmtp  # noqa: E402
from fake_statuspage import FakeStatuspage  # noqa: E402

SMTP_USER, SMTP_PASSWORD = "mailer", "smtp-pass-5e6f7a8b"
SP_KEY = "sp-key-0a1b2c3d4e5f"
PAGE = "pg1page1page"
SECRETS = (SMTP_PASSWORD, SP_KEY)
LIST = ["ops@customer.example", "cto@customer.example"]

SMTP = SP = TMP = CERT = None


def config():
    return f"""
[email]
smtp_url = "{SMTP.url}"
from = "status@example.com"
from_name = "Example Status"
username_env = "SMTP_USER"
password_env = "SMTP_PASSWORD"

[[components]]
name = "Checkout"

[statuspage_api]
page_id = "{PAGE}"
api_key_env = "STATUSPAGE_API_KEY"
base_url = "{SP.base}"

[statuspage_api.components]
Checkout = "cmpcheckout1"

[[severities]]
name = "P1"
ack_within = "15m"
resolve_within = "4h"
email = {json.dumps(LIST)}

[[severities]]
name = "P2"
ack_within = "1h"
resolve_within = "24h"
"""


def setUpModule():
    global SMTP, SP, TMP, CERT
    TMP = tempfile.TemporaryDirectory(prefix="warroom-customers-")
    CERT, key = make_certificate(TMP.name)
    harness.start_own_fake()
    SMTP = FakeSmtp(CERT, key, user=SMTP_USER, password=SMTP_PASSWORD)
    SP = FakeStatuspage(page_id=PAGE, api_key=SP_KEY, component_ids=["cmpcheckout1"]).start()


def tearDownModule():
    if SMTP:
        SMTP.stop()
    if SP:
        SP.stop()
    harness.stop_own_fake()
    if TMP:
        TMP.cleanup()


class CustomersWarroom(harness.Warroom):
    extra_env = {"SMTP_USER": SMTP_USER, "SMTP_PASSWORD": SMTP_PASSWORD, "STATUSPAGE_API_KEY": SP_KEY}

    def start(self):
        self.extra_env = dict(self.extra_env, SSL_CERT_FILE=CERT)
        return super().start()

    def drained(self):
        self.integrations_drained(timeout=30)


def fault(**f):
    req = urllib.request.Request(SP.base + "/_control/fault", data=json.dumps(f).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=5).read()


def mails_for(title):
    with SMTP.lock:
        got = [email.message_from_bytes(m["data"], policy=email.policy.default) for m in SMTP.messages]
    return [m for m in got if title in str(m["Subject"])]


def incidents_named(name):
    with SP.lock:
        return {i: dict(inc) for i, inc in SP.incidents.items() if inc["name"] == name}


class CustomersCase(harness.ServeCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="warroom-customers-w-")
        cls.w = CustomersWarroom(cls.tmp.name, config()).start()

    @classmethod
    def tearDownClass(cls):
        cls.w.stop()
        cls.tmp.cleanup()

    def tearDown(self):
        with SP.lock:
            SP.faults.clear()
        SMTP.reject.clear()
        for secret in SECRETS:
            self.assertNotIn(secret, self.w.logs())

    def declare_public(self, title, sev):
        """Declares, then publishes the first public update: Statuspage, like warroom's own page,
        shows an incident only from then on."""
        n, ch, answer = self.declare(title, sev)
        self.w.command("public investigating We are looking into slow payments.", channel=ch)
        return n, ch, answer

    def test_nothing_reaches_statuspage_before_the_first_public_update(self):
        title = "Internal only: the db primary is out of disk"
        n, ch, _ = self.declare(title, "P2")
        self.w.command("status identified", channel=ch)
        self.w.drained()
        self.assertEqual(incidents_named(title), {})
        self.w.command("public investigating title: Payments are slow | We are looking into it.", channel=ch)
        harness.wait_until("the Statuspage incident under its public title",
                           lambda: len(incidents_named("Payments are slow")) == 1)
        self.assertEqual(incidents_named(title), {})

    def test_one_thread_and_one_statuspage_incident_per_incident(self):
        title = "Checkout is slow for card payments"
        n, ch, _ = self.declare_public(title, "P1")
        harness.wait_until("the declaration's mail", lambda: len(mails_for(title)) == 1, timeout=20)
        harness.wait_until("the Statuspage incident", lambda: len(incidents_named(title)) == 1)
        first = mails_for(title)[0]
        self.assertEqual(str(first["Subject"]), title)
        self.assertNotIn(f"INC-{n}", first.as_string())  # the internal number stays inside
        plain = first.get_body(preferencelist=("plain",)).get_content()
        self.assertIn("Status: Investigating", plain)
        harness.wait_until("the public update's mail", lambda: len(mails_for(title)) == 2, timeout=20)
        self.assertIn("We are looking into slow payments.", mails_for(title)[1].get_body(preferencelist=("plain",)).get_content())

        self.w.command("impact Checkout partial_outage", channel=ch)
        self.w.command("status identified", channel=ch)
        self.w.command("update the db primary is out of disk (internal words)", channel=ch)
        sp_id = next(iter(incidents_named(title)))
        harness.wait_until("Statuspage's Checkout component to show the impact",
                           lambda: SP.components.get("cmpcheckout1") == "partial_outage")
        harness.wait_until("Statuspage to show identified",
                           lambda: incidents_named(title)[sp_id]["status"] == "identified")
        self.w.command("resolve replaced the disk", channel=ch)
        harness.wait_until("the resolution's mail", lambda: len(mails_for(title)) == 3, timeout=20)
        harness.wait_until("Statuspage to show resolved",
                           lambda: incidents_named(title)[sp_id]["status"] == "resolved")
        harness.wait_until("the Checkout component back to operational",
                           lambda: SP.components.get("cmpcheckout1") == "operational")
        self.w.drained()
        resolved = mails_for(title)[2]
        self.assertEqual(resolved["In-Reply-To"], first["Message-ID"])
        self.assertEqual(resolved["References"], first["Message-ID"])
        self.assertEqual(str(resolved["Subject"]), "Re: " + title)
        self.assertEqual(len(incidents_named(title)), 1)
        inc = incidents_named(title)[sp_id]
        self.assertEqual([u["status"] for u in inc["updates"]], ["investigating", "identified", "resolved"])
        self.assertEqual(inc["metadata"]["warroom"]["key"].split(".")[0], "warroom")
        everything = json.dumps(inc) + "".join(m.as_string() for m in mails_for(title))
        self.assertNotIn("internal words", everything)
        self.assertNotIn("replaced the disk", everything)  # the resolution summary is internal too
        with SMTP.lock:
            ours = [m for m in SMTP.messages if title.encode() in m["data"] or b"Checkout" in m["data"]]
        for m in ours:
            self.assertEqual(sorted(m["rcpt_tos"]), sorted(LIST))
            self.assertTrue(m["tls"] and m["authenticated"])
        with SP.lock:
            for r in SP.requests:
                self.assertEqual(r["errors"], [], r)

    def test_a_severity_without_a_list_is_published_not_mailed(self):
        title = "Search results are stale"
        self.declare_public(title, "P2")
        harness.wait_until("the Statuspage incident", lambda: len(incidents_named(title)) == 1)
        self.w.drained()
        self.assertEqual(mails_for(title), [])

    def test_a_private_incident_is_neither_mailed_nor_published(self):
        title = "Leaked credentials in the build logs"
        answer = self.w.command(f"declare private P1 {title}")
        self.assertIn("INC-", json.dumps(answer))
        time.sleep(1.5)
        self.w.drained()
        self.assertEqual(mails_for(title), [])
        self.assertEqual(incidents_named(title), {})

    def test_a_lost_create_answer_is_found_again_not_created_twice(self):
        # A kept-alive connection to Statuspage first: a client that resends a request whose
        # connection closed before the answer (fine for Slack) would create twice here.
        self.declare_public("Warm-up for the lost answer", "P2")
        harness.wait_until("the warm-up incident", lambda: len(incidents_named("Warm-up for the lost answer")) == 1)
        self.w.drained()
        fault(kind="late", path=f"/v1/pages/{PAGE}/incidents", seconds=0)
        title = "Webhooks are delayed"
        self.declare_public(title, "P2")
        harness.wait_until("the Statuspage incident", lambda: len(incidents_named(title)) >= 1)
        self.w.drained()
        self.assertEqual(len(incidents_named(title)), 1, self.w.logs())
        self.w.drained()
        self.assertEqual(len(incidents_named(title)), 1)
        with SP.lock:
            listed = [r for r in SP.requests if r["path"].endswith("/incidents/unresolved")]
        self.assertTrue(listed, "the retry did not look for the incident before creating again")

    def test_a_sigkill_while_statuspage_holds_the_create_makes_one_incident(self):
        fault(kind="late", path=f"/v1/pages/{PAGE}/incidents", seconds=30)
        title = "Logins fail in the EU region"
        n, ch, _ = self.declare_public(title, "P2")
        harness.wait_until("Statuspage to have created it", lambda: len(incidents_named(title)) == 1)
        self.w.kill9()  # Statuspage acted; its answer never reached warroom
        self.w.start()
        self.w.drained()
        self.assertEqual(len(incidents_named(title)), 1)
        sp_id = next(iter(incidents_named(title)))
        self.w.command("resolve", channel=ch)
        harness.wait_until("the same incident resolved", lambda: incidents_named(title)[sp_id]["status"] == "resolved")
        self.assertEqual(len(incidents_named(title)), 1)

    def test_a_4xx_is_retried_until_the_server_takes_the_mail_once(self):
        for a in LIST:
            SMTP.reject[a] = "451 4.7.1 Greylisted, try again later"
        title = "Invoices render slowly"
        self.declare(title, "P1")
        harness.wait_until("the greylisted attempt",
                           lambda: SMTP.rcpt_attempts.count(LIST[0]) >= 1, timeout=20)
        self.assertEqual(mails_for(title), [])
        SMTP.reject.clear()
        harness.wait_until("the mail after the retry", lambda: len(mails_for(title)) == 1, timeout=30)
        self.w.drained()
        self.assertEqual(len(mails_for(title)), 1)
        self.assertGreaterEqual(SMTP.rcpt_attempts.count(LIST[0]), 2)

    def test_refused_recipients_are_a_dead_letter_with_the_servers_words(self):
        for a in LIST:
            SMTP.reject[a] = f"550 5.1.1 <{a}>: Recipient address rejected"
        title = "Exports time out"
        self.declare(title, "P1")
        harness.wait_until("a dead letter", lambda: self.w.integrations().get("dead", 0) >= 1, timeout=20)
        out = self.w.outbox_command()
        self.assertIn("550 5.1.1", out.stdout)
        self.assertIn("Recipient address rejected", out.stdout)
        self.assertEqual(mails_for(title), [])


class SilentSmtpCase(harness.ServeCase):
    """An SMTP server that takes the login and the message, then never answers it."""

    @classmethod
    def setUpClass(cls):
        key = os.path.join(TMP.name, "smtp.key")
        cls.smtp = FakeSmtp(CERT, key, user=SMTP_USER, password=SMTP_PASSWORD)
        cls.smtp.data_delay = 120
        cls.tmp = tempfile.TemporaryDirectory(prefix="warroom-customers-silent-")
        cls.w = CustomersWarroom(cls.tmp.name, config().replace(SMTP.url, cls.smtp.url)).start()

    @classmethod
    def tearDownClass(cls):
        cls.w.stop()
        cls.smtp.stop()
        cls.tmp.cleanup()

    def test_a_silent_mail_server_does_not_hold_the_stop(self):
        self.declare("Mail server went quiet", "P1")
        harness.wait_until("the message to be in hand", lambda: SilentSmtpCase.smtp.rcpt_attempts, timeout=10)
        time.sleep(0.5)
        started = time.monotonic()
        self.w.proc.terminate()
        try:
            code = self.w.proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.w.proc.kill()
            self.w.proc.wait()
            self.fail("warroom did not stop within 40 s:\n" + self.w.logs())
        took = time.monotonic() - started
        self.w.log.close()
        self.w.proc = None
        self.assertEqual(code, 0)
        # The stop's grace (10 s), then the transfer is cut within about a second, not at the
        # SMTP timeout (30 s).
        self.assertLess(took, 14.0)


if __name__ == "__main__":
    harness.run_suite("test_customers")
