#!/usr/bin/env python3
"""Checks the fake Slack server (tests/support/fake_slack.py) through its command line, as the
C++ integration tests will use it: start it, read FAKE_SLACK_URL, talk HTTP."""

import base64
import hashlib
import http.client
import json
import os
import socket
import struct
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
FAKE = os.path.join(HERE, "..", "support", "fake_slack.py")
TOKEN = "xoxb-test"
APP_TOKEN = "xapp-test"  # the fake's default app-level token (Socket Mode)


class WsClient:
    """A minimal WebSocket client (masked frames, as RFC 6455 requires of clients)."""

    def __init__(self, url, timeout=5):
        parsed = urllib.parse.urlparse(url)
        self.sock = socket.create_connection((parsed.hostname, parsed.port), timeout=timeout)
        self.key = base64.b64encode(os.urandom(16)).decode()
        target = parsed.path + ("?" + parsed.query if parsed.query else "")
        self.sock.sendall((f"GET {target} HTTP/1.1\r\nHost: {parsed.netloc}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {self.key}\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                break
            self.buf += chunk
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = {k.strip().lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:])}

    def read_exact(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def send(self, opcode, payload=b""):
        mask = os.urandom(4)
        head = bytes([0x80 | opcode])
        n = len(payload)
        head += bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack("!H", n)
        self.sock.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def send_json(self, obj):
        self.send(0x1, json.dumps(obj).encode())

    def recv(self):
        """(opcode, payload) of the next frame; server frames are not masked."""
        b0, b1 = self.read_exact(2)
        if b1 & 0x80:
            raise AssertionError("a server frame was masked")
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack("!H", self.read_exact(2))[0]
        elif n == 127:
            n = struct.unpack("!Q", self.read_exact(8))[0]
        return b0 & 0x0F, self.read_exact(n)

    def recv_json(self):
        opcode, data = self.recv()
        assert opcode == 0x1, opcode
        return json.loads(data)

    def close(self):
        self.sock.close()


class FakeSlackTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.proc = subprocess.Popen([sys.executable, FAKE, "--port", "0", "--token", TOKEN],
                                    stdout=subprocess.PIPE, text=True)
        line = cls.proc.stdout.readline().strip()
        if not line.startswith("FAKE_SLACK_URL="):
            cls.proc.kill()
            raise RuntimeError(f"unexpected first line from fake_slack: {line!r}")
        cls.api = line[len("FAKE_SLACK_URL="):]
        cls.base = cls.api[:-len("/api/")]

    @classmethod
    def tearDownClass(cls):
        cls.proc.terminate()
        cls.proc.wait(timeout=10)
        cls.proc.stdout.close()

    def setUp(self):
        self.control("POST", "reset")

    # -- helpers -----------------------------------------------------------------------
    def request(self, url, body=None, headers=None, timeout=5):
        """(status, headers, parsed JSON or text); HTTP errors are answers too."""
        req = urllib.request.Request(url, data=body, headers=headers or {}, method="POST" if body is not None else "GET")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                status, hdrs, raw = resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as e:
            status, hdrs, raw = e.code, e.headers, e.read()
        text = raw.decode()
        try:
            return status, hdrs, json.loads(text)
        except ValueError:
            return status, hdrs, text

    def call(self, method, token=TOKEN, timeout=5, **args):
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        status, _, body = self.request(self.api + method, json.dumps(args).encode(), headers, timeout)
        self.assertEqual(status, 200)
        return body

    def control(self, verb, name, payload=None, query=""):
        body = json.dumps(payload or {}).encode() if verb == "POST" else None
        status, _, answer = self.request(f"{self.base}/_control/{name}{query}", body,
                                         {"Content-Type": "application/json"})
        self.assertEqual(status, 200, answer)
        self.assertTrue(answer["ok"])
        return answer

    def channel_named(self, name):
        return next(c for c in self.control("GET", "state")["channels"] if c["name"] == name)

    # -- auth ----------------------------------------------------------------------------
    def test_auth_errors(self):
        self.assertEqual(self.call("auth.test", token=None), {"ok": False, "error": "not_authed"})
        self.assertEqual(self.call("auth.test", token="xoxb-wrong"), {"ok": False, "error": "invalid_auth"})
        me = self.call("auth.test")
        self.assertTrue(me["ok"])
        self.assertEqual(me["user_id"], "U0BOT")

    def test_unknown_method_and_bad_json(self):
        self.assertEqual(self.call("no.such"), {"ok": False, "error": "unknown_method"})
        status, _, body = self.request(self.api + "auth.test", b"{not json",
                                       {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"})
        self.assertEqual((status, body["error"]), (200, "invalid_json"))

    def test_form_body(self):
        form = urllib.parse.urlencode({"channel": "C0GENERAL", "text": "hi"}).encode()
        status, _, body = self.request(self.api + "chat.postMessage", form,
                                       {"Content-Type": "application/x-www-form-urlencoded",
                                        "Authorization": f"Bearer {TOKEN}"})
        self.assertTrue(body["ok"], body)
        self.assertEqual(self.control("GET", "calls")["calls"][-1]["args"]["text"], "hi")

    # -- channels ------------------------------------------------------------------------
    def test_create_and_name_rules(self):
        made = self.call("conversations.create", name="inc-42-checkout", is_private=False)
        self.assertTrue(made["ok"], made)
        self.assertTrue(made["channel"]["id"].startswith("C"))
        self.assertEqual(made["channel"]["name"], "inc-42-checkout")
        self.assertTrue(made["channel"]["is_member"])
        self.assertEqual(self.call("conversations.create", name="inc-42-checkout")["error"], "name_taken")
        self.assertEqual(self.call("conversations.create", name="incidents")["error"], "name_taken")
        self.assertEqual(self.call("conversations.create", name="Upper")["error"], "invalid_name_specials")
        self.assertEqual(self.call("conversations.create", name="a b")["error"], "invalid_name_specials")
        self.assertEqual(self.call("conversations.create", name="x" * 81)["error"], "invalid_name_maxlength")
        self.assertEqual(self.call("conversations.create", name="")["error"], "invalid_name_required")
        self.assertEqual(self.call("conversations.create", name="--")["error"], "invalid_name_punctuation")
        self.assertTrue(self.call("conversations.create", name="x" * 80)["ok"])

    def test_private_channel_archive_and_unarchive(self):
        made = self.call("conversations.create", name="inc-43-secret", is_private=True)
        self.assertTrue(made["ok"], made)
        cid = made["channel"]["id"]
        self.assertTrue(made["channel"]["is_private"])
        # Private: invisible to a list of public channels only.
        listed = self.call("conversations.list", types="public_channel", limit=1000)["channels"]
        self.assertNotIn(cid, [c["id"] for c in listed])
        self.assertEqual(self.call("conversations.unarchive", channel=cid)["error"], "not_archived")
        self.assertTrue(self.call("conversations.archive", channel=cid)["ok"])
        self.assertEqual(self.call("conversations.archive", channel=cid)["error"], "already_archived")
        self.assertEqual(self.call("chat.postMessage", channel=cid, text="x")["error"], "is_archived")
        self.assertTrue(self.call("conversations.unarchive", channel=cid)["ok"])
        self.assertTrue(self.call("chat.postMessage", channel=cid, text="x")["ok"])
        self.assertEqual(self.call("conversations.archive", channel="C0GENERAL")["error"], "cant_archive_general")
        self.assertEqual(self.call("conversations.unarchive", channel="C0NOPE")["error"], "channel_not_found")

    def test_list_pagination(self):
        seen, cursor, pages = [], "", 0
        while True:
            page = self.call("conversations.list", limit=2, cursor=cursor, exclude_archived=True)
            self.assertTrue(page["ok"], page)
            self.assertLessEqual(len(page["channels"]), 2)
            seen += [c["name"] for c in page["channels"]]
            pages += 1
            cursor = page["response_metadata"]["next_cursor"]
            if not cursor:
                break
        self.assertEqual(seen, ["general", "incidents", "incident-escalations", "random"])
        self.assertEqual(pages, 2)
        everything = self.call("conversations.list", types="public_channel,private_channel")
        names = [c["name"] for c in everything["channels"]]
        self.assertIn("incident-20200101-old", names)
        self.assertNotIn("secret-ops", names)  # private and the bot is not in it
        self.assertEqual(self.call("conversations.list", cursor="bogus")["error"], "invalid_cursor")

    def test_post_needs_membership_then_join(self):
        first = self.call("chat.postMessage", channel="C0INCIDENTS", text="INC-1 declared")
        self.assertEqual(first, {"ok": False, "error": "not_in_channel"})
        self.assertTrue(self.call("conversations.join", channel="C0INCIDENTS")["ok"])
        again = self.call("conversations.join", channel="C0INCIDENTS")
        self.assertEqual(again["warning"], "already_in_channel")
        posted = self.call("chat.postMessage", channel="C0INCIDENTS", text="INC-1 declared",
                           blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "*INC-1*"}}])
        self.assertTrue(posted["ok"], posted)
        self.assertEqual(posted["channel"], "C0INCIDENTS")
        self.assertEqual(posted["message"]["ts"], posted["ts"])
        state = self.channel_named("incidents")
        self.assertTrue(state["bot_member"])
        self.assertEqual([m["text"] for m in state["messages"]], ["INC-1 declared"])
        # by name too, as chat.postMessage allows
        self.assertTrue(self.call("chat.postMessage", channel="#incidents", text="by name")["ok"])

    def test_post_errors(self):
        self.assertEqual(self.call("chat.postMessage", channel="C0NOPE", text="x")["error"], "channel_not_found")
        self.assertEqual(self.call("chat.postMessage", channel="C0SECRET", text="x")["error"], "channel_not_found")
        self.assertEqual(self.call("chat.postMessage", channel="C0OLDINCIDENT", text="x")["error"], "is_archived")
        self.assertEqual(self.call("chat.postMessage", channel="C0GENERAL")["error"], "no_text")
        for blocks in ({"type": "section"}, [{"text": "no type"}], ["str"], [{"type": "bogus"}],
                       [{"type": "divider"}] * 51):
            answer = self.call("chat.postMessage", channel="C0GENERAL", text="x", blocks=blocks)
            self.assertEqual(answer["error"], "invalid_blocks", blocks)
        long_blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "y" * 2900}}] * 5
        self.assertEqual(self.call("chat.postMessage", channel="C0GENERAL", text="x", blocks=long_blocks)["error"],
                         "msg_blocks_too_long")

    def test_chat_write_public_config(self):
        self.control("POST", "config", {"chat_write_public": True})
        self.assertTrue(self.call("chat.postMessage", channel="C0INCIDENTS", text="x")["ok"])

    def test_direct_messages_open_once_and_need_im_write(self):
        first = self.call("conversations.open", users="W222")
        self.assertTrue(first["ok"], first)
        dm = first["channel"]["id"]
        self.assertTrue(dm.startswith("D"))
        again = self.call("conversations.open", users="W222")
        self.assertEqual(again["channel"]["id"], dm)
        self.assertTrue(again.get("already_open"))
        self.assertTrue(self.call("chat.postMessage", channel=dm, text="your follow-up")["ok"])
        state = self.control("GET", "state")
        im = next(c for c in state["channels"] if c["id"] == dm)
        self.assertTrue(im["is_im"])
        self.assertEqual(im["user"], "W222")
        self.assertEqual(im["messages"][0]["text"], "your follow-up")
        # Not a channel: conversations.list leaves it out.
        listed = self.call("conversations.list", types="public_channel,private_channel")["channels"]
        self.assertNotIn(dm, [c["id"] for c in listed])
        self.assertEqual(self.call("conversations.open", users="W999")["error"], "user_not_found")
        self.assertEqual(self.call("conversations.open")["error"], "users_list_not_supplied")
        scopes = self.control("POST", "config", {})["scopes"]
        self.control("POST", "config", {"scopes": [x for x in scopes if x != "im:write"]})
        refused = self.call("conversations.open", users="W333")
        self.assertEqual(refused["error"], "missing_scope")
        self.assertEqual(refused["needed"], "im:write")
        self.assertNotIn("im:write", refused["provided"])

    def test_invite_topic_members(self):
        cid = self.call("conversations.create", name="inc-7")["channel"]["id"]
        self.assertTrue(self.call("conversations.invite", channel=cid, users="W111,W222")["ok"])
        self.assertEqual(self.call("conversations.invite", channel=cid, users="W111")["error"], "already_in_channel")
        self.assertEqual(self.call("conversations.invite", channel=cid, users="U0BOT")["error"], "cant_invite_self")
        failed = self.call("conversations.invite", channel=cid, users="W333,W999")
        self.assertEqual(failed["error"], "user_not_found")
        forced = self.call("conversations.invite", channel=cid, users="W333,W999", force=True)
        self.assertTrue(forced["ok"])
        self.assertEqual(forced["errors"][0]["user"], "W999")
        self.assertEqual(self.call("conversations.invite", channel="C0INCIDENTS", users="W333")["error"],
                         "not_in_channel")
        members = self.call("conversations.members", channel=cid)["members"]
        self.assertEqual(sorted(members), ["U0BOT", "W111", "W222", "W333"])
        self.assertTrue(self.call("conversations.setTopic", channel=cid, topic="P1 | checkout")["ok"])
        self.assertEqual(self.call("conversations.info", channel=cid)["channel"]["topic"]["value"], "P1 | checkout")
        self.assertEqual(self.call("conversations.setTopic", channel=cid, topic="t" * 251)["error"], "too_long")
        self.assertEqual(self.call("conversations.setTopic", channel="C0INCIDENTS", topic="x")["error"],
                         "not_in_channel")

    def test_pins_update_users_views(self):
        ts = self.call("chat.postMessage", channel="C0GENERAL", text="summary")["ts"]
        self.assertTrue(self.call("pins.add", channel="C0GENERAL", timestamp=ts)["ok"])
        self.assertEqual(self.call("pins.add", channel="C0GENERAL", timestamp=ts)["error"], "already_pinned")
        self.assertEqual(self.call("pins.add", channel="C0GENERAL", timestamp="1.000001")["error"],
                         "message_not_found")
        self.assertEqual(self.channel_named("general")["pins"], [ts])
        updated = self.call("chat.update", channel="C0GENERAL", ts=ts, text="summary v2")
        self.assertEqual(updated["message"]["text"], "summary v2")
        self.assertEqual(self.call("chat.update", channel="C0GENERAL", ts="9.9", text="x")["error"],
                         "message_not_found")
        self.assertTrue(self.call("chat.postEphemeral", channel="C0GENERAL", user="W111", text="psst")["ok"])
        self.assertEqual(self.call("chat.postEphemeral", channel="C0RANDOM", user="W444", text="x")["error"],
                         "user_not_in_channel")
        self.assertEqual(self.call("users.info", user="W111")["user"]["name"], "alice")
        self.assertEqual(self.call("users.info", user="W999")["error"], "user_not_found")
        view = {"type": "modal", "title": {"type": "plain_text", "text": "Declare"}, "blocks": []}
        self.assertTrue(self.call("views.open", trigger_id="1.2.a", view=view)["ok"])
        self.assertEqual(self.call("views.open", trigger_id="1.2.a", view=view)["error"], "exchanged_trigger_id")
        self.assertTrue(self.call("views.publish", user_id="W111", view={"type": "home", "blocks": []})["ok"])
        self.assertEqual(len(self.control("GET", "state")["views"]), 2)

    # -- faults --------------------------------------------------------------------------
    def test_fault_429(self):
        self.control("POST", "fault", {"method": "chat.postMessage", "kind": "429", "retry_after": 7})
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}
        args = json.dumps({"channel": "C0GENERAL", "text": "x"}).encode()
        status, hdrs, body = self.request(self.api + "chat.postMessage", args, headers)
        self.assertEqual((status, hdrs["Retry-After"], body), (429, "7", {"ok": False, "error": "ratelimited"}))
        self.assertTrue(self.call("auth.test")["ok"])  # other methods are unaffected
        self.assertTrue(self.call("chat.postMessage", channel="C0GENERAL", text="x")["ok"])  # count 1 used up
        calls = self.control("GET", "calls", query="?method=chat.postMessage")["calls"]
        self.assertEqual([(c["status"], c["outcome"], c["fault"]) for c in calls],
                         [(429, "ratelimited", "429"), (200, "ok", None)])
        stats = self.control("GET", "stats")
        self.assertEqual(stats["by_method"]["chat.postMessage"], {"ratelimited": 1, "ok": 1})
        self.assertEqual(len(self.channel_named("general")["messages"]), 1)

    def test_fault_500_and_error(self):
        self.control("POST", "fault", {"method": "*", "kind": "500", "count": 2})
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}
        for _ in range(2):
            status, _, _ = self.request(self.api + "auth.test", b"{}", headers)
            self.assertEqual(status, 500)
        self.assertTrue(self.call("auth.test")["ok"])
        self.control("POST", "fault", {"method": "pins.add", "kind": "error", "error": "not_pinnable"})
        self.assertEqual(self.call("pins.add", channel="C0GENERAL", timestamp="1.0"),
                         {"ok": False, "error": "not_pinnable"})

    def test_fault_drop(self):
        self.control("POST", "fault", {"method": "chat.postMessage", "kind": "drop"})
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError, urllib.error.URLError)):
            self.call("chat.postMessage", channel="C0GENERAL", text="x")
        self.assertEqual(self.channel_named("general")["messages"], [])
        self.assertEqual(self.control("GET", "calls")["calls"][-1]["outcome"], "drop")

    def test_fault_hang(self):
        self.control("POST", "fault", {"method": "chat.postMessage", "kind": "hang", "seconds": 2})
        started = time.monotonic()
        with self.assertRaises((socket.timeout, TimeoutError, urllib.error.URLError)):
            self.call("chat.postMessage", timeout=0.5, channel="C0GENERAL", text="x")
        self.assertLess(time.monotonic() - started, 1.5)
        self.assertEqual(self.control("GET", "calls")["calls"][-1]["outcome"], "hang")
        self.assertTrue(self.call("auth.test")["ok"])  # the server still answers others meanwhile

    def test_fault_slow_does_the_work(self):
        self.control("POST", "fault", {"method": "chat.postMessage", "kind": "slow", "seconds": 1})
        with self.assertRaises((socket.timeout, TimeoutError, urllib.error.URLError)):
            self.call("chat.postMessage", timeout=0.3, channel="C0GENERAL", text="x")
        self.assertEqual(len(self.channel_named("general")["messages"]), 1)

    def test_clear_faults(self):
        self.control("POST", "fault", {"method": "*", "kind": "error", "error": "fatal_error", "count": 0})
        self.assertEqual(self.call("auth.test")["error"], "fatal_error")
        self.assertEqual(self.call("auth.test")["error"], "fatal_error")
        self.assertEqual(len(self.control("GET", "faults")["faults"]), 1)
        self.control("POST", "clear_faults")
        self.assertTrue(self.call("auth.test")["ok"])

    # -- response_url and reset ------------------------------------------------------------
    def test_response_url(self):
        url = f"{self.base}/response/abc"
        message = {"response_type": "ephemeral", "text": "INC-7 acknowledged"}
        for _ in range(5):
            status, _, body = self.request(url, json.dumps(message).encode(), {"Content-Type": "application/json"})
            self.assertEqual((status, body), (200, "ok"))
        status, _, body = self.request(url, json.dumps(message).encode(), {"Content-Type": "application/json"})
        self.assertEqual((status, body), (404, "used_url"))
        responses = self.control("GET", "responses")["responses"]
        self.assertEqual(responses[0]["id"], "abc")
        self.assertEqual(responses[0]["body"], message)
        self.assertEqual(self.control("GET", "stats")["by_method"]["response_url"], {"ok": 5, "used_url": 1})

    def test_reset_and_custom_seed(self):
        self.call("conversations.create", name="inc-1")
        self.call("conversations.join", channel="C0INCIDENTS")
        self.control("POST", "reset")
        self.assertEqual(self.control("GET", "calls")["calls"], [])
        names = [c["name"] for c in self.control("GET", "state")["channels"]]
        self.assertNotIn("inc-1", names)
        self.assertFalse(self.channel_named("incidents")["bot_member"])
        self.control("POST", "channel", {"name": "incidents", "bot_member": True})
        self.assertTrue(self.call("chat.postMessage", channel="C0INCIDENTS", text="x")["ok"])
        self.control("POST", "reset", {"channels": [{"name": "only", "bot_member": True}]})
        self.assertEqual([c["name"] for c in self.control("GET", "state")["channels"]], ["only"])

    def test_cli_seed_and_exit_on_stdin_eof(self):
        import tempfile
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump({"channels": [{"id": "C0OPS", "name": "ops", "bot_member": False}]}, f)
        try:
            proc = subprocess.Popen([sys.executable, FAKE, "--seed", f.name, "--exit-on-stdin-eof"],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            base = proc.stdout.readline().strip()[len("FAKE_SLACK_URL="):-len("/api/")]
            _, _, state = self.request(base + "/_control/state")
            self.assertEqual([c["name"] for c in state["channels"]], ["ops"])
            proc.stdin.close()  # as if the parent test died
            self.assertEqual(proc.wait(timeout=10), 0)
            proc.stdout.close()
        finally:
            os.unlink(f.name)

    def test_keep_alive(self):
        # One connection, several requests: the bot's client keeps connections alive.
        host, port = urllib.parse.urlparse(self.api).netloc.split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=5)
        for _ in range(3):
            conn.request("POST", "/api/auth.test", body=b"{}",
                         headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"})
            resp = conn.getresponse()
            self.assertEqual(resp.status, 200)
            self.assertTrue(json.loads(resp.read())["ok"])
        conn.close()

    # -- Socket Mode -------------------------------------------------------------------------
    def test_socket_open_needs_the_app_token(self):
        self.assertEqual(self.call("apps.connections.open", token=None)["error"], "not_authed")
        self.assertEqual(self.call("apps.connections.open")["error"], "not_allowed_token_type")
        self.assertEqual(self.call("apps.connections.open", token="xapp-wrong")["error"], "invalid_auth")
        answer = self.call("apps.connections.open", token=APP_TOKEN)
        self.assertTrue(answer["ok"], answer)
        self.assertTrue(answer["url"].startswith("ws://127.0.0.1:"), answer)

    def test_socket_handshake_hello_envelopes_acks(self):
        url = self.call("apps.connections.open", token=APP_TOKEN)["url"]
        ws = WsClient(url)
        self.assertEqual(ws.status, 101)
        expected = base64.b64encode(hashlib.sha1((ws.key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode())
                                    .digest()).decode()
        self.assertEqual(ws.headers["sec-websocket-accept"], expected)
        hello = ws.recv_json()
        self.assertEqual(hello["type"], "hello")
        self.assertEqual(hello["num_connections"], 1)
        # A ticket works once.
        again = WsClient(url)
        self.assertEqual(again.status, 401)
        again.close()
        ws.send(0x9, b"are you there")
        self.assertEqual(ws.recv(), (0xA, b"are you there"))
        sent = self.control("POST", "socket/send", {"type": "slash_commands", "payload": {"text": "list"}})
        envelope = ws.recv_json()
        self.assertEqual(envelope["envelope_id"], sent["envelope_id"])
        self.assertEqual(envelope["type"], "slash_commands")
        self.assertTrue(envelope["accepts_response_payload"])
        ws.send_json({"envelope_id": envelope["envelope_id"], "payload": {"text": "none open"}})
        deadline = time.monotonic() + 5
        while not self.control("GET", "socket/acks")["acks"] and time.monotonic() < deadline:
            time.sleep(0.02)
        ack = self.control("GET", "socket/acks")["acks"][0]
        self.assertEqual((ack["envelope_id"], ack["payload"]), (envelope["envelope_id"], {"text": "none open"}))
        self.assertLess(ack["latency"], 5)
        with self.assertRaises(AssertionError):  # not an envelope type
            self.control("POST", "socket/send", {"type": "nope"})
        self.control("POST", "socket/disconnect", {"reason": "refresh_requested"})
        self.assertEqual(ws.recv_json()["reason"], "refresh_requested")
        ws.send(0x8, struct.pack("!H", 1000))
        self.assertEqual(ws.recv(), (0x8, struct.pack("!H", 1000)))
        ws.close()
        conns = self.control("GET", "socket/connections")
        self.assertEqual(conns["open"], [])
        closed = conns["connections"][-1]
        self.assertEqual((closed["closed_how"], closed["close_code"], closed["told"]),
                         ("client_close", 1000, "refresh_requested"))

    def test_socket_kill_and_link_disabled(self):
        before = self.control("GET", "socket/connections")["opened_total"]  # never reset: ids stay unique
        first = WsClient(self.call("apps.connections.open", token=APP_TOKEN)["url"])
        first.recv_json()
        self.control("POST", "socket/kill")
        with self.assertRaises((EOFError, ConnectionError)):
            first.recv()
        first.close()
        second = WsClient(self.call("apps.connections.open", token=APP_TOKEN)["url"])
        second.recv_json()
        self.control("POST", "socket/disconnect", {"reason": "link_disabled"})
        self.assertEqual(second.recv_json()["reason"], "link_disabled")
        self.assertEqual(second.recv()[0], 0x8)  # then Slack closes
        second.close()
        conns = self.control("GET", "socket/connections")
        self.assertEqual([c["closed_how"] for c in conns["connections"]][0], "killed")
        self.assertEqual(conns["opened_total"], before + 2)


if __name__ == "__main__":
    unittest.main()
