#!/usr/bin/env python3
"""build_dashboards.py - generate the Grafana dashboards in dashboards/grafana/.

The JSON files are generated from the tables below so that every panel uses
the same datasource and job/instance variables, uids stay stable, and the
layout is computed rather than hand-placed.  The generated files are
committed; dashboards/tests/dashboards_check.py lint fails if they differ
from what this script produces (regenerate with no arguments), and
tests/e2e/dashboards_schema.sh checks them against Grafana's own schema
types (@grafana/schema).

  build_dashboards.py            write dashboards/grafana/*.json
  build_dashboards.py --check    exit 1 if a committed file is out of date
  build_dashboards.py --out DIR  write elsewhere

Rules the helpers enforce: every stat has a unit and thresholds (stat()
takes both as required arguments); a check's status is one number
everywhere (STATUS: 0 pass, 1 fail, 2 n/a, 3 error, 4 waived) with one
mapping of texts and colours.  Standard library only.
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "..", "grafana")
DS = {"type": "prometheus", "uid": "${datasource}"}
SEL = 'job=~"$job", instance=~"$instance"'
HOST_UID = "mta-host-detail"
# A link from any panel that has job and instance columns to the host view.
HOST_LINK = {"title": "Host detail: ${__data.fields.instance}",
             "url": "/d/%s/%s?var-job=${__data.fields.job}&var-instance=${__data.fields.instance}"
                    "&${__url_time_range}&${datasource:queryparam}" % (HOST_UID, HOST_UID)}

# The same from a cell whose value is the instance (a grouping matrix).
HOST_LINK_CELL = {"title": "Host detail: ${__value.raw}",
                  "url": "/d/%s/%s?var-job=${job}&var-instance=${__value.raw}"
                         "&${__url_time_range}&${datasource:queryparam}" % (HOST_UID, HOST_UID)}

# ----------------------------------------------------------------- variables

def var_datasource():
    return {"name": "datasource", "label": "Data source", "type": "datasource",
            "query": "prometheus", "hide": 0, "refresh": 1,
            "regex": "", "options": []}


def var_query(name, label, query, multi=False):
    v = {"name": name, "label": label, "type": "query", "datasource": DS,
         "query": {"query": query, "refId": name},
         "refresh": 2, "sort": 1, "hide": 0, "options": [],
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


def steps(*pairs):
    """steps((None, "green"), (1, "red")): threshold steps, base first."""
    return [{"color": c, "value": v} for v, c in pairs]


# A check's status as one number (status_code()), with its texts and colours.
STATUS = [(0, "pass", "green"), (1, "fail", "red"), (2, "n/a", "text"),
          (3, "error", "orange"), (4, "waived", "blue")]
STATUS_STEPS = steps((None, "green"), (1, "red"), (2, "text"), (3, "orange"), (4, "blue"))
RED_FROM_1 = steps((None, "green"), (1, "red"))
ORANGE_FROM_1 = steps((None, "green"), (1, "orange"))
BLUE_FROM_1 = steps((None, "green"), (1, "blue"))


def status_code(sel, by="instance, check"):
    """0 pass, 1 fail, 2 not_applicable, 3 error, 4 waived, per (by)."""
    parts = [("fail", 1), ("not_applicable", 2), ("error", 3), ("waived", 4)]
    return " + ".join(
        "%ssum by (%s) (mta_check_status{%s, status=\"%s\"})" % (
            "" if k == 1 else "%d * " % k, by, sel, s) for s, k in parts)


def panel(kind, title, targets, w, h, desc, unit=None, maps=None,
          thresholds=None, options=None, transformations=None, custom=None,
          overrides=None, extra_defaults=None):
    defaults = {"color": {"mode": "thresholds"}}
    if kind == "timeseries":
        defaults["color"] = {"mode": "palette-classic"}
    if unit:
        defaults["unit"] = unit
    if maps:
        defaults["mappings"] = maps
    defaults["thresholds"] = {"mode": "absolute", "steps": thresholds or steps((None, "green"))}
    if custom:
        defaults["custom"] = custom
    defaults.update(extra_defaults or {})
    p = {"type": kind, "title": title, "description": desc,
         "datasource": DS, "targets": targets,
         "fieldConfig": {"defaults": defaults, "overrides": overrides or []},
         "options": options or {}, "_w": w, "_h": h}
    if transformations:
        p["transformations"] = transformations
    return p


def stat(title, expr, desc, unit, thresholds, maps=None, w=4, h=4, legend="",
         text_mode=None, no_value=None):
    extra = {"noValue": no_value} if no_value else None
    return panel("stat", title, [target(expr, legend, instant=True)], w, h,
                 desc, unit=unit, maps=maps, thresholds=thresholds,
                 extra_defaults=extra,
                 options={"reduceOptions": {"calcs": ["lastNotNull"],
                                            "fields": "", "values": False},
                          "colorMode": "background", "graphMode": "none",
                          "justifyMode": "auto", "orientation": "auto",
                          "textMode": text_mode or ("value_and_name" if legend else "value"),
                          "wideLayout": True, "showPercentChange": False})


def link_override(field, link=HOST_LINK):
    return {"matcher": {"id": "byName", "options": field},
            "properties": [{"id": "links", "value": [link]}]}


def table(title, expr, desc, columns, w=12, h=8, maps=None, thresholds=None,
          rename=None, color_cells=False, unit=None, link=False, sort=None):
    keep = {c: i for i, c in enumerate(columns)}
    excl = {"Time": True}
    if "Value" not in columns:
        excl["Value"] = True
    org = {"id": "organize", "options": {"excludeByName": excl,
                                          "indexByName": keep,
                                          "renameByName": rename or {}}}
    # Keep only the listed columns (and job, which the host link needs).
    names = list(columns) + (["job"] if link and "job" not in columns else [])
    filt = {"id": "filterFieldsByName", "options": {"include": {"names": names}}}
    custom = {"align": "auto", "cellOptions": {"type": "auto"}}
    overrides = []
    if color_cells:
        overrides.append({"matcher": {"id": "byName", "options": "Value"},
                          "properties": [{"id": "custom.cellOptions",
                                          "value": {"type": "color-background"}}]})
    if link:
        overrides.append(link_override("instance"))
        overrides.append({"matcher": {"id": "byName", "options": "job"},
                          "properties": [{"id": "custom.hidden", "value": True}]})
    options = {"showHeader": True, "cellHeight": "sm",
               "footer": {"show": False, "reducer": ["sum"], "countRows": False}}
    if sort:
        options["sortBy"] = [{"displayName": sort[0], "desc": sort[1]}]
    return panel("table", title,
                 [target(expr, instant=True, fmt="table")], w, h, desc,
                 maps=maps, thresholds=thresholds, unit=unit,
                 options=options, transformations=[filt, org], custom=custom,
                 overrides=overrides)


def timeseries(title, targets, desc, unit=None, w=12, h=8, minmax=None):
    extra = {"min": minmax[0], "max": minmax[1]} if minmax else None
    return panel("timeseries", title, targets, w, h, desc, unit=unit,
                 extra_defaults=extra,
                 options={"legend": {"displayMode": "table", "calcs": [],
                                     "placement": "bottom", "showLegend": True},
                          "tooltip": {"mode": "multi", "sort": "desc"}})


def bargauge(title, expr, legend, desc, unit="none", thresholds=None, w=12, h=8):
    return panel("bargauge", title, [target(expr, legend, instant=True)], w, h,
                 desc, unit=unit, thresholds=thresholds or RED_FROM_1,
                 options={"displayMode": "basic", "orientation": "horizontal",
                          "reduceOptions": {"calcs": ["lastNotNull"],
                                            "fields": "", "values": False},
                          "showUnfilled": True, "valueMode": "color",
                          "namePlacement": "auto", "sizing": "auto",
                          "minVizWidth": 8, "minVizHeight": 16, "maxVizHeight": 300})


def state_timeline(title, expr, legend, desc, w=24, h=14):
    return panel("state-timeline", title, [target(expr, legend)], w, h, desc,
                 unit="none", maps=mappings(STATUS), thresholds=STATUS_STEPS,
                 custom={"fillOpacity": 80, "lineWidth": 0},
                 options={"mergeValues": True, "showValue": "never",
                          "alignValue": "left", "rowHeight": 0.8,
                          "legend": {"displayMode": "list", "placement": "bottom",
                                     "showLegend": True},
                          "tooltip": {"mode": "single", "sort": "none"}})

# ------------------------------------------------------------- shared pieces

def what_changed(sel, by, columns, w, link):
    """Checks whose status changed in the dashboard's time range."""
    return table("What changed",
                 '(sum by (%s) (changes(mta_check_status{%s}[$__range])) / 2 > 0)'
                 ' * on (%s) group_left (status) (mta_check_status{%s} == 1)'
                 % (by, sel, by, sel),
                 "Checks whose status changed in the selected time range: how "
                 "often, and the status now. Empty when nothing changed.",
                 columns + ["status", "Value"], w=w, h=8,
                 rename={"Value": "changes", "status": "status now"},
                 thresholds=ORANGE_FROM_1, color_cells=True, link=link,
                 sort=("changes", True))


def waivers(sel, columns, w):
    return table("Waivers",
                 '(mta_check_waiver_expiry_timestamp_seconds{%s} - time()) / 86400'
                 ' * on (job, instance, check, mta, service) group_left (reason, expires)'
                 ' mta_check_waiver_info{%s}' % (sel, sel),
                 "Accepted risks (--checks.waivers, docs/waivers.md): the check, "
                 "its scope, the reason, the last day, and the days left (orange "
                 "within a week, red once expired: the check fails again).",
                 columns + ["check", "mta", "service", "reason", "expires", "Value"],
                 w=w, h=7, unit="d", rename={"Value": "days left"},
                 thresholds=steps((None, "red"), (0, "orange"), (7, "green")),
                 color_cells=True, link="instance" in columns,
                 sort=("days left", False))

# --------------------------------------------------------------- dashboards

def fleet():
    by = "job, instance"
    return ("mta-fleet-overview", "MTA fleet overview", variables(True), [
        stat("Hosts audited",
             'count(max by (job, instance) (mta_check_status{%s}))' % SEL,
             "Hosts whose exporter (or textfile) reports check results.",
             "none", steps((None, "red"), (1, "green"))),
        stat("Hosts failing a check",
             'count(max by (job, instance) (mta_check_status{%s, status="fail"}) == 1) or vector(0)' % SEL,
             "Hosts with at least one failing check (waived ones do not count).",
             "none", RED_FROM_1),
        stat("Open relays",
             'sum(mta_open_relay_risk{%s}) or vector(0)' % SEL,
             "MTA services that relay mail for any client.", "none", RED_FROM_1),
        stat("Checks in error",
             'sum(mta_check_status{%s, status="error"}) or vector(0)' % SEL,
             "Check results that could not be established (host x check).",
             "none", ORANGE_FROM_1),
        stat("Waived",
             'sum(mta_check_status{%s, status="waived"}) or vector(0)' % SEL,
             "Failures accepted by a waiver (host x check).", "none", BLUE_FROM_1),
        stat("Exporters down",
             'count(up{job=~"$job"} == 0) or vector(0)',
             "Scrape targets Prometheus cannot reach (scraped mode).",
             "none", RED_FROM_1),
        table("Hosts",
              '(sum by (%s) (mta_check_status{%s, status="fail"}))'
              ' * on (%s) group_left (role) mta_exporter_role_info{%s}' % (by, SEL, by, SEL),
              "Every host with its role and the number of failing checks; the "
              "host name opens the host view.",
              ["instance", "role", "Value"], w=12, h=8, rename={"Value": "failing checks"},
              thresholds=RED_FROM_1, color_cells=True, link=True,
              sort=("failing checks", True)),
        bargauge("Hosts per role",
                 'count by (role) (mta_exporter_role_info{%s})' % SEL, "{{role}}",
                 "--checks.role of each host: a server may receive mail from the "
                 "network (cis_2_1_21 does not apply), a client may not.",
                 thresholds=steps((None, "blue"))),
        bargauge("Hosts failing each check",
                 'sort_desc(sum by (check) (mta_check_status{%s, status="fail"}))' % SEL,
                 "{{check}}", "Number of hosts on which each check fails."),
        table("Open relays",
              'mta_open_relay_risk{%s}' % SEL,
              "Every relay verdict: open relay (red) or closed, per MTA service.",
              ["instance", "mta", "service", "Value"],
              maps=mappings([(0, "closed", "green"), (1, "OPEN RELAY", "red")]),
              thresholds=RED_FROM_1, color_cells=True, link=True,
              sort=("Value", True)),
        table("Check status per host",
              status_code(SEL, by), "Host x check: pass, fail, n/a, error, waived. "
              "The host name opens the host view.",
              ["instance", "check", "Value"], w=24, h=10,
              maps=mappings(STATUS), thresholds=STATUS_STEPS) | {
            "transformations": [{"id": "groupingToMatrix", "options": {
                "columnField": "check", "rowField": "instance",
                "valueField": "Value"}}],
            "fieldConfig": {"defaults": {
                "color": {"mode": "thresholds"}, "mappings": mappings(STATUS),
                "thresholds": {"mode": "absolute", "steps": STATUS_STEPS},
                "unit": "none",
                "custom": {"align": "center",
                           "cellOptions": {"type": "color-background"}}},
                "overrides": [link_override("instance\\check", HOST_LINK_CELL)]}},
        what_changed(SEL, "job, instance, check", ["instance", "check"], 12, True),
        waivers(SEL, ["instance"], 12),
        table("TLS certificate: days to expiry",
              'sort((min by (job, instance, mta, service) (mta_tls_certificate_not_after_timestamp_seconds{%s}) - time()) / 86400)' % SEL,
              "Days until the first of the configured and the presented certificate "
              "of each host's MTA service expires (mta_tls_certificate_not_after_"
              "timestamp_seconds): orange below 30 days (MtaTlsCertificateExpiringSoon), "
              "red below 14 (check tls_certificate_valid fails). The host name opens "
              "the host view.",
              ["instance", "mta", "service", "Value"], w=24, h=8, unit="d",
              thresholds=steps((None, "red"), (14, "orange"), (30, "green")),
              color_cells=True, link=True),
        timeseries("Share of hosts passing each check",
                   [target('job_check:mta_check_pass:ratio{job=~"$job"}', "{{check}}")],
                   "Recording rule job_check:mta_check_pass:ratio: hosts passing "
                   "over hosts where the check applies (failing, waived and in "
                   "error count as not passing; checks that apply nowhere are "
                   "left out).", unit="percentunit", minmax=(0, 1)),
        timeseries("Failing hosts and open relays over time",
                   [target('count(max by (job, instance) (mta_check_status{%s, status="fail"}) == 1) or vector(0)' % SEL,
                           "hosts failing a check"),
                    target('sum(mta_open_relay_risk{%s}) or vector(0)' % SEL,
                           "open relays", ref="B")],
                   "Trend of the fleet's state.", unit="none"),
    ])


def host():
    by = "job, instance, check"
    return (HOST_UID, "MTA host detail", variables(False), [
        stat("Role", 'mta_exporter_role_info{%s}' % SEL,
             "--checks.role: a server receives mail from the network (cis_2_1_21 "
             "does not apply), a client only sends or submits locally.",
             "none", steps((None, "blue")), legend="{{role}}", text_mode="name"),
        stat("Failing checks",
             'sum(mta_check_status{%s, status="fail"})' % SEL,
             "Checks that fail on this host (waived ones do not count).",
             "none", RED_FROM_1),
        stat("Waived checks",
             'sum(mta_check_status{%s, status="waived"})' % SEL,
             "Failures accepted by a waiver (table below).", "none", BLUE_FROM_1),
        stat("Checks in error",
             'sum(mta_check_status{%s, status="error"})' % SEL,
             "Checks whose state could not be established (see the reasons).",
             "none", ORANGE_FROM_1),
        stat("Relaying restricted (STIG GEN004710)",
             status_code('%s, check="stig_gen004710"' % SEL, "check"),
             "Status of stig_gen004710: pass, fail, n/a (no MTA), error or waived. "
             "Whether mail is actually relayed is the Relay risk table.",
             "none", STATUS_STEPS, maps=mappings(STATUS)),
        stat("MTAs detected",
             'sum(mta_detected{%s})' % SEL,
             "MTAs installed on the host (the MTA services table names them).",
             "none", steps((None, "text"), (1, "blue"))),
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
              "mta_port_nonloopback_listening per audited port (expected on a server).",
              ["port", "Value"], maps=mappings([(0, "loopback only", "green"),
                                                (1, "non-loopback", "red")]),
              thresholds=RED_FROM_1, color_cells=True),
        table("Relay risk per service",
              'mta_open_relay_risk{%s} or 2 * mta_open_relay_undetermined{%s}' % (SEL, SEL),
              "Closed, open relay, or undetermined, per MTA service.",
              ["mta", "service", "Value"],
              maps=mappings([(0, "closed", "green"), (1, "OPEN RELAY", "red"),
                             (2, "undetermined", "orange")]),
              thresholds=steps((None, "green"), (1, "red"), (2, "orange")), color_cells=True),
        waivers(SEL, [], 12),
        table("Check status",
              '(%s) * on (check) group_left (title, severity, source) '
              'max by (check, title, severity, source) (mta_check_info{%s})'
              % (status_code(SEL, "check"), SEL),
              "Every check with its status, severity, title and source.",
              ["check", "Value", "severity", "title", "source"], w=24, h=12,
              rename={"Value": "status"}, maps=mappings(STATUS), thresholds=STATUS_STEPS,
              color_cells=True, sort=("status", True)),
        table("Reasons",
              'mta_check_finding{%s} * on (%s) group_left (status) (mta_check_status{%s} == 1)'
              % (SEL, by, SEL),
              "One row per reason a check fails, is waived or is in error "
              "(mta_check_finding; codes in docs/checks.md).",
              ["check", "status", "reason"], w=12, h=8),
        what_changed(SEL, by, ["check"], 12, False),
        state_timeline("Check status over time",
                       status_code(SEL, "check"), "{{check}}",
                       "One row per check: when it passed, failed, did not apply, "
                       "was in error or waived."),
    ])


def health():
    return ("mta-exporter-health", "MTA exporter health", variables(True), [
        stat("Targets up",
             'sum(up{job=~"$job"}) / count(up{job=~"$job"})',
             "Share of scrape targets Prometheus reaches (red below 100%; in "
             "textfile mode these are the node_exporters).",
             "percentunit", steps((None, "red"), (1, "green"))),
        stat("Collectors failing",
             'count(mta_exporter_collector_success{%s} == 0) or vector(0)' % SEL,
             "Collectors whose last run failed.", "none", RED_FROM_1),
        stat("Waiver reloads failing",
             'count(mta_check_waivers_last_reload_successful{%s} == 0) or vector(0)' % SEL,
             "Hosts whose waivers file could not be reloaded (older waivers in force).",
             "none", RED_FROM_1),
        stat("Oldest textfile",
             'max(time() - node_textfile_mtime_seconds{file=~"(.*/)?mta_exporter\\\\.prom"})'
             ' or vector(0)',
             "Textfile mode: age of the oldest mta_exporter.prom node_exporter "
             "serves (the timer writes it every minute; MtaTextfileStale after 10m). "
             "0 without textfile mode.",
             "s", steps((None, "green"), (180, "orange"), (600, "red"))),
        table("Build", 'mta_exporter_build_info{%s}' % SEL,
              "Exporter version per host.",
              ["instance", "version", "revision", "compiler"], w=8, h=4),
        timeseries("Collector success",
                   [target('mta_exporter_collector_success{%s}' % SEL,
                           "{{instance}} {{collector}}")],
                   "1 when the collector's last run succeeded.", unit="none",
                   minmax=(0, 1)),
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
                   "keepTime": True, "icon": "external link", "targetBlank": False,
                   "tooltip": "", "url": ""}],
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
