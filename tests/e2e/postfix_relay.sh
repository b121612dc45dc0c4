#!/usr/bin/env bash
# postfix_relay.sh - the open-relay verdict against real Postfix.
#
# For each configuration below, a Postfix instance of its own runs in the
# network namespace mrly-srv on 192.0.2.1 (and loopback); clients in
# mrly-cli say EHLO, MAIL FROM:<a@example.org>, RCPT TO:<b@example.net> to
# each smtpd service (never DATA; tests/e2e/smtp_probe.py).  250 means
# relay, 4xx/5xx or no greeting means no relay.  The clients stand for the
# spammer of docs/relay-model.md, outside every mynetworks used here:
# 203.0.113.10 has no name (smtpd calls it "unknown"), 203.0.113.20 and
# 203.0.113.21 have names the spammer chose for its own addresses
# (mail.spammer.example, and 192.168.1.evil.example, built to match a
# network pattern), forward-confirmed through the server namespace's
# /etc/hosts (ip netns exec mounts /etc/netns/<ns>/hosts there), as DNS
# would confirm them for a spammer who runs its own zones.  That file also
# names the server's addresses (hostN.oracle.test, loopname.oracle.test)
# for the inet_interfaces and master.cf host-name cases.
#
# Each service's answers are checked against the verdict written in the
# table and against the exporter's mta_open_relay_risk /
# mta_open_relay_undetermined for that service: "open" needs one client to
# relay, "closed" none; "error" (smtpd would not start, or answers 451)
# must not relay; "unreachable" (closed: the service listens on loopback
# only) must refuse every outside connection, and the exporter must say
# mta_local_only 1; "undetermined" services are not compared with the
# server here (the remote-table section below shows both server answers).
#
# Then: a stale compiled table (postmap not run) and the same table after
# postmap; a remote (tcp:) table answered by a table server and then by
# nobody; inet_interfaces with a name /etc/hosts does not list (Postfix
# needs DNS for it and does not start; the exporter says undetermined);
# and mta_runtime_matches_config: start with inet_interfaces = all, change
# main.cf to loopback-only, reload (not restart) and watch the check fail.
. "$(dirname "$0")/lib.sh"

need_root
# deps.sh installs Postfix without configuring or starting it
command -v postfix >/dev/null 2>&1 || "$MTA_SOURCE_DIR/scripts/deps.sh" test
command -v ip >/dev/null 2>&1 || apt_need ip iproute2
PY=$(command -v python3)
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
PROBE="$MTA_SOURCE_DIR/tests/e2e/smtp_probe.py"
chmod 755 "$T"
# Names carry the pid so concurrent runs from other checkouts cannot collide.
SRV=mrly-srv-$$
CLI=mrly-cli-$$
SRV_ADDR=192.0.2.1
CLI_ADDR=203.0.113.10
# the spammer's clients: no name, a name of its own, a name built to match
CLIENTS=(203.0.113.10 203.0.113.20 203.0.113.21)

# ---- namespaces ----
cleanup_netns() {
	ip netns del $SRV 2>/dev/null || true
	ip netns del $CLI 2>/dev/null || true
}
cleanup_netns
on_exit cleanup_netns
# the server namespace's /etc/hosts (ip netns exec bind-mounts it)
cleanup_hosts() { rm -rf "/etc/netns/$SRV"; }
on_exit cleanup_hosts
mkdir -p "/etc/netns/$SRV"
{
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n'
	printf '127.0.1.1\tloopname.oracle.test\n'
	for i in $(seq 10 99); do printf '192.0.2.%s\thost%s.oracle.test\n' "$i" "$i"; done
	printf '203.0.113.20\tmail.spammer.example\n203.0.113.21\t192.168.1.evil.example\n'
	printf '198.51.100.5\ttrusted.oracle.test\n'
} >"/etc/netns/$SRV/hosts"
ip netns add $SRV
ip netns add $CLI
ip link add mrly-s netns $SRV type veth peer name mrly-c netns $CLI
ip -n $SRV addr add $SRV_ADDR/24 dev mrly-s
# one address per configuration, so an instance need not wait for the last to stop
for i in $(seq 10 99); do ip -n $SRV addr add 192.0.2.$i/32 dev mrly-s; done
ip -n $CLI addr add $CLI_ADDR/24 dev mrly-c
for a in "${CLIENTS[@]:1}"; do ip -n $CLI addr add "$a/32" dev mrly-c; done
for ns in $SRV $CLI; do ip -n $ns link set lo up; done
# loopname.oracle.test: master opens only addresses of an interface
ip -n $SRV addr add 127.0.1.1/8 dev lo
ip -n $SRV link set mrly-s up
ip -n $CLI link set mrly-c up
ip -n $SRV route add 203.0.113.0/24 dev mrly-s
ip -n $CLI route add 192.0.2.0/24 dev mrly-c

# ---- Postfix instances ----
RUNNING=()
pf_stop() {
	local d=$1 pid
	ip netns exec $SRV postfix -c "$d" stop >/dev/null 2>&1 || true
	pid=$(cat "$d/q/pid/master.pid" 2>/dev/null | tr -d ' ' || true)
	# only ever signal this instance's master (its cwd is its queue directory)
	[ -n "$pid" ] && [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$d/q" ] || return 0
	for _ in $(seq 50); do
		[ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$d/q" ] || return 0
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null || true
}
stop_all() {
	local d
	for d in "${RUNNING[@]}"; do pf_stop "$d" & done
	wait
	RUNNING=()
}
# runs before cleanup_netns (cleanups run newest first)
on_exit stop_all

# The master.cf every instance starts from: Debian's, without chroot.
sed -E 's/^([a-z][^ \t]*[ \t]+(inet|unix|unix-dgram|fifo|pass)[ \t]+[^ \t]+[ \t]+[^ \t]+[ \t]+)y/\1n/' \
	/usr/share/postfix/master.cf.dist >"$T/master.base" 2>/dev/null ||
	sed -E 's/^([a-z][^ \t]*[ \t]+(inet|unix|unix-dgram|fifo|pass)[ \t]+[^ \t]+[ \t]+[^ \t]+[ \t]+)y/\1n/' \
		/etc/postfix/master.cf >"$T/master.base"

# pf_config NAME ADDR: create $T/NAME with the base main.cf; prints the dir.
pf_config() {
	local d=$T/$1 addr=$2
	mkdir -p "$d/q" "$d/data"
	chown postfix "$d/data"
	cp "$T/master.base" "$d/master.cf"
	cat >"$d/main.cf" <<EOF
# --- test harness ---
queue_directory = $d/q
data_directory = $d/data
myhostname = mx.example.com
mydomain = example.com
mydestination = \$myhostname, localhost
inet_interfaces = $addr
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
maillog_file = $d/maillog
maillog_file_prefixes = /tmp, /var
smtputf8_enable = no
# --- configuration under test ---
EOF
	echo "$d"
}

DAEMON_DIR=$(postconf -h daemon_directory 2>/dev/null || echo /usr/lib/postfix/sbin)

# A queue directory made once by "postfix check", copied for each instance;
# instances start with "master -w" (ready on return), skipping postfix-script.
make_queue_template() {
	mkdir -p "$T/tmpl/q" "$T/tmpl/data"
	printf 'queue_directory = %s\ndata_directory = %s\n' "$T/tmpl/q" "$T/tmpl/data" >"$T/tmpl/main.cf"
	cp "$T/master.base" "$T/tmpl/master.cf"
	postfix -c "$T/tmpl" check >/dev/null 2>&1 || fail "postfix check could not create a queue directory"
}

pf_start() {
	local d=$1
	rm -rf "$d/q"
	cp -a "$T/tmpl/q" "$d/q"
	if ! ip netns exec $SRV "$DAEMON_DIR/master" -c "$d" -w >"$d/start.log" 2>&1; then
		cat "$d/start.log" >&2
		tail -5 "$d/maillog" >&2 2>/dev/null || true
		echo "postfix did not start for $d" >&2
		return 1
	fi
}

probe() { ip netns exec $CLI "$PY" "$PROBE" "$1" "$2" "${3:-}"; }

# ---- the evaluator on postconf's parameters (tests/tools/postfix_relay_eval) ----
EVAL=
if [ -n "${MTA_BUILD_DIR:-}" ] && [ -x "$MTA_BUILD_DIR/tests/postfix_relay_eval" ]; then
	EVAL=$MTA_BUILD_DIR/tests/postfix_relay_eval
else
	echo "# note: postfix_relay_eval not built; evaluator comparison skipped" >&2
fi
n_eval=0

# ---- the exporter ----
EXPORTER_POSTFIX=0
if "$MTA_EXPORTER" --help 2>&1 | grep -q -- '--postfix.config-directory'; then
	EXPORTER_POSTFIX=1
else
	echo "# note: this build has no postfix collector; checking the server against the table only" >&2
fi

# exporter_scrape DIR OUT: one scrape inside the server namespace.
exporter_scrape() {
	ip netns exec $SRV "$MTA_EXPORTER" --once --log.level=error \
		--postfix.config-directory="$1" >"$2" 2>"$2.err" || true
}

# metric_value FILE NAME LABELMATCH: value of the first matching sample, or "".
metric_value() {
	{ grep -E "^$2\{" "$1" || true; } | { grep -F -- "$3" || true; } | head -1 | awk '{print $NF}'
}

# ---- configurations ----
# Each: name | main.cf lines (\n-separated) | master.cf lines | expected
# "service=verdict ..." | tables "file:content" (\n in content), several
# separated by ";;"; a file named "NAME@postmap" is written as NAME and
# compiled with postmap (its hash: map) | "check:reason ..." findings the
# exporter must report.  @CASE@ in any field is the case's number N: the
# instance listens on 192.0.2.N, hostN.oracle.test.
CASES=()
add() { CASES+=("$1|$2|$3|$4|${5:-}|${6:-}"); }

DEBIAN_STOCK='smtpd_banner = $myhostname ESMTP $mail_name (Debian/GNU)\nbiff = no\nappend_dot_mydomain = no\nreadme_directory = no\ncompatibility_level = 3.6\nsmtpd_tls_cert_file=/etc/ssl/certs/ssl-cert-snakeoil.pem\nsmtpd_tls_key_file=/etc/ssl/private/ssl-cert-snakeoil.key\nsmtpd_tls_security_level=may\nsmtp_tls_CApath=/etc/ssl/certs\nsmtp_tls_security_level=may\nsmtpd_relay_restrictions = permit_mynetworks permit_sasl_authenticated defer_unauth_destination\nmynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128\nmailbox_size_limit = 0\nrecipient_delimiter = +\ninet_interfaces = all\ninet_protocols = all'

add debian_stock "$DEBIAN_STOCK" "" "smtp=closed"
add permit_mynetworks_reject 'compatibility_level = 3.6\nsmtpd_relay_restrictions = permit_mynetworks, reject' "" "smtp=closed"
add recipient_permit_default_relay 'compatibility_level = 3.6\nsmtpd_recipient_restrictions = permit' "" "smtp=closed"
add empty_level0 'compatibility_level = 0\nsmtpd_relay_restrictions =\nsmtpd_recipient_restrictions =' "" "smtp=error"
add unset_level0 'compatibility_level = 0' "" "smtp=error"
add empty_level2 'compatibility_level = 2\nsmtpd_relay_restrictions =\nsmtpd_recipient_restrictions =' "" "smtp=error"
add relay_unset_level2 'compatibility_level = 2\nsmtpd_recipient_restrictions =' "" "smtp=closed"
add mynetworks_all 'compatibility_level = 3.6\nmynetworks = 0.0.0.0/0' "" "smtp=open"
add level0_legacy_recipient 'compatibility_level = 0\nsmtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination' "" "smtp=closed"
add level0_standin_relay_list 'compatibility_level = 0\nsmtpd_recipient_restrictions = check_client_access cidr:$config_directory/all.cidr, reject_unauth_destination' "" "smtp=open" "all.cidr:0.0.0.0/0 OK"
add level2_same_recipient_list 'compatibility_level = 2\nsmtpd_recipient_restrictions = check_client_access cidr:$config_directory/all.cidr, reject_unauth_destination' "" "smtp=closed" "all.cidr:0.0.0.0/0 OK"
add submission_override 'compatibility_level = 3.6' 'submission inet n - n - - smtpd\n  -o syslog_name=postfix/submission\n  -o mynetworks=0.0.0.0/0' "smtp=closed submission=open"
add submission_closed_override 'compatibility_level = 3.6\nmynetworks = 0.0.0.0/0' 'submission inet n - n - - smtpd\n  -o { smtpd_relay_restrictions = permit_sasl_authenticated, reject }' "smtp=open submission=closed"
add port2525_override 'compatibility_level = 3.6' '2525 inet n - n - - smtpd\n  -o { smtpd_relay_restrictions = permit_mynetworks, check_client_access cidr:$config_directory/all.cidr, reject_unauth_destination }' "smtp=closed 2525=open" "all.cidr:0.0.0.0/0 OK"
add client_permit 'compatibility_level = 3.6\nsmtpd_client_restrictions = permit' "" "smtp=closed"
add client_reject_mynetworks_all 'compatibility_level = 3.6\nmynetworks = 0.0.0.0/0\nsmtpd_client_restrictions = reject' "" "smtp=closed"
add cidr_allows_client 'compatibility_level = 3.6\nsmtpd_relay_restrictions = permit_mynetworks, check_client_access cidr:$config_directory/c.cidr, reject_unauth_destination' "" "smtp=open" "c.cidr:0.0.0.0/0 OK"
add cidr_other_network 'compatibility_level = 3.6\nsmtpd_relay_restrictions = permit_mynetworks, check_client_access cidr:$config_directory/c.cidr, reject_unauth_destination' "" "smtp=closed" "c.cidr:198.51.100.0/24 OK"
add cidr_first_match 'compatibility_level = 3.6\nsmtpd_relay_restrictions = check_client_access cidr:$config_directory/c.cidr, reject_unauth_destination' "" "smtp=open" "c.cidr:198.51.100.0/24 REJECT\n0.0.0.0/0 OK"
add cidr_nested_action 'compatibility_level = 3.6\nsmtpd_relay_restrictions = check_client_access cidr:$config_directory/c.cidr, reject_unauth_destination' "" "smtp=open" "c.cidr:0.0.0.0/0 permit_sasl_authenticated, permit"
add cidr_nested_reject 'compatibility_level = 3.6\nmynetworks = 0.0.0.0/0\nsmtpd_client_restrictions = check_client_access cidr:$config_directory/c.cidr' "" "smtp=closed" "c.cidr:0.0.0.0/0 permit_sasl_authenticated, reject"
add startup_guard 'compatibility_level = 3.6\nsmtpd_relay_restrictions = permit_mynetworks' "" "smtp=error"
add startup_guard_permit_first 'compatibility_level = 3.6\nsmtpd_relay_restrictions = permit, reject_unauth_destination' "" "smtp=error"
add warn_if_reject_guard 'compatibility_level = 3.6\nsmtpd_relay_restrictions = warn_if_reject reject_unauth_destination' "" "smtp=error"
add warn_if_reject_open 'compatibility_level = 3.6\nsmtpd_relay_restrictions = warn_if_reject reject_unauth_destination, check_client_access cidr:$config_directory/c.cidr, reject' "" "smtp=open" "c.cidr:0.0.0.0/0 OK"
add unknown_restriction 'compatibility_level = 3.6\nsmtpd_relay_restrictions = permit_mynetworks, no_such_restriction, reject_unauth_destination' "" "smtp=error"
add restriction_class 'compatibility_level = 3.6\nsmtpd_restriction_classes = everyone\neveryone = check_client_access cidr:$config_directory/c.cidr\nsmtpd_relay_restrictions = permit_mynetworks, everyone, reject_unauth_destination' "" "smtp=open" "c.cidr:0.0.0.0/0 OK"
add static_ok 'compatibility_level = 3.6\nsmtpd_relay_restrictions = check_client_access static:OK, reject_unauth_destination' "" "smtp=open"
add sender_whitelist 'compatibility_level = 3.6\nsmtpd_relay_restrictions = permit_mynetworks, check_sender_access texthash:$config_directory/senders, reject_unauth_destination' "" "smtp=open" "senders:example.org OK"
add sender_blacklist 'compatibility_level = 3.6\nsmtpd_relay_restrictions = permit_mynetworks, check_sender_access texthash:$config_directory/senders, reject_unauth_destination' "" "smtp=closed" "senders:spam.example REJECT"
add helo_reject_optional 'compatibility_level = 3.6\nmynetworks = 0.0.0.0/0\nsmtpd_helo_restrictions = reject' "" "smtp=open"
add helo_reject_required 'compatibility_level = 3.6\nmynetworks = 0.0.0.0/0\nsmtpd_helo_required = yes\nsmtpd_helo_restrictions = reject' "" "smtp=closed"
add defer_if_permit_client 'compatibility_level = 3.6\nmynetworks = 0.0.0.0/0\nsmtpd_client_restrictions = defer_if_permit' "" "smtp=closed"
add no_delay_reject 'compatibility_level = 3.6\nmynetworks = 0.0.0.0/0\nsmtpd_delay_reject = no\nsmtpd_client_restrictions = reject' "" "smtp=closed"
add mixed_case 'compatibility_level = 3.6\nmynetworks = 0.0.0.0/0\nsmtpd_relay_restrictions = Permit_MyNetworks, REJECT_UNAUTH_DESTINATION' "" "smtp=open"
add passable_rejects 'compatibility_level = 3.6\nsmtpd_relay_restrictions = reject_non_fqdn_recipient, reject_unauth_pipelining, reject_multi_recipient_bounce, check_client_access cidr:$config_directory/c.cidr, reject_unauth_destination' "" "smtp=open" "c.cidr:0.0.0.0/0 OK"
add permit_auth_destination 'compatibility_level = 3.6\nsmtpd_relay_restrictions = permit_auth_destination, permit_sasl_authenticated, reject' "" "smtp=closed"
add recipient_reject_relay_after 'compatibility_level = 3.6\nmynetworks = 0.0.0.0/0\nsmtpd_relay_before_recipient_restrictions = no\nsmtpd_recipient_restrictions = reject' "" "smtp=closed"
add helo_inline_whitelist 'compatibility_level = 3.6\nsmtpd_relay_restrictions = check_helo_access inline:{client.example.org=OK}, reject_unauth_destination' "" "smtp=open"
add static_reject 'compatibility_level = 3.6\nmynetworks = 0.0.0.0/0\nsmtpd_relay_restrictions = check_client_access static:{REJECT go away}, permit_mynetworks, reject_unauth_destination' "" "smtp=closed"
add cidr_4xx_text 'compatibility_level = 3.6\nmynetworks = 0.0.0.0/0\nsmtpd_relay_restrictions = check_client_access cidr:$config_directory/c.cidr, permit_mynetworks, reject_unauth_destination' "" "smtp=closed" "c.cidr:0.0.0.0/0 450 try later"
add cidr_numeric 'compatibility_level = 3.6\nsmtpd_relay_restrictions = check_client_access cidr:$config_directory/c.cidr, reject_unauth_destination' "" "smtp=open" "c.cidr:0.0.0.0/0 1234"
add cidr_dunno 'compatibility_level = 3.6\nmynetworks = 0.0.0.0/0\nsmtpd_relay_restrictions = check_client_access cidr:$config_directory/c.cidr, permit_mynetworks, reject_unauth_destination' "" "smtp=open" "c.cidr:0.0.0.0/0 DUNNO"
add cidr_discard 'compatibility_level = 3.6\nsmtpd_relay_restrictions = check_client_access cidr:$config_directory/c.cidr, reject_unauth_destination' "" "smtp=open" "c.cidr:0.0.0.0/0 DISCARD"
add mynetworks_file 'compatibility_level = 3.6\nmynetworks = 127.0.0.0/8, $config_directory/nets' "" "smtp=open" "nets:# trusted\n10.0.0.0/8\n0.0.0.0/0"
add mynetworks_cidr_table 'compatibility_level = 3.6\nmynetworks = cidr:$config_directory/nets.cidr' "" "smtp=open" "nets.cidr:0.0.0.0/0 anything"
add mynetworks_negated 'compatibility_level = 3.6\nmynetworks = !0.0.0.0/0, 0.0.0.0/0' "" "smtp=closed"
add class_undefined 'compatibility_level = 3.6\nsmtpd_restriction_classes = missing' "" "smtp=error"
add mynetworks_all_loopback_only 'compatibility_level = 3.6\nmynetworks = 0.0.0.0/0\nsmtpd_client_restrictions = permit_inet_interfaces, reject' "" "smtp=closed"
add helo_inline_grouped 'compatibility_level = 3.6\nsmtpd_relay_restrictions = check_helo_access inline:{spam.example=REJECT, { client.example.org = OK }}, reject_unauth_destination' "" "smtp=open"
add policy_service_first 'compatibility_level = 3.6\nsmtpd_relay_restrictions = check_policy_service { inet:127.0.0.1:9, timeout=1s }, reject_unauth_destination' "" "smtp=undetermined"
add pcre_client_table 'compatibility_level = 3.6\nsmtpd_relay_restrictions = check_client_access pcre:$config_directory/c.pcre, reject_unauth_destination' "" "smtp=open" "c.pcre:/./ OK"

# ---- issue 15: host names where Postfix listens and in mynetworks ----
# Fedora's and RHEL's stock main.cf (src.fedoraproject.org/rpms/postfix):
# inet_interfaces = localhost.  mynetworks = 0.0.0.0/0 would relay for
# anyone who could connect: nobody outside can.
add rhel_localhost 'compatibility_level = 3.6\ninet_interfaces = localhost\nmynetworks = 0.0.0.0/0' "" "smtp=unreachable"
# Debian's installer writes "127.0.1.1 <hostname>" into /etc/hosts
add hosts_loopback_name 'compatibility_level = 3.6\ninet_interfaces = loopname.oracle.test\nmynetworks = 0.0.0.0/0' "" "smtp=unreachable"
add hosts_name 'compatibility_level = 3.6\ninet_interfaces = host@CASE@.oracle.test\nmynetworks = 0.0.0.0/0' "" "smtp=open"
add master_host_name 'compatibility_level = 3.6' 'host@CASE@.oracle.test:2525 inet n - n - - smtpd\n  -o mynetworks=0.0.0.0/0' "smtp=closed host@CASE@.oracle.test:2525=open"
add mynetworks_unknown 'compatibility_level = 3.6\nmynetworks = 127.0.0.0/8, unknown' "" "smtp=open" "" "postfix_mynetworks_local:mynetworks_unverified_clients"
add mynetworks_hostnames 'compatibility_level = 3.6\nmynetworks = 127.0.0.0/8, trusted.oracle.test, !unknown, .example.net' "" "smtp=closed"
# a single label: below it, anyone who can register a name there
add mynetworks_tld 'compatibility_level = 3.6\nmynetworks = 127.0.0.0/8, example' "" "smtp=undetermined"

# ---- issue 15: lookup tables as smtpd reads them ----
# access(5), EXAMPLE: a hash: client table
add client_hash_access5 'compatibility_level = 3.6\nsmtpd_relay_restrictions = permit_mynetworks, check_client_access hash:$config_directory/access, reject_unauth_destination' "" "smtp=closed" "access@postmap:1.2.3   REJECT\n1.2.3.4 OK"
add client_hash_unknown 'compatibility_level = 3.6\nsmtpd_relay_restrictions = permit_mynetworks, check_client_access hash:$config_directory/client_access, reject_unauth_destination' "" "smtp=open" "client_access@postmap:# clients without reverse DNS\nunknown OK"
add client_hash_not_compiled 'compatibility_level = 3.6\nsmtpd_relay_restrictions = permit_mynetworks, check_client_access hash:$config_directory/client_access, reject_unauth_destination' "" "smtp=error" "client_access:unknown OK" "postfix_lookup_tables_current:table_not_compiled"
add sender_hash 'compatibility_level = 3.6\nsmtpd_relay_restrictions = permit_mynetworks, check_sender_access hash:$config_directory/senders, reject_unauth_destination' "" "smtp=open" "senders@postmap:spam.example REJECT\nexample.org OK"
add texthash_duplicate 'compatibility_level = 3.6\nsmtpd_relay_restrictions = permit_mynetworks, check_client_access texthash:$config_directory/t, reject_unauth_destination' "" "smtp=error" "t:unknown OK\nUNKNOWN OK"
add client_inline_unknown 'compatibility_level = 3.6\nsmtpd_relay_restrictions = check_client_access inline:{ unknown=OK }, reject_unauth_destination' "" "smtp=open"
add client_pcre_unknown 'compatibility_level = 3.6\nsmtpd_relay_restrictions = check_client_access pcre:$config_directory/c.pcre, reject_unauth_destination' "" "smtp=open" "c.pcre:/^unknown$/ OK"
# a network written as a name pattern: a name the spammer builds matches it
add client_pcre_network_prefix 'compatibility_level = 3.6\nsmtpd_relay_restrictions = check_client_access pcre:$config_directory/c.pcre, reject_unauth_destination' "" "smtp=open" "c.pcre:/dynamic[.-]/ REJECT dynamic\n/^192\\.168\\.1\\./ OK"
add client_pcre_anchored 'compatibility_level = 3.6\nsmtpd_relay_restrictions = check_client_access pcre:$config_directory/c.pcre, reject_unauth_destination' "" "smtp=closed" "c.pcre:/^192\\.168\\.1\\.[0-9]+$/ OK\n/\\.example\\.com$/ OK"
add client_regexp_domain 'compatibility_level = 3.6\nsmtpd_relay_restrictions = check_client_access regexp:$config_directory/c.regexp, reject_unauth_destination' "" "smtp=closed" "c.regexp:/^unknown$/ REJECT no reverse DNS\n/\\.example\\.com$/ OK"
add client_regexp_chosen_name 'compatibility_level = 3.6\nsmtpd_relay_restrictions = check_client_access regexp:$config_directory/c.regexp, reject_unauth_destination' "" "smtp=open" "c.regexp:/^unknown$/ REJECT no reverse DNS\n/^mail\\./ OK"
# RESTRICTION_CLASS_README, "Protecting internal email distribution lists"
# shape: classes returned by a recipient table, after the relay check
add restriction_classes_readme 'compatibility_level = 3.6\nsmtpd_restriction_classes = restrictive, permissive\nrestrictive = reject_unknown_sender_domain, reject_unknown_client_hostname\npermissive = permit\nsmtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination, check_recipient_access hash:$config_directory/recipient_access' "" "smtp=closed" "recipient_access@postmap:joe@my.domain permissive\njane@my.domain restrictive"
add recipient_pcre_class 'compatibility_level = 3.6\nsmtpd_restriction_classes = permissive\npermissive = permit\nsmtpd_relay_restrictions = check_recipient_access pcre:$config_directory/r.pcre, reject_unauth_destination' "" "smtp=open" "r.pcre:/@/ permissive"
add client_hash_class_reject 'compatibility_level = 3.6\nmynetworks = 0.0.0.0/0\nsmtpd_restriction_classes = strict\nstrict = reject\nsmtpd_client_restrictions = check_client_access hash:$config_directory/client_access' "" "smtp=open" "client_access@postmap:unknown strict"
# proxy: reads the same table; proxy_read_maps (by default main.cf's
# restriction lists) must name it, or smtpd stops on the lookup
add proxy_main_cf 'compatibility_level = 3.6\nsmtpd_relay_restrictions = check_client_access proxy:hash:$config_directory/client_access, reject_unauth_destination' "" "smtp=open" "client_access@postmap:unknown OK"
add proxy_override_unapproved 'compatibility_level = 3.6' '2525 inet n - n - - smtpd\n  -o smtpd_relay_restrictions=check_client_access,proxy:hash:$config_directory/client_access,reject_unauth_destination' "smtp=closed 2525=error" "client_access@postmap:unknown OK"
add remote_table_undetermined 'compatibility_level = 3.6\nsmtpd_relay_restrictions = check_client_access socketmap:inet:127.0.0.1:9:clients, reject_unauth_destination' "" "smtp=undetermined"

# case_spec INDEX SPEC: SPEC with @CASE@ replaced by the case's number.
case_spec() { printf '%s' "${2//@CASE@/$((10 + $1))}"; }

# prepare_case INDEX SPEC: write the instance's configuration.
prepare_case() {
	local i=$1 name main master expect tables findings d p
	IFS='|' read -r name main master expect tables findings <<<"$(case_spec "$1" "$2")"
	d=$(pf_config "$name" "192.0.2.$((10 + i))")
	# a parameter set by the case replaces the harness's setting
	for p in $(printf '%b\n' "$main" | sed -nE 's/^([a-z_0-9]+)[ \t]*=.*/\1/p'); do
		sed -i "/^$p = /d" "$d/main.cf"
	done
	printf '%b\n' "$main" >>"$d/main.cf"
	sed -i "s|\\\$config_directory|$d|g" "$d/main.cf"
	if [ -n "$master" ]; then
		printf '%b\n' "$master" | sed "s|\\\$config_directory|$d|g" >>"$d/master.cf"
	fi
	while [ -n "$tables" ]; do
		local t=${tables%%;;*} f content
		[ "$t" = "$tables" ] && tables= || tables=${tables#*;;}
		f=${t%%:*}
		content=${t#*:}
		printf '%b\n' "$content" >"$d/${f%@postmap}"
		if [ "${f%@postmap}" != "$f" ]; then
			ip netns exec $SRV postmap -c "$d" "hash:$d/${f%@postmap}" ||
				fail "$name: postmap ${f%@postmap}"
		fi
	done
}

# check_case INDEX SPEC: probe every service and compare.
n_compared=0
n_exporter=0
check_case() {
	local i=$1 name main master expect tables findings d addr
	IFS='|' read -r name main master expect tables findings <<<"$(case_spec "$1" "$2")"
	d=$T/$name
	addr=192.0.2.$((10 + i))
	grep -q '^inet_interfaces = all' "$d/main.cf" && addr=$SRV_ADDR
	local scrape=$d/metrics
	[ "$EXPORTER_POSTFIX" = 1 ] && exporter_scrape "$d" "$scrape"
	# the evaluator on postconf's own parameter model
	local evals=$d/eval
	if [ -n "$EVAL" ]; then
		ip netns exec $SRV postconf -c "$d" -x >"$d/pc.main" 2>/dev/null || true
		ip netns exec $SRV postconf -c "$d" -n >"$d/pc.set" 2>/dev/null || true
		ip netns exec $SRV postconf -c "$d" -Px >"$d/pc.svc" 2>/dev/null || true
		"$EVAL" / "$d/pc.main" "$d/pc.set" "$d/pc.svc" $(for item in $expect; do echo "${item%%=*}"; done) \
			>"$evals" 2>"$evals.err" || fail "$name: postfix_relay_eval failed: $(cat "$evals.err")"
	fi
	local item svc want port answer answers c relayed
	for item in $expect; do
		svc=${item%%=*}
		want=${item#*=}
		case $svc in
		smtp) port=25 ;;
		submission) port=587 ;;
		*:*) port=${svc##*:} ;;
		*) port=$svc ;;
		esac
		# every client of the spammer's
		answers=()
		relayed=
		for c in "${CLIENTS[@]}"; do
			answer=$(probe "$addr" "$port" "$c")
			answers+=("$c: $answer")
			[[ $answer == relay* ]] && relayed="$c: $answer"
		done
		answer=${answers[0]#*: }
		echo "# $name $svc: server: ${answers[*]}; table: $want" >&2
		case $want in
		open) [ -n "$relayed" ] || fail "$name/$svc: table says open, no client relays: ${answers[*]}" ;;
		closed)
			[ -z "$relayed" ] || fail "$name/$svc: table says closed, server relays for $relayed"
			for c in "${answers[@]}"; do
				[[ ${c#*: } == norelay* ]] || fail "$name/$svc: table says closed, server: $c"
			done
			;;
		error) [ -z "$relayed" ] || fail "$name/$svc: table says error, server relays for $relayed" ;;
		unreachable)
			for c in "${answers[@]}"; do
				[[ ${c#*: } == nobanner* ]] || fail "$name/$svc: table says unreachable, server: $c"
			done
			;;
		undetermined) ;;
		esac
		[ "$want" != undetermined ] && n_compared=$((n_compared + 1))
		# the evaluator on postconf's parameters knows no endpoints: not
		# for services that only loopback can reach
		if [ -n "$EVAL" ] && [ "$want" != unreachable ]; then
			local got
			got=$(awk -v s="$svc" '$1 == s { print $2; exit }' "$evals")
			local want_eval=${want/error/config_error}
			[ "$got" = "$want_eval" ] ||
				fail "$name/$svc: evaluator says '$(grep "^$svc " "$evals")', table: $want, server: $answer"
			n_eval=$((n_eval + 1))
		fi
		if [ "$EXPORTER_POSTFIX" = 1 ]; then
			local risk und
			risk=$(metric_value "$scrape" mta_open_relay_risk "service=\"$svc\"")
			und=$(metric_value "$scrape" mta_open_relay_undetermined "service=\"$svc\"")
			case $want in
			open) [ "$risk" = 1 ] || fail "$name/$svc: exporter says risk '$risk', the server relays" ;;
			closed | error) [ "$risk" = 0 ] || fail "$name/$svc: exporter says risk '$risk', the server refuses: $answer" ;;
			unreachable)
				[ "$risk" = 0 ] || fail "$name/$svc: exporter says risk '$risk' for a loopback service"
				[ "$(metric_value "$scrape" mta_local_only 'mta="postfix"')" = 1 ] ||
					fail "$name/$svc: the server listens on loopback only, exporter: $(grep '^mta_local_only' "$scrape")"
				! grep -q 'reason="postfix_inet_interfaces_' "$scrape" ||
					fail "$name/$svc: cis_2_1_21 blames inet_interfaces: $(grep 'postfix_inet_interfaces_' "$scrape")"
				[ "$(metric_value "$scrape" mta_check_status 'check="stig_gen004710",status="pass"')" = 1 ] ||
					fail "$name/$svc: stig_gen004710 does not pass on a loopback-only Postfix"
				;;
			undetermined) [ "$und" = 1 ] && [ -z "$risk" ] || fail "$name/$svc: exporter undetermined '$und' risk '$risk'" ;;
			esac
			n_exporter=$((n_exporter + 1))
		fi
	done
	local f
	for f in $findings; do
		[ "$EXPORTER_POSTFIX" = 1 ] || break
		[ "$(metric_value "$scrape" mta_check_finding "check=\"${f%%:*}\",reason=\"${f#*:}\"")" = 1 ] ||
			fail "$name: the exporter does not report ${f#*:} in ${f%%:*}: $(grep "check=\"${f%%:*}\"" "$scrape")"
	done
}

# Instances start in batches (master start takes ~2 s, mostly waiting); a
# configuration listening on the wildcard address runs alone.
make_queue_template
BATCH=10
idx=0
while [ $idx -lt ${#CASES[@]} ]; do
	batch=()
	while [ $idx -lt ${#CASES[@]} ] && [ ${#batch[@]} -lt $BATCH ]; do
		prepare_case $idx "${CASES[$idx]}"
		name=${CASES[$idx]%%|*}
		if grep -q '^inet_interfaces = all' "$T/$name/main.cf"; then
			[ ${#batch[@]} -eq 0 ] || { rm -rf "${T:?}/$name"; break; }
			batch+=($idx)
			idx=$((idx + 1))
			break
		fi
		batch+=($idx)
		idx=$((idx + 1))
	done
	pids=()
	for i in "${batch[@]}"; do
		name=${CASES[$i]%%|*}
		pf_start "$T/$name" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || fail "an instance did not start"; done
	for i in "${batch[@]}"; do
		name=${CASES[$i]%%|*}
		RUNNING+=("$T/$name")
		check_case $i "${CASES[$i]}"
	done
	stop_all
done
[ "${#CASES[@]}" -ge 25 ] || fail "only ${#CASES[@]} configurations"
pass "${#CASES[@]} configurations, $n_compared service verdicts agree with the server"
[ -n "$EVAL" ] && pass "$n_eval evaluator verdicts (on postconf's parameters) agree with the table and the server"
if [ "$EXPORTER_POSTFIX" = 1 ]; then
	pass "$n_exporter exporter verdicts agree with the server"
fi

# probe_any ADDR PORT: "relay" when one of the clients relays, else "norelay".
probe_any() {
	local c
	for c in "${CLIENTS[@]}"; do
		[[ $(probe "$1" "$2" "$c") == relay* ]] && { echo relay; return; }
	done
	echo norelay
}

# await_probe ADDR PORT WANT: probe_any until it answers WANT (smtpd
# notices a changed table between sessions), at most 10 s; prints the
# last answer.
await_probe() {
	local answer
	for _ in $(seq 20); do
		answer=$(probe_any "$1" "$2")
		[ "$answer" = "$3" ] && break
		sleep 0.5
	done
	echo "$answer"
}

# ---- postmap not run: smtpd answers from the compiled map ----
# The map was built from "unknown REJECT"; the source now says "unknown OK"
# and is newer.  The server still refuses (the old map); the exporter says
# undetermined and postmap_not_run.  After postmap, the server relays and
# the exporter says open, without the finding.
if [ "$EXPORTER_POSTFIX" = 1 ]; then
	stop_all
	d=$(pf_config stale 192.0.2.99)
	printf '%s\n' "compatibility_level = 3.6" \
		"smtpd_relay_restrictions = permit_mynetworks, check_client_access hash:$d/client_access, reject_unauth_destination" \
		>>"$d/main.cf"
	printf 'unknown REJECT\n' >"$d/client_access"
	ip netns exec $SRV postmap -c "$d" "hash:$d/client_access" || fail "stale: postmap"
	touch -d '2 minutes ago' "$d/client_access.db"
	printf 'unknown OK\n' >"$d/client_access"
	pf_start "$d" || fail "stale instance did not start"
	RUNNING+=("$d")
	[ "$(probe_any 192.0.2.99 25)" = norelay ] || fail "stale: the server relays from a map built before the edit"
	exporter_scrape "$d" "$d/m1"
	[ "$(metric_value "$d/m1" mta_open_relay_undetermined 'service="smtp"')" = 1 ] ||
		fail "stale: exporter verdict is not undetermined: $(grep 'service="smtp"' "$d/m1" | grep relay)"
	[ "$(metric_value "$d/m1" mta_check_finding 'check="postfix_lookup_tables_current",reason="postmap_not_run"')" = 1 ] ||
		fail "stale: no postmap_not_run finding: $(grep lookup_tables "$d/m1")"
	ip netns exec $SRV postmap -c "$d" "hash:$d/client_access" || fail "stale: postmap"
	# smtpd notices the rebuilt map between sessions and restarts by itself
	[ "$(await_probe 192.0.2.99 25 relay)" = relay ] || fail "stale: the server does not relay after postmap"
	exporter_scrape "$d" "$d/m2"
	[ "$(metric_value "$d/m2" mta_open_relay_risk 'service="smtp"')" = 1 ] ||
		fail "stale: after postmap the exporter does not say open: $(grep 'service="smtp"' "$d/m2" | grep relay)"
	[ "$(metric_value "$d/m2" mta_check_status 'check="postfix_lookup_tables_current",status="pass"')" = 1 ] ||
		fail "stale: postfix_lookup_tables_current does not pass after postmap"
	pf_stop "$d"
	pass "postmap not run: the server refuses with the old map, the exporter says undetermined + postmap_not_run; after postmap both say open"
fi

# ---- a remote table: the answer is the table server's, not on disk ----
# tcp_table(5): "get KEY" -> "200 VALUE" (found) or "500 ..." (not found).
if [ "$EXPORTER_POSTFIX" = 1 ]; then
	stop_all
	TPORT=$((20000 + $$ % 10000))	# below the ephemeral range (32768-60999)
	d=$(pf_config remote 192.0.2.98)
	printf '%s\n' "compatibility_level = 3.6" \
		"smtpd_relay_restrictions = permit_mynetworks, check_client_access tcp:127.0.0.1:$TPORT, reject_unauth_destination" \
		>>"$d/main.cf"
	printf '%s\n' 'import socketserver, sys' \
		'class H(socketserver.StreamRequestHandler):' \
		'    def handle(self):' \
		'        for line in self.rfile:' \
		'            self.wfile.write(b"200 OK\n" if line.startswith(b"get ") else b"400 bad\n")' \
		'socketserver.ThreadingTCPServer.allow_reuse_address = True' \
		'socketserver.ThreadingTCPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()' \
		>"$T/tcp_table.py"
	start_bg "$T/tcp_table.log" ip netns exec $SRV "$PY" "$T/tcp_table.py" "$TPORT"
	tpid=$BG_PID
	for _ in $(seq 50); do ip netns exec $SRV ss -ltn | grep -q ":$TPORT " && break; sleep 0.1; done
	pf_start "$d" || fail "remote instance did not start"
	RUNNING+=("$d")
	[ "$(probe_any 192.0.2.98 25)" = relay ] || fail "remote: the table server says OK, the server does not relay"
	exporter_scrape "$d" "$d/m1"
	[ "$(metric_value "$d/m1" mta_open_relay_undetermined 'service="smtp"')" = 1 ] ||
		fail "remote: the exporter is not undetermined"
	ip netns exec $SRV "$MTA_EXPORTER" audit --postfix.config-directory="$d" >"$d/audit" 2>&1 || true
	grep -q "table_remote.*tcp:127.0.0.1:$TPORT" "$d/audit" ||
		fail "remote: the audit does not name the table: $(grep -i 'postfix smtp' "$d/audit")"
	kill "$tpid" 2>/dev/null || true
	[ "$(await_probe 192.0.2.98 25 norelay)" = norelay ] || fail "remote: the table server is gone, the server still relays"
	exporter_scrape "$d" "$d/m2"
	[ "$(metric_value "$d/m2" mta_open_relay_undetermined 'service="smtp"')" = 1 ] ||
		fail "remote: the exporter is not undetermined without the table server"
	pf_stop "$d"
	pass "remote table: the server relays or not by the table server's answer; the exporter says undetermined and names the table"
fi

# ---- a name /etc/hosts does not list: Postfix needs DNS at start ----
# late.oracle.test is in no file and no DNS reaches the namespace: master
# cannot resolve it and does not start; the exporter says unresolved.
# With the name added to /etc/hosts, master starts on its address and the
# exporter sees that address.
if [ "$EXPORTER_POSTFIX" = 1 ]; then
	stop_all
	d=$(pf_config dnsname late.oracle.test)
	echo "compatibility_level = 3.6" >>"$d/main.cf"
	if pf_start "$d" 2>/dev/null; then
		RUNNING+=("$d")
		fail "dnsname: Postfix started without resolving late.oracle.test"
	fi
	exporter_scrape "$d" "$d/m1"
	[ "$(metric_value "$d/m1" mta_check_finding 'check="cis_2_1_21",reason="postfix_inet_interfaces_unresolved"')" = 1 ] ||
		fail "dnsname: cis_2_1_21 does not say unresolved: $(grep cis_2_1_21 "$d/m1")"
	[ "$(metric_value "$d/m1" mta_local_only 'mta="postfix"')" = 0 ] || fail "dnsname: the exporter says local only"
	printf '192.0.2.97\tlate.oracle.test\n' >>"/etc/netns/$SRV/hosts"
	pf_start "$d" || fail "dnsname: Postfix does not start with late.oracle.test in /etc/hosts"
	RUNNING+=("$d")
	[[ $(probe 192.0.2.97 25 "$CLI_ADDR") == norelay* ]] || fail "dnsname: no smtpd on 192.0.2.97"
	exporter_scrape "$d" "$d/m2"
	[ "$(metric_value "$d/m2" mta_service_info 'address="192.0.2.97"')" = 1 ] ||
		fail "dnsname: the exporter does not see the address: $(grep mta_service_info "$d/m2")"
	! grep -q 'reason="postfix_inet_interfaces_unresolved"' "$d/m2" || fail "dnsname: still unresolved"
	pf_stop "$d"
	pass "a name /etc/hosts does not list: Postfix cannot start without DNS and the exporter says unresolved; listed, both use its address"
fi

# ---- mta_runtime_matches_config: a reload does not rebind ----
if [ "$EXPORTER_POSTFIX" = 1 ] && "$MTA_EXPORTER" --help 2>&1 | grep -qw listeners; then
	stop_all
	d=$(pf_config drift $SRV_ADDR)
	sed -i "s/^inet_interfaces = .*/inet_interfaces = all/" "$d/main.cf"
	echo "compatibility_level = 3.6" >>"$d/main.cf"
	pf_start "$d" || fail "drift instance did not start"
	RUNNING+=("$d")
	exporter_scrape "$d" "$d/m1"
	[ "$(metric_value "$d/m1" mta_check_status 'check="mta_runtime_matches_config",status="pass"')" = 1 ] ||
		fail "drift: check does not pass before the change: $(grep runtime_matches "$d/m1")"
	sed -i "s/^inet_interfaces = .*/inet_interfaces = loopback-only/" "$d/main.cf"
	ip netns exec $SRV postfix -c "$d" reload >/dev/null 2>&1
	sleep 1
	ip netns exec $SRV ss -ltn | grep -q '0.0.0.0:25' || fail "drift: reload rebound the listener?"
	exporter_scrape "$d" "$d/m2"
	[ "$(metric_value "$d/m2" mta_check_status 'check="mta_runtime_matches_config",status="fail"')" = 1 ] ||
		fail "drift: check does not fail after reload: $(grep runtime_matches "$d/m2")"
	pass "mta_runtime_matches_config fails after inet_interfaces changed and only a reload"
	pf_stop "$d"
else
	echo "# note: runtime drift part needs the postfix and listeners collectors" >&2
fi
