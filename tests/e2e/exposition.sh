#!/usr/bin/env bash
# exposition.sh - everything the binary serves passes `promtool check metrics`
# and is well-formed OpenMetrics, on a root holding all three MTAs at once
# (Postfix listening everywhere, an Exim open relay, a sendmail.cf with
# warnings) and on each MTA fixture tree alone, served (with the process_*
# metrics) and with --once; and every metric family is documented in
# docs/metrics.md.
. "$(dirname "$0")/lib.sh"

apt_need promtool prometheus
FIX=$MTA_SOURCE_DIR/tests/fixtures
ROOT=$T/all
combined_root "$ROOT"

check_tree() {	# NAME ROOT
	local name=$1 root=$2
	"$MTA_EXPORTER" --once --path.rootfs="$root" >"$T/$name.prom" 2>"$T/$name.log" || true
	[ -s "$T/$name.prom" ] || fail "$name: empty exposition: $(cat "$T/$name.log")"
	promtool_check "$T/$name.prom" >"$T/$name.promtool" 2>&1 ||
		fail "$name: promtool check metrics: $(cat "$T/$name.promtool")"
}

check_tree all "$ROOT"
for m in postfix exim sendmail; do
	grep -q "^mta_detected{mta=\"$m\"} 1" "$T/all.prom" || fail "$m not detected in the combined root"
done
for d in "$FIX"/postfix/rootfs-* "$FIX"/sendmail/rootfs-*; do
	check_tree "$(basename "$(dirname "$d")")-$(basename "$d")" "$d"
done
pass "promtool check metrics on every fixture tree"

# A configuration byte that is not UTF-8 in what becomes a label value (a
# master.cf service name): the exposition stays UTF-8, promtool stays clean.
U8=$T/utf8
cp -r "$FIX/postfix/rootfs-local" "$U8"
printf '127.0.0.1:s\xffub inet n - y - - smtpd\n' >>"$U8/etc/postfix/master.cf"
check_tree utf8 "$U8"
grep -qF "service=\"127.0.0.1:s$(printf '\xef\xbf\xbd')ub\"" "$T/utf8.prom" ||
	fail "invalid byte not replaced by U+FFFD: $(grep -a service_info "$T/utf8.prom")"
pass "label values from invalid UTF-8 are valid UTF-8 (U+FFFD)"

PORT=20012
start_bg "$T/srv.log" "$MTA_EXPORTER" --web.listen-address=127.0.0.1:$PORT --path.rootfs="$ROOT"
wait_http "http://127.0.0.1:$PORT/-/healthy"
curl -sS -H 'Accept: application/openmetrics-text;version=1.0.0' "http://127.0.0.1:$PORT/metrics" >"$T/om.txt"
python3 - "$T/om.txt" <<'PY' || fail "OpenMetrics structure"
import re, sys
lines = open(sys.argv[1]).read().split("\n")
assert lines[-1] == "" and lines[-2] == "# EOF", "EOF"
seen, cur, types = set(), None, {}
label = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
sample = re.compile(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:%s(?:,%s)*)?\})? (\S+)$' % (label, label))
for l in lines[:-2]:
    if l.startswith("# TYPE "):
        _, _, name, typ = l.split(" ", 3)
        assert name not in seen, "family repeated: " + name
        seen.add(name); cur = name; types[name] = typ
    elif l.startswith("# HELP "):
        pass
    else:
        m = sample.match(l)
        assert m, "bad sample line: " + l
        suffix = {"counter": "_total", "info": "_info"}.get(types[cur], "")
        assert m.group(1) == cur + suffix, "sample %s outside its family %s" % (m.group(1), cur)
PY
pass "OpenMetrics scrape of the combined root is well-formed"

curl -sS "http://127.0.0.1:$PORT/metrics" >"$T/served.prom"
grep -q '^process_resident_memory_bytes ' "$T/served.prom" || fail "served scrape lacks the process metrics"
promtool_check "$T/served.prom" >"$T/served.promtool" 2>&1 ||
	fail "served: promtool check metrics: $(cat "$T/served.promtool")"
pass "promtool check metrics on a served scrape, process metrics included"

for f in $(sed -n 's/^# TYPE \([^ ]*\) .*/\1/p' "$T"/*.prom | sort -u); do
	grep -qF "\`$f\`" "$MTA_SOURCE_DIR/docs/metrics.md" || fail "$f is not documented in docs/metrics.md"
done
pass "every metric family served is documented in docs/metrics.md"
