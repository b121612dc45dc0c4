#!/usr/bin/env python3
"""build_dashboards.py - generate the Grafana dashboards in dashboards/grafana/.

The JSON files are generated from the tables below so that every panel uses
the same datasource and job/instance variables, uids stay stable, and the
layout is computed rather than hand-placed.  The generated files are
committed; dashboards/tests/dashboards_check.py lint fails if they differ
from what this script produces (regenerate with no arguments).

  build_dashboards.py            write dashboards/grafana/*.json
  build_dashboards.py --check    exit 1 if a committed file is out of date
  build_dashboards.py --out DIR  write elsewhere

Standard library only.
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "..", "grafana")
DS = {"type": "prometheus", "uid": "${datasource}"}
SEL = 'job=~"$job", instance=~"$instance"'

# ----------------------------------------------------------------- variables

def var_datasource():
    return {"name": "datasource", "label": "Data source", "type": "datasource",
            "query": "prometheus", "current": {}, "hide": 0, "refresh": 1,
            "regex": "", "options": []}


def var_query(name, label, query, multi=False):
    v = {"name": name, "label": label, "type": "query", "datasource": DS,
         "definition": query, "query": {"query": query, "refId": name},
         "refresh": 2, "sort": 1, "hide": 0, "current": {}, "options": [],
         "multi": multi, "includeAll": multi, "regex": ""}
    if multi:
        v["allValue"] = ".*"
    return v


def variables(multi_instance):
    return [var_datasource(),
            var_query("job", "Job", "label_values(mta_exporter_build_info, job)"),
            var_query("instance", "Instance",
                      'label_values(mta_exporter_build_info{job=~"$job"}, instance)',
                      multi=multi_instance)]

# ------------------------------------------------------------------- panels

def target(expr, legend="", instant=False, fmt="time_series", ref="A"):
    t = {"datasource": DS, "expr": expr, "refId": ref, "legendFormat": legend,
         "format": fmt}
    if instant:
        t["instant"] = True
        t["range"] = False
    else:
        t["range"] = True
    return t


def mappings(m):
    """m: list of (value, text, color)."""
    return [{"type": "value", "options": {
        str(v): {"text": t, "color": c, "index": i}
        for i, (v, t, c) in enumerate(m)}}]


PASS_FAIL = [(0, "pass", "green"), (1, "fail", "red"),
             (2, "n/a", "text"), (3, "error", "orange")]


def panel(kind, title, targets, w, h, desc="", unit=None, maps=None,
          thresholds=None, options=None, transformations=None,
          color_cells=False):
    defaults = {"color": {"mode": "thresholds"}}
    if kind == "timeseries":
        defaults["color"] = {"mode": "palette-classic"}
    if unit:
        defaults["unit"] = unit
    if maps:
        defaults["mappings"] = maps
    defaults["thresholds"] = {"mode": "absolute", "steps": thresholds or [
        {"color": "green", "value": None}]}
    if color_cells:
        defaults["custom"] = {"cellOptions": {"type": "color-background"},
                              "align": "center"}
    p = {"type": kind, "title": title, "description": desc,
         "datasource": DS, "targets": targets,
         "fieldConfig": {"defaults": defaults, "overrides": []},
         "options": options or {}, "_w": w, "_h": h}
    if transformations:
        p["transformations"] = transformations
    return p


def stat(title, expr, desc, maps=None, thresholds=None, unit=None, w=6, h=4,
         legend=""):
    return panel("stat", title, [target(expr, legend, instant=True)], w, h,
                 desc, unit=unit, maps=maps, thresholds=thresholds,
                 options={"reduceOptions": {"calcs": ["lastNotNull"],
                                            "fields": "", "values": False},
                          "colorMode": "background", "graphMode": "none",
                          "textMode": "value_and_name" if legend else "value"})


def table(title, expr, desc, columns, w=12, h=8, maps=None, thresholds=None,
          rename=None, color_cells=False):
    keep = {c: i for i, c in enumerate(columns)}
    excl = {"Time": True}
    if "Value" not in columns:
        excl["Value"] = True
    org = {"id": "organize", "options": {"excludeByName": excl,
                                          "indexByName": keep,
                                          "renameByName": rename or {}}}
    # Keep only the listed columns: everything else is excluded by a filter.
    filt = {"id": "filterFieldsByName",
            "options": {"include": {"names": list(columns)}}}
    return panel("table", title,
                 [target(expr, instant=True, fmt="table")], w, h, desc,
                 maps=maps, thresholds=thresholds,
                 options={"showHeader": True, "cellHeight": "sm"},
                 transformations=[filt, org], color_cells=color_cells)


def timeseries(title, targets, desc, unit=None, w=12, h=8):
    return panel("timeseries", title, targets, w, h, desc, unit=unit,
                 options={"legend": {"displayMode": "table",
                                     "placement": "bottom", "showLegend": True},
                          "tooltip": {"mode": "multi", "sort": "desc"}})


def bargauge(title, expr, legend, desc, w=12, h=8):
    return panel("bargauge", title, [target(expr, legend, instant=True)], w, h,
                 desc, thresholds=[{"color": "green", "value": None},
                                   {"color": "red", "value": 1}],
                 options={"displayMode": "basic", "orientation": "horizontal",
                          "reduceOptions": {"calcs": ["lastNotNull"],
                                            "fields": "", "values": False},
                          "showUnfilled": True})


def status_code(sel):
    """0 pass, 1 fail, 2 not_applicable, 3 error, per (instance, check)."""
    return ("sum by (instance, check) (mta_check_status{%s, status=\"fail\"})"
            " + 2 * sum by (instance, check) (mta_check_status{%s, status=\"not_applicable\"})"
            " + 3 * sum by (instance, check) (mta_check_status{%s, status=\"error\"})"
            % (sel, sel, sel))

# --------------------------------------------------------------- dashboards

RED_FROM_1 = [{"color": "green", "value": None}, {"color": "red", "value": 1}]


def fleet():
    return ("mta-fleet-overview", "MTA fleet overview", variables(True), [
        stat("Hosts audited",
             'count(max by (instance) (mta_check_status{%s}))' % SEL,
             "Hosts whose exporter reports check results."),
        stat("Hosts failing a check",
             'count(max by (instance) (mta_check_status{%s, status="fail"}) == 1) or vector(0)' % SEL,
             "Hosts with at least one failing check.", thresholds=RED_FROM_1),
        stat("Open relays",
             'sum(mta_open_relay_risk{%s}) or vector(0)' % SEL,
             "MTA services that relay mail for any client.", thresholds=RED_FROM_1),
        stat("Exporters down",
             'count(up{%s} == 0) or vector(0)' % SEL,
             "Targets Prometheus cannot scrape.", thresholds=RED_FROM_1),
        bargauge("Hosts failing each check",
                 'sort_desc(sum by (check) (mta_check_status{%s, status="fail"}))' % SEL,
                 "{{check}}", "Number of hosts on which each check fails."),
        table("Open relays",
              'mta_open_relay_risk{%s} == 1' % SEL,
              "Services judged an open relay (mta_open_relay_risk = 1).",
              ["instance", "mta", "service"]),
        table("Check status per host",
              status_code(SEL),
              "Instance x check: pass (green), fail (red), n/a, error (orange).",
              ["instance", "check", "Value"], w=24, h=10,
              maps=mappings(PASS_FAIL), color_cells=True,
              thresholds=[{"color": "green", "value": None},
                          {"color": "red", "value": 1}]) | {
            "transformations": [{"id": "groupingToMatrix", "options": {
                "columnField": "check", "rowField": "instance",
                "valueField": "Value"}}]},
        table("TLS certificate: days to expiry",
              'sort((min by (instance, mta, service) (mta_tls_certificate_not_after_timestamp_seconds{%s}) - time()) / 86400)' % SEL,
              "Days until the first of the configured and the presented certificate "
              "of each host's MTA service expires (mta_tls_certificate_not_after_"
              "timestamp_seconds); red below 14 days (MtaTlsCertificateExpiringSoon).",
              ["instance", "mta", "service", "Value"], w=24, h=8,
              thresholds=[{"color": "red", "value": None},
                          {"color": "orange", "value": 14},
                          {"color": "green", "value": 30}], color_cells=True),
        timeseries("Share of hosts passing each check",
                   [target('job_check:mta_check_pass:ratio{job=~"$job"}', "{{check}}")],
                   "Recording rule job_check:mta_check_pass:ratio: passing hosts "
                   "over hosts where the check applies.", unit="percentunit"),
        timeseries("Failing hosts and open relays over time",
                   [target('count(max by (instance) (mta_check_status{%s, status="fail"}) == 1) or vector(0)' % SEL,
                           "hosts failing a check"),
                    target('sum(mta_open_relay_risk{%s}) or vector(0)' % SEL,
                           "open relays", ref="B")],
                   "Trend of the fleet's state."),
    ])


def host():
    return ("mta-host-detail", "MTA host detail", variables(False), [
        stat("Runtime drift",
             'max(mta_check_status{%s, check="mta_runtime_matches_config", status="fail"})' % SEL,
             "1 when the configuration on disk changed but the MTA was not "
             "restarted (check mta_runtime_matches_config).",
             maps=mappings([(0, "matches config", "green"),
                            (1, "restart needed", "red")]),
             thresholds=RED_FROM_1),
        stat("Failing checks",
             'sum(mta_check_status{%s, status="fail"})' % SEL,
             "Number of failing checks on this host.", thresholds=RED_FROM_1),
        stat("Postfix client restrictions",
             'postfix_client_restrictions_ok{%s}' % SEL,
             "postfix_client_restrictions_ok.",
             maps=mappings([(0, "unsafe", "red"), (1, "ok", "green")]),
             thresholds=[{"color": "red", "value": None},
                         {"color": "green", "value": 1}]),
        stat("MTAs detected",
             'mta_detected{%s} == 1' % SEL,
             "MTAs installed on the host.", legend="{{mta}}",
             maps=mappings([(1, "detected", "blue")])),
        table("Postfix", 'postfix_info{%s}' % SEL,
              "Postfix version, compatibility level and configuration directory.",
              ["version", "compatibility_level", "config_directory"], w=12, h=5),
        table("MTA services", 'mta_service_info{%s}' % SEL,
              "Configured listening services.",
              ["mta", "service", "address", "port"], w=12, h=5),
        table("Listeners by port and address", 'mta_listener_info{%s}' % SEL,
              "Sockets listening on audited ports, as the kernel reports them.",
              ["port", "address", "process"]),
        table("Ports reachable beyond loopback",
              'mta_port_nonloopback_listening{%s}' % SEL,
              "mta_port_nonloopback_listening per audited port.",
              ["port", "Value"], maps=mappings([(0, "loopback only", "green"),
                                                (1, "non-loopback", "red")]),
              thresholds=RED_FROM_1, color_cells=True),
        table("Relay risk per service",
              'mta_open_relay_risk{%s} or 2 * mta_open_relay_undetermined{%s}' % (SEL, SEL),
              "Closed, open relay, or undetermined, per MTA service.",
              ["mta", "service", "Value"],
              maps=mappings([(0, "closed", "green"), (1, "OPEN RELAY", "red"),
                             (2, "undetermined", "orange")]),
              thresholds=RED_FROM_1, color_cells=True),
        table("Check status",
              '(mta_check_status{%s} == 1) * on (instance, check) group_left (title, severity, source) mta_check_info{%s}' % (SEL, SEL),
              "Every check with its verdict, severity and source.",
              ["check", "status", "severity", "title", "source"], w=24, h=12),
        table("Failure reasons", 'mta_check_finding{%s}' % SEL,
              "One row per reason a check fails (mta_check_finding).",
              ["check", "reason"], w=24, h=8),
        timeseries("Failing checks over time",
                   [target('sum by (check) (mta_check_status{%s, status="fail"})' % SEL,
                           "{{check}}")],
                   "Which checks failed when.", w=24),
    ])


def health():
    return ("mta-exporter-health", "MTA exporter health", variables(True), [
        stat("Targets up", 'sum(up{%s})' % SEL, "Scrapeable exporter targets."),
        stat("Collectors failing",
             'count(mta_exporter_collector_success{%s} == 0) or vector(0)' % SEL,
             "Collectors whose last run failed.", thresholds=RED_FROM_1),
        table("Build", 'mta_exporter_build_info{%s}' % SEL,
              "Exporter version per host.",
              ["instance", "version", "revision", "compiler"], w=12, h=4),
        timeseries("Collector success",
                   [target('mta_exporter_collector_success{%s}' % SEL,
                           "{{instance}} {{collector}}")],
                   "1 when the collector's last run succeeded."),
        timeseries("Collector duration",
                   [target('mta_exporter_collector_duration_seconds{%s}' % SEL,
                           "{{instance}} {{collector}}")],
                   "Time each collector took in the last scrape.", unit="s"),
        timeseries("Scrape latency",
                   [target('mta_exporter_scrape_duration_seconds{%s}' % SEL,
                           "{{instance}} exporter"),
                    target('scrape_duration_seconds{%s}' % SEL,
                           "{{instance}} Prometheus", ref="B")],
                   "Whole scrape as the exporter measured it and as "
                   "Prometheus saw it.", unit="s", w=24),
    ])

# ------------------------------------------------------------------- layout

def build(uid, title, templating, panels):
    x = y = row_h = 0
    out = []
    for i, p in enumerate(panels, start=1):
        w, h = p.pop("_w"), p.pop("_h")
        if x + w > 24:
            x, y, row_h = 0, y + row_h, 0
        p["id"] = i
        p["gridPos"] = {"x": x, "y": y, "w": w, "h": h}
        x += w
        row_h = max(row_h, h)
        out.append(p)
    return {
        "uid": uid, "title": title,
        "tags": ["mta", "mta_exporter"],
        "description": "mta_exporter: %s. Generated by dashboards/tools/build_dashboards.py." % title,
        "editable": True, "graphTooltip": 1, "timezone": "",
        "schemaVersion": 39, "version": 1, "refresh": "1m",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": templating},
        "annotations": {"list": []},
        "links": [{"title": "MTA dashboards", "type": "dashboards",
                   "tags": ["mta"], "asDropdown": True, "includeVars": True,
                   "keepTime": True}],
        "panels": out,
    }


DASHBOARDS = {"mta-fleet-overview.json": fleet,
              "mta-host-detail.json": host,
              "mta-exporter-health.json": health}


def render():
    return {name: json.dumps(build(*fn()), indent=2, sort_keys=True) + "\n"
            for name, fn in DASHBOARDS.items()}


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--out", default=OUT_DIR)
    a = ap.parse_args(argv)
    bad = 0
    for name, text in render().items():
        path = os.path.join(a.out, name)
        if a.check:
            try:
                with open(path, encoding="utf-8") as f:
                    same = f.read() == text
            except OSError:
                same = False
            if not same:
                print("%s: out of date, run dashboards/tools/build_dashboards.py" % path)
                bad = 1
        else:
            os.makedirs(a.out, exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    return bad


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
