#!/usr/bin/env python3
"""customize.py - adapt the shipped alert rules without hand edits.

The rules in dashboards/alerts/mta.rules.yml select with three literal
matchers, point runbooks at one base URL and use fixed `for:` durations.
This tool rewrites those, the way a monitoring mixin's config object would,
and writes the result to stdout (or --output):

  customize.py [--selector MATCHERS] [--scrape-selector MATCHERS]
               [--node-selector MATCHERS] [--runbook-base URL]
               [--for ALERT[:SEVERITY]=DURATION ...] [--for-all DURATION]
               [--output FILE] [RULES_FILE]

  --selector         the exporter's series, scraped or via node_exporter's
                     textfile collector (default job=~"mta|node")
  --scrape-selector  the exporter's own scrape job: up, absent (job="mta")
  --node-selector    node_exporter's job, for the textfile's age (job="node")
  --runbook-base     where docs/ is published (default
                     file:///usr/share/doc/mta-exporter/docs, the Debian
                     package's copy)
  --for              one alert's `for:`; ALERT:SEVERITY picks one of the
                     rules of an alert with several (MtaCheckFailed has one
                     per severity), ALERT alone sets them all
  --for-all          every alert's `for:` (the end-to-end test shortens them;
                     promtool unit tests use the real ones)

MATCHERS are one or more matchers, comma-separated, without braces.  The
rewrite is textual, so comments and layout survive; the three selectors are
replaced in one pass, so a new value is never rewritten again.  An unknown
alert or severity is an error (exit 2).  Standard library only.
"""
import argparse
import os
import re
import sys

DEFAULT_RULES = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                             "..", "alerts", "mta.rules.yml")
DEFAULT_SELECTOR = 'job=~"mta|node"'
DEFAULT_SCRAPE_SELECTOR = 'job="mta"'
DEFAULT_NODE_SELECTOR = 'job="node"'
DEFAULT_RUNBOOK_BASE = "file:///usr/share/doc/mta-exporter/docs"
DURATION_RE = re.compile(r"^([0-9]+(ms|s|m|h|d|w|y))+$")
RULE_RE = re.compile(r"^\s*- (alert|record):\s*(\S+)")
FOR_RE = re.compile(r"^(\s*)for:\s*\S+\s*$")
SEVERITY_RE = re.compile(r"^\s*severity:\s*(\S+)\s*$")


def blocks(lines):
    """Split into (name or None, lines) per rule; text before the first rule has None."""
    cur, name = [], None
    for line in lines:
        m = RULE_RE.match(line)
        if m:
            yield name, cur
            cur, name = [], (m.group(2) if m.group(1) == "alert" else None)
        cur.append(line)
    yield name, cur


def customize(text, selector=None, runbook_base=None, fors=None, for_all=None,
              scrape_selector=None, node_selector=None):
    """fors: {"ALERT" or "ALERT:SEVERITY": duration}."""
    fors = dict(fors or {})
    seen = set()
    out = []
    for alert, lines in blocks(text.splitlines(keepends=True)):
        severity = None
        for line in lines:
            m = SEVERITY_RE.match(line)
            if m:
                severity = m.group(1)
        if alert:
            seen.add(alert)
            if severity:
                seen.add("%s:%s" % (alert, severity))
        dur = fors.get("%s:%s" % (alert, severity), fors.get(alert, for_all)) if alert else None
        for line in lines:
            m = FOR_RE.match(line)
            if m and dur:
                line = "%sfor: %s\n" % (m.group(1), dur)
            out.append(line)
    text = "".join(out)
    repl = {DEFAULT_SELECTOR: selector, DEFAULT_SCRAPE_SELECTOR: scrape_selector,
            DEFAULT_NODE_SELECTOR: node_selector}
    repl = {k: v for k, v in repl.items() if v is not None}
    if repl:
        pat = re.compile("|".join(re.escape(k) for k in sorted(repl, key=len, reverse=True)))
        text = pat.sub(lambda m: repl[m.group(0)], text)
    if runbook_base is not None:
        text = text.replace(DEFAULT_RUNBOOK_BASE, runbook_base.rstrip("/"))
    unknown = sorted(set(fors) - seen)
    if unknown:
        raise ValueError("unknown alert(s): %s" % ", ".join(unknown))
    return text


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("rules", nargs="?", default=DEFAULT_RULES)
    ap.add_argument("--selector")
    ap.add_argument("--scrape-selector")
    ap.add_argument("--node-selector")
    ap.add_argument("--runbook-base")
    ap.add_argument("--for", dest="fors", action="append", default=[],
                    metavar="ALERT[:SEVERITY]=DURATION")
    ap.add_argument("--for-all", metavar="DURATION")
    ap.add_argument("--output", "-o")
    a = ap.parse_args(argv)
    fors = {}
    for item in a.fors:
        name, _, dur = item.partition("=")
        if not name or not DURATION_RE.match(dur):
            ap.error("--for wants ALERT[:SEVERITY]=DURATION, got %r" % item)
        fors[name] = dur
    if a.for_all and not DURATION_RE.match(a.for_all):
        ap.error("--for-all wants a duration such as 30s, got %r" % a.for_all)
    for opt in ("selector", "scrape_selector", "node_selector"):
        v = getattr(a, opt)
        if v is not None and ("{" in v or "}" in v or not v.strip()):
            ap.error("--%s takes matchers without braces, e.g. job=\"mail\"" % opt.replace("_", "-"))
    with open(a.rules, encoding="utf-8") as f:
        text = f.read()
    try:
        res = customize(text, a.selector, a.runbook_base, fors, a.for_all,
                        a.scrape_selector, a.node_selector)
    except ValueError as e:
        print("customize.py: %s: %s" % (a.rules, e), file=sys.stderr)
        return 2
    if a.output:
        with open(a.output, "w", encoding="utf-8") as f:
            f.write(res)
    else:
        sys.stdout.write(res)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
