#!/usr/bin/env bash
# audit.sh - "mta_exporter audit" for people and pipelines:
#   - the exit status: 0 all pass (or waived, or not applicable), 1 a check
#     fails (a socket on port 25 beyond loopback; a finding whose waiver
#     expired), 2 a usage error (bad flag, bad --checks.role, a waivers
#     file naming an unknown check, the checks collector disabled), 3 a
#     check in error (the Postfix collector fails: master.cf is a
#     directory), and a failure beats an error;
#   - the header (host, time, version, rootfs, role) in text and JSON;
#   - the JSON report lists every check once and agrees with the metrics of
#     a --once scrape; --checks.role=server makes cis_2_1_21 not applicable;
#   - --format=junit is read by real consumers: xmllint validates it against
#     tests/fixtures/audit/junit.xsd, and Python's junitparser reads every
#     check as a test case whose result matches the JSON report's status
#     (failure, error, skipped for waived and not applicable).
# Runs in its own network namespace (mrly-aud-PID) so the host's listeners
# do not matter; the fixture trees replay their recorded sockets.
. "$(dirname "$0")/lib.sh"

need_root
# The name carries the pid so concurrent runs from other checkouts cannot
# collide; the veth pair is made inside it for the same reason.
NS=mrly-aud-$$
ip netns add $NS
on_exit ip netns del $NS
ip -n $NS link set lo up
ip -n $NS link add mrly-a0 type veth peer name mrly-a1
ip -n $NS addr add 192.0.2.50/24 dev mrly-a0
ip -n $NS link set mrly-a0 up
ip -n $NS link set mrly-a1 up
mkdir -p "$T/root"
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
apt_need xmllint libxml2-utils
if ! "$PY" -c 'import junitparser' 2>/dev/null; then
	[ "$(id -u)" = 0 ] || fail "python3-junitparser missing and not root to install it"
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q python3-junitparser >/dev/null
fi
FIX=$MTA_SOURCE_DIR/tests/fixtures
XSD=$FIX/audit/junit.xsd

audit() { ip netns exec $NS "$MTA_EXPORTER" audit --path.rootfs="$T/root" --log.level=error "$@"; }
# status CMD...: run it and set $rc to its exit status (redirections apply to CMD)
status() { rc=0; "$@" || rc=$?; }
HAS_LISTENERS=0
"$MTA_EXPORTER" --help 2>&1 | grep -qE '^  listeners ' && HAS_LISTENERS=1

# ---------------------------------------------------------------- 2: usage
for bad in --format=yaml --checks.role=relay --no-such-flag; do
	status audit "$bad" >/dev/null 2>"$T/err"
	[ "$rc" = 2 ] || fail "$bad: exit $rc, want 2"
done
printf -- '- check: postfix_vrfy\n  reason: typo\n  expires: 2099-01-01\n' >"$T/typo.yml"
status audit --checks.waivers="$T/typo.yml" >"$T/out" 2>"$T/err"
[ "$rc" = 2 ] || fail "waivers file with an unknown check: exit $rc, want 2"
grep -q "line 1: entry 1: check: unknown check \\\\\"postfix_vrfy\\\\\"" "$T/err" || fail "waivers error: $(cat "$T/err")"
grep -q "$T/typo.yml" "$T/err" || fail "the waivers error does not name the file: $(cat "$T/err")"
[ ! -s "$T/out" ] || fail "a report was written despite the usage error"
status audit --no-collector.checks >/dev/null 2>"$T/err"
[ "$rc" = 2 ] || fail "checks disabled: exit $rc, want 2"
grep -q "checks collector is disabled" "$T/err" || fail "checks disabled: $(cat "$T/err")"
pass "usage errors exit 2: bad format, bad role, unknown flag, a waivers file naming an unknown check, the checks collector disabled"

# ---------------------------------------------------------------- JSON and the header
status audit --format=json >"$T/a.json"
ip netns exec $NS "$MTA_EXPORTER" --once --path.rootfs="$T/root" --log.level=error >"$T/m.prom" || true
"$PY" - "$T/a.json" "$T/m.prom" "$rc" "$T/root" "$(hostname)" <<'PY' || fail "JSON report"
import json, re, sys
rep = json.load(open(sys.argv[1]))
ids = [c["id"] for c in rep["checks"]]
assert len(ids) == len(set(ids)), "duplicate check ids"
for must in ("cis_2_1_21", "stig_gen004710", "mta_no_open_relay", "mta_runtime_matches_config"):
    assert must in ids, must
assert rep["exit_status"] == int(sys.argv[3]), (rep["exit_status"], sys.argv[3])
assert rep["rootfs"] == sys.argv[4], rep["rootfs"]
assert rep["host"] == sys.argv[5], (rep["host"], sys.argv[5])
assert rep["role"] == "client", rep["role"]
assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", rep["time"]), rep["time"]
assert re.match(r"^\d+\.\d+\.\d+", rep["version"]), rep["version"]
status = {}
for line in open(sys.argv[2]):
    m = re.match(r'mta_check_status\{check="([^"]+)",status="([^"]+)"\} 1$', line.strip())
    if m:
        status[m.group(1)] = m.group(2)
for c in rep["checks"]:
    assert status.get(c["id"]) == c["status"], (c["id"], status.get(c["id"]), c["status"])
    assert c["status"] in ("pass", "fail", "not_applicable", "error", "waived")
PY
pass "JSON report: header (host, time, version, rootfs, role), every check once, statuses equal the metrics, exit status $rc"

# ---------------------------------------------------------------- 0 and 1: listeners
if [ "$HAS_LISTENERS" = 1 ]; then
	[ "$rc" = 0 ] || fail "empty host: audit exit $rc, want 0 ($(grep -o '"status":"[a-z_]*"' "$T/a.json" | sort | uniq -c))"
	# Something listening on port 25 beyond loopback fails CIS 2.1.21: exit 1.
	ip netns exec $NS "$PY" -c 'import socket,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("192.0.2.50", 25)); s.listen(1); time.sleep(60)' &
	E2E_PIDS+=($!)
	for _ in $(seq 50); do ip netns exec $NS ss -ltn | grep -q '192.0.2.50:25' && break; sleep 0.1; done
	status audit >"$T/a.txt"
	[ "$rc" = 1 ] || fail "listener on 192.0.2.50:25: exit $rc, want 1"
	grep -q '^\[FAIL\] *cis_2_1_21' "$T/a.txt" || fail "text report: $(head -5 "$T/a.txt")"
	grep -q 'port_25_nonloopback' "$T/a.txt" || fail "reason missing: $(cat "$T/a.txt")"
	grep -q 'remediation: ' "$T/a.txt" || fail "remediation missing"
	grep -q $'\033' "$T/a.txt" && fail "colour written to a file"
	grep -q "^  host:    $(hostname)\$" "$T/a.txt" || fail "text header: $(head -7 "$T/a.txt")"
	grep -q "^  rootfs:  $T/root\$" "$T/a.txt" || fail "text header rootfs: $(head -7 "$T/a.txt")"
	grep -q '^  role:    client$' "$T/a.txt" || fail "text header role: $(head -7 "$T/a.txt")"
	# A server may listen: the same host audits clean.
	status audit --checks.role=server >"$T/a.txt"
	[ "$rc" = 0 ] || fail "server role with a listener on 192.0.2.50:25: exit $rc, want 0: $(cat "$T/a.txt")"
	grep -q '^\[N/A\] *cis_2_1_21' "$T/a.txt" || fail "server: cis_2_1_21 not N/A: $(cat "$T/a.txt")"
	grep -q 'reasons: role_server' "$T/a.txt" || fail "server: no role_server reason"
	grep -q '^  role:    server$' "$T/a.txt" || fail "server: header role"
	pass "a socket on 192.0.2.50:25 fails cis_2_1_21 with exit 1 on a client, is not applicable on a server (exit 0)"
else
	echo "# note: no listeners collector in this build; exit 0/1 paths on live sockets not exercised" >&2
fi

# Offline audit of a configuration tree (--no-collector.listeners): the
# sockets are not inspected (the listener on 192.0.2.50:25 above, when the
# build has the listeners collector, does not count), cis_2_1_21 is judged
# on the configuration alone and says so, mta_runtime_matches_config does
# not apply, and the exit status is 0 or 1, never 2.
offline() {	# ROOT WANT_RC WANT_CIS
	local root=$1 want_rc=$2 want_cis=$3 rc
	set +e
	ip netns exec $NS "$MTA_EXPORTER" audit --path.rootfs="$root" --log.level=error \
		--no-collector.listeners --format=json >"$T/off.json"
	rc=$?
	set -e
	[ "$rc" = "$want_rc" ] || fail "offline audit of $root: exit $rc, want $want_rc: $(cat "$T/off.json")"
	"$PY" - "$T/off.json" "$want_cis" <<'PY' || fail "offline audit of $root"
import json, sys
rep = json.load(open(sys.argv[1]))
st = {c["id"]: c for c in rep["checks"]}
cis = st["cis_2_1_21"]
assert cis["status"] == sys.argv[2], cis
assert cis["detail"].startswith("sockets not inspected"), cis
rt = st["mta_runtime_matches_config"]
assert rt["status"] == "not_applicable", rt
assert "sockets not inspected" in rt["detail"], rt
assert not [c["id"] for c in rep["checks"] if c["status"] == "error"], rep["checks"]
PY
}
offline "$T/root" 0 pass
mkdir -p "$T/wild"
cp -r "$MTA_SOURCE_DIR/tests/fixtures/postfix/rootfs-wild/." "$T/wild/"
offline "$T/wild" 1 fail
# an Exim satellite on loopback that relays for everyone: closed (loopback only)
mkdir -p "$T/sat/etc/exim4"
printf '%s\n' 'local_interfaces = <; 127.0.0.1 ; ::1' 'acl_smtp_rcpt = rcpt' 'begin acl' 'rcpt:' \
	'  accept hosts = *' >"$T/sat/etc/exim4/exim4.conf"
offline "$T/sat" 0 pass
pass "offline audit: configuration alone, 'sockets not inspected', exit 0 or 1"

# ---------------------------------------------------------------- waivers: 0, then 1 once expired
# The fixed alerting host with VRFY turned back on: exactly one failure.
cp -r "$FIX/alerting/rootfs-fixed" "$T/vrfy"
sed -i 's/^disable_vrfy_command = yes/disable_vrfy_command = no/' "$T/vrfy/etc/postfix/main.cf"
vaudit() { "$MTA_EXPORTER" audit --path.rootfs="$T/vrfy" --netlink.replay="$T/vrfy/listeners.rec" \
	--log.level=error "$@"; }
status vaudit >"$T/v.txt"
[ "$rc" = 1 ] || fail "VRFY on: exit $rc, want 1: $(cat "$T/v.txt")"
# The issue's minimal file, as it is.
printf -- '- check: postfix_vrfy_disabled\n  reason: VRFY needed by the helpdesk tool, ticket 123\n  expires: 2999-06-30\n' >"$T/w.yml"
status vaudit --checks.waivers="$T/w.yml" >"$T/v.txt"
[ "$rc" = 0 ] || fail "VRFY waived: exit $rc, want 0: $(cat "$T/v.txt")"
grep -q '^\[WAIVED\] postfix_vrfy_disabled' "$T/v.txt" || fail "no [WAIVED] line: $(cat "$T/v.txt")"
grep -q 'waived: VRFY needed by the helpdesk tool, ticket 123 (until 2999-06-30)' "$T/v.txt" || fail "waiver reason: $(cat "$T/v.txt")"
printf -- '- check: postfix_vrfy_disabled\n  reason: old ticket 42\n  expires: 2001-01-31\n' >"$T/old.yml"
status vaudit --checks.waivers="$T/old.yml" >"$T/v.txt"
[ "$rc" = 1 ] || fail "waiver expired: exit $rc, want 1: $(cat "$T/v.txt")"
grep -q 'reasons: vrfy_enabled, waiver_expired' "$T/v.txt" || fail "expired waiver: $(cat "$T/v.txt")"
pass "a waived failure exits 0 ([WAIVED] with its reason); once the waiver expired it fails again (waiver_expired, exit 1)"

# ---------------------------------------------------------------- 3: a check in error
# main.cf is there, master.cf cannot be read: the Postfix collector fails.
mkdir -p "$T/broken/etc/postfix/master.cf"
cp "$FIX/alerting/rootfs-fixed/etc/postfix/main.cf" "$T/broken/etc/postfix/"
baudit() { "$MTA_EXPORTER" audit --path.rootfs="$T/broken" --netlink.replay="$FIX/alerting/rootfs-fixed/listeners.rec" \
	--log.level=error "$@"; }
status baudit >"$T/b.txt" 2>"$T/b.err"
[ "$rc" = 3 ] || fail "Postfix collector failing: exit $rc, want 3: $(cat "$T/b.txt")"
grep -q '^\[ERROR\] postfix_vrfy_disabled' "$T/b.txt" || fail "no [ERROR] line: $(cat "$T/b.txt")"
grep -q 'reasons: collector_failed_postfix' "$T/b.txt" || fail "error reason: $(cat "$T/b.txt")"
grep -q 'warning: a collector failed; the log on stderr says why' "$T/b.txt" || fail "no pointer to stderr: $(tail -3 "$T/b.txt")"
# a failure found beside the error wins (port 25 on 0.0.0.0 fails cis_2_1_21): exit 1
status baudit --netlink.replay="$FIX/alerting/rootfs-failing/listeners.rec" >"$T/b.txt" 2>&1
[ "$rc" = 1 ] || fail "a failure beside an error: exit $rc, want 1: $(cat "$T/b.txt")"
pass "a check in error exits 3 (collector_failed_postfix, the report points at stderr); a certain failure beside it exits 1"

# ---------------------------------------------------------------- JUnit: xmllint and junitparser
failing_audit() { "$MTA_EXPORTER" audit --path.rootfs="$FIX/alerting/rootfs-failing" \
	--netlink.replay="$FIX/alerting/rootfs-failing/listeners.rec" --log.level=error "$@"; }
junit_check() {	# junit_check NAME AUDIT-FUNCTION [FLAG...]: JUnit agrees with JSON, validates
	local name=$1 fn=$2 rcj rcx
	shift 2
	status "$fn" --format=json "$@" >"$T/$name.json" 2>/dev/null
	rcj=$rc
	status "$fn" --format=junit "$@" >"$T/$name.xml" 2>/dev/null
	rcx=$rc
	[ "$rcj" = "$rcx" ] || fail "$name: JSON exit $rcj, JUnit exit $rcx"
	xmllint --noout --schema "$XSD" "$T/$name.xml" 2>"$T/xmllint.err" ||
		fail "$name: the JUnit report does not validate: $(cat "$T/xmllint.err")"
	"$PY" - "$T/$name.json" "$T/$name.xml" <<'PY' || fail "$name: junitparser"
import json, sys
from junitparser import JUnitXml, Failure, Error, Skipped
rep = json.load(open(sys.argv[1]))
xml = JUnitXml.fromfile(sys.argv[2])
suites = list(xml)
assert len(suites) == 1, len(suites)
suite = suites[0]
props = {p.name: p.value for p in suite.properties()}
for k in ("host", "version", "revision", "rootfs", "role"):
    assert props[k] == rep[k], (k, props[k], rep[k])
# two runs: the same format, maybe not the same second
import re
assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", props["time"]), props["time"]
assert suite.timestamp == props["time"], (suite.timestamp, props["time"])
cases = {c.name: c for c in suite}
assert [c.name for c in suite] == [c["id"] for c in rep["checks"]], "one case per check, in order"
want = {"fail": Failure, "error": Error, "waived": Skipped, "not_applicable": Skipped}
counts = {"failures": 0, "errors": 0, "skipped": 0}
for c in rep["checks"]:
    res = cases[c["id"]].result
    if c["status"] == "pass":
        assert res == [], (c["id"], res)
        continue
    assert len(res) == 1 and isinstance(res[0], want[c["status"]]), (c["id"], c["status"], res)
    r = res[0]
    if c["status"] in ("fail", "error"):
        for reason in c["reasons"]:
            assert reason in r.message, (c["id"], reason, r.message)
        assert r.type == c["severity"], (c["id"], r.type)
        assert c["title"] in r.text, (c["id"], r.text)
        if c["status"] == "fail":
            assert "remediation: " + c["remediation"] in r.text, (c["id"], r.text)
            counts["failures"] += 1
        else:
            counts["errors"] += 1
    else:
        counts["skipped"] += 1
        if c["status"] == "waived":
            assert r.message.startswith("waived: " + c["waiver"]), (c["id"], r.message)
assert suite.tests == len(rep["checks"]), suite.tests
assert (suite.failures, suite.errors, suite.skipped) == (counts["failures"], counts["errors"], counts["skipped"]), \
    (suite.failures, suite.errors, suite.skipped, counts)
print("junit %s: %d cases, %s" % (sys.argv[2].rsplit("/", 1)[-1], suite.tests, counts))
PY
}
junit_check failing-client failing_audit
junit_check failing-server failing_audit --checks.role=server
junit_check waived vaudit --checks.waivers="$T/w.yml"
junit_check expired vaudit --checks.waivers="$T/old.yml"
junit_check error baudit
junit_check error-and-failure baudit --netlink.replay="$FIX/alerting/rootfs-failing/listeners.rec"
# the schema check itself can fail: a report with a bad count does not validate
sed 's/failures="[0-9]*"/failures="many"/' "$T/failing-client.xml" >"$T/bad.xml"
! xmllint --noout --schema "$XSD" "$T/bad.xml" 2>/dev/null || fail "xmllint accepted a bad JUnit report"
pass "JUnit: valid against junit.xsd (xmllint), read by junitparser, one case per check matching the JSON status (failing client and server, waived, expired, error)"
