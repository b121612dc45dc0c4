#!/usr/bin/env python3
"""check_ids.py - the check ids the shipped files name are the exporter's.

  check_ids.py CATALOGUE.json SRC_DIR

CATALOGUE.json is the output of `mta_exporter audit --format=json`.  Fails
(exit 1, naming file and id) when
  - the alert rules, their promtool tests, the dashboards, docs/alerts.md or
    docs/deployment.md name a check id (check="...", check: ..., check!~"a|b",
    a runbook ...checks.md#<id>) the exporter does not have (a link to a
    section of checks.md, #host-roles, is not a check id);
  - docs/checks.md has no anchor for a check id (a heading whose GitHub
    anchor is the id, or <a id="<id>"></a>): the runbook URLs point there.

Standard library only.
"""
import json
import os
import re
import sys


def slug(heading):
    s = re.sub(r"<[^>]+>", "", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", s).replace(" ", "-")


def main():
    ids = {c["id"] for c in json.load(open(sys.argv[1]))["checks"]}
    src = sys.argv[2]
    problems = []
    files = ["dashboards/alerts/mta.rules.yml", "docs/alerts.md", "docs/deployment.md"]
    for d in ("dashboards/tests", "dashboards/grafana"):
        files += [os.path.join(d, f) for f in sorted(os.listdir(os.path.join(src, d)))
                  if f.endswith((".yml", ".json"))]
    pats = [r'check\\?="([a-z0-9_]+)"', r"\bcheck: ([a-z0-9_]+)",
            r'check!~\\?"([a-z0-9_|]+)\\?"', r"checks\.md#([a-z0-9_-]+)",
            r"check `([a-z0-9_]+)`", r'`check="([a-z0-9_]+)"`']
    doc = open(os.path.join(src, "docs/checks.md"), encoding="utf-8").read()
    sections = {slug(h) for h in re.findall(r"^#+ (.*)$", doc, re.M)}
    for f in files:
        text = open(os.path.join(src, f), encoding="utf-8").read()
        for p in pats:
            if p.startswith(r"\bcheck: ") and not f.endswith(".yml"):
                continue  # YAML labels only, not prose
            for m in re.finditer(p, text):
                for cid in m.group(1).split("|"):
                    if "-" in cid and cid in sections:
                        continue  # a section of checks.md (#host-roles), not a check
                    if cid not in ids:
                        line = text.count("\n", 0, m.start()) + 1
                        problems.append("%s:%d: unknown check id %s" % (f, line, cid))
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', doc)) | sections
    for cid in sorted(ids - anchors):
        problems.append("docs/checks.md: no anchor for check %s" % cid)
    for p in problems:
        print(p)
    print("check_ids: %d ids in the catalogue, %d problem(s)" % (len(ids), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
