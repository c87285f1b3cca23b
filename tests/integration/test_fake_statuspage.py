#!/usr/bin/env python3
"""Checks the fake Statuspage (tests/support/fake_statuspage.py): it accepts what Statuspage
documents and refuses the rest with Statuspage's answers, and a create is not idempotent. Then
sends it the requests bot/statuspage_api builds (argv[1]: the statuspage_samples program), so
the C++ wire format is checked by the same rules, and has the C++ read the fake's answers back.

Usage: test_fake_statuspage.py [path/to/statuspage_samples]
"""

import json
import os
import subprocess
import sys
import unittest
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
from fake_statuspage import FakeStatuspage  # noqa: E402

SAMPLES = sys.argv.pop(1) if __name__ == "__main__" and len(sys.argv) > 1 else None
KEY = "sp-test-key"
PAGE = "pg1page1page"


def call(method, url, body=None, key=KEY):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["Authorization"] = "OAuth " + key
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            status, raw = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    return status, json.loads(raw.decode() or "null")


class FakeStatuspageRules(unittest.TestCase):
    def setUp(self):
        self.fake = FakeStatuspage(page_id=PAGE, api_key=KEY, component_ids=["cmpcheckout1"]).start()
        self.url = self.fake.base + "/v1/pages/" + PAGE

    def tearDown(self):
        self.fake.stop()

    def test_create_update_resolve(self):
        status, inc = call("POST", self.url + "/incidents", {"incident": {
            "name": "Checkout down", "status": "investigating", "body": "Looking.", "impact_override": "major",
            "components": {"cmpcheckout1": "major_outage"}, "component_ids": ["cmpcheckout1"],
            "metadata": {"warroom": {"key": "k"}}, "deliver_notifications": False}})
        self.assertEqual(status, 201, inc)
        self.assertEqual(self.fake.components["cmpcheckout1"], "major_outage")
        status, _ = call("PATCH", self.url + "/incidents/" + inc["id"], {"incident": {
            "status": "resolved", "components": {"cmpcheckout1": "operational"}}})
        self.assertEqual(status, 200)
        self.assertEqual(self.fake.incidents[inc["id"]]["status"], "resolved")
        self.assertEqual(self.fake.components["cmpcheckout1"], "operational")
        # Not idempotent: a second create is a second incident.
        call("POST", self.url + "/incidents", {"incident": {"name": "Checkout down"}})
        self.assertEqual(len(self.fake.incidents), 2)

    def test_refusals(self):
        self.assertEqual(call("POST", self.url + "/incidents", {"incident": {"name": "x"}}, key="wrong")[0], 401)
        self.assertEqual(call("POST", self.url + "/incidents", {"incident": {"name": "x"}}, key=None)[0], 401)
        self.assertEqual(call("POST", self.fake.base + "/v1/pages/other/incidents", {"incident": {"name": "x"}})[0], 404)
        for bad in ({"incident": {}}, {"incident": {"name": "x" * 256}}, {"incident": {"name": "x", "status": "down"}},
                    {"incident": {"name": "x", "impact_override": "huge"}},
                    {"incident": {"name": "x", "components": {"nope": "operational"}}},
                    {"incident": {"name": "x", "components": {"cmpcheckout1": "broken"}}},
                    {"incident": {"name": "x", "metadata": {"warroom": "flat"}}},
                    {"incident": {"name": "x", "colour": "red"}}, {"name": "x"}):
            status, body = call("POST", self.url + "/incidents", bad)
            self.assertEqual(status, 422, bad)
            self.assertIsInstance(body["error"], list)
        self.assertEqual(call("PATCH", self.url + "/incidents/nope", {"incident": {"status": "resolved"}})[0], 404)
        self.assertEqual(call("PATCH", self.url + "/components/cmpcheckout1", {"component": {"status": "down"}})[0], 422)
        self.assertEqual(self.fake.incidents, {})


@unittest.skipUnless(SAMPLES, "needs the statuspage_samples program")
class CppRequests(unittest.TestCase):
    def setUp(self):
        self.fake = FakeStatuspage(page_id=PAGE, api_key=KEY, component_ids=["cmpcheckout1"]).start()

    def tearDown(self):
        self.fake.stop()

    def send(self, sample, incident_id=None):
        url = sample["url"].replace("INCIDENT_ID", incident_id or "")
        data = sample["body"].encode() if sample["body"] else None
        req = urllib.request.Request(url, data=data, method=sample["method"], headers=sample["headers"])
        try:
            with urllib.request.urlopen(req, timeout=5) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def read_back(self, body, key):
        out = subprocess.run([SAMPLES, "read", key], input=body, capture_output=True, text=True, check=True)
        return out.stdout.split("\n")[:2]

    def test_the_cpp_requests_are_accepted_and_its_answers_read(self):
        lines = subprocess.run([SAMPLES, self.fake.base, PAGE, KEY, "cmpcheckout1"], capture_output=True, text=True,
                               check=True).stdout.splitlines()
        samples = {s["label"]: s for s in map(json.loads, lines)}
        status, body = self.send(samples["create"])
        self.assertEqual(status, 201, body)
        created_id, _ = self.read_back(body, "acme.k3j2h1g0f9e8")
        self.assertIn(created_id, self.fake.incidents)
        inc = self.fake.incidents[created_id]
        self.assertEqual(len(inc["name"]), 255)
        self.assertEqual(inc["impact"], "major")
        self.assertEqual(inc["metadata"], {"warroom": {"key": "acme.k3j2h1g0f9e8"}})
        self.assertEqual(self.fake.components["cmpcheckout1"], "partial_outage")
        self.assertEqual(inc["updates"][0]["body"], "We are investigating failed payments.")

        status, body = self.send(samples["unresolved"])
        self.assertEqual(status, 200, body)
        self.assertEqual(self.read_back(body, "acme.k3j2h1g0f9e8")[1], created_id)
        self.assertEqual(self.read_back(body, "acme.someone-else")[1], "-")

        for label in ("update", "component", "resolve"):
            status, body = self.send(samples[label], created_id)
            self.assertEqual(status, 200, (label, body))
        self.assertEqual(inc["status"], "resolved")
        self.assertEqual([u["status"] for u in inc["updates"]], ["investigating", "identified", "resolved"])
        self.assertEqual(inc["updates"][1]["body"], "The cause is a <b>bad</b> deploy; rolling back.")
        self.assertEqual(self.fake.components["cmpcheckout1"], "operational")
        for r in self.fake.requests:
            self.assertEqual(r["errors"], [], r)


if __name__ == "__main__":
    unittest.main(verbosity=2)
