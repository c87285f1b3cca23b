#!/usr/bin/env python3
"""Buttons, their modals and the live pinned summary: `warroom serve` against the fake Slack.

Usage: python3 tests/integration/test_buttons.py build/warroom

Clicks are sent as Slack sends them (a signed form with a `payload` field holding block_actions
or view_submission JSON); what warroom does is read back from the fake: posts, the pinned
summary edited in place (chat.update), modals opened (views.open) and the answers only the
clicker sees (response_url or chat.postEphemeral).
"""

import json
import os
import sys
import unittest
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_serve as harness  # noqa: E402
from test_serve import all_text, msg_text, wait_until  # noqa: E402

# Only the posts matter here, not Slack's one-a-second pace.
os.environ["WARROOM_SLACK_PACE"] = "10"


setUpModule = harness.start_own_fake
tearDownModule = harness.stop_own_fake


def fake():
    return harness.FAKE


def buttons_of(message):
    """action_id -> button element, over every actions block of a message."""
    found = {}
    for block in message.get("blocks") or []:
        if block.get("type") == "actions":
            for el in block.get("elements", []):
                found[el.get("action_id")] = el
    return found


class ButtonCase(harness.ServeCase):
    def setUp(self):
        self.n, self.ch, _ = self.declare(f"Checkout is down {uuid.uuid4().hex[:6]}", sev="P2")
        self.cid = self.ch["id"]

    # -- what Slack sends ----------------------------------------------------------------------
    def send_payload(self, payload):
        body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
        status, _, answer = self.w.send(body, "application/x-www-form-urlencoded")
        self.assertEqual(status, 200, answer)
        return answer

    def click(self, action_id, value=None, user="W111", channel=None, trigger=None):
        """Presses a button; returns (the HTTP answer, the response_url id, the trigger_id)."""
        rid = uuid.uuid4().hex
        trigger = trigger or f"{uuid.uuid4().int % 10**9}.222.{uuid.uuid4().hex[:8]}"
        payload = {
            "type": "block_actions", "user": {"id": user, "username": "x", "team_id": "T111"},
            "api_app_id": "A111", "team": {"id": "T111", "domain": "warroom-test"},
            "container": {"type": "message", "message_ts": "1.2", "channel_id": channel or self.cid,
                          "is_ephemeral": False},
            "channel": {"id": channel or self.cid, "name": "incident"},
            "trigger_id": trigger, "response_url": f"{fake().base}/response/{rid}",
            "actions": [{"action_id": action_id, "block_id": "b", "value": str(value or self.n), "type": "button",
                         "action_ts": "1596530385.194939"}],
        }
        return self.send_payload(payload), rid, trigger

    def submit(self, view, values, user="W111", view_id=None):
        """Submits an opened view with {block_id: element state}; returns the HTTP answer."""
        payload = {"type": "view_submission", "team": {"id": "T111"}, "user": {"id": user}, "api_app_id": "A111",
                   "trigger_id": "1.2.x",
                   "view": {"id": view_id or view["id"], "type": "modal", "callback_id": view["callback_id"],
                            "private_metadata": view.get("private_metadata", ""),
                            "state": {"values": {k: {k: v} for k, v in values.items()}}}}
        return self.send_payload(payload)

    # -- what the clicker and the channel see --------------------------------------------------
    def told(self, rid, what):
        """The clicker's answer through response_url `rid`: its text."""
        def answered():
            got = [c for c in fake().calls("response_url") if c["args"].get("id") == rid]
            return got or None
        body = wait_until(what, answered)[0]["args"]["body"]
        self.assertEqual(body.get("response_type"), "ephemeral", body)
        self.assertFalse(body.get("replace_original"), "the clicked message must stay as it is")
        return all_text(body)

    def told_in_channel(self, user, needle, since):
        def said():
            for c in fake().calls("chat.postEphemeral", since=since):
                if c["args"].get("user") == user and needle in all_text(c["args"]):
                    return c
            return None
        return wait_until(f"an ephemeral answer to {user} saying {needle!r}", said)

    def opened(self, trigger):
        """The modal Slack showed for the click with `trigger` (its trigger_id lives 3 s)."""
        def shown():
            got = [v for v in fake().state()["views"] if v.get("trigger_id") == trigger]
            return got or None
        try:
            return wait_until("views.open with the click's trigger_id", shown, timeout=3)[0]["view"]
        except AssertionError as e:
            raise AssertionError(f"{e}\ncalls: {fake().calls('views.open')}{self.fail_info()}")

    def summary(self):
        """The pinned summary as it is now in the fake (after any chat.update)."""
        ch = fake().channel(cid=self.cid)
        self.assertEqual(len(ch["pins"]), 1, "exactly one pinned summary")
        return next(m for m in ch["messages"] if m["ts"] == ch["pins"][0])

    def wait_summary(self, pred, what):
        def matching():
            m = self.summary()
            return m if pred(m) else None
        try:
            return wait_until(what, matching)
        except AssertionError as e:
            raise AssertionError(f"{e}\nsummary now: {msg_text(self.summary())}{self.fail_info()}")

    def count_posts(self, needle):
        """Posts in the incident channel mentioning `needle`, the pinned summary (which shows
        the last update) aside."""
        pins = fake().channel(cid=self.cid)["pins"]
        return sum(1 for m in fake().messages(self.cid) if needle in msg_text(m) and m["ts"] not in pins)


class AnnouncementButtons(ButtonCase):
    def test_the_announcement_carries_acknowledge_and_join(self):
        ann = [m for m in fake().channel(name="incidents")["messages"] if f"INC-{self.n}" in msg_text(m)]
        self.assertEqual(len(ann), 1)
        buttons = buttons_of(ann[0])
        self.assertEqual({"warroom_ack", "warroom_join"}, set(buttons) & {"warroom_ack", "warroom_join"})
        self.assertEqual(buttons["warroom_ack"]["value"], str(self.n))

    def test_acknowledge_acks_once_and_answers_only_the_clicker(self):
        mark = fake().last_seq()
        answer, rid, _ = self.click("warroom_ack", user="W222", channel="C0INCIDENTS")
        self.assertEqual(answer, "", "a click is acknowledged with an empty 200")
        self.assertRegex(self.told(rid, "the acknowledgement answer"), rf"INC-{self.n}")
        self.wait_post(self.cid, lambda t: "acknowledged" in t.lower() and "W222" in t, "the acknowledgement post")
        self.wait_summary(lambda m: "W222" in msg_text(m), "the summary naming the new commander")

        # A second click (a double click, or someone else a moment later) changes nothing.
        _, again, _ = self.click("warroom_ack", user="W111", channel="C0INCIDENTS")
        self.assertRegex(self.told(again, "the second click's answer"), r"(?i)already acknowledged")
        self.w.quiet()
        self.assertEqual(self.count_posts("acknowledged"), 1)
        self.assertEqual([c for c in fake().calls("chat.postMessage", since=mark)
                          if c["args"].get("channel") == "C0INCIDENTS"], [], "nothing new in #incidents")

    def test_join_invites_the_clicker(self):
        mark = fake().last_seq()
        _, rid, _ = self.click("warroom_join", user="W222", channel="C0INCIDENTS")
        self.assertIn(self.cid, self.told(rid, "the join answer"))
        wait_until("W222 invited", lambda: [c for c in fake().calls("conversations.invite", since=mark)
                                            if "W222" in c["args"].get("users", "")] or None)
        wait_until("W222 in the channel", lambda: "W222" in fake().channel(cid=self.cid)["members"])

    def test_a_button_for_an_incident_that_does_not_exist(self):
        _, rid, _ = self.click("warroom_ack", value="98765", channel="C0INCIDENTS")
        self.assertIn("INC-98765", self.told(rid, "the unknown-incident answer"))


class SummaryButtons(ButtonCase):
    def test_the_summary_has_the_four_buttons_and_resolve_asks_first(self):
        buttons = buttons_of(self.summary())
        for b in ("warroom_update", "warroom_severity", "warroom_role", "warroom_resolve"):
            self.assertIn(b, buttons)
            self.assertEqual(buttons[b]["value"], str(self.n))
        self.assertIn("confirm", buttons["warroom_resolve"], "Resolve asks for confirmation")

    def test_post_update_opens_the_form_and_its_submission_posts_and_updates_the_pin(self):
        pinned_ts = self.summary()["ts"]
        _, rid, trigger = self.click("warroom_update")
        view = self.opened(trigger)
        self.assertEqual(view["callback_id"], "warroom_update")
        mark = fake().last_seq()
        answer = self.submit(view, {
            "status": {"type": "static_select", "selected_option": {"value": "mitigating"}},
            "text": {"type": "plain_text_input", "value": "failing over to the replica"},
            "impact": {"type": "plain_text_input", "value": "EU checkout fails"},
            "next": {"type": "plain_text_input", "value": None},
            "eta": {"type": "plain_text_input", "value": "30m"},
        })
        self.assertEqual(answer, "", "an empty 200 closes the modal")
        self.wait_post(self.cid, lambda t: "mitigating" in t, "the status post")
        self.wait_post(self.cid, lambda t: "failing over to the replica" in t and "EU checkout fails" in t,
                       "the update post with its sections")
        self.told_in_channel("W111", "Update posted", mark)
        summary = self.wait_summary(lambda m: "mitigating" in msg_text(m) and "failing over" in msg_text(m),
                                    "the pinned summary showing the new status and the update")
        self.assertEqual(summary["ts"], pinned_ts, "edited in place, not posted again")
        self.assertTrue(fake().calls("chat.update", since=mark))

    def test_a_form_submitted_twice_posts_once(self):
        _, _, trigger = self.click("warroom_update")
        view = self.opened(trigger)
        text = f"double submit {uuid.uuid4().hex[:6]}"
        values = {"status": {"type": "static_select", "selected_option": {"value": "investigating"}},
                  "text": {"type": "plain_text_input", "value": text}}
        self.submit(view, values)
        self.submit(view, values)
        self.wait_post(self.cid, lambda t: text in t, "the update")
        self.w.quiet()
        self.assertEqual(self.count_posts(text), 1)

    def test_an_empty_update_form_is_refused_under_the_field(self):
        _, _, trigger = self.click("warroom_update")
        view = self.opened(trigger)
        mark = fake().last_seq()
        answer = json.loads(self.submit(view, {
            "status": {"type": "static_select", "selected_option": {"value": "investigating"}},
            "text": {"type": "plain_text_input", "value": "  "}}))
        self.assertEqual(answer["response_action"], "errors")
        self.assertIn("text", answer["errors"])
        self.w.quiet()
        self.assertEqual(fake().calls("chat.postMessage", since=mark), [])

    def test_change_severity_through_its_form(self):
        _, _, trigger = self.click("warroom_severity")
        view = self.opened(trigger)
        self.assertEqual(view["callback_id"], "warroom_severity")
        self.submit(view, {"severity": {"type": "static_select", "selected_option": {"value": "P1"}}})
        self.wait_post(self.cid, lambda t: "P1" in t and "P2" in t, "the severity change post")
        self.wait_summary(lambda m: "P1" in msg_text(m) and "P2" not in msg_text(m), "the summary showing P1")

    def test_assign_role_through_its_form(self):
        _, _, trigger = self.click("warroom_role")
        view = self.opened(trigger)
        self.submit(view, {"role": {"type": "static_select", "selected_option": {"value": "tech-lead"}},
                           "user": {"type": "users_select", "selected_user": "W333"}})
        wait_until("W333 in the channel", lambda: "W333" in fake().channel(cid=self.cid)["members"])
        self.wait_summary(lambda m: "W333" in msg_text(m), "the summary naming the tech lead")

    def test_an_expired_trigger_says_to_press_again(self):
        _, rid, trigger = self.click("warroom_severity", trigger=f"1.2.expired-{uuid.uuid4().hex[:6]}")
        self.assertRegex(self.told(rid, "the expired-trigger answer"), r"(?i)press the button again")

    def test_resolve_then_the_stale_buttons_refuse_politely(self):
        _, rid, _ = self.click("warroom_resolve")
        self.assertRegex(self.told(rid, "the resolve answer"), rf"INC-{self.n} resolved")
        self.wait_summary(lambda m: "resolved" in msg_text(m).lower() and not buttons_of(m),
                          "the summary saying resolved, without buttons")
        mark = fake().last_seq()
        _, again, trigger = self.click("warroom_update")
        self.assertRegex(self.told(again, "the stale button's answer"), rf"INC-{self.n} is resolved")
        self.assertEqual([c for c in fake().calls("views.open", since=mark) if c["args"].get("trigger_id") == trigger],
                         [], "no form for a resolved incident")
        _, twice, _ = self.click("warroom_resolve")
        self.assertRegex(self.told(twice, "the second resolve's answer"), r"(?i)resolved")
        self.w.quiet()
        self.assertEqual(self.count_posts("Resolved by"), 1)


class ShortcutTests(ButtonCase):
    def test_the_global_shortcut_opens_the_declare_form(self):
        trigger = f"9.9.{uuid.uuid4().hex[:8]}"
        self.send_payload({"type": "shortcut", "token": "t", "action_ts": "1.2", "team": {"id": "T111"},
                           "user": {"id": "W111"}, "callback_id": "warroom_declare", "trigger_id": trigger})
        view = self.opened(trigger)
        self.assertEqual(view["callback_id"], "warroom_declare")


RESTRICTED = "resolve_requires_role = true\n" + harness.CONFIG


class RestrictedResolve(ButtonCase):
    config = RESTRICTED

    def test_only_a_role_holder_may_resolve(self):
        self.w.command(f"commander INC-{self.n} <@W111>")
        self.w.quiet()
        _, rid, _ = self.click("warroom_resolve", user="W222")
        self.assertRegex(self.told(rid, "the refusal"), r"W111")  # says who can
        self.w.quiet()
        self.assertEqual(self.count_posts("Resolved by"), 0, "a refused resolve changes nothing")
        _, ok, _ = self.click("warroom_resolve", user="W111")
        self.assertRegex(self.told(ok, "the commander's resolve"), rf"INC-{self.n} resolved")
        self.wait_post(self.cid, lambda t: "Resolved by" in t, "the resolution post")


PUBLIC_PAGE = "public_updates_need_approval = true\n" + harness.CONFIG + """
[[components]]
name = "API"
"""


class PublicUpdateButtons(ButtonCase):
    """With a status page and approval: the summary's Public update form, a draft's Publish and Edit."""
    config = PUBLIC_PAGE

    def test_public_update_form_drafts_and_only_the_commander_publishes(self):
        self.w.command(f"commander INC-{self.n} <@W111>")
        self.wait_summary(lambda m: "warroom_public_update" in buttons_of(m), "the summary's Public update button")

        # W222 opens the form from the summary: prefilled from the template; the submission is a draft.
        _, _, trigger = self.click("warroom_public_update", user="W222")
        view = self.opened(trigger)
        self.assertEqual(view["callback_id"], "warroom_public_update")
        prefilled = next(b for b in view["blocks"] if b.get("block_id") == "text")["element"]["initial_value"]
        self.assertIn("We are investigating", prefilled)
        answer = self.submit(view, {
            "phase": {"type": "static_select", "selected_option": {"value": "identified"}},
            "text": {"type": "plain_text_input", "value": "Card payments fail for some customers."},
            "impact": {"type": "plain_text_input", "value": None},
            "workaround": {"type": "plain_text_input", "value": "Pay by wallet."},
            "next_update": {"type": "plain_text_input", "value": "within 30 minutes"},
        }, user="W222")
        self.assertEqual(answer, "", "an empty 200 closes the modal")
        draft = self.wait_post(self.cid, lambda t: "Draft public update" in t and "Pay by wallet." in t, "the draft")
        drafts = [m for m in fake().messages(self.cid) if "Draft public update" in msg_text(m)]
        self.assertIn("warroom_publish", buttons_of(drafts[-1]))
        self.assertIn("warroom_public_update", buttons_of(drafts[-1]))

        # Edit opens the form holding the draft.
        _, _, trigger = self.click("warroom_public_update", user="W222")
        edit = self.opened(trigger)
        text = next(b for b in edit["blocks"] if b.get("block_id") == "text")["element"]["initial_value"]
        self.assertIn("Card payments fail for some customers.", text)

        # Its writer cannot publish it; the commander can, once.
        _, rid, _ = self.click("warroom_publish", user="W222")
        self.assertRegex(self.told(rid, "the refusal"), r"W111")
        self.assertEqual(self.count_posts("Public update on the status page"), 0)
        _, rid, _ = self.click("warroom_publish", user="W111")
        self.assertIn("Published on the status page", self.told(rid, "the commander's publish"))
        self.wait_post(self.cid, lambda t: "Public update on the status page" in t and "Pay by wallet." in t,
                       "the published update in the channel")
        _, rid, _ = self.click("warroom_publish", user="W111")
        self.assertIn("no draft public update", self.told(rid, "nothing left to publish"))
        self.w.quiet()
        self.assertEqual(self.count_posts("Public update on the status page"), 1)


if __name__ == "__main__":
    harness.run_suite("test_buttons.py")
