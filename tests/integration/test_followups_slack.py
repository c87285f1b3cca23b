#!/usr/bin/env python3
"""Follow-ups through Slack: `warroom serve` against the fake Slack.

Usage: python3 tests/integration/test_followups_slack.py build/warroom

"Add as follow-up" on a message (a message_action payload, signed as Slack signs it) opens
the follow-up form, whose submission adds the follow-up; outside an incident channel the
clicker alone is told it works only there. The resolution post's Follow-up button opens the
same form. A due reminder reaches the owner in the incident channel and in a direct message
(conversations.open, then chat.postMessage); without im:write (missing_scope) it is said once
in the log and the channel reminder still goes out. A weekly digest missed while warroom was
down is posted once when it is back.
"""

import datetime
import os
import sqlite3
import sys
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_serve as harness  # noqa: E402
import test_buttons as buttons  # noqa: E402
from test_serve import msg_text, wait_until  # noqa: E402

os.environ["WARROOM_SLACK_PACE"] = "10"

setUpModule = harness.start_own_fake
tearDownModule = harness.stop_own_fake

# Reminders wait for working hours: every hour of every day is one here, so the test does not
# depend on when it runs.
CONFIG = harness.CONFIG + """
[working_hours]
days = "Mon-Sun"
hours = "00:00-24:00"
timezone = "UTC"
"""


def fake():
    return harness.FAKE


class FollowupCase(buttons.ButtonCase):
    config = CONFIG

    def message_action(self, text, channel=None, user="W111", callback_id="warroom_followup"):
        """"Add as follow-up" on a message, as Slack sends it; returns (answer, response_url id, trigger)."""
        rid = uuid.uuid4().hex
        trigger = f"{uuid.uuid4().int % 10**9}.222.{uuid.uuid4().hex[:8]}"
        cid = channel or self.cid
        payload = {
            "type": "message_action", "token": "legacy", "action_ts": f"{time.time():.6f}",
            "team": {"id": "T111", "domain": "warroom-test"}, "user": {"id": user, "name": "alice"},
            "channel": {"id": cid, "name": "some-channel"}, "is_enterprise_install": False,
            "callback_id": callback_id, "trigger_id": trigger, "message_ts": "1599000000.000100",
            "response_url": f"{fake().base}/response/{rid}",
            "message": {"type": "message", "user": "W222", "ts": "1599000000.000100", "text": text},
        }
        return self.send_payload(payload), rid, trigger

    def followups(self, query=""):
        return harness.answer_text(self.w.command(f"followups {query}".strip(), channel={"id": self.cid, "name": "x"}))

    def home_of(self, user):
        """The App Home published when `user` opens it: its text."""
        mark = fake().last_seq()
        event = {"token": "t", "team_id": "T111", "api_app_id": "A111", "type": "event_callback",
                 "event_id": "Ev" + uuid.uuid4().hex[:10].upper(), "event_time": int(time.time()),
                 "event": {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home",
                           "event_ts": f"{time.time():.6f}"},
                 "authorizations": [{"team_id": "T111", "user_id": "U0BOT", "is_bot": True}]}
        self.assertEqual(self.w.event(event)[0], 200)

        def published():
            calls = [c for c in fake().calls("views.publish", since=mark)
                     if c["outcome"] == "ok" and c["args"].get("user_id") == user]
            return calls[-1] if calls else None
        view = wait_until(f"views.publish for {user}", published)["args"]["view"]
        text = harness.all_text(view["blocks"])
        self.assertIn("Your follow-ups", text)
        return text

    def dms_to(self, user):
        for c in fake().state()["channels"]:
            if c.get("is_im") and c.get("user") == user:
                return c["messages"]
        return []


class AddAsFollowup(FollowupCase):
    def test_the_shortcut_opens_the_form_on_the_message_and_its_submission_adds_it(self):
        answer, _, trigger = self.message_action("retry storms &amp; no backoff on <@W333>'s service")
        self.assertEqual(answer, "", "a plain 200 at once; the form opens after it")
        view = self.opened(trigger)
        self.assertEqual(view["callback_id"], "warroom_followup")
        blocks = {b.get("block_id"): b for b in view["blocks"]}
        self.assertEqual(blocks["text"]["element"]["initial_value"], "retry storms & no backoff on <@W333>'s service")
        self.assertEqual(blocks["owner"]["element"]["initial_user"], "W111")
        self.assertEqual(blocks["due"]["element"]["type"], "datepicker")

        due = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
        values = {"text": {"type": "plain_text_input", "value": "Add backoff to the retry loop"},
                  "owner": {"type": "users_select", "selected_user": "W222"},
                  "due": {"type": "datepicker", "selected_date": due}}
        self.assertEqual(self.submit(view, values, view_id="VFOLLOW1"), "")
        self.wait_post(self.cid, lambda t: "added follow-up" in t and "Add backoff to the retry loop" in t,
                       "the follow-up's post in the incident channel")
        # A double submit carries the same view id: still one follow-up.
        self.submit(view, values, view_id="VFOLLOW1")
        self.w.quiet()
        listed = self.followups(f"INC-{self.n}")
        self.assertIn(f"*Follow-ups of INC-{self.n}* (1)", listed)
        self.assertIn("Add backoff to the retry loop", listed)
        self.assertIn("<@W222>", listed)
        # The owner is invited, so the reminders' mentions reach them.
        self.assertIn("W222", fake().channel(cid=self.cid)["members"])
        # And it is on their App Home, under "Your follow-ups"; not on someone else's.
        self.assertIn("Add backoff to the retry loop", self.home_of("W222"))
        self.assertNotIn("Add backoff to the retry loop", self.home_of("W333"))

    def test_an_empty_form_stays_open_with_the_errors(self):
        _, _, trigger = self.message_action("x")
        view = self.opened(trigger)
        answer = self.submit(view, {"text": {"type": "plain_text_input", "value": " "},
                                    "owner": {"type": "users_select", "selected_user": None}})
        errors = harness.json.loads(answer)
        self.assertEqual(errors["response_action"], "errors")
        self.assertEqual(set(errors["errors"]), {"text", "owner"})

    def test_outside_an_incident_channel_only_the_clicker_is_told(self):
        since = fake().last_seq()
        _, rid, trigger = self.message_action("lunch?", channel="C0GENERAL")
        self.assertIn("only in an incident", self.told(rid, "the refusal"))
        self.assertEqual(fake().calls("views.open", since=since), [])
        self.assert_no_new_posts(since)

    def test_the_resolution_post_carries_a_follow_up_button_that_opens_the_form(self):
        self.w.command(f"resolve INC-{self.n} rolled back")
        self.w.quiet()
        resolved = [m for m in fake().messages(self.cid) if "warroom_followup" in buttons.buttons_of(m)]
        self.assertEqual(len(resolved), 1, [msg_text(m)[:200] for m in fake().messages(self.cid)])
        self.assertEqual(buttons.buttons_of(resolved[0])["warroom_followup"]["value"], str(self.n))
        _, _, trigger = self.click("warroom_followup")
        view = self.opened(trigger)
        self.assertEqual(view["callback_id"], "warroom_followup")
        self.assertEqual(harness.json.loads(view["private_metadata"])["incident"], self.n)
        blocks = {b.get("block_id"): b for b in view["blocks"]}
        self.assertNotIn("initial_value", blocks["text"]["element"])
        self.submit(view, {"text": {"type": "plain_text_input", "value": "Write the post-mortem"},
                           "owner": {"type": "users_select", "selected_user": "W111"}})
        self.wait_post(self.cid, lambda t: "Write the post-mortem" in t, "the follow-up of a resolved incident")


class DirectMessageReminders(FollowupCase):
    def make_due_now(self):
        """Stops warroom and makes every open follow-up due today with its reminder due now."""
        self.w.quiet()
        self.w.stop()
        today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
        db = sqlite3.connect(self.w.db)
        with db:
            db.execute("UPDATE followups SET due = ?, remind_at = ? WHERE state = 'open'",
                       (today, int(time.time()) - 60))
        db.close()

    def test_the_owner_is_reminded_in_the_channel_and_in_a_direct_message(self):
        self.w.command(f"followup INC-{self.n} Rotate the leaked key owner <@W333>",
                       channel={"id": self.cid, "name": "x"})
        self.make_due_now()
        self.w.start()
        self.wait_post(self.cid, lambda t: ":alarm_clock:" in t and "Rotate the leaked key" in t and "<@W333>" in t,
                       "the reminder in the incident channel")
        dm = wait_until("the reminder in W333's direct messages", lambda: self.dms_to("W333") or None)
        self.assertIn("Your follow-up", msg_text(dm[0]))
        self.assertIn("Rotate the leaked key", msg_text(dm[0]))
        opened = fake().calls("conversations.open")
        self.assertEqual(opened[-1]["args"].get("users"), "W333")
        self.assertEqual(self.dms_to("W111"), [])

    def test_without_im_write_the_channel_reminder_still_goes_out_and_it_is_said_once(self):
        for text in ("Rotate key one", "Rotate key two"):
            self.w.command(f"followup INC-{self.n} {text} owner <@W444>", channel={"id": self.cid, "name": "x"})
        all_scopes = fake().post("config", {})["scopes"]
        self.assertIn("im:write", all_scopes)
        fake().post("config", {"scopes": [s for s in all_scopes if s != "im:write"]})
        try:
            self.make_due_now()
            since = fake().last_seq()
            self.w.start()
            for text in ("Rotate key one", "Rotate key two"):
                self.wait_post(self.cid, lambda t, text=text: ":alarm_clock:" in t and text in t,
                               f"the channel reminder of {text!r}")
            self.w.quiet()
            self.assertEqual(self.dms_to("W444"), [])
            opens = fake().calls("conversations.open", since=since)
            self.assertEqual(len(opens), 1, "after missing_scope no more direct messages are tried")
            self.assertEqual(opens[0]["outcome"], "missing_scope", opens[0])
            self.assertEqual(self.w.logs().count("im:write"), 1, self.w.logs())
            self.assertEqual(self.w.outbox().get("dead", 0), 0, "a skipped direct message is no dead letter")
        finally:
            fake().post("config", {"scopes": all_scopes})


class WeeklyDigest(FollowupCase):
    config = 'followup_digest_channel = "eng-followups"\nfollowup_digest_at = "mon 09:00"\n' + CONFIG

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        fake().post("channel", {"name": "eng-followups", "id": "C0FOLLOWUPS", "bot_member": False,
                                "members": ["W111"]})

    def digest_at(self):
        db = sqlite3.connect(self.w.db)
        try:
            row = db.execute("SELECT value FROM counters WHERE name = 'followup_digest_at'").fetchone()
            return row[0] if row else None
        finally:
            db.close()

    def test_a_digest_missed_while_down_is_posted_once_and_the_next_is_a_week_ahead(self):
        self.w.command(f"followup INC-{self.n} Document the failover owner <@W222>",
                       channel={"id": self.cid, "name": "x"})
        self.w.quiet()
        armed = wait_until("the digest armed on the first timer pass", self.digest_at)
        self.assertGreater(armed, time.time())
        self.assertLessEqual(armed, time.time() + 7 * 86400)
        self.assertEqual(fake().messages("C0FOLLOWUPS"), [])
        # warroom is down when it comes due.
        self.w.stop()
        db = sqlite3.connect(self.w.db)
        with db:
            db.execute("UPDATE counters SET value = ? WHERE name = 'followup_digest_at'",
                       (int(time.time()) - 3 * 7 * 86400,))
        db.close()
        self.w.start()
        post = self.wait_post("C0FOLLOWUPS", lambda t: "Follow-ups this week" in t and "Document the failover" in t,
                              "the digest in #eng-followups")
        self.assertIn("<@W222>", msg_text(post))
        self.w.quiet()
        self.assertGreater(self.digest_at(), time.time())
        # Restarted again: nothing more until next week.
        self.w.stop()
        self.w.start()
        self.w.quiet()
        digests = [m for m in fake().messages("C0FOLLOWUPS") if "Follow-ups this week" in msg_text(m)]
        self.assertEqual(len(digests), 1)


if __name__ == "__main__":
    harness.run_suite("test_followups_slack.py")
