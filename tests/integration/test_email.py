#!/usr/bin/env python3
"""Incident e-mail sent by the real sender (libcurl: STARTTLS, AUTH) to a real SMTP server
(Debian's aiosmtpd, tests/support/fake_smtp.py), and read back as a mail client would.

Usage: python3 tests/integration/test_email.py build/tests/integration/send_mail

Without aiosmtpd (`apt-get install python3-aiosmtpd`, scripts/install-deps.sh) the test says
SKIPPED and exits 77, which ctest reports as skipped.
"""

import email
import email.policy
import os
import subprocess
import sys
import tempfile
import unittest


def require_aiosmtpd():
    """aiosmtpd is a Debian package: an interpreter other than Debian's (pyenv) may lack it."""
    try:
        import aiosmtpd  # noqa: F401
        return
    except ImportError:
        pass
    debian = "/usr/bin/python3"
    if os.path.realpath(sys.executable) != os.path.realpath(debian) and os.path.exists(debian) and \
            subprocess.run([debian, "-c", "import aiosmtpd"], capture_output=True).returncode == 0:
        os.execv(debian, [debian] + sys.argv)
    print("\n*** SKIPPED: python3-aiosmtpd is not installed; the e-mail test needs a real SMTP server "
          "(scripts/install-deps.sh installs it) ***\n", file=sys.stderr)
    sys.exit(77)


require_aiosmtpd()
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from fake_smtp import FakeSmtp  # noqa: E402

SEND_MAIL = None
TMP = None
CERT = KEY = None


def make_certificate(directory):
    cert, key = os.path.join(directory, "smtp.pem"), os.path.join(directory, "smtp.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


def send(server, kind, public_id, key, title, to, text=None, user="mailer", password="s3cret",
         require_starttls=True, cert=None):
    env = dict(os.environ, SMTP_URL=server.url if hasattr(server, "url") else server,
               SMTP_FROM="status@example.com", SMTP_USER=user, SMTP_PASSWORD=password,
               REQUIRE_STARTTLS="1" if require_starttls else "0", SSL_CERT_FILE=cert or CERT)
    args = [SEND_MAIL, kind, public_id, key, title, ",".join(to)] + ([text] if text else [])
    out = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    result, message_id, error = out.stdout.rstrip("\n").split("\t")
    return result, message_id, error


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


class SmtpCase(unittest.TestCase):
    def setUp(self):
        self.server = FakeSmtp(CERT, KEY, user="mailer", password="s3cret")

    def tearDown(self):
        self.server.stop()

    def test_one_incident_is_one_thread_with_both_parts(self):
        to = ["ops@customer.example", "cto@customer.example"]
        title = "Zahlungen schlagen fehl — checkout <b>down</b>"
        r1 = send(self.server, "declared", "abc123def456", "1", title, to)
        r2 = send(self.server, "public_update", "abc123def456", "7", title, to, "We found the cause & fixed it.")
        r3 = send(self.server, "resolved", "abc123def456", "9", title, to)
        for r in (r1, r2, r3):
            self.assertEqual(r[0], "delivered", r)
        self.assertEqual(len(self.server.messages), 3)
        first, update, resolved = (parse(m["data"]) for m in self.server.messages)
        for m in self.server.messages:
            self.assertTrue(m["tls"], "sent before STARTTLS")
            self.assertTrue(m["authenticated"])
            self.assertEqual(m["mail_from"], "status@example.com")
            self.assertEqual(sorted(m["rcpt_tos"]), sorted(to))
        root = first["Message-ID"]
        self.assertEqual(root, r1[1])
        self.assertIsNone(first["In-Reply-To"])
        for later in (update, resolved):
            self.assertEqual(later["In-Reply-To"], root)
            self.assertEqual(later["References"], root)
            self.assertNotEqual(later["Message-ID"], root)
        self.assertNotEqual(update["Message-ID"], resolved["Message-ID"])
        self.assertEqual(str(first["Subject"]), title)
        self.assertEqual(str(update["Subject"]), "Re: " + title)
        self.assertNotIn("customer.example", str(first["To"]))
        self.assertEqual(first["Auto-Submitted"], "auto-generated")
        self.assertEqual(first.get_content_type(), "multipart/alternative")
        plain = update.get_body(preferencelist=("plain",)).get_content()
        html = update.get_body(preferencelist=("html",)).get_content()
        self.assertIn("We found the cause & fixed it.", plain)
        self.assertIn(title, plain)
        self.assertIn("We found the cause &amp; fixed it.", html)
        self.assertIn("checkout &lt;b&gt;down&lt;/b&gt;", html)
        self.assertNotIn("<b>down", html)
        self.assertIn("https://status.example.com/incidents/abc123def456", plain)

    def test_a_refused_recipient_among_others_does_not_stop_the_message(self):
        self.server.reject["gone@customer.example"] = "550 5.1.1 <gone@customer.example>: no such user"
        r = send(self.server, "declared", "p1", "1", "Outage", ["gone@customer.example", "ok@customer.example"])
        self.assertEqual(r[0], "delivered", r)
        self.assertEqual(self.server.messages[0]["rcpt_tos"], ["ok@customer.example"])

    def test_5xx_is_dead_with_the_servers_words_4xx_retries(self):
        self.server.reject["gone@customer.example"] = "550 5.1.1 <gone@customer.example>: no such user"
        r = send(self.server, "declared", "p2", "1", "Outage", ["gone@customer.example"])
        self.assertEqual(r[0], "dead", r)
        self.assertIn("550 5.1.1 <gone@customer.example>: no such user", r[2])
        self.server.reject["later@customer.example"] = "451 4.7.1 greylisted, try again later"
        r = send(self.server, "declared", "p3", "1", "Outage", ["later@customer.example"])
        self.assertEqual(r[0], "retry", r)
        self.assertIn("451 4.7.1 greylisted", r[2])
        self.server.data_reply = "452 4.3.1 insufficient system storage"
        r = send(self.server, "declared", "p4", "1", "Outage", ["ok@customer.example"])
        self.assertEqual(r[0], "retry", r)
        self.assertIn("452 4.3.1", r[2])

    def test_a_wrong_password_is_dead(self):
        r = send(self.server, "declared", "p5", "1", "Outage", ["ok@customer.example"], password="wrong")
        self.assertEqual(r[0], "dead", r)
        self.assertIn("535", r[2])
        self.assertEqual(self.server.messages, [])

    def test_an_untrusted_certificate_sends_nothing(self):
        other_cert, _ = make_certificate_named(TMP.name, "other")
        r = send(self.server, "declared", "p6", "1", "Outage", ["ok@customer.example"], cert=other_cert)
        self.assertEqual(r[0], "dead", r)
        self.assertIn("TLS", r[2])
        self.assertEqual(self.server.messages, [])
        self.assertEqual(self.server.logins, [], "credentials were offered to an unverified server")


def make_certificate_named(directory, name):
    sub = os.path.join(directory, name)
    os.makedirs(sub, exist_ok=True)
    return make_certificate(sub)


class PlainServerCase(unittest.TestCase):
    def setUp(self):
        self.server = FakeSmtp(starttls=False)

    def tearDown(self):
        self.server.stop()

    def test_a_server_without_starttls_gets_nothing_unless_allowed(self):
        r = send(self.server, "declared", "p7", "1", "Outage", ["ok@customer.example"], user="", password="")
        self.assertEqual(r[0], "dead", r)
        self.assertIn("STARTTLS", r[2])
        self.assertEqual(self.server.messages, [])
        # A trusted local relay: require_starttls = false.
        r = send(self.server, "declared", "p7", "1", "Outage", ["ok@customer.example"], user="", password="",
                 require_starttls=False)
        self.assertEqual(r[0], "delivered", r)
        self.assertEqual(len(self.server.messages), 1)


class NoServerCase(unittest.TestCase):
    def test_no_server_retries(self):
        from fake_smtp import free_port
        r = send("smtp://127.0.0.1:%d" % free_port(), "declared", "p8", "1", "Outage", ["ok@customer.example"])
        self.assertEqual(r[0], "retry", r)


if __name__ == "__main__":
    SEND_MAIL = sys.argv.pop(1) if len(sys.argv) > 1 else os.environ.get("SEND_MAIL")
    TMP = tempfile.TemporaryDirectory(prefix="warroom-smtp-")
    CERT, KEY = make_certificate(TMP.name)
    try:
        unittest.main(verbosity=2)
    finally:
        TMP.cleanup()
