#!/usr/bin/env python3
"""docker_check.py - validate docker/ without a container engine.

  docker_check.py [DOCKER_DIR]

Checks, printing "ok ..." or "FAIL ...":
  - every *.yml/*.yaml under DOCKER_DIR parses as YAML;
  - compose.yml: services have an image or a build whose context (and
    Dockerfile) exists; bind-mount sources exist; named volumes are
    declared; published ports are bound to 127.0.0.1; network_mode/pid
    "service:X" and depends_on name real services;
  - Grafana provisioning files use only the keys Grafana documents
    (apiVersion 1; datasources: name, type, uid, access, orgId, url, ...;
    providers: name, orgId, folder, folderUid, type, options.path, ...) and
    the dashboards provider's path is where compose mounts dashboards/grafana;
  - Dockerfiles: Debian 12 bases (FROM ${ARG} resolved with the ARG's
    default), a final non-root USER, a HEALTHCHECK on /-/healthy and the OCI
    image labels.
Exit 1 if anything failed.  Needs python3-yaml.
"""
import glob
import os
import re
import sys

import yaml

DS_KEYS = {"name", "type", "uid", "access", "orgId", "url", "user", "database",
           "basicAuth", "basicAuthUser", "withCredentials", "isDefault",
           "jsonData", "secureJsonData", "version", "editable"}
DS_TOP = {"apiVersion", "datasources", "deleteDatasources", "prune"}
PROV_KEYS = {"name", "orgId", "folder", "folderUid", "type", "disableDeletion",
             "updateIntervalSeconds", "allowUiUpdates", "options"}
PROV_OPT_KEYS = {"path", "foldersFromFilesStructure"}
OCI_LABELS = {"org.opencontainers.image.title", "org.opencontainers.image.version",
              "org.opencontainers.image.revision", "org.opencontainers.image.description",
              "org.opencontainers.image.licenses", "org.opencontainers.image.created"}

fails = []
oks = 0


def ok(msg):
    global oks
    oks += 1
    print("ok   " + msg)


def fail(msg):
    fails.append(msg)
    print("FAIL " + msg)


def check_yaml(d):
    docs = {}
    for f in sorted(glob.glob(os.path.join(d, "**", "*.y*ml"), recursive=True)):
        try:
            with open(f, encoding="utf-8") as fh:
                docs[f] = yaml.safe_load(fh)
            ok("%s parses" % os.path.relpath(f, d))
        except yaml.YAMLError as e:
            fail("%s: %s" % (f, e))
    return docs


def check_compose(d, c):
    services = c.get("services") or {}
    volumes = set((c.get("volumes") or {}).keys())
    if not services:
        fail("compose.yml: no services")
    mounts = {}
    for name, s in services.items():
        if "image" not in s and "build" not in s:
            fail("compose %s: neither image nor build" % name)
        b = s.get("build")
        if b is not None:
            ctx = b if isinstance(b, str) else b.get("context", ".")
            ctxp = os.path.normpath(os.path.join(d, ctx))
            df = "Dockerfile" if isinstance(b, str) else b.get("dockerfile", "Dockerfile")
            if not os.path.isdir(ctxp):
                fail("compose %s: build context %s missing" % (name, ctx))
            elif not os.path.isfile(os.path.join(ctxp, df)):
                fail("compose %s: %s missing in %s" % (name, df, ctx))
            else:
                ok("compose %s: build %s/%s" % (name, ctx, df))
        for v in s.get("volumes", []) or []:
            src, _, rest = v.partition(":")
            tgt = rest.split(":")[0]
            mounts[(name, tgt)] = src
            if src.startswith(".") or src.startswith("/"):
                p = os.path.normpath(os.path.join(d, src))
                if not os.path.exists(p):
                    fail("compose %s: bind source %s missing" % (name, src))
                else:
                    ok("compose %s: bind %s" % (name, src))
            elif src not in volumes:
                fail("compose %s: volume %s not declared" % (name, src))
        for p in s.get("ports", []) or []:
            if not str(p).startswith("127.0.0.1:"):
                fail("compose %s: port %s is not bound to 127.0.0.1" % (name, p))
        for k in ("network_mode", "pid"):
            m = re.match(r"^service:(.+)$", str(s.get(k, "")))
            if m and m.group(1) not in services:
                fail("compose %s: %s names unknown service %s" % (name, k, m.group(1)))
        for dep in s.get("depends_on", []) or []:
            if dep not in services:
                fail("compose %s: depends_on unknown %s" % (name, dep))
    return mounts


def check_grafana(d, docs, mounts):
    for f, doc in docs.items():
        rel = os.path.relpath(f, d)
        if "/provisioning/datasources/" in f:
            if doc.get("apiVersion") != 1:
                fail("%s: apiVersion must be 1" % rel)
            for k in set(doc) - DS_TOP:
                fail("%s: unknown top-level key %s" % (rel, k))
            for ds in doc.get("datasources", []):
                for k in set(ds) - DS_KEYS:
                    fail("%s: datasource %s: unknown key %s" % (rel, ds.get("name"), k))
                for k in ("name", "type", "url", "access"):
                    if k not in ds:
                        fail("%s: datasource lacks %s" % (rel, k))
                if ds.get("type") != "prometheus":
                    fail("%s: datasource type %s" % (rel, ds.get("type")))
            ok("%s: datasource keys" % rel)
        elif "/provisioning/dashboards/" in f:
            if doc.get("apiVersion") != 1:
                fail("%s: apiVersion must be 1" % rel)
            for p in doc.get("providers", []):
                for k in set(p) - PROV_KEYS:
                    fail("%s: provider %s: unknown key %s" % (rel, p.get("name"), k))
                for k in set(p.get("options", {})) - PROV_OPT_KEYS:
                    fail("%s: provider options: unknown key %s" % (rel, k))
                if p.get("type", "file") != "file":
                    fail("%s: provider type %s" % (rel, p.get("type")))
                path = p.get("options", {}).get("path")
                src = next((s for (svc, t), s in mounts.items()
                            if svc == "grafana" and t == path), None)
                if src is None:
                    fail("%s: provider path %s is not a compose mount" % (rel, path))
                elif os.path.normpath(os.path.join(d, src)) != os.path.normpath(
                        os.path.join(d, "..", "dashboards", "grafana")):
                    fail("%s: provider path %s is mounted from %s, not dashboards/grafana" % (rel, path, src))
                else:
                    ok("%s: provider %s -> dashboards/grafana" % (rel, p.get("name")))


def check_dockerfile(path, exporter):
    rel = os.path.basename(os.path.dirname(path)) + "/" + os.path.basename(path)
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    joined = re.sub(r"\\\n", " ", text)
    # FROM ${BASE}: resolve with the defaults of the ARGs before the first FROM.
    head = joined.split("\nFROM", 1)[0] if not joined.startswith("FROM") else ""
    args = dict(re.findall(r"^ARG\s+(\w+)=(\S+)", head, re.M))
    froms = [re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), m.group(0)), f)
             for f in re.findall(r"^FROM\s+(\S+)", joined, re.M)]
    if not froms or not all(re.match(r"^debian:(12|bookworm)", f) for f in froms):
        fail("%s: base images %s are not Debian 12" % (rel, froms))
    else:
        ok("%s: Debian 12 bases %s" % (rel, froms))
    if not exporter:
        return
    if len(froms) < 2:
        fail("%s: not multi-stage" % rel)
    users = re.findall(r"^USER\s+(\S+)", joined, re.M)
    if not users or users[-1].split(":")[0] in ("root", "0"):
        fail("%s: final USER is root or missing" % rel)
    else:
        ok("%s: runs as %s" % (rel, users[-1]))
    if not re.search(r"^HEALTHCHECK .*?/-/healthy", joined, re.M):
        fail("%s: no HEALTHCHECK on /-/healthy" % rel)
    else:
        ok("%s: HEALTHCHECK on /-/healthy" % rel)
    labels = set(re.findall(r"(org\.opencontainers\.image\.[a-z.]+)=", joined))
    if OCI_LABELS - labels:
        fail("%s: missing OCI labels %s" % (rel, sorted(OCI_LABELS - labels)))
    else:
        ok("%s: OCI labels" % rel)
    last = joined.split("FROM")[-1]
    if re.search(r"-dev\b|build-essential|cmake", last):
        fail("%s: runtime stage installs build packages" % rel)
    else:
        ok("%s: runtime stage has no build packages" % rel)


def main(argv):
    d = argv[0] if argv else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docker")
    d = os.path.normpath(d)
    docs = check_yaml(d)
    compose = docs.get(os.path.join(d, "compose.yml"))
    if not compose:
        fail("compose.yml missing or empty")
        mounts = {}
    else:
        mounts = check_compose(d, compose)
    check_grafana(d, docs, mounts)
    check_dockerfile(os.path.join(d, "Dockerfile"), True)
    for f in sorted(glob.glob(os.path.join(d, "*", "Dockerfile"))):
        check_dockerfile(f, False)
    print("docker_check: %d ok, %d failed" % (oks, len(fails)))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
