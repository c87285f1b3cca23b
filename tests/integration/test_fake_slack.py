#!/usr/bin/env python3
"""Checks the fake Slack server (tests/support/fake_slack.py) through its command line, as the
C++ integration tests will use it: start it, read FAKE_SLACK_URL, talk HTTP."""

import http.client
import json
import os
import socket
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


if __name__ == "__main__":
    unittest.main()
