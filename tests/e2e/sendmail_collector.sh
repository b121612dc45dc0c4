#!/bin/bash
# sendmail_collector.sh - the sendmail collector on hand-written trees
# (no sendmail needed): file:line warnings, host-name addresses, the
# promiscuous signs, --sendmail.config, and "not installed".
. "$(dirname "$0")/lib.sh"

FIX=$MTA_SOURCE_DIR/tests/fixtures/sendmail

# 1. problems named by file and line; a host name stays unresolved
"$MTA_EXPORTER" --once --path.rootfs="$FIX/rootfs-bad" >"$T/bad.prom" 2>"$T/bad.log" ||
	fail "exporter failed on rootfs-bad: $(cat "$T/bad.log")"
for l in 2 3 4; do
	grep -q "file=.*rootfs-bad/etc/mail/sendmail.cf line=$l" "$T/bad.log" ||
		fail "no warning for sendmail.cf line $l: $(cat "$T/bad.log")"
done
grep -q 'mail.example.org is a host name' "$T/bad.log" || fail "host name not reported"
grep -qx 'sendmail_config_warnings 3' "$T/bad.prom" || fail "config warnings count"
grep -q '^mta_service_info{mta="sendmail",service="MTA",address="mail.example.org",port="25"} 1' "$T/bad.prom" ||
	fail "host-name endpoint missing"
grep -qx 'sendmail_promiscuous_relay 1' "$T/bad.prom" || fail "no final \$#error rule not promiscuous"
grep -q '^mta_open_relay_risk{mta="sendmail",service="MTA"} 1' "$T/bad.prom" || fail "relay risk"
# the daemon on 127.0.0.1 cannot be reached from outside (the loopback-only rule)
grep -q '^mta_open_relay_risk{mta="sendmail",service="Lo"} 0' "$T/bad.prom" || fail "loopback daemon relay risk"
grep -qx 'mta_local_only{mta="sendmail"} 0' "$T/bad.prom" || fail "host name counted as loopback"
grep -qx 'mta_bound_all_interfaces{mta="sendmail"} 0' "$T/bad.prom" || fail "bound_all"
pass "rootfs-bad: warnings with lines, host name, promiscuous"

# 2. --sendmail.config elsewhere; loopback only; empty help file
"$MTA_EXPORTER" --once --path.rootfs="$FIX/rootfs-hardened" \
	--sendmail.config=/opt/sm/sendmail.cf >"$T/h.prom" 2>"$T/h.log" ||
	fail "exporter failed on rootfs-hardened: $(cat "$T/h.log")"
[ ! -s "$T/h.log" ] || fail "unexpected warnings: $(cat "$T/h.log")"
grep -qx 'mta_detected{mta="sendmail"} 1' "$T/h.prom" || fail "not detected at --sendmail.config"
grep -qx 'mta_local_only{mta="sendmail"} 1' "$T/h.prom" || fail "loopback daemons not local_only"
grep -q '^mta_service_info{mta="sendmail",service="MTA-v6",address="::1",port="25"} 1' "$T/h.prom" ||
	fail "continued DaemonPortOptions line"
grep -qx 'sendmail_promiscuous_relay 0' "$T/h.prom" || fail "closed relay reported promiscuous"
grep -q 'sendmail_mc_cf_mismatch' "$T/h.prom" && fail "mismatch metric without a .mc"
pass "rootfs-hardened: --sendmail.config, loopback, relay closed"

# 3. nothing installed: detected 0, collector still succeeds
mkdir -p "$T/empty"
"$MTA_EXPORTER" --once --path.rootfs="$T/empty" >"$T/e.prom" 2>"$T/e.log" || fail "exporter failed on empty root"
grep -qx 'mta_detected{mta="sendmail"} 0' "$T/e.prom" || fail "detected on empty root"
grep -qx 'mta_exporter_collector_success{collector="sendmail"} 1' "$T/e.prom" || fail "success on empty root"
grep -q '^mta_service_info{mta="sendmail"' "$T/e.prom" && fail "endpoints on empty root"
pass "empty root: not detected, not a failure"

# 4. a relative --sendmail.config is refused at startup (status 2)
set +e
"$MTA_EXPORTER" --once --sendmail.config=sendmail.cf >/dev/null 2>"$T/rel.log"
rc=$?
set -e
[ $rc = 2 ] || fail "relative --sendmail.config: status $rc"
pass "relative --sendmail.config refused"

# 5. sendmail_info from the dpkg status database
grep -qx 'sendmail_info{version="8.17.1.9-2+deb12u2"} 1' "$T/h.prom" || fail "sendmail_info"
grep -q '^sendmail_info' "$T/bad.prom" && fail "sendmail_info without a dpkg database"
pass "sendmail_info from dpkg status"
