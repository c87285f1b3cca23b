#!/usr/bin/env python3
"""A fake Atlassian Statuspage REST API for warroom's tests (Python 3 standard library only):
the incident and component calls warroom makes, each request checked against Statuspage's
documented shape (developer.statuspage.io, "Create an incident", "Update an incident",
"Update a component", "List unresolved incidents"), and the page's state recorded.

Run it:   python3 tests/support/fake_statuspage.py [--port 0] [--page-id ID] [--api-key KEY]
              [--component ID ...]
It prints FAKE_STATUSPAGE_URL=http://127.0.0.1:<port> once it listens ([statuspage_api] base_url).
Import it: FakeStatuspage(page_id=…, api_key=…, component_ids=[…]).start(); .base; .stop()

The rules:
  Authorization    "OAuth <key>" (401 {"error": "Could not authenticate"} otherwise)
  paths            POST  /v1/pages/{page_id}/incidents
                   PATCH /v1/pages/{page_id}/incidents/{incident_id}
                   GET   /v1/pages/{page_id}/incidents/unresolved
                   PATCH /v1/pages/{page_id}/components/{component_id}
                   (another page, incident or component: 404 {"error": "Not found"})
  incident         a JSON object {"incident": {...}}; fields among the documented ones:
                   name (required to create; a string of at most 255 characters),
                   status investigating | identified | monitoring | resolved,
                   impact_override none | minor | major | critical,
                   body (at most 25000 characters), deliver_notifications (boolean),
                   metadata (an object whose top-level values are objects),
                   component_ids (known component ids), components ({known id: component status})
  component        {"component": {...}}: status operational | under_maintenance |
                   degraded_performance | partial_outage | major_outage (and the other documented
                   fields: name, description, group_id, showcase, only_show_if_degraded, start_date)
Answers: 201 (create) or 200 with the incident or component, 422 {"error": [messages]} for a
request that breaks a rule. A create is NOT idempotent, as on Statuspage: two POSTs, two incidents.

Control (besides fake_vendor.py's requests/fault/clear_faults/reset):
  GET  /_control/incidents    {id: {name, status, impact, metadata, components, updates: [{status, body}]}}
  GET  /_control/components   {id: status}
"""

import json
import os
import random
import string
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fake_vendor import FakeVendor, Reply, chars, main  # noqa: E402

INCIDENT_STATUSES = {"investigating", "identified", "monitoring", "resolved",
                     "scheduled", "in_progress", "verifying", "completed"}
IMPACTS = {"none", "minor", "major", "critical"}
COMPONENT_STATUSES = {"operational", "under_maintenance", "degraded_performance", "partial_outage", "major_outage"}
INCIDENT_FIELDS = {"name", "status", "impact_override", "scheduled_for", "scheduled_until", "scheduled_remind_prior",
                   "auto_transition_to_maintenance_state", "auto_transition_to_operational_state",
                   "scheduled_auto_in_progress", "scheduled_auto_completed",
                   "auto_transition_deliver_notifications_at_start", "auto_transition_deliver_notifications_at_end",
                   "metadata", "deliver_notifications", "auto_tweet_at_beginning", "auto_tweet_on_completion",
                   "auto_tweet_on_creation", "auto_tweet_one_hour_before", "backfill_date", "backfilled", "body",
                   "components", "component_ids", "scheduled_auto_transition"}
COMPONENT_FIELDS = {"description", "status", "name", "only_show_if_degraded", "group_id", "showcase", "start_date"}
NAME_MAX = 255
BODY_MAX = 25000


def new_id():
    return "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(12))


def incident_errors(inc, creating, component_ids):
    if not isinstance(inc, dict):
        return ["incident must be an object"]
    errors = []
    for field in inc:
        if field not in INCIDENT_FIELDS:
            errors.append(f"incident.{field} is not a known field")
    if creating and "name" not in inc:
        errors.append("Name can't be blank")
    if "name" in inc and (not isinstance(inc["name"], str) or not inc["name"].strip()):
        errors.append("Name can't be blank")
    elif "name" in inc and chars(inc["name"]) > NAME_MAX:
        errors.append(f"Name is too long (maximum is {NAME_MAX} characters)")
    if "status" in inc and inc["status"] not in INCIDENT_STATUSES:
        errors.append("Status is not included in the list")
    if "impact_override" in inc and inc["impact_override"] not in IMPACTS:
        errors.append("Impact override is not included in the list")
    if "body" in inc and (not isinstance(inc["body"], str) or chars(inc["body"]) > BODY_MAX):
        errors.append(f"Body must be a string of at most {BODY_MAX} characters")
    if "deliver_notifications" in inc and not isinstance(inc["deliver_notifications"], bool):
        errors.append("deliver_notifications must be true or false")
    if "metadata" in inc:
        meta = inc["metadata"]
        if not isinstance(meta, dict) or any(not isinstance(v, dict) for v in meta.values()):
            errors.append("Metadata top-level values must be objects")
    if "component_ids" in inc:
        ids = inc["component_ids"]
        if not isinstance(ids, list) or any(i not in component_ids for i in ids):
            errors.append("component_ids must be a list of this page's component ids")
    if "components" in inc:
        comps = inc["components"]
        if not isinstance(comps, dict):
            errors.append("components must be an object of component ids to statuses")
        else:
            for cid, status in comps.items():
                if cid not in component_ids:
                    errors.append(f"components: {cid} is not a component of this page")
                if status not in COMPONENT_STATUSES:
                    errors.append(f"components: {status!r} is not a component status")
    return errors


class FakeStatuspage(FakeVendor):
    """A fake Statuspage REST API (incidents and components)."""

    NAME = "FakeStatuspage"
    THROTTLE_BODY = {"error": "Rate limit exceeded"}

    def __init__(self, page_id="pg1page1page", api_key="sp-test-key", component_ids=None, **kwargs):
        self.page_id = page_id
        self.api_key = api_key
        self.component_ids = list(component_ids or ["cmpcheckout1", "cmpapi000001"])
        super().__init__(**kwargs)
        self.control_routes = {
            ("GET", "incidents"): lambda p: {"incidents": json.loads(json.dumps(self.incidents))},
            ("GET", "components"): lambda p: {"components": dict(self.components)},
        }

    def reset_state(self):
        self.incidents = {}
        self.components = {cid: "operational" for cid in getattr(self, "component_ids", [])}

    def view(self, iid):
        inc = self.incidents[iid]
        return {"id": iid, "page_id": self.page_id, "name": inc["name"], "status": inc["status"],
                "impact": inc["impact"], "metadata": inc["metadata"], "shortlink": f"http://stspg.io/{iid}",
                "incident_updates": [{"status": u["status"], "body": u["body"]} for u in reversed(inc["updates"])],
                "components": [{"id": c, "status": self.components.get(c)} for c in inc["components"]]}

    def apply(self, iid, inc):
        stored = self.incidents[iid]
        for field in ("name", "status", "metadata"):
            if field in inc:
                stored[field] = inc[field]
        if "impact_override" in inc:
            stored["impact"] = inc["impact_override"]
        for cid in inc.get("component_ids", []):
            if cid not in stored["components"]:
                stored["components"].append(cid)
        for cid, status in inc.get("components", {}).items():
            self.components[cid] = status
            if cid not in stored["components"]:
                stored["components"].append(cid)
        if "body" in inc or "status" in inc:
            stored["updates"].append({"status": stored["status"], "body": inc.get("body", "")})

    def handle(self, request):
        if request["headers"].get("Authorization") != f"OAuth {self.api_key}":
            request["errors"] = ["bad Authorization"]
            return Reply(401, {"error": "Could not authenticate"})
        parts = request["path"].strip("/").split("/")
        if len(parts) < 4 or parts[:2] != ["v1", "pages"] or parts[2] != self.page_id:
            return Reply(404, {"error": "Not found"})
        rest, method = parts[3:], request["method"]
        if rest == ["incidents", "unresolved"] and method == "GET":
            return Reply(200, [self.view(i) for i, inc in self.incidents.items() if inc["status"] != "resolved"])
        if request["method"] in ("POST", "PATCH"):
            if request["headers"].get("Content-Type", "").split(";")[0] != "application/json" or \
                    not isinstance(request["body"], dict):
                request["errors"] = ["not a JSON object"]
                return Reply(422, {"error": ["The request body must be a JSON object"]})
        if rest == ["incidents"] and method == "POST":
            inc = request["body"].get("incident")
            errors = incident_errors(inc, True, self.component_ids) + \
                [f"{k} is not a known field" for k in request["body"] if k != "incident"]
            if errors:
                request["errors"] = errors
                return Reply(422, {"error": errors})
            iid = new_id()
            self.incidents[iid] = {"name": inc["name"], "status": inc.get("status", "investigating"),
                                   "impact": "none", "metadata": {}, "components": [], "updates": [],
                                   "deliver_notifications": inc.get("deliver_notifications", True)}
            self.apply(iid, inc)
            return Reply(201, self.view(iid))
        if len(rest) == 2 and rest[0] == "incidents" and method in ("PATCH", "PUT"):
            if rest[1] not in self.incidents:
                return Reply(404, {"error": "Not found"})
            inc = request["body"].get("incident")
            errors = incident_errors(inc, False, self.component_ids)
            if errors:
                request["errors"] = errors
                return Reply(422, {"error": errors})
            self.apply(rest[1], inc)
            return Reply(200, self.view(rest[1]))
        if len(rest) == 2 and rest[0] == "components" and method in ("PATCH", "PUT"):
            if rest[1] not in self.components:
                return Reply(404, {"error": "Not found"})
            comp = request["body"].get("component")
            errors = []
            if not isinstance(comp, dict):
                errors.append("component must be an object")
            else:
                errors += [f"component.{k} is not a known field" for k in comp if k not in COMPONENT_FIELDS]
                if "status" in comp and comp["status"] not in COMPONENT_STATUSES:
                    errors.append("Status is not included in the list")
            if errors:
                request["errors"] = errors
                return Reply(422, {"error": errors})
            if "status" in comp:
                self.components[rest[1]] = comp["status"]
            return Reply(200, {"id": rest[1], "page_id": self.page_id, "status": self.components[rest[1]]})
        return Reply(405 if rest and rest[0] in ("incidents", "components") else 404, {"error": "Not found"})


if __name__ == "__main__":
    main(FakeStatuspage, "FAKE_STATUSPAGE_URL",
         [("--page-id", {"dest": "page_id", "default": "pg1page1page"}),
          ("--api-key", {"dest": "api_key", "default": "sp-test-key"}),
          ("--component", {"dest": "component_ids", "action": "append", "help": "component ids of the page"})])
