#!/usr/bin/env python3
"""A fake PagerDuty for warroom's tests (Python 3 standard library only): the Events API v2
(POST /v2/enqueue) checked against PagerDuty's published schema, and the signing of
webhooks v3 so tests can play PagerDuty calling warroom back.

Run it:   python3 tests/support/fake_pagerduty.py [--port 0] [--routing-key KEY ...]
It prints FAKE_PAGERDUTY_URL=http://127.0.0.1:<port> once it listens (a pager's base_url).
Import it: FakePagerDuty(routing_keys=[...]).start(); .base; .stop()

The rules (PagerDuty/api-schema, reference/events-v2/openapiv3.json, and the documented limits):
  routing_key   required, a string of 32 characters (and, with --routing-key, one of those)
  event_action  required: trigger | acknowledge | resolve
  dedup_key     required unless trigger; at most 255 characters
  payload       required for trigger: summary (at most 1024), source, severity
                (critical | error | warning | info) required; timestamp, component, group,
                class strings; custom_details an object
  links         [{href (required), text}], images [{src (required), href, alt}]
  no other top-level fields.
Answers: 202 {"status": "success", "message": "Event processed", "dedup_key": …}, or
400 {"status": "invalid event", "message": "Event object is invalid", "errors": [...]}.
Alerts are kept by dedup_key: a second trigger of an open alert is deduplicated, as
PagerDuty does (that is what makes warroom's retries harmless).

Control (besides fake_vendor.py's requests/fault/clear_faults/reset):
  GET  /_control/alerts   {dedup_key: {status, triggers, summary, severity, events: [...]}}
  POST /_control/config   {"routing_keys": [...]} (empty: any 32-character key)
"""

import hashlib
import hmac
import json
import os
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fake_vendor import FakeVendor, Reply, chars, main  # noqa: E402

ACTIONS = {"trigger", "acknowledge", "resolve"}
SEVERITIES = {"critical", "error", "warning", "info"}
TOP_LEVEL = {"routing_key", "event_action", "dedup_key", "payload", "client", "client_url", "links", "images"}
PAYLOAD_FIELDS = {"summary", "source", "severity", "timestamp", "component", "group", "class", "custom_details"}
SUMMARY_MAX = 1024
DEDUP_KEY_MAX = 255
ROUTING_KEY_SIZE = 32


def event_errors(body, routing_keys=()):
    """Every rule the event breaks, in PagerDuty's words where known; [] when valid."""
    if not isinstance(body, dict):
        return ["Event object format is unrecognized"]
    errors = []
    key = body.get("routing_key")
    if not isinstance(key, str) or not key:
        errors.append("'routing_key' is missing or blank")
    elif len(key) != ROUTING_KEY_SIZE:
        errors.append(f"Length of 'routing_key' is incorrect (should be {ROUTING_KEY_SIZE} characters)")
    elif routing_keys and key not in routing_keys:
        errors.append("'routing_key' is not a known integration key")
    action = body.get("event_action")
    if action not in ACTIONS:
        errors.append("'event_action' is invalid (must be one of trigger, acknowledge, resolve)")
    dedup = body.get("dedup_key")
    if dedup is not None and (not isinstance(dedup, str) or chars(dedup) > DEDUP_KEY_MAX or not dedup):
        errors.append(f"'dedup_key' must be a non-empty string of at most {DEDUP_KEY_MAX} characters")
    if action in ("acknowledge", "resolve") and dedup is None:
        errors.append("'dedup_key' is required for acknowledge and resolve")
    if action == "trigger":
        payload = body.get("payload")
        if not isinstance(payload, dict):
            errors.append("'payload' is missing or not an object")
        else:
            for field in ("summary", "source", "severity"):
                if not isinstance(payload.get(field), str) or not payload.get(field):
                    errors.append(f"'payload.{field}' is missing or blank")
            if isinstance(payload.get("summary"), str) and chars(payload["summary"]) > SUMMARY_MAX:
                errors.append(f"'payload.summary' is longer than {SUMMARY_MAX} characters")
            if "severity" in payload and payload["severity"] not in SEVERITIES:
                errors.append("'payload.severity' is invalid (must be one of critical, error, warning, info)")
            if "custom_details" in payload and not isinstance(payload["custom_details"], dict):
                errors.append("'payload.custom_details' must be an object")
            for field in ("timestamp", "component", "group", "class"):
                if field in payload and not isinstance(payload[field], str):
                    errors.append(f"'payload.{field}' must be a string")
            for field in payload:
                if field not in PAYLOAD_FIELDS:
                    errors.append(f"'payload.{field}' is not a known field")
    for name, required in (("links", "href"), ("images", "src")):
        if name in body:
            items = body[name]
            if not isinstance(items, list) or any(not isinstance(i, dict) or not isinstance(i.get(required), str)
                                                  for i in items):
                errors.append(f"'{name}' must be a list of objects with '{required}'")
    for field in ("client", "client_url"):
        if field in body and not isinstance(body[field], str):
            errors.append(f"'{field}' must be a string")
    for field in body:
        if field not in TOP_LEVEL:
            errors.append(f"'{field}' is not a known field")
    return errors


def sign_webhook(secret, body):
    """X-PagerDuty-Signature for a webhooks v3 delivery: "v1=<hex HMAC-SHA256 of the raw body>"."""
    data = body if isinstance(body, bytes) else body.encode()
    return "v1=" + hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()


def webhook_event(event_type, incident_key, agent="Tenex Engineer", event_id=None, occurred_at=None):
    """A webhooks v3 body as PagerDuty sends it for an incident event; occurred_at (Unix
    seconds) defaults to now, as a delivery that was not delayed."""
    at = time.time() if occurred_at is None else occurred_at
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(at)) + f".{int(at * 1000) % 1000:03d}Z"
    return {"event": {
        "id": event_id or uuid.uuid4().hex, "event_type": event_type, "resource_type": "incident",
        "occurred_at": stamp,
        "agent": None if agent is None else {"id": "PLH1HKV", "summary": agent, "type": "user_reference",
                                              "html_url": "https://example.pagerduty.com/users/PLH1HKV"},
        "client": None,
        "data": {"id": "PGR0VU2", "type": "incident", "number": 2, "incident_key": incident_key,
                 "status": event_type.split(".")[-1], "title": "from warroom",
                 "html_url": "https://example.pagerduty.com/incidents/PGR0VU2"}}}


class FakePagerDuty(FakeVendor):
    """A fake PagerDuty Events API v2."""

    NAME = "FakePagerDuty"
    THROTTLE_BODY = {"status": "throttle event", "message": "Requests for this service are arriving too quickly."}

    def __init__(self, routing_keys=None, **kwargs):
        self.routing_keys = list(routing_keys or [])
        super().__init__(**kwargs)
        self.control_routes = {
            ("GET", "alerts"): lambda p: {"alerts": json.loads(json.dumps(self.alerts))},
            ("POST", "config"): self.configure,
        }

    def reset_state(self):
        self.alerts = {}

    def configure(self, payload):
        if "routing_keys" in payload:
            self.routing_keys = [str(k) for k in payload["routing_keys"]]
        return {"routing_keys": self.routing_keys}

    def handle(self, request):
        if request["path"] != "/v2/enqueue":
            return Reply(404, {"status": "not found", "message": "Not Found"})
        if request["method"] != "POST":
            return Reply(405, {"status": "method not allowed", "message": "Use POST"})
        if not request["json_ok"] or not isinstance(request["body"], dict):
            request["errors"] = ["JSON parse error"]
            return Reply(400, {"status": "invalid event", "message": "Event object format is unrecognized",
                               "errors": ["JSON parse error"]})
        body = request["body"]
        errors = event_errors(body, self.routing_keys)
        if errors:
            request["errors"] = errors
            return Reply(400, {"status": "invalid event", "message": "Event object is invalid", "errors": errors})
        action = body["event_action"]
        key = body.get("dedup_key") or uuid.uuid4().hex
        alert = self.alerts.get(key)
        if action == "trigger":
            if alert is None or alert["status"] == "resolved":
                alert = self.alerts[key] = {"status": "triggered", "triggers": 0, "events": []}
            alert["triggers"] += 1
            alert["summary"] = body["payload"]["summary"]
            alert["severity"] = body["payload"]["severity"]
        elif alert is not None and alert["status"] != "resolved":
            alert["status"] = "acknowledged" if action == "acknowledge" else "resolved"
        # An acknowledge or resolve of an unknown alert is accepted and does nothing, as PagerDuty does.
        if alert is not None:
            alert["events"].append(action)
        return Reply(202, {"status": "success", "message": "Event processed", "dedup_key": key})


if __name__ == "__main__":
    main(FakePagerDuty, "FAKE_PAGERDUTY_URL",
         [("--routing-key", {"dest": "routing_keys", "action": "append", "help": "accepted routing keys (default: any)"})])
