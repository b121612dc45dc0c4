#!/bin/bash
# postfix_collector.sh - the postfix collector on hand-written trees (no
# Postfix needed): multi-instance labels, listen addresses from the host
# part or inet_interfaces, STIG client restrictions, postfix_info,
# warnings with file:line, --postfix.config-directory, "not installed".
. "$(dirname "$0")/lib.sh"

FIX=$MTA_SOURCE_DIR/tests/fixtures/postfix

# 1. two instances, loopback-only default instance, duplicate parameter
"$MTA_EXPORTER" --once --path.rootfs="$FIX/rootfs-multi" >"$T/m.prom" 2>"$T/m.log" ||
	fail "exporter failed on rootfs-multi: $(cat "$T/m.log")"
grep -q 'overriding earlier entry for \\"smtpd_banner\\" (line 5)".*file=.*rootfs-multi/etc/postfix/main.cf line=6' "$T/m.log" ||
	fail "duplicate not reported with file:line: $(cat "$T/m.log")"
for want in \
	'mta_service_info{mta="postfix",service="smtp",address="127.0.0.1",port="25"} 1' \
	'mta_service_info{mta="postfix",service="smtp",address="::1",port="25"} 1' \
	'mta_service_info{mta="postfix",service="127.0.0.1:submission",address="127.0.0.1",port="587"} 1' \
	'mta_service_info{mta="postfix",service="postfix-out/2525",address="0.0.0.0",port="2525"} 1' \
	'mta_service_info{mta="postfix",service="postfix-out/2525",address="::",port="2525"} 1' \
	'mta_bound_all_interfaces{mta="postfix"} 1' \
	'mta_local_only{mta="postfix"} 0' \
	'postfix_client_restrictions_ok{config_directory="/etc/postfix"} 1' \
	'postfix_client_restrictions_ok{config_directory="/etc/postfix-out"} 0' \
	'postfix_info{version="3.7.11-0+deb12u1",compatibility_level="3.6",config_directory="/etc/postfix"} 1' \
	'postfix_info{version="3.7.11-0+deb12u1",compatibility_level="0",config_directory="/etc/postfix-out"} 1' \
	'postfix_config_warnings{config_directory="/etc/postfix"} 1' \
	'postfix_config_warnings{config_directory="/etc/postfix-out"} 0' \
	'mta_detected{mta="postfix"} 1'; do
	grep -qxF "$want" "$T/m.prom" || fail "missing: $want"
done
pass "rootfs-multi: instances, endpoints, STIG, info, warnings"

# 2. local only; permit before reject; malformed master.cf entry; no dpkg
"$MTA_EXPORTER" --once --path.rootfs="$FIX/rootfs-local" >"$T/l.prom" 2>"$T/l.log" ||
	fail "exporter failed on rootfs-local: $(cat "$T/l.log")"
grep -q 'bad field count.*file=.*rootfs-local/etc/postfix/master.cf line=4' "$T/l.log" ||
	fail "bad master.cf entry not reported: $(cat "$T/l.log")"
for want in \
	'mta_bound_all_interfaces{mta="postfix"} 0' \
	'mta_local_only{mta="postfix"} 1' \
	'mta_service_info{mta="postfix",service="[::1]:submission",address="::1",port="587"} 1' \
	'mta_service_info{mta="postfix",service="smtp",address="127.0.0.1",port="25"} 1' \
	'postfix_client_restrictions_ok{config_directory="/etc/postfix"} 0' \
	'postfix_info{version="unknown",compatibility_level="0",config_directory="/etc/postfix"} 1' \
	'postfix_config_warnings{config_directory="/etc/postfix"} 1'; do
	grep -qxF "$want" "$T/l.prom" || fail "missing: $want"
done
pass "rootfs-local: loopback only, bare permit first, bad entry"

# 3. a wildcard host in master.cf is "all interfaces" even with a
#    loopback inet_interfaces; the pass service listens nowhere
"$MTA_EXPORTER" --once --path.rootfs="$FIX/rootfs-wild" >"$T/w.prom" 2>"$T/w.log" ||
	fail "exporter failed on rootfs-wild"
grep -qxF 'mta_bound_all_interfaces{mta="postfix"} 1' "$T/w.prom" || fail "wildcard host"
grep -qxF 'mta_service_info{mta="postfix",service="0.0.0.0:smtp",address="0.0.0.0",port="25"} 1' "$T/w.prom" ||
	fail "postscreen endpoint"
[ "$(grep -c '^mta_service_info{mta="postfix"' "$T/w.prom")" = 1 ] || fail "pass service listed"
pass "rootfs-wild: wildcard host"

# 4. --postfix.config-directory; not installed
"$MTA_EXPORTER" --once --path.rootfs="$FIX/rootfs-multi" --postfix.config-directory=/etc/postfix-out \
	>"$T/o.prom" 2>"$T/o.log" || fail "exporter failed with --postfix.config-directory"
grep -qxF 'postfix_info{version="3.7.11-0+deb12u1",compatibility_level="0",config_directory="/etc/postfix-out"} 1' "$T/o.prom" ||
	fail "config directory flag"
"$MTA_EXPORTER" --once --path.rootfs="$FIX/rootfs-none" >"$T/n.prom" 2>"$T/n.log" ||
	fail "exporter failed without postfix"
grep -qxF 'mta_detected{mta="postfix"} 0' "$T/n.prom" || fail "not detected"
grep -qxF 'mta_exporter_collector_success{collector="postfix"} 1' "$T/n.prom" || fail "absent is no failure"
! grep -q '^postfix_' "$T/n.prom" || fail "postfix series without postfix"
pass "config-directory flag, not installed"
