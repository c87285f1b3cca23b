#!/usr/bin/env python3
"""A fake Opsgenie Alert API for warroom's tests (Python 3 standard library only).

Run it:   python3 tests/support/fake_opsgenie.py [--port 0] [--api-key KEY]
It prints FAKE_OPSGENIE_URL=http://127.0.0.1:<port> once it listens (a pager's base_url).
Import it: FakeOpsgenie(api_key=...).start(); .base; .stop()

Endpoints, as Opsgenie's Alert API documents them:
  POST /v2/alerts                                   create: message (required, at most 130),
        alias (512), description (15000), priority P1..P5, details (string values, 8000 in all),
        tags (20, each 50), entity (512), source (100), user (100), note (25000), responders,
        visibleTo, actions
  POST /v2/alerts/{identifier}/acknowledge?identifierType=alias|id|tiny   user, source, note
  POST /v2/alerts/{identifier}/close?identifierType=alias|id|tiny
Every request needs "Authorization: GenieKey <key>" (401 otherwise). Accepted requests answer
202 {"result": "Request will be processed", "took": …, "requestId": …}; invalid ones 422
{"message": …, "errors": {field: why}, "took": …, "requestId": …}. As in Opsgenie, an
acknowledge or close is processed after the 202: one for an alias with no alert is recorded
with "found": false. A create whose alias names an open alert is deduplicated (count + 1).
An identifierType other than id needs it stated: a bare /v2/alerts/<alias>/close would look
up an alert *id* and find nothing.

Control (besides fake_vendor.py's requests/fault/clear_faults/reset):
  GET  /_control/alerts   {alias: {status, count, message, priority, acknowledged_by, events}}
  POST /_control/config   {"api_key": "..."}
  POST /_control/webhook  {"action": "Acknowledge", "alias": "...", "username": "..."}:
                          the body Opsgenie's webhook integration would send (for tests of
                          warroom's /opsgenie/webhook), returned, not sent
"""

import json
import os
import re
import sys
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fake_vendor import FakeVendor, Reply, chars, main  # noqa: E402

DEFAULT_API_KEY = "00000000-0000-4000-8000-000000000000"
LIMITS = {"message": 130, "alias": 512, "description": 15000, "entity": 512, "source": 100, "user": 100,
          "note": 25000}
PRIORITIES = {"P1", "P2", "P3", "P4", "P5"}
DETAILS_MAX = 8000
TAGS_MAX, TAG_MAX = 20, 50
ACTION_PATH = re.compile(r"^/v2/alerts/([^/]+)/(acknowledge|close)$")


def string_errors(body, fields):
    errors = {}
    for field in fields:
        if field in body:
            v = body[field]
            if not isinstance(v, str):
                errors[field] = f"{field} must be a string"
            elif chars(v) > LIMITS[field]:
                errors[field] = f"{field} can not be longer than {LIMITS[field]} characters"
    return errors


def create_errors(body):
    if not isinstance(body, dict):
        return {"body": "Request body is not a JSON object"}
    errors = string_errors(body, ("message", "alias", "description", "entity", "source", "user", "note"))
    if not isinstance(body.get("message"), str) or not body.get("message", "").strip():
        errors["message"] = "Message can not be empty."
    if "priority" in body and body["priority"] not in PRIORITIES:
        errors["priority"] = "Priority should be one of [P1, P2, P3, P4, P5]"
    if "details" in body:
        d = body["details"]
        if not isinstance(d, dict) or any(not isinstance(k, str) or not isinstance(v, str) for k, v in d.items()):
            errors["details"] = "Details should be a map of strings to strings"
        elif sum(chars(k) + chars(v) for k, v in d.items()) > DETAILS_MAX:
            errors["details"] = f"Details can not be longer than {DETAILS_MAX} characters in all"
    if "tags" in body:
        t = body["tags"]
        if not isinstance(t, list) or len(t) > TAGS_MAX or any(not isinstance(x, str) or chars(x) > TAG_MAX for x in t):
            errors["tags"] = f"Tags should be at most {TAGS_MAX} strings of at most {TAG_MAX} characters"
    for field in ("responders", "visibleTo", "actions"):
        if field in body and not isinstance(body[field], list):
            errors[field] = f"{field} should be a list"
    return errors


class FakeOpsgenie(FakeVendor):
    """A fake Opsgenie Alert API v2."""

    NAME = "FakeOpsgenie"
    THROTTLE_BODY = {"message": "You are making too many requests! To avoid errors, we recommend you limit requests.",
                     "took": 0.0, "requestId": "throttled"}

    def __init__(self, api_key=DEFAULT_API_KEY, **kwargs):
        self.api_key = api_key
        super().__init__(**kwargs)
        self.control_routes = {
            ("GET", "alerts"): lambda p: {"alerts": json.loads(json.dumps(self.alerts))},
            ("POST", "config"): self.configure,
            ("POST", "webhook"): lambda p: {"body": webhook_body(p["action"], p["alias"], p.get("username", "alice"))},
        }

    def reset_state(self):
        self.alerts = {}

    def configure(self, payload):
        if "api_key" in payload:
            self.api_key = str(payload["api_key"])
        return {"api_key": self.api_key}

    def answer(self, request, status, errors=None, message=None):
        rid = str(uuid.uuid4())
        request["request_id"] = rid
        if status == 202:
            return Reply(202, {"result": "Request will be processed", "took": 0.01, "requestId": rid})
        request["errors"] = errors or [message]
        body = {"message": message or "Request body is not processable. Please check the errors.", "took": 0.0,
                "requestId": rid}
        if errors:
            body["errors"] = errors
        return Reply(status, body)

    def handle(self, request):
        auth = request["headers"].get("Authorization", "")
        if not auth.startswith("GenieKey ") or auth[len("GenieKey "):] != self.api_key:
            return self.answer(request, 401, message="Could not authenticate")
        if request["method"] != "POST":
            return self.answer(request, 405, message="Method not allowed")
        if not request["json_ok"]:
            return self.answer(request, 422, message="Request body is not a valid JSON")
        body = request["body"] if isinstance(request["body"], dict) else ({} if request["body"] == "" else None)
        if request["path"] == "/v2/alerts":
            errors = create_errors(body)
            if errors:
                return self.answer(request, 422, errors)
            alias = body.get("alias") or body["message"]
            alert = self.alerts.get(alias)
            if alert is None or alert["status"] == "closed":
                alert = self.alerts[alias] = {"status": "open", "count": 0, "acknowledged": False, "events": []}
            alert["count"] += 1
            alert.update(message=body["message"], priority=body.get("priority", "P3"))
            alert["events"].append("create")
            return self.answer(request, 202)
        m = ACTION_PATH.match(request["path"])
        if not m:
            return self.answer(request, 404, message="Could not find the endpoint")
        if body is None:
            return self.answer(request, 422, {"body": "Request body is not a JSON object"})
        identifier, action = m.group(1), m.group(2)
        kind = request["query"].get("identifierType", "id")
        if kind not in ("id", "alias", "tiny"):
            return self.answer(request, 422, {"identifierType": "identifierType should be one of id, alias or tiny"})
        errors = string_errors(body, ("user", "source", "note"))
        if errors:
            return self.answer(request, 422, errors)
        identifier = urllib.parse.unquote(identifier)
        alert = self.alerts.get(identifier) if kind == "alias" else None
        request["found"] = alert is not None
        if alert is not None and alert["status"] == "open":
            if action == "acknowledge":
                alert["acknowledged"] = True
                alert["acknowledged_by"] = body.get("user")
            else:
                alert["status"] = "closed"
            alert["events"].append(action)
        return self.answer(request, 202)


def webhook_body(action, alias, username="alice"):
    """What Opsgenie's webhook integration posts when an alert is acted on."""
    return {"action": action,
            "alert": {"alertId": uuid.uuid4().hex, "message": "from warroom", "alias": alias, "tags": ["warroom"],
                      "tinyId": "7", "entity": "", "username": username, "userId": uuid.uuid4().hex,
                      "createdAt": int(time.time() * 1000), "updatedAt": int(time.time() * 1e9)},
            "source": {"name": "", "type": "web"}, "integrationName": "warroom", "integrationId": uuid.uuid4().hex,
            "integrationType": "Webhook"}


if __name__ == "__main__":
    main(FakeOpsgenie, "FAKE_OPSGENIE_URL", [("--api-key", {"default": DEFAULT_API_KEY})])
