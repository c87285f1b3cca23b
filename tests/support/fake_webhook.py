#!/usr/bin/env python3
"""A webhook receiver for warroom's outgoing webhooks (Python 3 standard library only): it
verifies each delivery as README's "Outgoing webhooks" tells a receiver to, and checks the
document's shape.

Run it:   python3 tests/support/fake_webhook.py [--port 0] [--secret SECRET]
It prints FAKE_WEBHOOK_URL=http://127.0.0.1:<port>/hook once it listens (a webhook pager's url).
Import it: FakeWebhook(secret=...).start(); .base; .stop()

A delivery is accepted (204) when
  X-Warroom-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
has a v1 that matches and t is within 300 s of now, and the body is a document with
schema_version 1, id, event (incident.declared | acknowledged | severity_changed |
role_assigned | update_posted | resolved | reopened | paged), occurred_at, actor, incident {id,
number, title, severity, state, dedup_key, channel_url, commander} and details (strings).
Otherwise: 401 (signature) or 400 (document), with the reason. A repeated id is accepted
and counted as a duplicate, as a receiver that drops retries would.

Control (besides fake_vendor.py's requests/fault/clear_faults/reset):
  GET  /_control/deliveries   the accepted documents, in order, with "duplicate": true|false
  POST /_control/config       {"secret": "..."}
"""

import hashlib
import hmac
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fake_vendor import FakeVendor, Reply, main  # noqa: E402

WINDOW = 300
EVENTS = {f"incident.{e}" for e in ("declared", "acknowledged", "severity_changed", "role_assigned", "update_posted",
                                    "resolved", "reopened", "paged")}
INCIDENT_FIELDS = {"id": str, "number": int, "title": str, "severity": str, "state": str, "dedup_key": str}


def verify(secret, header, raw_body, now=None):
    """The receiver's check, in the order README gives: None when good, else why not."""
    if not header:
        return "missing X-Warroom-Signature"
    ts, sigs = None, []
    for part in header.split(","):
        part = part.strip()
        if part.startswith("t="):
            ts = part[2:]
        elif part.startswith("v1="):
            sigs.append(part[3:])
    if ts is None or not ts.isdigit() or not sigs:
        return "malformed X-Warroom-Signature"
    if abs((now or time.time()) - int(ts)) > WINDOW:
        return "stale timestamp"
    expected = hmac.new(secret.encode(), ts.encode() + b"." + raw_body, hashlib.sha256).hexdigest()
    if not secret or not any(hmac.compare_digest(expected, s) for s in sigs):
        return "signature mismatch"
    return None


def sign(secret, raw_body, ts=None):
    ts = str(int(ts if ts is not None else time.time()))
    return f"t={ts},v1=" + hmac.new(secret.encode(), ts.encode() + b"." + raw_body, hashlib.sha256).hexdigest()


def document_errors(doc):
    if not isinstance(doc, dict):
        return ["not a JSON object"]
    errors = []
    if doc.get("schema_version") != 1:
        errors.append("schema_version must be 1")
    if not isinstance(doc.get("id"), str) or not doc["id"]:
        errors.append("id must be a non-empty string")
    if doc.get("event") not in EVENTS:
        errors.append(f"event must be one of {sorted(EVENTS)}")
    if not isinstance(doc.get("occurred_at"), str) or not doc["occurred_at"].endswith("Z"):
        errors.append("occurred_at must be RFC 3339 in UTC")
    if "actor" not in doc or not (doc["actor"] is None or isinstance(doc["actor"], str)):
        errors.append("actor must be a string or null")
    inc = doc.get("incident")
    if not isinstance(inc, dict):
        errors.append("incident must be an object")
    else:
        for field, kind in INCIDENT_FIELDS.items():
            if not isinstance(inc.get(field), kind):
                errors.append(f"incident.{field} must be a {kind.__name__}")
        for field in ("channel_url", "commander"):
            if field not in inc or not (inc[field] is None or isinstance(inc[field], str)):
                errors.append(f"incident.{field} must be a string or null")
    details = doc.get("details")
    if not isinstance(details, dict) or any(not isinstance(v, str) for v in details.values()):
        errors.append("details must be an object of strings")
    return errors


class FakeWebhook(FakeVendor):
    """A receiver of warroom's outgoing webhooks."""

    NAME = "FakeWebhook"

    def __init__(self, secret="webhook-test-secret", **kwargs):
        self.secret = secret
        super().__init__(**kwargs)
        self.control_routes = {
            ("GET", "deliveries"): lambda p: {"deliveries": [dict(d) for d in self.deliveries]},
            ("POST", "config"): self.configure,
        }

    @property
    def url(self):
        return self.base + "/hook"

    def reset_state(self):
        self.deliveries = []

    def configure(self, payload):
        if "secret" in payload:
            self.secret = str(payload["secret"])
        return {"secret_set": bool(self.secret)}

    def handle(self, request):
        if request["method"] != "POST":
            return Reply(405, "POST only")
        why = verify(self.secret, request["headers"].get("X-Warroom-Signature", ""), request["raw"].encode())
        if why:
            request["errors"] = [why]
            return Reply(401, why)
        errors = document_errors(request["body"])
        if errors:
            request["errors"] = errors
            return Reply(400, "; ".join(errors))
        doc = request["body"]
        duplicate = any(d["id"] == doc["id"] for d in self.deliveries)
        self.deliveries.append({**doc, "duplicate": duplicate})
        return Reply(204)


if __name__ == "__main__":
    main(FakeWebhook, "FAKE_WEBHOOK_URL", [("--secret", {"default": "webhook-test-secret"})])
