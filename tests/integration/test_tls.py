#!/usr/bin/env python3
"""warroom against a Slack that speaks TLS, as the real one always does: the Web API over
https:// and Socket Mode over wss://, with the certificate verified.

Usage: python3 tests/integration/test_tls.py build/warroom   (or WARROOM_BINARY=build/warroom)

The fake Slack (tests/support/fake_slack.py --tls-cert/--tls-key) serves a certificate made
here for 127.0.0.1 by `openssl req`; warroom trusts it through SSL_CERT_FILE, the variable
OpenSSL itself reads, so the path under test is the one production takes (system trust store,
host name checked). A certificate warroom was not told to trust must get nothing through.
"""

import json
import os
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_serve as harness  # noqa: E402
import test_socket_mode as socket_mode  # noqa: E402  (envelope helpers; they use harness.FAKE)

TMP = None
CERT = KEY = OTHER_CERT = None


def make_certificate(directory, name):
    """A self-signed certificate for 127.0.0.1 (IP SAN: warroom checks the host it dialled)."""
    cert, key = os.path.join(directory, name + ".pem"), os.path.join(directory, name + ".key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


def setUpModule():
    global TMP, CERT, KEY, OTHER_CERT
    TMP = tempfile.TemporaryDirectory(prefix="warroom-tls-")
    CERT, KEY = make_certificate(TMP.name, "fake-slack")
    OTHER_CERT, _ = make_certificate(TMP.name, "someone-else")
    # The test's own control calls to the fake go over TLS too: trust the same certificate.
    context = ssl.create_default_context(cafile=CERT)
    urllib.request.install_opener(urllib.request.build_opener(urllib.request.HTTPSHandler(context=context)))
    harness.FAKE = harness.Fake(["--tls-cert", CERT, "--tls-key", KEY])
    assert harness.FAKE.api.startswith("https://"), harness.FAKE.api


def tearDownModule():
    if harness.FAKE:
        harness.FAKE.stop()
    if TMP:
        TMP.cleanup()


class TlsCase(unittest.TestCase):
    env = {}

    @classmethod
    def setUpClass(cls):
        harness.FAKE.post("reset")
        cls.tmp = tempfile.TemporaryDirectory(prefix="warroom-tls-case-")
        cls.w = harness.Warroom(cls.tmp.name)
        cls.w.extra_env = {"SSL_CERT_FILE": CERT, **cls.env}
        cls.w.start()

    @classmethod
    def tearDownClass(cls):
        cls.w.stop()
        cls.tmp.cleanup()

    def channel_created(self, word):
        def found():
            return [c for c in harness.FAKE.state()["channels"] if word in c["name"]]
        return harness.wait_until(f"a channel named for {word!r}", found)


class HttpsWebApiTests(TlsCase):
    def test_declare_creates_the_channel_over_https(self):
        answer = self.w.command("declare P2 tlsdeclare checkout is slow")
        self.assertIn("INC-", harness.answer_text(answer))
        self.channel_created("tlsdeclare")
        created = harness.FAKE.calls("conversations.create")
        self.assertTrue(created and created[0]["outcome"] == "ok", created)
        # Everything the declare queued went out over the verified connection.
        self.w.quiet()
        self.assertNotIn("certificate", self.w.logs())


class WssSocketModeTests(TlsCase):
    env = {"SLACK_APP_TOKEN": socket_mode.APP_TOKEN, "SLACK_SIGNING_SECRET": None}

    def test_socket_mode_connects_over_wss_and_answers_envelopes(self):
        # /healthz answers before the Socket Mode supervisor has dialled (it connects in the
        # background, and a TLS handshake on a loaded machine takes a while): wait for the call
        # rather than expect it the moment warroom is up.
        harness.wait_until("warroom to ask for a Socket Mode URL",
                           lambda: harness.FAKE.calls("apps.connections.open"))
        socket_mode.live_connection()
        status, _, body = self.w.get("/healthz")
        self.assertEqual(json.loads(body)["socket_mode"], "connected", body)
        eid = socket_mode.send("slash_commands", socket_mode.command_payload("declare P2 tlssocket queue is stuck"))
        ack = socket_mode.wait_ack(eid)
        self.assertLess(ack["latency"], socket_mode.ACK_WITHIN, ack)
        self.assertIn("INC-", json.dumps(ack["payload"]), ack)
        self.channel_created("tlssocket")


class UntrustedCertificateTests(TlsCase):
    """SSL_CERT_FILE names a different certificate: the fake's is not trusted."""

    @classmethod
    def setUpClass(cls):
        harness.FAKE.post("reset")
        cls.tmp = tempfile.TemporaryDirectory(prefix="warroom-tls-untrusted-")
        cls.w = harness.Warroom(cls.tmp.name)
        cls.w.extra_env = {"SSL_CERT_FILE": OTHER_CERT}
        cls.w.start()

    def test_nothing_reaches_a_slack_whose_certificate_is_not_trusted(self):
        answer = self.w.command("declare P2 tlsuntrusted nobody should see this")
        # The command is still acknowledged and kept: delivery retries, it does not drop it.
        self.assertIn("INC-", harness.answer_text(answer))
        harness.wait_until("a log line about the refused certificate",
                           lambda: "certificate verify failed" in self.w.logs())
        time.sleep(1)
        self.assertEqual(harness.FAKE.calls(), [], "a request got through an unverified connection")
        self.assertGreater(self.w.outbox().get("pending", 0), 0, self.w.logs())


if __name__ == "__main__":
    harness.run_suite("test_tls")
