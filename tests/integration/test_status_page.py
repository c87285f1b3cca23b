#!/usr/bin/env python3
"""The public status page of a real `warroom serve` (WARROOM_STATUS_LISTEN) during a scripted
incident: declared through Slack, it shows on the page within a second; internal updates never do;
resolved, it moves to history; an injection attempt in the title is shown as text; the JSON has
Statuspage's shape and the feed is Atom.

Usage: python3 tests/integration/test_status_page.py build/warroom   (or WARROOM_BINARY=build/warroom)
Standard library only; the fake Slack and process helpers come from test_serve.py.
"""

import json
import os
import re
import sys
import tempfile
import time
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_serve as harness  # noqa: E402

ATOM = "{http://www.w3.org/2005/Atom}"
INJECTION = "<script>alert('x')</script><img src=x onerror=alert(1)>&amp;"
SECRET_UPDATE = "root cause: db-7 creds leaked by contractor"

CONFIG = harness.CONFIG + """
[status_page]
name = "Acme"
url = "https://status.example.com"
groups = ["Core"]

[[components]]
name = "API"
group = "Core"
description = "The public REST API"

[[components]]
name = "Checkout"
group = "Core"

[[components]]
name = "Docs"
"""

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
COMPONENT_STATUSES = {"operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"}


def check_statuspage_shape(test, doc, summary=True):
    """Atlassian Statuspage's published v2 shape: keys and their types."""
    def typed(obj, key, *types):
        test.assertIn(key, obj)
        test.assertIsInstance(obj[key], types, f"{key}: {obj[key]!r}")

    def time_or_null(obj, key):
        test.assertIn(key, obj)
        if obj[key] is not None:
            test.assertRegex(obj[key], ISO)

    typed(doc, "page", dict)
    for key in ("id", "name", "url", "time_zone", "updated_at"):
        typed(doc["page"], key, str)
    test.assertRegex(doc["page"]["updated_at"], ISO)
    typed(doc, "status", dict)
    test.assertIn(doc["status"]["indicator"], {"none", "minor", "major", "critical", "maintenance"})
    typed(doc["status"], "description", str)
    if not summary:
        test.assertEqual(set(doc), {"page", "status"})
        return
    typed(doc, "components", list)
    typed(doc, "incidents", list)
    typed(doc, "scheduled_maintenances", list)
    for c in doc["components"]:
        for key in ("id", "name", "status", "created_at", "updated_at", "page_id"):
            typed(c, key, str)
        typed(c, "position", int)
        for key in ("group", "only_show_if_degraded", "showcase"):
            typed(c, key, bool)
        test.assertIn(c["status"], COMPONENT_STATUSES)
        test.assertTrue(c["description"] is None or isinstance(c["description"], str))
        test.assertTrue(c["group_id"] is None or isinstance(c["group_id"], str))
        test.assertEqual(c["page_id"], doc["page"]["id"])
    for i in doc["incidents"]:
        for key in ("id", "name", "status", "created_at", "updated_at", "impact", "shortlink", "page_id"):
            typed(i, key, str)
        test.assertIn(i["status"], {"investigating", "identified", "monitoring", "resolved", "postmortem"})
        test.assertIn(i["impact"], {"none", "minor", "major", "critical", "maintenance"})
        for key in ("monitoring_at", "resolved_at", "started_at"):
            time_or_null(i, key)
        typed(i, "incident_updates", list)
        typed(i, "components", list)
        for u in i["incident_updates"]:
            for key in ("id", "status", "body", "incident_id", "created_at", "updated_at"):
                typed(u, key, str)
            test.assertEqual(u["incident_id"], i["id"])
            # Statuspage's affected_components: null, or code/name/old_status/new_status per component.
            affected = u["affected_components"]
            test.assertTrue(affected is None or isinstance(affected, list), affected)
            codes = {c["id"] for c in doc["components"]}
            for c in affected or []:
                test.assertEqual(set(c), {"code", "name", "old_status", "new_status"})
                test.assertIn(c["code"], codes)
                test.assertIn(c["old_status"], COMPONENT_STATUSES)
                test.assertIn(c["new_status"], COMPONENT_STATUSES)


class StatusWarroom(harness.Warroom):
    def start(self):
        self.status_port = harness.free_port()
        self.status_url = f"http://127.0.0.1:{self.status_port}"
        self.extra_env = {"WARROOM_STATUS_LISTEN": f"127.0.0.1:{self.status_port}"}
        return super().start()

    def page(self, path="/", headers=None):
        return harness.http("GET", self.status_url + path, headers=headers)

    def json(self, path):
        status, headers, body = self.page(path)
        assert status == 200, (path, status, body)
        return json.loads(body)


class StatusPageTests(harness.ServeCase):
    config = CONFIG

    @classmethod
    def setUpClass(cls):
        harness.FAKE.post("reset")
        cls.tmp = tempfile.TemporaryDirectory(prefix="warroom-status-")
        cls.w = StatusWarroom(cls.tmp.name, cls.config).start()

    def incident_answer_number(self, text):
        answer = self.w.command(text)
        return harness.incident_number(answer)

    def test_1_quiet_page(self):
        status, headers, body = self.w.page("/")
        self.assertEqual(status, 200)
        self.assertIn("text/html", headers["Content-Type"])
        self.assertEqual(headers["Cache-Control"], "public, max-age=10")
        self.assertIn("default-src 'none'", headers["Content-Security-Policy"])
        self.assertIn("All Systems Operational", body)
        for name in ("API", "Checkout", "Docs", "The public REST API", "Core"):
            self.assertIn(name, body)
        summary = self.w.json("/api/v2/summary.json")
        check_statuspage_shape(self, summary)
        self.assertEqual(summary["status"]["indicator"], "none")
        self.assertEqual(summary["incidents"], [])
        self.assertEqual(summary["page"]["name"], "Acme")
        self.assertEqual({c["name"] for c in summary["components"]}, {"Core", "API", "Checkout", "Docs"})
        check_statuspage_shape(self, self.w.json("/api/v2/status.json"), summary=False)

        # A matching ETag is a 304; a CDN revalidates cheaply.
        status, _, body = self.w.page("/", {"If-None-Match": headers["ETag"]})
        self.assertEqual(status, 304)

    def test_2_the_page_is_not_the_slack_port(self):
        # Slack's port serves no status page; the status port serves nothing of Slack's.
        status, _, _ = self.w.get("/api/v2/summary.json")
        self.assertEqual(status, 404)
        for path in ("/slack/events", "/healthz", "/metrics"):
            status, _, _ = self.w.page(path)
            self.assertEqual(status, 404, path)
        status, headers, _ = harness.http("POST", self.w.status_url + "/", b"x=1",
                                          {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 405)

    def test_3_a_scripted_incident_from_declaration_to_history(self):
        # Declared with an internal title customers must not read, its components assessed:
        # nothing is public until the first public update.
        internal = "Ledger corrupted by migration 42"
        n = self.incident_answer_number(f"declare P0 {internal}")
        self.w.command(f"impact INC-{n} Checkout major_outage")
        self.w.command(f"update INC-{n} {SECRET_UPDATE}")
        summary = self.w.json("/api/v2/summary.json")
        check_statuspage_shape(self, summary)
        self.assertEqual(summary["incidents"], [])
        self.assertEqual(summary["status"]["indicator"], "none")
        self.assertEqual({c["name"]: c["status"] for c in summary["components"]}["Checkout"], "operational")
        for path in ("/", "/api/v2/summary.json", "/api/v2/status.json", "/history.atom"):
            text = self.w.page(path)[2]
            for word in ("Ledger", "migration 42", "db-7"):
                self.assertNotIn(word, text, f"{word!r} is on {path} before anything was published")

        # The first public update names it for customers, and it appears within a second.
        title = f"Checkout fails {INJECTION}"
        started = time.monotonic()
        self.w.command(f"public INC-{n} investigating title: {title} | We are investigating failed checkouts.")

        def on_page():
            summary = self.w.json("/api/v2/summary.json")
            return summary if summary["incidents"] else None
        summary = harness.wait_until("the incident on the status page", on_page, timeout=5, interval=0.05)
        took = time.monotonic() - started
        self.assertLess(took, 1.0, f"the page showed the incident {took:.2f} s after the public update")
        check_statuspage_shape(self, summary)
        inc = summary["incidents"][0]
        self.assertEqual(inc["name"], title)  # JSON carries the text as it is
        self.assertEqual(inc["status"], "investigating")
        self.assertEqual(inc["impact"], "critical")
        self.assertEqual(summary["status"]["indicator"], "critical")
        # Its components went public with it, listed on the update as Statuspage does.
        self.assertEqual({c["name"]: c["status"] for c in summary["components"]}["Checkout"], "major_outage")
        self.assertEqual([(c["name"], c["old_status"], c["new_status"])
                          for c in inc["incident_updates"][0]["affected_components"]],
                         [("Checkout", "operational", "major_outage")])
        public_id = inc["id"]
        self.assertRegex(public_id, r"^[0-9a-z]{12}$")
        self.assertEqual(inc["shortlink"], f"https://status.example.com/incidents/{public_id}")

        # HTML: the title as text, never as markup.
        _, _, html = self.w.page("/")
        self.assertNotIn("<script>alert", html)
        self.assertNotIn("<img src=x", html)
        self.assertIn("Checkout fails &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
                      "&amp;amp;", html)
        self.assertIn("Major System Outage", html)

        # Internal updates, notes and status changes stay internal; a public update says monitoring.
        self.w.command(f"update INC-{n} {SECRET_UPDATE}")
        self.w.command(f"note INC-{n} the password is hunter2")
        self.w.command(f"status INC-{n} monitoring")
        summary = self.w.json("/api/v2/summary.json")
        self.assertEqual(summary["incidents"][0]["status"], "investigating")
        self.w.command(f"public INC-{n} monitoring A fix is live; we are monitoring the results.")
        summary = self.w.json("/api/v2/summary.json")
        self.assertEqual(summary["incidents"][0]["status"], "monitoring")
        self.assertEqual(summary["incidents"][0]["incident_updates"][0]["status"], "monitoring")
        pages = {p: self.w.page(p)[2] for p in ("/", f"/incidents/{public_id}", "/api/v2/summary.json",
                                                "/history.atom")}
        for path, text in pages.items():
            for secret in ("db-7", "contractor", "hunter2", f"INC-{n}", "W111", "incident-", "Ledger",
                           "migration 42"):
                self.assertNotIn(secret, text, f"{secret!r} is on {path}")
        self.assertIn("monitoring the results", pages["/"])

        # Resolved: off the active list, into history, and in the feed.
        self.w.command(f"resolve INC-{n} rolled back; {SECRET_UPDATE}")
        summary = self.w.json("/api/v2/summary.json")
        self.assertEqual(summary["incidents"], [])
        self.assertEqual(summary["status"]["indicator"], "none")
        _, _, html = self.w.page("/")
        # The active list only: today's uptime bar of an impacted component names the day's
        # incidents, resolved ones too (on a slow build the outage is long enough to show).
        active = html[html.index('id="active"'):html.index('aria-labelledby="components"')]
        history = html[html.index('id="history"'):]
        self.assertNotIn("Checkout fails", active)
        self.assertIn("Checkout fails &lt;script&gt;", history)
        self.assertNotIn("rolled back", html)

        status, _, one = self.w.page(f"/incidents/{public_id}")
        self.assertEqual(status, 200)
        for word in ("Resolved", "Monitoring", "Investigating", "This incident has been resolved."):
            self.assertIn(word, one)
        self.assertEqual(self.w.page(f"/incidents/{n}")[0], 404)

        status, headers, atom = self.w.page("/history.atom")
        self.assertIn("application/atom+xml", headers["Content-Type"])
        root = ET.fromstring(atom)  # a real XML parser: well-formed or it raises
        self.assertEqual(root.tag, ATOM + "feed")
        entries = root.findall(ATOM + "entry")
        self.assertEqual(len(entries), 1)
        self.assertEqual(entries[0].find(ATOM + "title").text, title)
        self.assertEqual(entries[0].find(ATOM + "id").text, f"https://status.example.com/incidents/{public_id}")
        for tag in ("id", "title", "updated"):
            self.assertIsNotNone(root.find(ATOM + tag), tag)

    def test_4_a_private_incident_never_appears(self):
        n = self.incident_answer_number("declare private P0 Tenant 42 data exposure")
        summary = self.w.json("/api/v2/summary.json")
        self.assertEqual([i for i in summary["incidents"] if "Tenant" in i["name"]], [])
        for path in ("/", "/api/v2/summary.json", "/history.atom"):
            self.assertNotIn("Tenant 42", self.w.page(path)[2], path)
        self.w.command(f"resolve INC-{n} contained")
        self.assertNotIn("Tenant 42", self.w.page("/")[2])


    def test_5_public_updates_and_components(self):
        n = self.incident_answer_number("declare P1 Search is slow")
        self.w.command(f"impact INC-{n} API major_outage")

        def component(name):
            summary = self.w.json("/api/v2/summary.json")
            return next(c for c in summary["components"] if c["name"] == name)["status"]
        # Not published yet: the assessed impact is not public.
        self.assertEqual(component("API"), "operational")

        def components_section():
            html = self.w.page("/")[2]
            return html[html.index('id="components"'):html.index('id="history"')]
        # API's own entry: today's bar of another component may name an earlier test's outage.
        api = components_section().split('<span class="name">API</span>', 1)[1].split("</li>", 1)[0]
        self.assertNotIn("Major outage", api)

        # A public update shows within a second, newest first, in place of the fixed sentences.
        first = f"Searches may time out {INJECTION}"
        started = time.monotonic()
        self.w.command(f"public INC-{n} investigating {first}")

        def published():
            summary = self.w.json("/api/v2/summary.json")
            mine = [i for i in summary["incidents"] if i["name"] == "Search is slow"]
            return mine[0] if mine and mine[0]["incident_updates"][0]["body"] == first else None
        inc = harness.wait_until("the public update on the status page", published, timeout=5, interval=0.05)
        took = time.monotonic() - started
        self.assertLess(took, 1.0, f"the page showed the public update {took:.2f} s after the command")
        self.assertEqual(len(inc["incident_updates"]), 1)
        self.assertEqual(inc["components"], [{"name": "API", "status": "major_outage"}])
        self.assertEqual(component("API"), "major_outage")
        self.assertIn("Major outage", components_section())

        self.w.command(f"update INC-{n} {SECRET_UPDATE}")
        self.w.command(f"statuspage INC-{n} monitoring A fix is rolling out.")
        self.w.command(f"impact INC-{n} API degraded")
        summary = self.w.json("/api/v2/summary.json")
        inc = next(i for i in summary["incidents"] if i["name"] == "Search is slow")
        self.assertEqual([u["body"] for u in inc["incident_updates"]], ["A fix is rolling out.", first])
        self.assertEqual(inc["status"], "monitoring")
        self.assertEqual(component("API"), "degraded_performance")
        public_id = inc["id"]
        for path in ("/", f"/incidents/{public_id}", "/api/v2/summary.json", "/history.atom"):
            text = self.w.page(path)[2]
            self.assertNotIn("db-7", text, path)
        _, _, one = self.w.page(f"/incidents/{public_id}")
        self.assertNotIn("We are investigating this issue.", one)  # the fixed sentence gave way
        self.assertNotIn("<script>alert", one)
        self.assertIn("Searches may time out &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;", one)
        self.assertLess(one.index("A fix is rolling out."), one.index("Searches may time out"))
        atom = ET.fromstring(self.w.page("/history.atom")[2])
        self.assertTrue(any("A fix is rolling out." in (e.find(ATOM + "content").text or "")
                            for e in atom.findall(ATOM + "entry")))

        # Cleared, then resolved with the public resolution: operational, in history.
        self.w.command(f"impact INC-{n} API operational")
        self.assertEqual(component("API"), "operational")
        self.w.command(f"resolve INC-{n}")
        self.w.command(f"public INC-{n} resolved Search is fast again.")
        summary = self.w.json("/api/v2/summary.json")
        self.assertEqual([i for i in summary["incidents"] if i["name"] == "Search is slow"], [])
        _, _, html = self.w.page("/")
        history = html[html.index('id="history"'):]
        self.assertIn("Search is fast again.", history)


    def test_6_scheduled_maintenance(self):
        import datetime
        def utc(delta):
            return (datetime.datetime.now(datetime.timezone.utc) + delta).strftime("%Y-%m-%dT%H:%M")
        running = self.w.command(f"maintenance {utc(datetime.timedelta(minutes=-5))} 1h Docs: Docs <b>move</b>")
        self.assertIn("M-1", json.dumps(running))
        self.w.command(f"maintenance {utc(datetime.timedelta(days=1))} 2h API, Checkout: Database upgrade")
        summary = self.w.json("/api/v2/summary.json")
        check_statuspage_shape(self, summary)
        windows = summary["scheduled_maintenances"]
        self.assertEqual([m["name"] for m in windows], ["Docs <b>move</b>", "Database upgrade"])
        self.assertEqual([m["status"] for m in windows], ["in_progress", "scheduled"])
        for m in windows:
            self.assertEqual(m["impact"], "maintenance")
            self.assertRegex(m["scheduled_for"], ISO)
            self.assertRegex(m["scheduled_until"], ISO)
        self.assertEqual([c["name"] for c in windows[1]["components"]], ["API", "Checkout"])
        states = {c["name"]: c["status"] for c in summary["components"]}
        self.assertEqual(states["Docs"], "under_maintenance")
        self.assertEqual(states["API"], "operational")  # not yet
        _, _, html = self.w.page("/")
        self.assertIn("Scheduled maintenance", html)
        self.assertIn("Docs &lt;b&gt;move&lt;/b&gt;", html)
        # The feed announces both windows, as text.
        atom = ET.fromstring(self.w.page("/history.atom")[2])
        titles = [e.find(ATOM + "title").text for e in atom.findall(ATOM + "entry")]
        self.assertIn("Scheduled maintenance: Docs <b>move</b>", titles)
        self.assertIn("Scheduled maintenance: Database upgrade", titles)

        self.w.command("maintenance cancel M-1")
        summary = self.w.json("/api/v2/summary.json")
        self.assertEqual([m["name"] for m in summary["scheduled_maintenances"]], ["Database upgrade"])
        self.assertEqual({c["name"]: c["status"] for c in summary["components"]}["Docs"], "operational")
        self.w.command("maintenance cancel M-2")


def setUpModule():
    harness.start_own_fake()


def tearDownModule():
    harness.stop_own_fake()


if __name__ == "__main__":
    harness.run_suite("test_status_page.py")
