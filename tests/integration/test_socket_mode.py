#!/usr/bin/env python3
"""`warroom serve` in Socket Mode, end to end against the fake Slack's WebSocket.

Usage: python3 tests/integration/test_socket_mode.py build/warroom   (or WARROOM_BINARY=build/warroom)

warroom runs with SLACK_APP_TOKEN=xapp-test and SLACK_API_URL pointing at the fake
(tests/support/fake_slack.py), which answers apps.connections.open with a ws:// URL of its own.
The test drives the socket through the fake's control API: /_control/socket/send puts an
envelope on the live connection, /_control/socket/acks shows what warroom acknowledged (with
the payload and how long it took), disconnect/kill play Slack's refreshes and dead links.
Standard library only; every wait has a deadline.
"""

import json
import os
import signal
import sys
import tempfile
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_serve as harness  # noqa: E402  (the fake Slack and warroom process helpers)

APP_TOKEN = "xapp-test"  # the fake's default app-level token
ACK_WITHIN = 3.0          # Slack's deadline for an envelope's ack
IDLE_TIMEOUT = 10         # warroom's dead-link detection (socket_mode_options::idle_timeout)

wait_until = harness.wait_until


def fake():
    return harness.FAKE


def connections():
    return fake().get("socket/connections")


def live_connection():
    """The open connection that said hello, waiting for one."""
    def found():
        open_ = [c for c in connections()["open"] if c["hello_at"] and not c["told"]]
        return open_[-1] if open_ else None
    return wait_until("an open Socket Mode connection", found)


def acks(envelope_id=None):
    params = {"envelope_id": envelope_id} if envelope_id else {}
    return fake().get("socket/acks", **params)["acks"]


def send(kind, payload, **extra):
    body = {"type": kind, "payload": payload, **extra}
    return fake().post("socket/send", body)["envelope_id"]


def wait_ack(envelope_id):
    got = wait_until(f"the ack of envelope {envelope_id}", lambda: acks(envelope_id), timeout=ACK_WITHIN + 2)
    return got[0]


def command_payload(text, user="W111", channel_id="C0GENERAL", channel_name="general", trigger_id=None):
    """The slash command's fields as Socket Mode carries them: a JSON object."""
    return {
        "token": "legacy-verification-token", "team_id": "T111", "team_domain": "warroom-test",
        "channel_id": channel_id, "channel_name": channel_name, "user_id": user, "user_name": "alice",
        "command": "/incident", "text": text, "api_app_id": "A111", "is_enterprise_install": "false",
        "response_url": fake().response_url(), "trigger_id": trigger_id or f"{time.time():.0f}.111.{uuid.uuid4().hex[:8]}",
    }


def event_payload(event_id=None, event=None):
    return {
        "token": "t", "team_id": "T111", "api_app_id": "A111", "type": "event_callback",
        "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}", "event_time": int(time.time()),
        "event": event or {"type": "app_mention", "user": "W222", "text": "<@U0BOT> hi", "channel": "C0GENERAL",
                           "ts": f"{time.time():.6f}", "event_ts": f"{time.time():.6f}"},
        "authorizations": [{"enterprise_id": None, "team_id": "T111", "user_id": "U0BOT", "is_bot": True,
                            "is_enterprise_install": False}],
    }


def channels_titled(word):
    return [c for c in fake().state()["channels"] if word in c["name"]]


def metric(w, kind, outcome):
    _, _, text = w.get("/metrics")
    line = f'warroom_requests_total{{kind="{kind}",outcome="{outcome}"}} '
    for row in text.splitlines():
        if row.startswith(line):
            return int(row[len(line):])
    return 0


class SocketCase(unittest.TestCase):
    """A fresh fake state and a warroom in Socket Mode (own database) for each test class."""

    env = {"SLACK_APP_TOKEN": APP_TOKEN, "SLACK_SIGNING_SECRET": None}  # Socket Mode only

    @classmethod
    def setUpClass(cls):
        fake().post("reset")
        cls.tmp = tempfile.TemporaryDirectory(prefix="warroom-socket-")
        cls.w = harness.Warroom(cls.tmp.name)
        cls.w.extra_env = cls.env
        cls.w.start()
        cls.first = live_connection()

    @classmethod
    def tearDownClass(cls):
        cls.w.stop()
        cls.tmp.cleanup()

    def fail_info(self):
        return f"\n--- warroom log ---\n{self.w.logs()}"

    def declare(self, title, sev="P2", **kw):
        """Declares over the socket; returns (ack, envelope_id)."""
        eid = send("slash_commands", command_payload(f"declare {sev} {title}", **kw))
        ack = wait_ack(eid)
        self.assertLess(ack["latency"], ACK_WITHIN, ack)
        return ack, eid


class SocketModeTests(SocketCase):
    def test_01_connects_with_the_app_token_and_waits_for_hello(self):
        calls = fake().calls("apps.connections.open")
        self.assertTrue(calls, "warroom never called apps.connections.open")
        self.assertEqual(calls[0]["outcome"], "ok", calls[0])
        conns = connections()
        self.assertEqual(len(conns["open"]), 1, conns)
        status, _, body = self.w.get("/healthz")
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["socket_mode"], "connected")
        self.assertNotIn(APP_TOKEN, self.w.logs())
        # HTTP stays up for health and metrics, but /slack/events needs a signing secret.
        status, _, body = self.w.send(self.w.command_body("list"), "application/x-www-form-urlencoded")
        self.assertEqual(status, 503, body)

    def test_02_slash_command_answer_travels_in_the_ack(self):
        ack, _ = self.declare("socket checkout down", "P1")
        payload = ack["payload"]
        self.assertIsInstance(payload, dict, ack)
        self.assertEqual(payload.get("response_type"), "ephemeral", payload)
        n = harness.incident_number(payload)
        ch = wait_until(f"INC-{n}'s channel", lambda: next(
            (c for c in channels_titled("socket-checkout-down") if c["pins"]), None))
        self.assertTrue(any(f"INC-{n}" in harness.msg_text(m) for m in ch["messages"]), ch["messages"])
        self.assertGreaterEqual(metric(self.w, "socket_slash_commands", "ok"), 1)

    def test_03_events_and_interactive_envelopes_are_acked(self):
        eid = send("events_api", event_payload())
        ack = wait_ack(eid)
        self.assertLess(ack["latency"], ACK_WITHIN, ack)
        self.assertIsNone(ack["payload"], ack)
        action = {"type": "block_actions", "user": {"id": "W111"}, "api_app_id": "A111",
                  "trigger_id": "111.222.valid", "actions": [{"action_id": "noop", "value": "x", "type": "button"}]}
        iid = send("interactive", action)
        ack = wait_ack(iid)
        self.assertLess(ack["latency"], ACK_WITHIN, ack)
        self.assertEqual(json.loads(ack["raw"]), {"envelope_id": iid})
        # A declare form with errors: the response_action travels in the ack, as over HTTP.
        form = {"type": "view_submission", "team": {"id": "T111"}, "user": {"id": "W222"}, "api_app_id": "A111",
                "trigger_id": "1.2.x",
                "view": {"id": "VSOCKET1", "type": "modal", "callback_id": "warroom_declare",
                         "private_metadata": "C0GENERAL", "state": {"values": {
                             "title": {"title": {"type": "plain_text_input", "value": "  "}},
                             "severity": {"severity": {"type": "static_select",
                                                       "selected_option": {"value": "SEV-9"}}}}}}}
        fid = send("interactive", form)
        reply = wait_ack(fid)["payload"]
        self.assertEqual(reply.get("response_action"), "errors", reply)
        self.assertEqual(set(reply["errors"]), {"title", "severity"}, reply)
        # An envelope of a type warroom does not know, and a malformed payload, are acked too.
        bad = send("events_api", {"type": "event_callback"})
        wait_ack(bad)
        self.assertGreaterEqual(metric(self.w, "socket_events_api", "ok"), 1)
        self.assertGreaterEqual(metric(self.w, "socket_interactive", "ok"), 1)

    def test_03b_a_button_click_over_the_socket_acts_and_answers_the_clicker(self):
        ack, _ = self.declare("socket button click", "P2")
        n = harness.incident_number(ack["payload"])
        ch = wait_until(f"INC-{n}'s channel", lambda: next(
            (c for c in channels_titled("socket-button-click") if c["pins"]), None))
        rid = uuid.uuid4().hex
        click = {"type": "block_actions", "user": {"id": "W222"}, "api_app_id": "A111",
                 "channel": {"id": "C0INCIDENTS"}, "trigger_id": f"5.5.{rid[:8]}",
                 "response_url": f"{fake().base}/response/{rid}",
                 "actions": [{"action_id": "warroom_ack", "value": str(n), "type": "button", "action_ts": "1.2"}]}
        iid = send("interactive", click)
        ack = wait_ack(iid)
        self.assertLess(ack["latency"], ACK_WITHIN, ack)
        self.assertEqual(json.loads(ack["raw"]), {"envelope_id": iid})
        wait_until("the acknowledgement post", lambda: any(
            "acknowledged" in harness.msg_text(m).lower() and "W222" in harness.msg_text(m)
            for m in fake().channel(cid=ch["id"])["messages"]))
        wait_until("the clicker's answer", lambda: [c for c in fake().calls("response_url")
                                                    if c["args"].get("id") == rid] or None)

    def test_04_redelivered_envelope_is_processed_once(self):
        payload = command_payload("declare P3 redelivered socket", trigger_id="9.9.redelivered")
        eid = send("slash_commands", payload)
        first = wait_ack(eid)
        n = harness.incident_number(first["payload"])
        # Slack did not see the ack in time and sends it again.
        send("slash_commands", payload, envelope_id=eid, retry_attempt=1, retry_reason="timeout")
        wait_until("the second ack", lambda: len(acks(eid)) >= 2, timeout=ACK_WITHIN + 2)
        both = acks(eid)
        self.assertEqual(both[1]["payload"], first["payload"], "the redelivery should get the same answer")
        # The same event twice (new envelope, same event_id) is acked twice and recorded once.
        event = event_payload("EvSOCKETDUP1")
        e1 = send("events_api", event)
        wait_ack(e1)
        e2 = send("events_api", event, retry_attempt=1, retry_reason="timeout")
        wait_ack(e2)
        self.assertGreaterEqual(metric(self.w, "event", "duplicate"), 1)
        answer = send("slash_commands", command_payload("list"))
        listing = wait_ack(answer)["payload"]["text"]
        self.assertEqual(listing.count("redelivered socket"), 1, listing)
        # Delivery is asynchronous and keeps Slack's pace: wait for the channel, then count.
        wait_until("the redelivered declare's channel", lambda: channels_titled("redelivered-socket"), timeout=15)
        self.assertEqual(len(channels_titled("redelivered-socket")), 1)
        self.assertIn(f"INC-{n}", listing)

    def test_05_refresh_opens_the_next_connection_before_closing_the_old(self):
        old = live_connection()
        fake().post("socket/disconnect", {"reason": "refresh_requested", "connection": old["id"]})
        # Envelopes keep coming during the switch, on whichever connection Slack picks.
        sent = []
        for i in range(6):
            sent.append(send("slash_commands", command_payload("list")))
            time.sleep(0.05)

        def replaced():
            c = {x["id"]: x for x in connections()["connections"]}
            newer = [x for x in c.values() if x["id"] > old["id"] and x["open"] and x["hello_at"]]
            return (c[old["id"]], newer[0]) if newer and not c[old["id"]]["open"] else None
        before, after = wait_until("the old connection closed and a new one open", replaced)
        self.assertLess(after["hello_at"], before["closed_at"], "the old connection closed before the new said hello")
        self.assertEqual(before["closed_how"], "client_close", before)
        self.assertEqual(before["close_code"], 1000, before)
        for eid in sent:
            ack = wait_ack(eid)
            self.assertLess(ack["latency"], ACK_WITHIN, ack)
        time.sleep(0.5)
        for eid in sent:
            self.assertEqual(len(acks(eid)), 1, f"envelope {eid} acked {len(acks(eid))} times")
        self.assertEqual(len(connections()["open"]), 1, connections())
        # warning is handled the same way.
        old = live_connection()
        fake().post("socket/disconnect", {"reason": "warning", "connection": old["id"]})
        wait_until("a new connection after warning", lambda: live_connection()["id"] > old["id"])

    def test_06_dropped_connection_is_replaced(self):
        old = live_connection()
        fake().post("socket/kill", {"connection": old["id"]})
        started = time.monotonic()
        new = wait_until("a new connection after the kill",
                         lambda: next((c for c in connections()["open"] if c["id"] > old["id"] and c["hello_at"]),
                                      None), timeout=5)
        took = time.monotonic() - started
        self.assertLess(took, 5, f"took {took:.1f} s")
        eid = send("interactive", {"type": "block_actions", "user": {"id": "W111"}})
        self.assertEqual(wait_ack(eid)["connection"], new["id"])

    def test_07_silent_dead_link_is_detected_by_pings(self):
        old = live_connection()
        fake().post("socket/kill", {"connection": old["id"], "silent": True})
        started = time.monotonic()
        wait_until("a new connection after the link went silent",
                   lambda: next((c for c in connections()["open"] if c["id"] > old["id"] and c["hello_at"]), None),
                   timeout=IDLE_TIMEOUT + 8)
        took = time.monotonic() - started
        self.assertLess(took, IDLE_TIMEOUT + 5, f"dead link replaced after {took:.1f} s")
        self.assertIn("not even a pong", self.w.logs())


class SocketAndHttpTests(SocketCase):
    """Both transports at once: the signed HTTP endpoint and the socket share one engine."""

    env = {"SLACK_APP_TOKEN": APP_TOKEN}

    def test_both_transports_then_a_clean_stop(self):
        answer = self.w.command("declare P3 over http while socket")
        n = harness.incident_number(answer)
        eid = send("slash_commands", command_payload("list"))
        self.assertIn(f"INC-{n}", harness.answer_text(wait_ack(eid)["payload"]))
        conn = live_connection()
        # SIGTERM closes the WebSocket with a close frame, then the process exits 0.
        self.w.proc.send_signal(signal.SIGTERM)
        code = self.w.proc.wait(timeout=10)
        self.assertEqual(code, 0, self.fail_info())
        closed = next(c for c in connections()["connections"] if c["id"] == conn["id"])
        self.assertEqual((closed["closed_how"], closed["close_code"]), ("client_close", 1000), closed)


class LinkDisabledTests(SocketCase):
    def test_link_disabled_stops_socket_mode_and_says_why(self):
        total = connections()["opened_total"]
        fake().post("socket/disconnect", {"reason": "link_disabled"})
        wait_until("the connection to close", lambda: not connections()["open"])
        time.sleep(1.5)
        self.assertEqual(connections()["opened_total"], total, "warroom reconnected after link_disabled")
        self.assertIn("link_disabled", self.w.logs())
        status, _, body = self.w.get("/healthz")
        self.assertEqual(status, 503, body)
        self.assertEqual(json.loads(body)["socket_mode"], "disabled: link_disabled")


class BadTokenTests(unittest.TestCase):
    def test_a_bot_token_in_place_of_the_app_token_is_refused_without_retries(self):
        fake().post("reset")
        with tempfile.TemporaryDirectory(prefix="warroom-socket-") as tmp:
            w = harness.Warroom(tmp)
            w.extra_env = {"SLACK_APP_TOKEN": "xapp-wrong", "SLACK_SIGNING_SECRET": None}
            w.ready_statuses = (200, 503)  # 503 as soon as Socket Mode gives up
            w.start()
            try:
                wait_until("Socket Mode to give up", lambda: "disabled" in json.loads(w.get("/healthz")[2]).get(
                    "socket_mode", ""))
                time.sleep(1)
                self.assertEqual(len(fake().calls("apps.connections.open")), 1)
                self.assertIn("invalid_auth", w.logs())
                self.assertNotIn("xapp-wrong", w.logs())
            finally:
                w.stop()


setUpModule = harness.start_own_fake
tearDownModule = harness.stop_own_fake


if __name__ == "__main__":
    harness.run_suite("test_socket_mode.py")
