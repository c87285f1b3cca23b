#!/usr/bin/env python3
"""What an operator relies on, through the real binary: JSON log lines that parse, no secret in
any log line or output, `warroom backup` while `serve` commits, `warroom export` that a CSV
reader takes cell for cell, and `warroom healthcheck`.

Usage: python3 tests/integration/test_ops.py build/warroom   (or WARROOM_BINARY=build/warroom)
Standard library only; the fake Slack and process helpers come from test_serve.py.
"""

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_serve as harness  # noqa: E402

# Unique, so finding one anywhere can only mean it leaked.
TOKEN = "xoxb-" + uuid.uuid4().hex
SECRET = uuid.uuid4().hex + uuid.uuid4().hex[:8]
WRONG_TOKEN = "xoxb-" + uuid.uuid4().hex
APP_TOKEN = "xapp-" + uuid.uuid4().hex
SECRETS = (TOKEN, SECRET, WRONG_TOKEN, APP_TOKEN)
harness.TOKEN = TOKEN     # the fake Slack accepts this one; Warroom.start passes it to serve
harness.SECRET = SECRET   # Warroom.start passes it as SLACK_SIGNING_SECRET



def setUpModule():
    os.environ["WARROOM_LOG_FORMAT"] = "json"  # Warroom.start copies the environment
    harness.FAKE = harness.Fake()


def tearDownModule():
    if harness.FAKE:
        harness.FAKE.stop()


def run(*args, env=None, db=None):
    full = [harness.BINARY] + ([f"--db={db}"] if db else []) + list(args)
    e = dict(os.environ, SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET, SLACK_APP_TOKEN=APP_TOKEN)
    e.update(env or {})
    r = subprocess.run(full, env=e, capture_output=True, timeout=60)
    # Decoded strictly and without newline translation: the bytes are what a reader gets.
    r.stdout, r.stderr = r.stdout.decode("utf-8"), r.stderr.decode("utf-8")
    return r


def read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def declare(w, title, trigger=None):
    body = w.command_body(f"declare P3 {title}")
    if trigger:
        body = w.command_body(f"declare P3 {title}", trigger_id=trigger)
    status, _, answer = w.send(body, "application/x-www-form-urlencoded", secret=SECRET)
    return status, answer


class Ops(unittest.TestCase):
    def setUp(self):
        harness.FAKE.post("reset")
        self.tmp = tempfile.TemporaryDirectory(prefix="warroom-ops-")
        self.w = None

    def tearDown(self):
        if self.w:
            self.w.stop()
        self.tmp.cleanup()

    def start(self, token=TOKEN):
        harness.TOKEN = token
        try:
            self.w = harness.Warroom(self.tmp.name, config=None).start()
        finally:
            harness.TOKEN = TOKEN
        return self.w

    def assert_no_secret(self, text, where):
        for s in SECRETS:
            self.assertNotIn(s, text, f"a secret appears in {where}:\n{text[-3000:]}")

    def json_lines(self, text):
        lines = [line for line in text.splitlines() if line.strip()]
        self.assertTrue(lines, "no log lines at all")
        out = []
        for line in lines:
            try:
                obj = json.loads(line)
            except ValueError:
                self.fail(f"not a JSON log line: {line!r}")
            self.assertIsInstance(obj, dict, line)
            for key in ("time", "level", "message"):
                self.assertIn(key, obj, line)
            self.assertRegex(obj["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
            out.append(obj)
        return out

    # -- logs ----------------------------------------------------------------------------------
    def test_json_logs_parse_and_never_hold_a_secret(self):
        w = self.start()
        # Requests that are logged: bad signature, unsigned, signed with the wrong secret,
        # a good command, the same command again (same trigger_id), health and metrics.
        body = w.command_body("declare P3 bad signature")
        status, _, _ = w.send(body, "application/x-www-form-urlencoded", secret="not-" + SECRET)
        self.assertEqual(status, 401)
        status, _, _ = w.send(body, "application/x-www-form-urlencoded", sign_it=False)
        self.assertEqual(status, 401)
        status, _, _ = w.send(b"{not json", "text/plain", secret=SECRET)
        self.assertGreaterEqual(status, 400)
        trigger = f"{time.time():.0f}.42.{uuid.uuid4().hex[:8]}"
        status, answer = declare(w, "logs are json", trigger)
        self.assertEqual(status, 200, answer)
        status, answer = declare(w, "logs are json", trigger)  # Slack's double submit
        self.assertEqual(status, 200, answer)
        self.assertEqual(w.get("/healthz")[0], 200)
        self.assertEqual(w.get("/metrics")[0], 200)
        w.quiet()
        w.stop()
        logs = read(w.log_path)
        self.w = None
        self.assert_no_secret(logs, "serve's log")
        lines = self.json_lines(logs)
        messages = "\n".join(l["message"] for l in lines)
        self.assertIn("rejected a request to /slack/events", messages)
        self.assertIn("database closed cleanly", messages)
        self.assertTrue(any(l.get("request_id") == "trigger:" + trigger for l in lines),
                        f"no line carries the repeated command's request_id:\n{logs}")
        self.assertTrue(any(l.get("incident") == "INC-1" for l in lines), f"no line names INC-1:\n{logs}")
        self.assertIn("warning", {l["level"] for l in lines})

    def test_a_rejected_token_is_logged_without_the_token(self):
        w = self.start(token=WRONG_TOKEN)
        status, answer = declare(w, "token rejected")
        self.assertEqual(status, 200, answer)
        harness.wait_until("/healthz to turn 503", lambda: w.get("/healthz")[0] == 503)
        w.stop()
        logs = read(w.log_path)
        self.w = None
        self.assert_no_secret(logs, "serve's log")
        lines = self.json_lines(logs)
        self.assertTrue(any("invalid_auth" in l["message"] for l in lines), logs)

    def test_check_config_and_errors_never_print_a_secret(self):
        db = os.path.join(self.tmp.name, "w.db")
        for args in (["check-config"], ["outbox"], ["export"], ["healthcheck", "--url", "127.0.0.1:1"],
                     ["--config", "/nonexistent.toml", "check-config"]):
            r = run(*args, db=db)
            self.assert_no_secret(r.stdout + r.stderr, " ".join(args))
        r = run("check-config", db=db)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("redacted", r.stdout)

    # -- backup ------------------------------------------------------------------------------------
    def test_backup_while_serving_holds_every_acknowledged_declare(self):
        w = self.start()
        acked = []
        stop = threading.Event()

        def load():
            i = 0
            while not stop.is_set():
                i += 1
                status, answer = declare(w, f"backup load {i}")
                if status == 200 and "Declared" in answer:
                    acked.append(f"backup load {i}")

        t = threading.Thread(target=load)
        t.start()
        try:
            harness.wait_until("some declares", lambda: len(acked) >= 10)
            before = list(acked)
            copy = os.path.join(self.tmp.name, "copy.db")
            r = run("backup", copy, db=w.db)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("backed up", r.stdout)
            self.assertIn("To restore", r.stdout)
        finally:
            stop.set()
            t.join()
        con = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
        try:
            self.assertEqual(con.execute("PRAGMA integrity_check").fetchone()[0], "ok")
            titles = {row[0].lower() for row in con.execute("SELECT title FROM incidents")}
        finally:
            con.close()
        missing = [t for t in before if t.lower() not in titles]
        self.assertEqual(missing, [], "acknowledged before the backup started, missing from the copy")
        self.assertGreater(len(acked), len(before), "the load kept going during the backup")

        again = run("backup", copy, db=w.db)
        self.assertNotEqual(again.returncode, 0)
        self.assertIn("already exists", again.stderr)
        # Nothing is wrong with the database: say what is in the way and how to overwrite it.
        self.assertNotIn("database error", again.stderr)
        self.assertIn("--force", again.stderr)
        self.assertEqual(run("backup", "--force", copy, db=w.db).returncode, 0)
        self.assertEqual(os.stat(copy).st_mode & 0o777, 0o600, "a backup holds every incident: owner only")

    # -- the database's files ------------------------------------------------------------------
    def test_the_database_and_its_wal_are_owner_only(self):
        old = os.umask(0o022)  # the usual one; serve inherits it
        try:
            w = self.start()
        finally:
            os.umask(old)
        status, answer = declare(w, "private files")
        self.assertEqual(status, 200, answer)
        for suffix in ("", "-wal", "-shm"):
            path = w.db + suffix
            self.assertTrue(os.path.exists(path), path)
            self.assertEqual(os.stat(path).st_mode & 0o777, 0o600, f"{path} is readable by others")

    def test_a_deleted_database_is_noticed_and_writes_are_refused(self):
        w = self.start()
        status, answer = declare(w, "before the files went")
        self.assertIn("Declared", answer)
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(w.db + suffix):
                os.remove(w.db + suffix)
        status, answer = declare(w, "after the files went")
        self.assertEqual(status, 200, answer)
        text = json.loads(answer)["text"]
        self.assertNotIn("Declared", text, "a declare that cannot last must not be answered as done")
        self.assertIn("cannot save", text)
        self.assertIn("deleted", text)
        status, _, body = w.get("/healthz")
        self.assertEqual(status, 503, body)
        health = json.loads(body)
        self.assertTrue(health["database"].startswith("error"), health)
        self.assertIn("deleted", health["database"])

    def test_a_second_warroom_on_the_same_database_refuses_to_start(self):
        w = self.start()
        status, answer = declare(w, "one writer only")
        self.assertIn("Declared", answer)
        port = harness.free_port()
        second = run("serve", env={"WARROOM_LISTEN": f"127.0.0.1:{port}", "SLACK_API_URL": harness.FAKE.api,
                                   "SLACK_APP_TOKEN": ""}, db=w.db)
        self.assertEqual(second.returncode, 2, second.stdout + second.stderr)
        self.assertIn(f"pid {w.proc.pid}", second.stderr)
        self.assertIn("already using", second.stderr)
        console = run("console", db=w.db)
        self.assertEqual(console.returncode, 2, console.stdout + console.stderr)
        self.assertIn("already using", console.stderr)
        # The operator's tools still work beside the running service.
        self.assertEqual(run("outbox", db=w.db).returncode, 0)
        self.assertEqual(run("backup", os.path.join(self.tmp.name, "beside.db"), db=w.db).returncode, 0)
        # A killed service leaves no stale lock: the kernel drops it with the process.
        w.kill9()
        self.w = None
        self.w = self.start()
        status, answer = declare(self.w, "after the first one died")
        self.assertIn("Declared", answer)

    def test_an_empty_database_file_is_started_with_a_word_in_the_log(self):
        open(os.path.join(self.tmp.name, "w.db"), "wb").close()  # the file Warroom uses
        w = self.start()
        status, answer = declare(w, "into an empty file")
        self.assertIn("Declared", answer)
        self.assertIn("is empty (0 bytes)", read(w.log_path))

    def test_a_damaged_database_is_refused_at_start(self):
        db = os.path.join(self.tmp.name, "w.db")
        con = sqlite3.connect(db)
        con.execute("CREATE TABLE filler (x TEXT)")
        con.executemany("INSERT INTO filler VALUES (?)", [("x" * 500,) for _ in range(200)])
        con.commit()
        page = con.execute("PRAGMA page_size").fetchone()[0]
        pages = con.execute("PRAGMA page_count").fetchone()[0]
        con.close()
        with open(db, "r+b") as f:  # a page in the middle zeroed, as a torn write or bad disk leaves it
            f.seek(page * (pages // 2))
            f.write(b"\0" * page)
        r = subprocess.run([harness.BINARY, f"--db={db}", "console"], input=b"declare P1 on a bad disk\n",
                           capture_output=True, timeout=60)
        r.stdout, r.stderr = r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")
        self.assertNotIn("Declared", r.stdout)
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn("damaged", r.stderr)
        self.assertIn("backup", r.stderr)

    # -- console -----------------------------------------------------------------------------------
    def test_the_console_answers_through_a_pipe_at_once(self):
        db = os.path.join(self.tmp.name, "console.db")
        p = subprocess.Popen([harness.BINARY, f"--db={db}", "console"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        lines = []
        reader = threading.Thread(target=lambda: lines.extend(iter(p.stdout.readline, b"")), daemon=True)
        reader.start()
        try:
            p.stdin.write(b"help\n")
            p.stdin.flush()
            # Input stays open: the answer must not wait for the next line or delivery.
            harness.wait_until("the [only you] answer", lambda: any(b"[only you]" in l for l in lines), timeout=10)
        finally:
            p.stdin.close()
            p.wait(timeout=10)
            reader.join(timeout=5)
            p.stdout.close()

    # -- export ------------------------------------------------------------------------------------
    def test_export_csv_reads_cell_for_cell_and_json_parses(self):
        w = self.start()
        title = 'checkout, "cart" — déjà vu 🔥 東京'
        status, answer = declare(w, title)
        self.assertEqual(status, 200, answer)
        note = w.command_body('note INC-1 first line, with "quotes"')
        self.assertEqual(w.send(note, "application/x-www-form-urlencoded", secret=SECRET)[0], 200)
        r = run("export", "--format", "csv", db=w.db)
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = list(csv.DictReader(io.StringIO(r.stdout, newline="")))
        self.assertEqual(len(rows), 1, r.stdout)
        row = rows[0]
        self.assertEqual(row["id"], "INC-1")
        self.assertEqual(row["title"].lower(), title.lower())
        self.assertEqual(row["status"], "investigating")
        self.assertRegex(row["declared_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(row["mttr"], "")
        entries = row["timeline"].splitlines()  # one line per timeline entry
        self.assertEqual(len(entries), 2, row["timeline"])
        self.assertTrue(entries[1].endswith('note by W111: first line, with "quotes"'), entries)
        self.assertIn("\r\n", r.stdout)  # RFC 4180 record separator

        out = os.path.join(self.tmp.name, "report.json")
        r = run("export", "--format", "json", "--since", "1d", "--output", out, db=w.db)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("exported 1 incident", r.stdout)
        with open(out, encoding="utf-8") as f:
            doc = json.load(f)
        self.assertEqual(doc["incidents"][0]["title"].lower(), title.lower())
        self.assertEqual([e["kind"] for e in doc["incidents"][0]["timeline"]][-1], "note")

        bad = run("export", "--since", "yesterday", db=w.db)
        self.assertEqual(bad.returncode, 2)
        self.assertIn("--since", bad.stderr)

    # -- healthcheck -------------------------------------------------------------------------------
    def test_healthcheck_answers_for_a_running_serve(self):
        w = self.start()
        r = run("healthcheck", env={"WARROOM_LISTEN": f"127.0.0.1:{w.port}"})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("200", r.stdout)
        self.assertIn('"status":"ok"', r.stdout)
        w.stop()
        self.w = None
        r = run("healthcheck", "--url", f"http://127.0.0.1:{w.port}/healthz")
        self.assertEqual(r.returncode, 1)
        self.assertIn("no answer", r.stderr)


if __name__ == "__main__":
    harness.run_suite("test_ops.py")
