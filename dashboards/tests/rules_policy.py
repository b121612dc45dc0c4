#!/usr/bin/env python3
"""rules_policy.py - the alert rules keep the alerting rule of docs/alerts.md.

  rules_policy.py RULES.yml [RUNBOOK_BASE]
  rules_policy.py --self-test

"One alert per cause" (docs/alerts.md): a check's status is alerted only by
the generic alerts, and a dedicated alert stands down while its check fails
or is waived.  Fails (exit 1, naming the alert) when
  - a generic alert (MtaCheckFailed, MtaCheckError) leaves checks out
    (a check=, check!=, check=~ or check!~ matcher on mta_check_status):
    every check gets its alert, and none is silenced by a list to keep in
    step;
  - any other alert uses mta_check_status except as
      unless on (job, instance) (mta_check_status{..., check="<id>", status=~"fail|waived"} == 1)
    with <id> its own static `check` label;
  - an alert with a static `check` label (a dedicated alert) lacks that
    clause, so it would page beside MtaCheckFailed for the same cause;
  - an alert has no severity (static label, or for MtaCheckFailed the
    catalogue's, selected by severity="..." on mta_check_info), one outside
    critical/warning/info, or lacks a summary, description or runbook_url
    under RUNBOOK_BASE (default: the shipped one).

--self-test runs the checks on rule sets that break each rule and fails
unless each is caught.  Needs PyYAML (python3-yaml).
"""
import re
import sys

import yaml

GENERIC = ("MtaCheckFailed", "MtaCheckError")
SEVERITIES = ("critical", "warning", "info")
DEFAULT_RUNBOOK_BASE = "file:///usr/share/doc/mta-exporter/docs"
STATUS_SEL = re.compile(r"mta_check_status\{([^}]*)\}")
CHECK_MATCHER = re.compile(r"\bcheck\s*(=~|!~|!=|=)\s*\"([^\"]*)\"")
STANDDOWN = r'unless\s+on\s*\(\s*job\s*,\s*instance\s*\)\s*\(\s*mta_check_status\{[^}]*\}\s*==\s*1\s*\)'


def standdown_ok(expr, check):
    """Every mta_check_status in expr is the stand-down clause for check."""
    clauses = list(re.finditer(STANDDOWN, expr))
    good = 0
    for m in clauses:
        sel = STATUS_SEL.search(m.group(0)).group(1)
        if re.search(r'\bcheck\s*=\s*"%s"' % re.escape(check), sel) and \
           re.search(r'\bstatus\s*=~\s*"fail\|waived"', sel):
            good += 1
    return good >= 1 and good == len(STATUS_SEL.findall(expr))


def problems(rules_doc, runbook_base=DEFAULT_RUNBOOK_BASE):
    out = []
    for group in rules_doc.get("groups", []):
        for r in group.get("rules", []):
            name = r.get("alert")
            if not name:
                continue
            expr = r.get("expr", "")
            labels = r.get("labels") or {}
            ann = r.get("annotations") or {}
            check = labels.get("check")
            if name in GENERIC:
                for sel in STATUS_SEL.findall(expr):
                    if CHECK_MATCHER.search(sel):
                        out.append("%s: leaves checks out (%s): every check gets the generic "
                                   "alert" % (name, CHECK_MATCHER.search(sel).group(0)))
            elif check is not None:
                if not standdown_ok(expr, check):
                    out.append("%s: a dedicated alert for check %s must stand down while it "
                               "fails or is waived: unless on (job, instance) "
                               "(mta_check_status{..., check=\"%s\", status=~\"fail|waived\"} == 1)"
                               % (name, check, check))
            elif "mta_check_status" in expr:
                out.append("%s: uses mta_check_status but is not a generic alert and has no "
                           "static check label" % name)
            sev = labels.get("severity")
            if sev is None and name == "MtaCheckFailed":
                m = re.search(r'mta_check_info\{[^}]*severity\s*=\s*"(\w+)"', expr)
                sev = m.group(1) if m else None
            if sev not in SEVERITIES:
                out.append("%s: severity %r is not one of %s" % (name, sev, ", ".join(SEVERITIES)))
            for a in ("summary", "description", "runbook_url"):
                if not ann.get(a):
                    out.append("%s: no %s annotation" % (name, a))
            if ann.get("runbook_url") and not ann["runbook_url"].startswith(runbook_base + "/"):
                out.append("%s: runbook_url %s is not under %s" % (name, ann["runbook_url"], runbook_base))
    return out


def self_test():
    ok = {"summary": "s", "description": "d", "runbook_url": DEFAULT_RUNBOOK_BASE + "/checks.md#x"}
    good_dedicated = ('(mta_tls_cert_expiry_timestamp_seconds - time() < 14 * 86400) '
                      'unless on (job, instance) (mta_check_status{job=~"mta|node", '
                      'check="postfix_smtpd_tls", status=~"fail|waived"} == 1)')
    cases = [
        ("generic with an exclusion list", "leaves checks out",
         {"alert": "MtaCheckFailed", "expr": 'mta_check_status{status="fail", check!~"a|b"} == 1',
          "labels": {"severity": "warning"}}),
        ("dedicated without stand-down", "must stand down",
         {"alert": "MtaTlsCertificateExpired", "expr": "mta_tls_cert_expiry_timestamp_seconds < time()",
          "labels": {"severity": "critical", "check": "postfix_smtpd_tls"}}),
        ("dedicated standing down for another check", "must stand down",
         {"alert": "MtaTlsWeak", "expr": good_dedicated.replace("postfix_smtpd_tls", "cis_2_1_21"),
          "labels": {"severity": "warning", "check": "postfix_smtpd_tls"}}),
        ("dedicated standing down only on fail", "must stand down",
         {"alert": "MtaTlsWeak", "expr": good_dedicated.replace("fail|waived", "fail"),
          "labels": {"severity": "warning", "check": "postfix_smtpd_tls"}}),
        ("status used by another alert", "uses mta_check_status",
         {"alert": "MtaRuntimeDrift", "expr": 'mta_check_status{check="x", status="fail"} == 1',
          "labels": {"severity": "warning"}}),
        ("no severity", "severity None",
         {"alert": "MtaX", "expr": "up == 0", "labels": {}}),
        ("runbook elsewhere", "is not under",
         {"alert": "MtaX", "expr": "up == 0", "labels": {"severity": "info"},
          "annotations": dict(ok, runbook_url="https://mta-exporter.invalid/docs/x")}),
    ]
    failed = 0
    for title, want, rule in cases:
        rule.setdefault("annotations", ok)
        got = problems({"groups": [{"name": "g", "rules": [rule]}]})
        if not any(want in p for p in got):
            print("self-test: %s not caught (got %s)" % (title, got))
            failed += 1
    good = {"alert": "MtaTlsCertificateExpiringSoon", "expr": good_dedicated,
            "labels": {"severity": "warning", "check": "postfix_smtpd_tls"}, "annotations": ok}
    if problems({"groups": [{"name": "g", "rules": [good]}]}):
        print("self-test: a dedicated alert that follows the rule was refused")
        failed += 1
    print("rules_policy self-test: %d cases, %d missed" % (len(cases) + 1, failed))
    return 1 if failed else 0


def main(argv):
    if argv[:1] == ["--self-test"]:
        return self_test()
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    probs = problems(doc, argv[1].rstrip("/") if len(argv) > 1 else DEFAULT_RUNBOOK_BASE)
    for p in probs:
        print("%s: %s" % (argv[0], p))
    n = sum(1 for g in doc.get("groups", []) for r in g.get("rules", []) if r.get("alert"))
    print("rules_policy: %d alerts, %d problem(s)" % (n, len(probs)))
    return 1 if probs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
