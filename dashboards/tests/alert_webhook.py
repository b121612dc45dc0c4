#!/usr/bin/env python3
"""alert_webhook.py - Alertmanager webhook receiver and assertions for tests.

  alert_webhook.py serve PORT LOGFILE
      Listen on 127.0.0.1:PORT; append every POSTed JSON body (Alertmanager's
      webhook payload) as one line to LOGFILE.  Loopback only.

  alert_webhook.py wait LOGFILE --status firing|resolved [--timeout S]
                   [--only] [--absent NAME ...] [--keep SPEC ...] --expect SPEC ...
      Wait until, for every --expect SPEC, the newest notification about a
      matching alert has that status, and for every --keep SPEC it is (still)
      firing.  SPEC is "label=value,label=value[;text;text]": the labels
      must all match exactly, and each text must occur in the alert's
      description.  Every matching alert must also carry the annotations
      summary, description and runbook_url, and a severity label of
      critical, warning or info.  With --only, a firing alert that matches
      no SPEC (--expect or --keep) is an error; --absent NAME fails if any
      alert of that name was ever delivered.  Exit 0 when satisfied, 1 on
      timeout or violation, printing what was missing.

Standard library only.
"""
import argparse
import http.server
import json
import sys
import time


def serve(port, log):
    class H(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(min(n, 1 << 20))
            try:
                json.loads(body)
            except ValueError:
                self.send_response(400)
                self.end_headers()
                return
            with open(log, "ab") as f:
                f.write(body.replace(b"\n", b" ") + b"\n")
            self.send_response(200)
            self.end_headers()

        def do_GET(self):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok\n")

        def log_message(self, *a):
            pass

    http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()


def parse_spec(s):
    lab, _, rest = s.partition(";")
    labels = dict(kv.split("=", 1) for kv in lab.split(",") if kv)
    texts = [t for t in rest.split(";") if t] if rest else []
    return labels, texts


def latest(log):
    """(labels-key -> alert) for the newest notification about each alert."""
    out = {}
    names = set()
    try:
        with open(log, encoding="utf-8") as f:
            for line in f:
                try:
                    msg = json.loads(line)
                except ValueError:
                    continue
                for a in msg.get("alerts", []):
                    key = tuple(sorted(a.get("labels", {}).items()))
                    out[key] = a
                    names.add(a.get("labels", {}).get("alertname"))
    except OSError:
        pass
    return out, names


def check(log, status, specs, only, absent, keep=()):
    alerts, names = latest(log)
    problems = []
    for labels, texts, want in [s + (status,) for s in specs] + [k + ("firing",) for k in keep]:
        match = [a for a in alerts.values()
                 if all(a["labels"].get(k) == v for k, v in labels.items())]
        if not match:
            problems.append("no alert delivered matching %s" % labels)
            continue
        for a in match:
            if a.get("status") != want:
                problems.append("%s is %s, want %s" % (labels, a.get("status"), want))
            ann = a.get("annotations", {})
            for k in ("summary", "description", "runbook_url"):
                if not ann.get(k):
                    problems.append("%s: annotation %s missing" % (labels, k))
            if a["labels"].get("severity") not in ("critical", "warning", "info"):
                problems.append("%s: bad severity %r" % (labels, a["labels"].get("severity")))
            for t in texts:
                if t not in ann.get("description", ""):
                    problems.append("%s: description %r lacks %r" % (labels, ann.get("description"), t))
    if only:
        for a in alerts.values():
            if a.get("status") == "firing" and not any(
                    all(a["labels"].get(k) == v for k, v in labels.items())
                    for labels, _ in list(specs) + list(keep)):
                problems.append("unexpected firing alert %s" % a["labels"])
    for n in absent:
        if n in names:
            problems.append("alert %s was delivered but must not be" % n)
    return problems


def main(argv):
    if argv and argv[0] == "serve":
        serve(int(argv[1]), argv[2])
        return 0
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["wait"])
    ap.add_argument("log")
    ap.add_argument("--status", required=True, choices=["firing", "resolved"])
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--only", action="store_true")
    ap.add_argument("--absent", action="append", default=[])
    ap.add_argument("--expect", action="append", default=[], required=True)
    ap.add_argument("--keep", action="append", default=[])
    a = ap.parse_args(argv)
    specs = [parse_spec(s) for s in a.expect]
    keep = [parse_spec(s) for s in a.keep]
    deadline = time.time() + a.timeout
    while True:
        problems = check(a.log, a.status, specs, a.only, a.absent, keep)
        if not problems:
            print("all %d expected alert(s) delivered as %s" % (len(specs), a.status))
            return 0
        if time.time() > deadline:
            for p in problems:
                print("FAIL " + p)
            return 1
        time.sleep(0.5)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
