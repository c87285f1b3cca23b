#!/usr/bin/env python3
"""Start-up to ready and resident memory of `warroom serve` (issue #16's targets: <= 50 ms, <= 12 MB).

    bench/startup_rss.py [--binary build/warroom] [--runs 15] [--incidents 10000] [--idle 3]

For each run: a fresh database (an empty file, or a copy of one seeded once with
--incidents declares through `warroom console`), `warroom serve` started, and
the time until /healthz first answers 200 (polled every 2 ms, as the
integration tests' Warroom.start waits, only tighter). Then RSS from
/proc/PID/smaps_rollup: right after ready, and after --idle seconds idle with a
few /healthz and /metrics requests (the warm-up). Prints the median and the
range of each, and the RSS split (file-backed pages: shared libraries and the
binary; anonymous: heap and stacks).

The fake Slack is tests/support/fake_slack.py. Wall time on a busy 2-core
machine is noisy: compare medians taken in one sitting, and state the machine.
"""
import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rollup(pid):
    """RSS, and its file-backed and anonymous parts, in MB."""
    out = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
                out[parts[0][:-1]] = int(parts[1]) / 1024
    return {"rss": out.get("Rss", 0), "anon": out.get("Anonymous", 0),
            "file": out.get("Rss", 0) - out.get("Anonymous", 0)}


def get(url, timeout=1.0):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return None


def start_fake():
    fake = subprocess.Popen([sys.executable, os.path.join(ROOT, "tests/support/fake_slack.py"), "--port", "0",
                             "--exit-on-stdin-eof"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = fake.stdout.readline().strip()
    if not line.startswith("FAKE_SLACK_URL="):
        sys.exit(f"startup_rss: the fake Slack did not start: {line!r}")
    return fake, line.split("=", 1)[1]


def seed(binary, db, incidents):
    """`declare` N times through the console (no Slack): N open incidents, their channels and timers."""
    lines = "".join(f"declare P2 seeded incident {i}\n" for i in range(incidents))
    env = dict(os.environ, WARROOM_DB=db)
    subprocess.run([binary, "console"], input=lines, text=True, env=env, stdout=subprocess.DEVNULL, check=True)


def one_run(binary, db, api, idle):
    port = free_port()
    env = dict(os.environ, SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET="bench-secret", SLACK_API_URL=api,
               WARROOM_LISTEN=f"127.0.0.1:{port}", WARROOM_DB=db)
    for k in ("SLACK_APP_TOKEN", "WARROOM_CONFIG"):
        env.pop(k, None)
    url = f"http://127.0.0.1:{port}"
    t0 = time.monotonic()
    proc = subprocess.Popen([binary, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while True:
            if get(url + "/healthz", 0.5) == 200:
                break
            if proc.poll() is not None:
                sys.exit(f"startup_rss: warroom exited ({proc.returncode}): {proc.stderr.read().decode()[-2000:]}")
            if time.monotonic() - t0 > 30:
                sys.exit("startup_rss: not ready after 30 s")
            time.sleep(0.002)
        ready = time.monotonic() - t0
        at_start = rollup(proc.pid)
        end = time.monotonic() + idle
        while time.monotonic() < end:
            get(url + "/healthz")
            get(url + "/metrics")
            time.sleep(0.2)
        after_idle = rollup(proc.pid)
        return ready, at_start, after_idle
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def summary(name, values, unit, fmt="{:.1f}"):
    med = statistics.median(values)
    print(f"{name}: median {fmt.format(med)} {unit} (min {fmt.format(min(values))}, max {fmt.format(max(values))}, "
          f"n={len(values)})")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--binary", default=os.path.join(ROOT, "build/warroom"))
    p.add_argument("--runs", type=int, default=15)
    p.add_argument("--incidents", type=int, default=0, help="also measure with this many incidents (0: empty only)")
    p.add_argument("--idle", type=float, default=3.0, help="seconds of idle warm-up before the second RSS reading")
    opts = p.parse_args()
    binary = os.path.abspath(opts.binary)
    fake, api = start_fake()
    tmp = tempfile.mkdtemp(prefix="warroom-startup-")  # on disk like production: fsyncs cost what they cost
    try:
        cases = [("empty database", 0)] + ([(f"{opts.incidents} incidents", opts.incidents)] if opts.incidents else [])
        for label, n in cases:
            template = None
            if n:
                template = os.path.join(tmp, "seeded.db")
                seed(binary, template, n)
            ready, start_rss, idle_rss = [], [], []
            for i in range(opts.runs):
                db = os.path.join(tmp, f"run{i}.db")
                if template:
                    shutil.copy(template, db)
                r, s, a = one_run(binary, db, api, opts.idle)
                ready.append(r * 1000)
                start_rss.append(s)
                idle_rss.append(a)
                for suffix in ("", "-wal", "-shm", ".lock"):
                    try:
                        os.remove(db + suffix)
                    except FileNotFoundError:
                        pass
            print(f"== {label} ({binary})")
            summary("start-up to ready (/healthz 200)", ready, "ms")
            for when, rows in (("after start", start_rss), (f"after {opts.idle:g} s idle", idle_rss)):
                summary(f"RSS {when}", [x["rss"] for x in rows], "MB", "{:.2f}")
                summary(f"  file-backed (binary, libraries)", [x["file"] for x in rows], "MB", "{:.2f}")
                summary(f"  anonymous (heap, stacks)", [x["anon"] for x in rows], "MB", "{:.2f}")
    finally:
        fake.terminate()
        fake.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
