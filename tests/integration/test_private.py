#!/usr/bin/env python3
"""Private incidents and channel housekeeping: `warroom serve` against the fake Slack.
Usage: python3 tests/integration/test_private.py build/warroom
A private incident gets a private channel, and nothing about it reaches any other channel
(every post, edit and App Home of the run is checked); a resolved incident's channel is
archived after archive_after with a last message, and a reopen unarchives it before
anything else is posted there.
"""
import json
import os
import re
import sys
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_serve as harness  # noqa: E402
from test_serve import all_text, answer_text, incident_number, msg_text, wait_until  # noqa: E402

os.environ["WARROOM_SLACK_PACE"] = "10"

setUpModule = harness.start_own_fake
tearDownModule = harness.stop_own_fake

# P3 channels are archived 2 s after resolving; P1 never (no archive_after).
CONFIG = harness.CONFIG.replace('''resolve_within     = "7d"
notify_channels    = []''', '''resolve_within     = "7d"
archive_after      = "2s"
notify_channels    = []''')
assert CONFIG != harness.CONFIG


def fake():
    return harness.FAKE


class PrivateIncidentTests(harness.ServeCase):
    config = CONFIG

    def home_for(self, user):
        mark = fake().last_seq()
        event = {"token": "t", "team_id": "T111", "api_app_id": "A111", "type": "event_callback",
                 "event_id": "Ev" + uuid.uuid4().hex[:10].upper(), "event_time": int(time.time()),
                 "event": {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home",
                           "event_ts": f"{time.time():.6f}"},
                 "authorizations": [{"team_id": "T111", "user_id": "U0BOT", "is_bot": True}]}
        self.assertEqual(self.w.event(event)[0], 200)

        def published():
            calls = [c for c in fake().calls("views.publish", since=mark)
                     if c["outcome"] == "ok" and c["args"]["user_id"] == user]
            return calls[-1] if calls else None
        return all_text(wait_until(f"views.publish for {user}", published, timeout=5)["args"]["view"]["blocks"])

    def test_private_incident_stays_in_its_private_channel(self):
        mark = fake().last_seq()
        secret = "Vault tokens leaked " + uuid.uuid4().hex[:6]
        answer = self.w.command(f"declare private P1 {secret}")
        n = incident_number(answer)
        public_twin = self.declare("Checkout is slow", sev="P2")  # announced, for contrast

        def private_channel():
            return next((c for c in fake().state()["channels"]
                         if c["name"].startswith("incident-") and "vault-tokens-leaked" in c["name"]
                         and c["pins"]), None)
        ch = wait_until("the private channel with its pinned summary", private_channel)
        self.assertTrue(ch["is_private"], ch)
        creates = [c for c in fake().calls("conversations.create", since=mark)
                   if "vault-tokens-leaked" in c["args"]["name"]]
        self.assertEqual(len(creates), 1, creates)
        self.assertIn(creates[0]["args"]["is_private"], (True, "true", "1"), creates[0]["args"])

        # The escalation channel hears there is one, and whom to ask; never what it is.
        notice = self.wait_post("C0ESCALATIONS", lambda t: f"INC-{n}" in t, "the private notice")
        self.assertIn("private P1 incident", msg_text(notice))
        self.assertIn("W111", msg_text(notice))

        # Its members work as usual; the rest of the workspace does not see it.
        self.w.command("ack", "W111", ch)
        self.w.command("commander <@W222>", "W111", ch)
        self.w.command(f"update impact: {secret} for some", "W222", ch)
        self.w.command("severity P0", "W222", ch)  # an upgrade: announced for a public incident
        self.assertIn(secret, answer_text(self.w.command("list", "W111")))
        self.assertIn(secret, answer_text(self.w.command("list", "W222")))
        outsider = answer_text(self.w.command("list", "W333"))
        self.assertNotIn(secret, outsider)
        self.assertNotIn(f"INC-{n}", outsider)
        refused = answer_text(self.w.command(f"show INC-{n}", "W333"))
        self.assertRegex(refused, rf"INC-{n} is private")
        self.assertNotIn(secret, refused)
        self.assertNotIn(secret, answer_text(self.w.command(f"followup INC-{n} look at logs", "W333")))
        self.assertNotIn(secret, self.home_for("W333"))
        self.assertIn(secret, self.home_for("W222"))

        self.w.command(f"followup rotate the root token owner <@W222> due tomorrow", "W111", ch)
        self.w.command("resolve rotated every token", "W222", ch)
        self.w.command(f"reopen INC-{n}", "W111")
        self.w.command("resolve", "W111", ch)
        self.w.quiet()

        # Every post, edit and ephemeral of the run outside the private channel: not a word of it.
        checked = 0
        for call in fake().calls(since=mark):
            if call["method"] not in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
                continue
            if call["args"].get("channel") == ch["id"]:
                continue
            checked += 1
            dump = json.dumps(call["args"])
            self.assertNotIn("Vault tokens", dump, f"{call['method']} to {call['args'].get('channel')}")
            self.assertNotIn("rotate the root token", dump)
        self.assertGreater(checked, 2, "the public incident's announcements were posted too")
        for c in fake().state()["channels"]:
            if c["id"] == ch["id"]:
                continue
            for m in c["messages"]:
                self.assertNotIn("Vault tokens", json.dumps(m), f"a message in #{c['name']}")
        # The public incident was announced as usual.
        self.assertTrue(any(f"INC-{public_twin[0]}" in msg_text(m) for m in fake().messages("C0INCIDENTS")))
        self.assertFalse(any(f"INC-{n}" in msg_text(m) for m in fake().messages("C0INCIDENTS")))


class ArchiveTests(harness.ServeCase):
    config = CONFIG

    def test_resolved_channel_is_archived_then_reopen_unarchives_it_first(self):
        n, ch, _ = self.declare("Typo on the pricing page", sev="P3")
        cid = ch["id"]
        before = len(fake().messages(cid))
        self.w.command("resolve fixed the typo", "W111", ch)
        wait_until("the channel archived", lambda: fake().channel(cid=cid)["is_archived"], timeout=harness.WAIT)
        last = fake().messages(cid)[-1]
        self.assertRegex(msg_text(last), r"archived after \d+s resolved")
        self.assertIn(f"/incident reopen INC-{n}", msg_text(last))
        self.assertGreater(len(fake().messages(cid)), before)
        archives = [c for c in fake().calls("conversations.archive") if c["args"].get("channel") == cid]
        self.assertEqual([c["outcome"] for c in archives], ["ok"], archives)

        mark = fake().last_seq()
        self.w.command(f"reopen INC-{n}", "W111")  # from elsewhere: nobody can type in an archived channel
        self.wait_post(cid, lambda t: re.search(r"(?i)reopened", t), "the reopen post in the channel")
        self.assertFalse(fake().channel(cid=cid)["is_archived"])
        calls = [c for c in fake().calls(since=mark) if c["args"].get("channel") == cid]
        self.assertEqual(calls[0]["method"], "conversations.unarchive", [c["method"] for c in calls])
        self.assertEqual(calls[0]["outcome"], "ok")
        # Nothing meant for the channel died on is_archived.
        self.assertFalse([c for c in fake().calls(since=mark) if c["outcome"] == "is_archived"])
        # Resolved again, it is archived again.
        self.w.command("resolve", "W111", ch)
        wait_until("the channel archived again", lambda: fake().channel(cid=cid)["is_archived"], timeout=harness.WAIT)

    def test_archive_waits_for_a_follow_up_due_within_a_day(self):
        n, ch, _ = self.declare("Stale cache on search", sev="P3")
        cid = ch["id"]
        self.w.command("followup purge the cache nightly owner <@W222> due today", "W111", ch)
        self.w.command("resolve", "W111", ch)
        waiting = self.wait_post(cid, lambda t: "Not archiving this channel yet" in t, "why it waits")
        self.assertIn("W222", msg_text(waiting))
        time.sleep(1)
        self.assertFalse(fake().channel(cid=cid)["is_archived"])
        self.assertFalse([c for c in fake().calls("conversations.archive") if c["args"].get("channel") == cid])


if __name__ == "__main__":
    harness.run_suite("test_private.py")
