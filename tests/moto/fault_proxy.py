"""A loopback HTTP proxy in front of the moto server that injects AWS errors.

Usage: python fault_proxy.py UPSTREAM_URL RULES.json PORT_FILE

moto serves AWS faithfully but cannot be told to refuse an AssumeRole or to throttle, so the
tests put this proxy between govscan and moto. Each rule names an API action (the `Action`
form field of query-protocol services such as IAM and STS, or the operation in the
`X-Amz-Target` header of JSON services), an optional text that must appear in the request
body, the error to answer with (or `delay` seconds to wait before forwarding, or a recorded
`body` to answer with), and how many
times (`times`, -1 for always). Everything
else is forwarded unchanged. The proxy writes its port to PORT_FILE once it listens, and
counts requests per action, served at GET /__stats.

Storms: `"action": "*"` matches every request; `probability` (0..1, drawn from a generator
seeded by `seed`, so a run is repeatable) fires a rule on that share of its matches only;
`except` lists actions a `*` rule leaves alone; `after` lets that many matches through first
(credentials that expire mid-run); `for_seconds` ends a rule that long after it first
fired (a storm that passes); and `fault`
says what happens instead of an error answer: `reset` (the connection is closed without an
answer), `truncate` (the real answer cut to half its length), `malformed` (a 200 whose body
is not XML or JSON) or `slow` (the real answer after `delay` seconds). Faults and error
answers injected are counted under `__faults` in the stats, by fault or error code.
"""

import json
import random
import socket
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

UPSTREAM = sys.argv[1].rstrip("/")
RULES = json.load(open(sys.argv[2]))
LOCK = threading.Lock()
STATS = {}
DRAWS = random.Random(0)
for r in RULES:
    if "seed" in r:
        DRAWS.seed(r["seed"])


def action_of(headers, body):
    target = headers.get("X-Amz-Target")
    if target:
        return target.split(".")[-1]
    if body:
        try:
            form = urllib.parse.parse_qs(body.decode("utf-8"))
            if "Action" in form:
                return form["Action"][0]
        except UnicodeDecodeError:
            pass
    return None


def error_body(rule, json_protocol):
    if json_protocol:
        return "application/x-amz-json-1.1", json.dumps({"__type": rule["code"], "message": rule["message"]})
    xml = (
        "<ErrorResponse><Error><Type>Sender</Type>"
        f"<Code>{rule['code']}</Code><Message>{rule['message']}</Message>"
        "</Error><RequestId>fault-proxy</RequestId></ErrorResponse>"
    )
    return "text/xml", xml


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path == "/__stats":
            return self.reply(200, "application/json", json.dumps(STATS).encode())
        action = action_of(self.headers, body)
        with LOCK:
            STATS[action or "other"] = STATS.get(action or "other", 0) + 1
            rule = self.matching_rule(action, body)
        fault = rule.get("fault") if rule else None
        injected = fault or (rule.get("code") if rule and "delay" not in rule else None)
        if injected:
            with LOCK:
                faults = STATS.setdefault("__faults", {})
                faults[injected] = faults.get(injected, 0) + 1
        if fault == "reset":
            # Closed without an answer, as a dropped connection looks to the client.
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if fault in ("truncate", "malformed", "slow"):
            if fault == "slow":
                time.sleep(rule.get("delay", 1))
            return self.forward(body, fault)
        if rule and "delay" in rule:
            time.sleep(rule["delay"])
            rule = None
        if rule and "body" in rule:
            # A recorded response, served as the service would.
            return self.reply(rule.get("status", 200), "application/x-amz-json-1.1", json.dumps(rule["body"]).encode())
        if rule:
            content_type, text = error_body(rule, "X-Amz-Target" in self.headers)
            return self.reply(rule["status"], content_type, text.encode())
        self.forward(body)

    def matching_rule(self, action, body):
        for rule in RULES:
            if rule["action"] not in ("*", action) or rule.get("times", -1) == 0:
                continue
            if action in rule.get("except", []):
                continue
            if rule.get("body_contains") and rule["body_contains"].encode() not in body:
                continue
            if rule.get("after", 0) > 0:
                rule["after"] -= 1
                continue
            if "for_seconds" in rule:
                started = rule.setdefault("started", time.monotonic())
                if time.monotonic() - started > rule["for_seconds"]:
                    continue
            if "probability" in rule and DRAWS.random() >= rule["probability"]:
                continue
            if rule.get("times", -1) > 0:
                rule["times"] -= 1
            return rule
        return None

    def forward(self, body, fault=None):
        request = urllib.request.Request(UPSTREAM + self.path, data=body or None, method=self.command)
        for key, value in self.headers.items():
            if key.lower() not in ("host", "content-length", "connection"):
                request.add_header(key, value)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, headers, data = response.status, response.headers, response.read()
        except urllib.error.HTTPError as e:
            status, headers, data = e.code, e.headers, e.read()
        if fault == "truncate":
            data = data[: len(data) // 2]
        elif fault == "malformed":
            status, data = 200, b"<<not xml or json {"
        self.send_response(status)
        for key, value in headers.items():
            if key.lower() not in ("content-length", "connection", "transfer-encoding", "server", "date"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def reply(self, status, content_type, data):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_any


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(sys.argv[3] + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os

    os.replace(sys.argv[3] + ".tmp", sys.argv[3])
    server.serve_forever()


if __name__ == "__main__":
    main()
