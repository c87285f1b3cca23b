#!/usr/bin/env python3
"""The status page in a real browser: Debian's `chromium`, driven by puppeteer-core
(tests/browser/check_page.mjs), loads the page of a running `warroom serve` during a scripted
incident. Checked: the incident shows in the active section, then in history once resolved; a title
with markup shows as text (no script element); no console errors or failed requests; axe-core finds
no serious or critical violation; nothing overflows a phone's width. Screenshots at 390 px and
1280 px are kept under the artifacts directory given as the second argument.

Usage: python3 tests/integration/test_status_page_browser.py build/warroom build/artifacts/status-page
Without chromium, node or the npm packages (scripts/install-deps.sh with WARROOM_BROWSER_DEPS=1)
it prints SKIPPED with the reason and exits 77, which ctest reports as skipped, never as passed.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_serve as harness  # noqa: E402
from test_status_page import CONFIG, StatusWarroom  # noqa: E402

SKIP = 77
BROWSER_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "browser")
SCRIPT = os.path.join(BROWSER_DIR, "check_page.mjs")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = None  # set in main()
TITLE = "Payments <b>down</b> <script>alert(1)</script>"


def missing_dependency():
    if not shutil.which("node"):
        return "node is not installed"
    if not os.access(CHROMIUM, os.X_OK):
        return f"no Chromium at {CHROMIUM} (Debian package chromium)"
    for pkg in ("puppeteer-core", "axe-core"):
        if not os.path.isdir(os.path.join(BROWSER_DIR, "node_modules", pkg)):
            return f"npm package {pkg} is not installed in tests/browser (npm ci there)"
    return None


def browse(base, label, *paths):
    proc = subprocess.run(["node", SCRIPT, base, ARTIFACTS, label, *paths], capture_output=True, text=True,
                          timeout=120, env=dict(os.environ, CHROMIUM=CHROMIUM))
    if proc.returncode != 0:
        raise AssertionError(f"check_page.mjs exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])["pages"]


class BrowserTests(harness.ServeCase):
    config = CONFIG

    @classmethod
    def setUpClass(cls):
        harness.FAKE.post("reset")
        cls.tmp = tempfile.TemporaryDirectory(prefix="warroom-browser-")
        cls.w = StatusWarroom(cls.tmp.name, cls.config).start()

    def assert_clean(self, page):
        where = f"{page['path']} at {page['width']} width"
        self.assertEqual(page["status"], 200, where)
        self.assertEqual(page["problems"], [], f"{where}: console errors or failed requests")
        serious = [v for v in page["axe"] if v["impact"] in ("serious", "critical")]
        self.assertEqual(serious, [], f"{where}: axe-core violations")
        self.assertEqual(page["scripts"], 0, f"{where}: a script element made it into the page")
        self.assertEqual(page["lang"], "en")
        self.assertFalse(page["overflow"], f"{where}: wider than the viewport")
        self.assertTrue(os.path.getsize(page["screenshot"]) > 1000, page["screenshot"])
        if page["axe"]:
            print(f"  axe (minor/moderate) on {where}: {[v['id'] for v in page['axe']]}")

    def test_an_incident_in_the_browser_from_declaration_to_history(self):
        quiet = browse(self.w.status_url, "1-quiet", "/")
        for page in quiet:
            self.assert_clean(page)
            self.assertEqual(page["banner"], "All Systems Operational")

        started = time.monotonic()
        n = harness.incident_number(self.w.command(f"declare P1 {TITLE}"))
        declared = browse(self.w.status_url, "2-declared", "/")
        took = time.monotonic() - started
        for page in declared:
            self.assert_clean(page)
            self.assertIn(TITLE, page["active"], "the title, markup and all, shows as text")
            self.assertEqual(page["banner"], "Partial System Outage")
        print(f"  declared → in the browser (two widths, launch included): {took:.2f} s")

        public_id = self.w.json("/api/v2/summary.json")["incidents"][0]["id"]
        self.w.command(f"status INC-{n} identified")
        for page in browse(self.w.status_url, "3-identified", f"/incidents/{public_id}"):
            self.assert_clean(page)
            self.assertEqual(page["h1"], TITLE)
            self.assertIn("Identified", page["body"])

        self.w.command(f"resolve INC-{n} done")
        for page in browse(self.w.status_url, "4-resolved", "/"):
            self.assert_clean(page)
            self.assertNotIn(TITLE, page["active"])
            self.assertIn(TITLE, page["history"])
            self.assertEqual(page["banner"], "All Systems Operational")
        print(f"  screenshots in {ARTIFACTS}")


def main():
    global ARTIFACTS
    args = sys.argv[1:]
    binary = args.pop(0) if args and os.path.isfile(args[0]) else os.environ.get("WARROOM_BINARY", "build/warroom")
    ARTIFACTS = os.path.abspath(args.pop(0) if args and not args[0].startswith("-")
                                else os.path.join(os.path.dirname(binary), "artifacts", "status-page"))
    why = missing_dependency()
    if why:
        print(f"SKIPPED: the status page browser test did not run: {why}. "
              f"Install with WARROOM_BROWSER_DEPS=1 scripts/install-deps.sh", flush=True)
        sys.exit(SKIP)
    os.makedirs(ARTIFACTS, exist_ok=True)
    harness.BINARY = os.path.abspath(binary)
    harness.start_own_fake()
    try:
        result = unittest.main(argv=[sys.argv[0]] + args, verbosity=2, exit=False).result
    finally:
        harness.stop_own_fake()
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
