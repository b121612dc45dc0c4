#!/usr/bin/env python3
"""customize.py - adapt the shipped alert rules without hand edits.

The rules in dashboards/alerts/mta.rules.yml select the exporter with the
literal matcher job="mta", point runbooks at a placeholder base URL and use
fixed `for:` durations.  This tool rewrites those three things, the way a
monitoring mixin's config object would, and writes the result to stdout
(or --output):

  customize.py [--selector 'job="mail",env="prod"'] [--runbook-base URL]
               [--for ALERT=DURATION ...] [--for-all DURATION]
               [--output FILE] [RULES_FILE]

--selector replaces every job="mta" matcher (one or more matchers,
comma-separated, without braces).  --for sets one alert's `for:`;
--for-all sets every alert's `for:` (the end-to-end test uses it to shorten
the durations; promtool unit tests use the real ones).  The rewrite is
textual and line-based, so comments and layout survive; unknown alert names
are an error (exit 2).  Standard library only.
"""
import argparse
import os
import re
import sys

DEFAULT_RULES = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                             "..", "alerts", "mta.rules.yml")
DEFAULT_SELECTOR = 'job="mta"'
DEFAULT_RUNBOOK_BASE = "https://mta-exporter.invalid/docs"
DURATION_RE = re.compile(r"^([0-9]+(ms|s|m|h|d|w|y))+$")


def customize(text, selector=None, runbook_base=None, fors=None, for_all=None):
    fors = dict(fors or {})
    seen = set()
    out = []
    alert = None
    for line in text.splitlines(keepends=True):
        m = re.match(r"^\s*- (alert|record):\s*(\S+)", line)
        if m:
            alert = m.group(2) if m.group(1) == "alert" else None
            if alert:
                seen.add(alert)
        m = re.match(r"^(\s*)for:\s*\S+\s*$", line)
        if m and alert:
            dur = fors.get(alert, for_all)
            if dur:
                line = "%sfor: %s\n" % (m.group(1), dur)
        if selector is not None:
            line = line.replace(DEFAULT_SELECTOR, selector)
        if runbook_base is not None:
            line = line.replace(DEFAULT_RUNBOOK_BASE, runbook_base.rstrip("/"))
        out.append(line)
    unknown = sorted(set(fors) - seen)
    if unknown:
        raise ValueError("unknown alert(s): %s" % ", ".join(unknown))
    return "".join(out)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("rules", nargs="?", default=DEFAULT_RULES)
    ap.add_argument("--selector")
    ap.add_argument("--runbook-base")
    ap.add_argument("--for", dest="fors", action="append", default=[],
                    metavar="ALERT=DURATION")
    ap.add_argument("--for-all", metavar="DURATION")
    ap.add_argument("--output", "-o")
    a = ap.parse_args(argv)
    fors = {}
    for item in a.fors:
        name, _, dur = item.partition("=")
        if not name or not DURATION_RE.match(dur):
            ap.error("--for wants ALERT=DURATION, got %r" % item)
        fors[name] = dur
    if a.for_all and not DURATION_RE.match(a.for_all):
        ap.error("--for-all wants a duration such as 30s, got %r" % a.for_all)
    if a.selector is not None and ("{" in a.selector or "}" in a.selector):
        ap.error("--selector takes matchers without braces, e.g. job=\"mail\"")
    with open(a.rules, encoding="utf-8") as f:
        text = f.read()
    try:
        res = customize(text, a.selector, a.runbook_base, fors, a.for_all)
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
