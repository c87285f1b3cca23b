#!/usr/bin/env python3
"""What the fake pagers share (Python 3 standard library only): an HTTP server that records
every request, injects faults, and answers a control API, so each fake (fake_pagerduty.py,
fake_opsgenie.py, fake_webhook.py) only says what its vendor accepts.

Control API, as fake_slack.py's (JSON in and out):
  GET  /_control/requests[?since=<seq>]   every request: seq, method, path, query, headers, body
                                          (parsed JSON or text), status answered, fault, errors
  POST /_control/fault   {"kind": "429"|"500"|"hang"|"drop"|"late", "path": "*" or a path prefix,
                          "count": 1, "retry_after": 1 (429; null: no header), "status": 500,
                          "seconds": 10 (hang)}
  POST /_control/clear_faults
  POST /_control/reset   forget requests, faults and the vendor's state
  plus each fake's own (its state, its config).
"""

import json
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# "late": the request is carried out, then the answer is held `seconds` and the connection
# dropped, as a vendor that acted but whose answer never came back (the case a crash between a
# page and its record leaves: the retry must not open a second alert).
FAULT_KINDS = {"429", "500", "hang", "drop", "late"}


class Reply:
    def __init__(self, status, body=None, headers=()):
        self.status = status
        self.body = body  # dict/list: JSON; str/bytes: as is; None: empty
        self.headers = list(headers)


class FakeVendor:
    """Subclasses set NAME and implement handle(request) -> Reply under self.lock, plus
    reset_state() and control endpoints in self.control_routes {(method, name): fn(payload)}."""

    NAME = "fake"
    THROTTLE_BODY = {"message": "Too many requests"}  # the vendor's 429 body

    def __init__(self, port=0, host="127.0.0.1", verbose=False):
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.verbose = verbose
        self.requests = []
        self.faults = []
        self.seq = 0
        self.control_routes = {}
        self.reset_state()
        self.server = ThreadingHTTPServer((host, port), make_handler(self))
        self.server.daemon_threads = True
        self.thread = None

    # -- for subclasses ---------------------------------------------------------------------
    def reset_state(self):
        pass

    def handle(self, request):
        return Reply(404, {"message": "not found"})

    # -- lifecycle --------------------------------------------------------------------------
    @property
    def base(self):
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()

    # -- recording and faults (under the lock) ------------------------------------------------
    def record(self, request):
        self.seq += 1
        request["seq"] = self.seq
        request["time"] = time.time()
        self.requests.append(request)
        return request

    def take_fault(self, path):
        for f in self.faults:
            if f["count"] > 0 and (f["path"] == "*" or path.startswith(f["path"])):
                f["count"] -= 1
                if f["count"] == 0:
                    self.faults.remove(f)
                return dict(f)
        return None

    def control(self, method, name, payload, params):
        if (method, name) == ("GET", "requests"):
            since = int(params.get("since", 0))
            return {"requests": [dict(r) for r in self.requests if r["seq"] > since]}
        if (method, name) == ("POST", "fault"):
            kind = str(payload["kind"])
            if kind not in FAULT_KINDS:
                raise ValueError(f"kind must be one of {sorted(FAULT_KINDS)}")
            fault = {"kind": kind, "path": str(payload.get("path", "*")), "count": int(payload.get("count", 1)),
                     "retry_after": payload.get("retry_after", 1), "status": int(payload.get("status", 500)),
                     "seconds": float(payload.get("seconds", 10))}
            self.faults.append(fault)
            return {"fault": dict(fault)}
        if (method, name) == ("POST", "clear_faults"):
            self.faults.clear()
            return {}
        if (method, name) == ("POST", "reset"):
            self.requests.clear()
            self.faults.clear()
            self.reset_state()
            return {}
        fn = self.control_routes.get((method, name))
        if not fn:
            raise KeyError(f"no control endpoint {method} {name}")
        return fn(payload)


def make_handler(fake):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = fake.NAME

        def log_message(self, fmt, *args):
            if fake.verbose:
                sys.stderr.write(f"{fake.NAME}: " + (fmt % args) + "\n")

        def do_GET(self):
            self.route()

        def do_POST(self):
            self.route()

        def do_PUT(self):
            self.route()

        def do_DELETE(self):
            self.route()

        def do_PATCH(self):
            self.route()

        def route(self):
            path, _, query = self.path.partition("?")
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length > 0 else b""
            if path.startswith("/_control/"):
                return self.control(path[len("/_control/"):], query, raw)
            text = raw.decode("utf-8", "replace")
            try:
                parsed = json.loads(text) if text.strip() else None
            except ValueError:
                parsed = None
            request = {"method": self.command, "path": path, "query": dict(urllib.parse.parse_qsl(query)),
                       "headers": {k: v for k, v in self.headers.items()}, "raw": text,
                       "body": parsed if parsed is not None else text, "json_ok": parsed is not None or not text.strip(),
                       "status": None, "fault": None, "errors": []}
            with fake.lock:
                fake.record(request)
                fault = fake.take_fault(path)
            if fault and fault["kind"] != "late":
                return self.answer_fault(request, fault)
            with fake.lock:
                reply = fake.handle(request)
                request["status"] = reply.status
            if fault:
                return self.answer_fault(request, dict(fault, kind="hang"))
            self.send(reply)

        def answer_fault(self, request, fault):
            request["fault"] = fault["kind"]
            if fault["kind"] == "429":
                request["status"] = 429
                headers = [] if fault["retry_after"] is None else [("Retry-After", str(fault["retry_after"]))]
                self.send(Reply(429, fake.THROTTLE_BODY, headers))
            elif fault["kind"] == "500":
                request["status"] = fault["status"]
                self.send(Reply(fault["status"], "<html><body>Internal Server Error</body></html>"))
            else:
                if fault["kind"] == "hang":
                    fake.stopping.wait(fault["seconds"])
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        def send(self, reply):
            if isinstance(reply.body, (dict, list)):
                data, ctype = json.dumps(reply.body).encode(), "application/json"
            elif isinstance(reply.body, str):
                data, ctype = reply.body.encode(), "text/html; charset=utf-8"
            else:
                data, ctype = reply.body or b"", "text/plain"
            self.send_response(reply.status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            for k, v in reply.headers:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def control(self, name, query, raw):
            try:
                payload = json.loads(raw.decode()) if raw.strip() else {}
            except ValueError:
                return self.send(Reply(400, {"ok": False, "error": "invalid_json"}))
            params = dict(urllib.parse.parse_qsl(query))
            try:
                with fake.lock:
                    data = {"ok": True, **fake.control(self.command, name, payload, params)}
                    body = json.loads(json.dumps(data))  # a copy, made under the lock
            except KeyError as e:
                return self.send(Reply(404, {"ok": False, "error": str(e)}))
            except (TypeError, ValueError) as e:
                return self.send(Reply(400, {"ok": False, "error": f"bad request: {e}"}))
            self.send(Reply(200, body))

    return Handler


def chars(s):
    """Length as the vendors count it: code points."""
    return len(s) if isinstance(s, str) else 0


def main(fake_class, env_name, options=()):
    """Command line: --port, --verbose and the fake's own `options` [(flag, argparse kwargs)];
    prints <env_name>=<base URL> once it listens, then serves until interrupted."""
    import argparse
    p = argparse.ArgumentParser(description=fake_class.__doc__)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--verbose", action="store_true")
    for flag, opts in options:
        p.add_argument(flag, **opts)
    args = p.parse_args()
    extra = {k: v for k, v in vars(args).items() if k not in ("port", "verbose")}
    fake = fake_class(port=args.port, verbose=args.verbose, **extra).start()
    print(f"{env_name}={getattr(fake, 'url', fake.base)}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.stop()
