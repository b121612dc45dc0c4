#!/usr/bin/env python3
"""dashboards_check.py - lint the Grafana dashboards and run their queries.

  dashboards_check.py lint [DIR]
      Every *.json in DIR (default dashboards/grafana) must parse, have a
      uid unique across the files, contain no "${DS_" input nor __inputs,
      define a datasource variable (type datasource, query prometheus) and
      job and instance variables, and every panel (rows aside) must have at
      least one target with a non-empty expr using the ${datasource}
      datasource; panel ids are unique per dashboard; every stat has a unit
      and thresholds; every data link to a dashboard (/d/<uid>/...) names
      one of the files.  The files must also equal what
      dashboards/tools/build_dashboards.py generates.

  dashboards_check.py query --prometheus URL [--var NAME=VALUE ...] [DIR]
      Resolves the job and instance variables the way Grafana does (their
      label_values() queries against URL, first value, used unescaped as
      Grafana does for a single value; "All", i.e. the allValue, for a
      multi-value variable), unless --var sets a single-value one; substitutes them and
      Grafana's built-in interval variables into every panel query, and runs
      it: instant queries for instant targets, a range query over the last
      5 minutes otherwise.  Each must succeed, return at least one series,
      and hold no NaN or infinite value.

Exit status 0 when everything passes, 1 otherwise; each problem is printed
as "file: panel: message".  Standard library only.
"""
import glob
import json
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DIR = os.path.join(HERE, "..", "grafana")
BUILTINS = {"$__rate_interval": "1m", "$__interval": "15s",
            "$__range": "5m", "${__range}": "5m", "$__range_s": "300"}


def load(d):
    files = sorted(glob.glob(os.path.join(d, "*.json")))
    out = []
    for f in files:
        with open(f, encoding="utf-8") as fh:
            text = fh.read()
        out.append((f, text, json.loads(text)))
    return out


def panels_of(dash):
    for p in dash.get("panels", []):
        yield p
        for q in p.get("panels", []) or []:   # collapsed rows
            yield q


def panel_links(p):
    """Every data link of a panel: its own, its defaults' and its overrides'."""
    fc = p.get("fieldConfig", {})
    out = list(p.get("links") or []) + list(fc.get("defaults", {}).get("links") or [])
    for o in fc.get("overrides") or []:
        for prop in o.get("properties") or []:
            if prop.get("id") == "links":
                out += prop.get("value") or []
    return out


def lint(d):
    errs = []
    uids = {}
    dashes = load(d)
    all_uids = {dd.get("uid") for _, _, dd in dashes}
    if not dashes:
        errs.append("%s: no dashboards found" % d)
    for f, text, dash in dashes:
        name = os.path.basename(f)
        uid = dash.get("uid")
        if not uid or not re.match(r"^[A-Za-z0-9_-]{1,40}$", uid):
            errs.append("%s: missing or invalid uid %r" % (name, uid))
        elif uid in uids:
            errs.append("%s: uid %s also used by %s" % (name, uid, uids[uid]))
        else:
            uids[uid] = name
        if "${DS_" in text or "__inputs" in dash:
            errs.append("%s: uses ${DS_...} import inputs" % name)
        tv = {v.get("name"): v for v in dash.get("templating", {}).get("list", [])}
        ds = tv.get("datasource")
        if not ds or ds.get("type") != "datasource" or ds.get("query") != "prometheus":
            errs.append("%s: no prometheus datasource variable named datasource" % name)
        for v in ("job", "instance"):
            if v not in tv or tv[v].get("type") != "query":
                errs.append("%s: no query variable %s" % (name, v))
        ids = set()
        for p in panels_of(dash):
            title = p.get("title", "?")
            if p.get("type") == "row":
                continue
            if p.get("id") in ids:
                errs.append("%s: %s: duplicate panel id %s" % (name, title, p.get("id")))
            ids.add(p.get("id"))
            targets = [t for t in p.get("targets", []) if t.get("expr", "").strip()]
            if not targets:
                errs.append("%s: %s: panel has no query" % (name, title))
            for t in p.get("targets", []):
                dsu = (t.get("datasource") or p.get("datasource") or {}).get("uid")
                if dsu != "${datasource}":
                    errs.append("%s: %s: datasource is %r, not ${datasource}" % (name, title, dsu))
            if "gridPos" not in p:
                errs.append("%s: %s: no gridPos" % (name, title))
            defaults = p.get("fieldConfig", {}).get("defaults", {})
            if p.get("type") == "stat":
                if not defaults.get("unit"):
                    errs.append("%s: %s: stat without a unit" % (name, title))
                st = defaults.get("thresholds", {}).get("steps") or []
                if not st or st[0].get("value") is not None:
                    errs.append("%s: %s: stat without thresholds (a base step first)" % (name, title))
            for link in panel_links(p):
                m = re.match(r"^/d/([A-Za-z0-9_-]+)/", link.get("url", ""))
                if m and m.group(1) not in all_uids:
                    errs.append("%s: %s: link to unknown dashboard %s" % (name, title, m.group(1)))
    # Generated files must be current.
    sys.path.insert(0, os.path.join(HERE, "..", "tools"))
    import build_dashboards  # noqa: E402
    for fname, text in build_dashboards.render().items():
        path = os.path.join(d, fname)
        try:
            with open(path, encoding="utf-8") as fh:
                if fh.read() != text:
                    errs.append("%s: differs from build_dashboards.py output" % fname)
        except OSError:
            errs.append("%s: missing (build_dashboards.py generates it)" % fname)
    return errs, sum(1 for _, _, dd in dashes for p in panels_of(dd) if p.get("type") != "row")


def api(base, path, params):
    url = base.rstrip("/") + path + "?" + urllib.parse.urlencode(params, doseq=True)
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            body = json.load(r)
    except urllib.error.HTTPError as e:
        try:
            body = json.load(e)
        except ValueError:
            return None, "HTTP %d" % e.code
    except (urllib.error.URLError, OSError, ValueError) as e:
        return None, str(e)
    if body.get("status") != "success":
        return None, "%s: %s" % (body.get("errorType"), body.get("error"))
    return body["data"], None


def resolve(base, var, values):
    if var.get("includeAll") and var.get("allValue"):
        return var["allValue"], None  # Grafana's "All"
    q = var.get("query")
    q = q.get("query") if isinstance(q, dict) else q
    for k, v in values.items():
        q = q.replace("$" + k, v)
    m = re.match(r"^label_values\((.*),\s*(\w+)\)$", q.strip())
    if not m:
        m2 = re.match(r"^label_values\((\w+)\)$", q.strip())
        if not m2:
            return None, "unsupported variable query %r" % q
        data, err = api(base, "/api/v1/label/%s/values" % m2.group(1), {})
    else:
        data, err = api(base, "/api/v1/label/%s/values" % m.group(2),
                        {"match[]": m.group(1)})
    if err:
        return None, err
    if not data:
        return None, "variable query %r returned no values" % q
    return sorted(data)[0], None


def substitute(expr, values):
    for k, v in BUILTINS.items():
        expr = expr.replace(k, v)
    for k in sorted(values, key=len, reverse=True):
        expr = expr.replace("${%s}" % k, values[k]).replace("$" + k, values[k])
    return expr


def bad_values(data):
    """The NaN or infinite samples of a query result."""
    bad = []
    for r in data.get("result", []):
        samples = r.get("values") or ([r["value"]] if "value" in r else [])
        for _, v in samples:
            if v in ("NaN", "+Inf", "-Inf"):
                bad.append("%s=%s" % (r.get("metric", {}), v))
                break
    return bad


def query(d, base, overrides=None):
    errs = []
    n = 0
    now = time.time()
    for f, _, dash in load(d):
        name = os.path.basename(f)
        values = {}
        for var in dash.get("templating", {}).get("list", []):
            if var.get("type") != "query":
                continue
            if var["name"] in (overrides or {}) and not var.get("includeAll"):
                values[var["name"]] = overrides[var["name"]]
                continue
            val, err = resolve(base, var, values)
            if err:
                errs.append("%s: variable %s: %s" % (name, var["name"], err))
                val = ".*"
            values[var["name"]] = val
        print("%s: variables %s" % (name, values))
        for p in panels_of(dash):
            if p.get("type") == "row":
                continue
            for t in p.get("targets", []):
                expr = substitute(t.get("expr", ""), values)
                n += 1
                if "$" in expr:
                    errs.append("%s: %s: unsubstituted variable in %r" % (name, p["title"], expr))
                    continue
                if t.get("instant"):
                    data, err = api(base, "/api/v1/query", {"query": expr, "time": now})
                else:
                    data, err = api(base, "/api/v1/query_range",
                                    {"query": expr, "start": now - 300, "end": now,
                                     "step": "5s"})
                if err:
                    errs.append("%s: %s [%s]: %s (query %s)" % (name, p["title"], t["refId"], err, expr))
                elif not data.get("result"):
                    errs.append("%s: %s [%s]: no data (query %s)" % (name, p["title"], t["refId"], expr))
                elif bad_values(data):
                    errs.append("%s: %s [%s]: NaN or infinite value: %s (query %s)"
                                % (name, p["title"], t["refId"], ", ".join(bad_values(data)[:3]), expr))
                else:
                    print("  ok  %-40s [%s] %d series" % (p["title"], t["refId"], len(data["result"])))
    return errs, n


def main(argv):
    if not argv or argv[0] not in ("lint", "query"):
        print(__doc__, file=sys.stderr)
        return 2
    cmd, rest = argv[0], argv[1:]
    base = None
    overrides = {}
    if cmd == "query":
        if len(rest) < 2 or rest[0] != "--prometheus":
            print("usage: dashboards_check.py query --prometheus URL [--var NAME=VALUE ...] [DIR]",
                  file=sys.stderr)
            return 2
        base, rest = rest[1], rest[2:]
        while len(rest) >= 2 and rest[0] == "--var":
            k, _, v = rest[1].partition("=")
            overrides[k] = v
            rest = rest[2:]
    d = rest[0] if rest else DEFAULT_DIR
    if cmd == "lint":
        errs, n = lint(d)
        what = "panels linted"
    else:
        errs, n = query(d, base, overrides)
        what = "panel queries returned data"
    for e in errs:
        print("FAIL " + e)
    print("%s: %d checked, %d problem(s)" % (what, n, len(errs)))
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
