#!/usr/bin/env bash
# http.sh - the HTTP contract of the real binary: content negotiation with
# the Accept headers Prometheus 2.x and 3.x send, gzip, HEAD, 404/405, the
# landing page, promtool check metrics, the process_* metrics (checked
# against the kernel's own view of the process) and
# --web.disable-exporter-metrics, the start-up log lines, --once equal to a
# scrape, clean shutdown and flag errors.
. "$(dirname "$0")/lib.sh"

apt_need promtool prometheus
PORT=20011
ADDR=127.0.0.1:$PORT
URL=http://$ADDR
mkdir -p "$T/root"

# Flag errors exit 2 with a message.
set +e
"$MTA_EXPORTER" --no-such-flag 2>"$T/err"; rc=$?
set -e
[ "$rc" = 2 ] || fail "unknown flag: exit $rc, want 2"
grep -q 'no-such-flag' "$T/err" || fail "unknown flag message: $(cat "$T/err")"
pass "unknown flag exits 2 naming the flag"

start_bg "$T/log" "$MTA_EXPORTER" --web.listen-address=$ADDR --path.rootfs="$T/root" --log.level=debug
EXPORTER_PID=$BG_PID
wait_http "$URL/-/healthy"
pass "healthy"

PROM3='application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2'
PROM2='application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'
OM_CT='application/openmetrics-text; version=1.0.0; charset=utf-8'
TXT_CT='text/plain; version=0.0.4; charset=utf-8'

# fetch NAME ACCEPT [ACCEPT_ENCODING]: body in $T/NAME.body, headers in $T/NAME.hdr
fetch() {
	local name=$1 accept=$2 ae=${3:-}
	local args=(-sS -D "$T/$name.hdr" -o "$T/$name.body" -H "Accept: $accept")
	[ -n "$ae" ] && args+=(-H "Accept-Encoding: $ae")
	curl "${args[@]}" "$URL/metrics"
	grep -q '^HTTP/1.1 200' "$T/$name.hdr" || fail "$name: $(head -1 "$T/$name.hdr")"
}
header() { grep -i "^$2:" "$T/$1.hdr" | head -1 | cut -d: -f2- | sed 's/^ //; s/\r$//'; }

for v in PROM3 PROM2; do
	fetch "$v" "${!v}"
	[ "$(header "$v" Content-Type)" = "$OM_CT" ] || fail "$v content type: $(header "$v" Content-Type)"
	[ "$(tail -n1 "$T/$v.body")" = "# EOF" ] || fail "$v: body does not end in # EOF"
	grep -q '^# TYPE mta_exporter_build info$' "$T/$v.body" || fail "$v: info type not rendered"
	pass "$v Accept header gets OpenMetrics 1.0.0"
done

for a in 'text/plain;version=0.0.4;q=0.3,*/*;q=0.2' '*/*' 'text/plain'; do
	fetch text "$a"
	[ "$(header text Content-Type)" = "$TXT_CT" ] || fail "Accept $a: content type $(header text Content-Type)"
	grep -q '# EOF' "$T/text.body" && fail "text format must not contain # EOF"
	grep -q '^# TYPE mta_exporter_build_info gauge$' "$T/text.body" || fail "text: info must render as gauge"
done
curl -sS -D "$T/none.hdr" -o "$T/none.body" "$URL/metrics"
grep -qi "^Content-Type: $TXT_CT" "$T/none.hdr" || fail "no Accept: wrong content type"
pass "text 0.0.4 for text, */* and no Accept"

promtool_check "$T/text.body" || fail "promtool check metrics"
pass "promtool check metrics"

# Start-up log: version and revision, then one line per listening address.
grep -qE 'level=info msg="starting mta_exporter" version=[0-9][^ ]* revision=[^ ]+$' "$T/log" ||
	fail "no start-up line with version and revision: $(head -3 "$T/log")"
grep -qF "level=info msg=listening address=$ADDR tls=false basic_auth=false" "$T/log" ||
	fail "no listening line with the address: $(cat "$T/log")"
pass "start-up log lines name version, revision and address"

# The standard process metrics, named and described as client_golang's
# process collector does, against what the kernel says about the process.
grep -q '^process_' "$T/text.body" || fail "no process_* metrics"
python3 - "$T/text.body" "$EXPORTER_PID" <<'PY' || fail "process metrics"
import os, sys, time
body, pid = open(sys.argv[1]).read(), sys.argv[2]
want = {
    "process_cpu_seconds_total": ("counter", "Total user and system CPU time spent in seconds."),
    "process_open_fds": ("gauge", "Number of open file descriptors."),
    "process_max_fds": ("gauge", "Maximum number of open file descriptors."),
    "process_virtual_memory_bytes": ("gauge", "Virtual memory size in bytes."),
    "process_virtual_memory_max_bytes": ("gauge", "Maximum amount of virtual memory available in bytes."),
    "process_resident_memory_bytes": ("gauge", "Resident memory size in bytes."),
    "process_start_time_seconds": ("gauge", "Start time of the process since unix epoch in seconds."),
}
v = {}
for name, (typ, help) in want.items():
    assert "# HELP %s %s\n" % (name, help) in body, "HELP of " + name
    assert "# TYPE %s %s\n" % (name, typ) in body, "TYPE of " + name
    lines = [l for l in body.split("\n") if l.startswith(name + " ")]
    assert len(lines) == 1, name
    v[name] = float(lines[0].split(" ")[1])
tck = os.sysconf("SC_CLK_TCK")
stat = open("/proc/%s/stat" % pid).read()
fields = stat[stat.rindex(")") + 2:].split(" ")
utime, stime, start_ticks = int(fields[11]), int(fields[12]), int(fields[19])
btime = [int(l.split()[1]) for l in open("/proc/stat") if l.startswith("btime ")][0]
limits = {l[:26].strip(): l[26:].split()[0] for l in open("/proc/%s/limits" % pid).readlines()[1:]}
rss_kb = [int(l.split()[1]) for l in open("/proc/%s/status" % pid) if l.startswith("VmRSS:")][0]
now = time.time()
start = v["process_start_time_seconds"]
assert abs(start - (btime + start_ticks / tck)) < 1.5, (start, btime, start_ticks)
assert 0 <= now - start < 600, "start time %f is not close to now %f" % (start, now)
assert 0 <= v["process_cpu_seconds_total"] <= (utime + stime) / tck + 0.01, v
assert 0 < v["process_open_fds"] <= v["process_max_fds"], v
assert v["process_max_fds"] == float(limits["Max open files"]), (v, limits["Max open files"])
vmax = limits["Max address space"]
assert v["process_virtual_memory_max_bytes"] == (2.0 ** 64 if vmax == "unlimited" else float(vmax)), vmax
assert 0 < v["process_resident_memory_bytes"] <= v["process_virtual_memory_bytes"], v
assert 0.25 < v["process_resident_memory_bytes"] / (rss_kb * 1024) < 4, (v, rss_kb)
PY
pass "process_* metrics present, typed and described as client_golang does, and sane"

PORT2=$((30000 + $$ % 20000))
start_bg "$T/log3" "$MTA_EXPORTER" --web.listen-address=127.0.0.1:$PORT2 --path.rootfs="$T/root" \
	--web.disable-exporter-metrics
wait_http "http://127.0.0.1:$PORT2/-/healthy"
curl -sS "http://127.0.0.1:$PORT2/metrics" >"$T/noproc.txt"
grep -q 'process_' "$T/noproc.txt" && fail "--web.disable-exporter-metrics: $(grep process_ "$T/noproc.txt" | head -3)"
grep -q '^mta_exporter_build_info{' "$T/noproc.txt" || fail "--web.disable-exporter-metrics dropped mta_exporter_build_info"
grep -q '^mta_exporter_collector_success{' "$T/noproc.txt" || fail "--web.disable-exporter-metrics dropped collector_success"
promtool_check "$T/noproc.txt" || fail "promtool check metrics without process metrics"
kill "$BG_PID"
pass "--web.disable-exporter-metrics leaves out process_* only"

# OpenMetrics structure: TYPE before samples, families not interleaved, EOF last.
python3 - "$T/PROM3.body" <<'PY' || fail "OpenMetrics structure"
import re, sys
lines = open(sys.argv[1]).read().split("\n")
assert lines[-1] == "" and lines[-2] == "# EOF", "EOF"
seen, cur, types = set(), None, {}
for l in lines[:-2]:
    if l.startswith("# TYPE "):
        _, _, name, typ = l.split(" ", 3)
        assert name not in seen, "family repeated: " + name
        seen.add(name); cur = name; types[name] = typ
    elif l.startswith("# HELP "):
        pass
    else:
        m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$", l)
        assert m, "bad sample line: " + l
        n = m.group(1)
        suffix = {"counter": "_total", "info": "_info"}.get(types[cur], "")
        assert n == cur + suffix, "sample %s outside its family %s" % (n, cur)
        v = m.group(3)
        assert v in ("+Inf", "-Inf", "NaN") or re.match(r"^-?[0-9.]+(e[-+]?[0-9]+)?$", v), v
PY
pass "OpenMetrics body well-formed"

fetch gz "$PROM3" gzip
[ "$(header gz Content-Encoding)" = gzip ] || fail "gzip not applied"
[ "$(header gz Vary)" = Accept-Encoding ] || fail "Vary header missing"
gzip -dc "$T/gz.body" >"$T/gz.plain" || fail "gzip body does not decompress"
diff <(strip_volatile <"$T/gz.plain") <(strip_volatile <"$T/PROM3.body") || fail "gzip body differs"
fetch nogz "$PROM3" 'gzip;q=0, identity'
[ -z "$(header nogz Content-Encoding)" ] || fail "gzip sent although q=0"
[ "$(header nogz Vary)" = Accept-Encoding ] || fail "Vary header missing without gzip"
pass "gzip when allowed, Vary always"

curl -sS -I -o /dev/null -D "$T/head.hdr" "$URL/metrics"
grep -q '^HTTP/1.1 200' "$T/head.hdr" || fail "HEAD status"
grep -qi "^Content-Type: $TXT_CT" "$T/head.hdr" || fail "HEAD content type"
[ "$(curl -sS -I "$URL/metrics" -o /dev/null -w '%{size_download}')" = 0 ] || fail "HEAD has a body"
pass "HEAD"

code=$(curl -sS -o /dev/null -w '%{http_code}' "$URL/nope")
[ "$code" = 404 ] || fail "unknown path: $code"
code=$(curl -sS -o /dev/null -w '%{http_code}' "$URL/metrics/")
[ "$code" = 404 ] || fail "/metrics/: $code"
for m in POST PUT DELETE; do
	curl -sS -X $m -d 'x=1' -o /dev/null -D "$T/m.hdr" "$URL/metrics"
	grep -q '^HTTP/1.1 405' "$T/m.hdr" || fail "$m /metrics: $(head -1 "$T/m.hdr")"
	grep -qi '^Allow: GET, HEAD' "$T/m.hdr" || fail "$m /metrics: no Allow header"
done
pass "404 and 405 with Allow"

curl -sS "$URL/" >"$T/landing.html"
grep -q 'MTA Exporter' "$T/landing.html" || fail "landing page title"
grep -q 'href="/metrics"' "$T/landing.html" || fail "landing page link"
grep -q "$("$MTA_EXPORTER" --version | awk '{print $3}')" "$T/landing.html" || fail "landing page version"
pass "landing page"

# --once prints the same exposition a scrape serves, but for the process_*
# metrics: they would describe a process that has exited.
"$MTA_EXPORTER" --once --path.rootfs="$T/root" >"$T/once.txt"
grep -q 'process_' "$T/once.txt" && fail "--once output has process_* metrics"
curl -sS "$URL/metrics" >"$T/scrape.txt"
diff <(strip_volatile <"$T/once.txt") <(strip_volatile <"$T/scrape.txt") || fail "--once differs from a scrape"
"$MTA_EXPORTER" --once="$T/out.prom" --path.rootfs="$T/root"
diff <(strip_volatile <"$T/out.prom") <(strip_volatile <"$T/once.txt") || fail "--once=FILE differs"
ls "$T" | grep -q 'out.prom.tmp' && fail "temporary file left behind"
pass "--once and --once=FILE equal a scrape"

# Clean shutdown on SIGTERM.
kill -TERM "$EXPORTER_PID"
for i in $(seq 50); do kill -0 "$EXPORTER_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$EXPORTER_PID" 2>/dev/null && fail "still running after SIGTERM"
set +e; wait "$EXPORTER_PID"; rc=$?; set -e
[ "$rc" = 0 ] || fail "exit status after SIGTERM: $rc"
grep -q 'shutting down' "$T/log" || fail "no shutdown log line"
pass "SIGTERM stops cleanly"

# A port already in use is a clear startup error.
start_bg "$T/log2" "$MTA_EXPORTER" --web.listen-address=$ADDR --path.rootfs="$T/root"
wait_http "$URL/-/healthy"
set +e; "$MTA_EXPORTER" --web.listen-address=$ADDR 2>"$T/err2"; rc=$?; set -e
[ "$rc" = 1 ] || fail "busy port: exit $rc"
grep -q 'Address already in use' "$T/err2" || fail "busy port message: $(cat "$T/err2")"
pass "busy port is a clear error"
echo "all http checks passed"
