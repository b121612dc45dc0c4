#!/bin/bash
# sendmail_oracle.sh - our sendmail.cf model against sendmail itself.
#
# For every tests/fixtures/sendmail/*.mc:
#   1. compile it to sendmail.cf with Debian's sendmail-cf m4 macros;
#   2. print our model of it (tests/tools/sendmail_dump);
#   3. run the real sendmail (Debian's sendmail-bin, unpacked, never
#      installed: it conflicts with Postfix and Exim) inside a network
#      namespace and compare:
#      - daemons: `sendmail -bD` listens; the kernel's LISTEN sockets must
#        be exactly the daemons we parsed;
#      - relay: `sendmail -bt` runs check_rcpt for <user@example.net> with
#        {client_addr} 203.0.113.5, once with no sender and once with a
#        local sender; "open" must relay, "closed" must be refused;
#      - hardening: an SMTP session (`sendmail -bs`): the 220 greeting shows
#        the version iff we say so, VRFY/EXPN answer 250 iff PrivacyOptions
#        is not ok, HELP answers 214 iff we say help is enabled.
#   4. run mta_exporter --once (in the namespace: its bindv6only is the
#      one sendmail sees) on a root holding that .cf, .mc and access:
#      mta_service_info must list sendmail's own listeners,
#      mta_open_relay_risk of each daemon must be our verdict for it
#      (closed when it listens on loopback only), and
#      sendmail_promiscuous_relay must match;
#   5. a .cf that was not rebuilt after its .mc changed must be reported;
#   6. for a few fixtures, a real SMTP session from another namespace
#      (client 198.51.100.7 over a veth pair) must agree with the verdict:
#      relaying or not, an MSA with M=Ea answering MAIL with 530, a
#      daemon on loopback refusing the connection, a sendmail whose IPv4
#      and IPv6 wildcard daemons clash answering nobody;
#   7. the clash again with bindv6only=1 in the namespace: both listen,
#      and the exporter (reading the namespace's setting) says so;
#   8. an access text changed after access.db was built: the real
#      sendmail follows the database, the exporter reports
#      access_map_not_rebuilt until makemap runs.
#
# Needs root (namespaces, sendmail as root); exit 77 otherwise.  The .deb
# files are fetched with apt-get download into the build directory once;
# the libraries sendmail needs (libwrap0 ...) come from scripts/deps.sh.
. "$(dirname "$0")/lib.sh"
need_root

SRC=$MTA_SOURCE_DIR
BUILD=${MTA_BUILD_DIR:?}
DUMP=$BUILD/tests/sendmail_dump
FIX=$SRC/tests/fixtures/sendmail
CACHE=$BUILD/oracle-cache/sendmail
# Names carry the pid so concurrent runs from other checkouts cannot collide.
NS=msnd-oracle-$$
NSC=msnd-oraclec-$$
# sendmail refuses help and map files below a group- or world-writable
# directory anywhere on their path.  The build tree may be below /tmp, and
# /run is mode 1777 where it is a bare tmpfs (containers, chroots), so the
# work area goes in the first of these whose whole path is safe.
path_safe() {	# no directory from $1 up to / is writable by group or others
	local p=$1
	while :; do
		[ -z "$(find "$p" -maxdepth 0 -perm /022)" ] || return 1
		[ "$p" = / ] && return 0
		p=$(dirname "$p")
	done
}
WORK=
for base in /run /var/lib /root; do
	if [ -d "$base" ] && path_safe "$base"; then
		WORK=$(mktemp -d "$base/msnd-oracle.XXXXXX")
		break
	fi
done
[ -n "$WORK" ] || fail "no work directory for sendmail: /run, /var/lib and /root are all below a group- or world-writable directory"
on_exit rm -rf "$WORK"
PIDS=()

cleanup() {
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	ip netns del "$NS" 2>/dev/null || true
	ip netns del "$NSC" 2>/dev/null || true
}
on_exit cleanup

[ -x "$DUMP" ] || fail "$DUMP not built"

# --- the oracle binaries, unpacked --------------------------------------
if [ ! -x "$CACHE/root/usr/libexec/sendmail/sendmail" ] || [ ! -x "$CACHE/root/usr/bin/m4" ]; then
	mkdir -p "$CACHE/debs"
	(
		cd "$CACHE/debs" || exit 1
		apt-get download -q sendmail-bin sendmail-cf m4 >/dev/null 2>&1 ||
			{ apt-get update -q >/dev/null && apt-get download -q sendmail-bin sendmail-cf m4 >/dev/null; }
	) || fail "apt-get download sendmail-bin sendmail-cf m4 failed"
	for d in "$CACHE"/debs/*.deb; do
		dpkg -x "$d" "$CACHE/root"
	done
fi
R=$CACHE/root
SM=$R/usr/libexec/sendmail/sendmail
MAKEMAP=$R/usr/libexec/sendmail/makemap
M4=$R/usr/bin/m4
command -v m4 >/dev/null && M4=$(command -v m4)
CFDIR=$R/usr/share/sendmail/cf
oracle_check_libs "$R" "$SM" "$MAKEMAP" "$M4"
SM_LD=$(oracle_libpath "$R")

# --- the namespace: loopback plus a documentation address ----------------
ip netns del "$NS" 2>/dev/null || true
ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" addr add 192.0.2.25/24 dev lo
ip -n "$NS" addr add 2001:db8::25/64 dev lo nodad 2>/dev/null || true
# a client namespace on a veth pair: 198.51.100.7 -> 198.51.100.1
ip netns del "$NSC" 2>/dev/null || true
ip netns add "$NSC"
ip -n "$NSC" link set lo up
ip link add msnd-or-s netns "$NS" type veth peer name msnd-or-c netns "$NSC"
ip -n "$NS" addr add 198.51.100.1/24 dev msnd-or-s
ip -n "$NSC" addr add 198.51.100.7/24 dev msnd-or-c
ip -n "$NS" link set msnd-or-s up
ip -n "$NSC" link set msnd-or-c up

# in_ns CMD...: run in the namespace with a fully qualified host name
# (sendmail sleeps a minute when it cannot find one)
in_ns() {
	ip netns exec "$NS" unshare -u sh -c 'hostname oracle.example.org; exec "$@"' sh \
		env LD_LIBRARY_PATH="$SM_LD" "$@"
}

oneline() { printf '%s' "$1" | tr '\n' ' '; }

failed=0
bad() {
	echo "FAIL: $*" >&2
	failed=1
}

compile() {	# name mc -> $WORK/name/sendmail.cf
	local name=$1 mc=$2 d=$WORK/$1
	mkdir -p "$d/q"
	: >"$d/aliases"
	cp "$R/etc/mail/helpfile" "$d/helpfile"
	if [ -f "$FIX/$name.access" ]; then
		cp "$FIX/$name.access" "$d/access"
	else
		cp "$FIX/default.access" "$d/access"
	fi
	"$M4" -D_CF_DIR_="$CFDIR/" -DORACLE_DIR="$d" "$CFDIR/m4/cf.m4" "$mc" >"$d/sendmail.cf" 2>"$d/m4.err"
	# shellcheck disable=SC2094 # makemap writes access.db, not access
	LD_LIBRARY_PATH=$SM_LD "$MAKEMAP" -C "$d/sendmail.cf" hash "$d/access" <"$d/access"
}

# expected listen addresses from our dump: "addr:port" lines, sorted
# (a host-name Addr, which we leave unresolved, is resolved here with getent
# the way sendmail does at start-up, so the rest can still be compared;
# a daemon we say cannot get its socket is left out)
our_listeners() {
	awk '$1 == "daemon" && ($3 == "inet" || $3 == "inet6") && $6 == "yes" {
		a = $4
		if (a == "*") a = ($3 == "inet") ? "0.0.0.0" : "[::]"
		else if (a ~ /^host:/) a = "@" $3 ":" substr(a, 6)
		else if ($3 == "inet6") a = "[" a "]"
		print a ":" $5
	}' "$1" | resolve_hosts | sort
}

# "@inet:NAME:PORT" -> "ADDR:PORT" through getent
resolve_hosts() {
	local l fam host port a
	while IFS= read -r l; do
		case "$l" in
		@*)
			fam=${l#@}; fam=${fam%%:*}
			port=${l##*:}
			host=${l#@"$fam":}; host=${host%:*}
			if [ "$fam" = inet ]; then
				a=$(getent ahostsv4 "$host" | awk 'NR == 1 { print $1 }')
			else
				a=[$(getent ahostsv6 "$host" | awk 'NR == 1 { print $1 }')]
			fi
			echo "$a:$port"
			;;
		*) echo "$l" ;;
		esac
	done
}

# stop_daemon DIR: stop the sendmail -bD we started (and anything it
# forked; only our processes live in our namespace) and wait until no
# socket is left listening
stop_daemon() {
	local d=$1 n p
	if [ -s "$d/pid" ]; then
		kill "$(head -1 "$d/pid")" 2>/dev/null || true
	fi
	kill "${PIDS[-1]}" 2>/dev/null || true
	wait "${PIDS[-1]}" 2>/dev/null || true
	rm -f "$d/pid"
	for n in $(seq 1 50); do
		[ -z "$(ip netns exec "$NS" ss -ltnH)" ] && [ -z "$(ip netns pids "$NS")" ] && return 0
		for p in $(ip netns pids "$NS"); do
			kill "$p" 2>/dev/null || true
		done
		sleep 0.1
	done
	echo "FAIL: $d: a daemon would not stop" >&2
	return 1
}

# what sendmail -bD binds in the namespace, sorted
sendmail_listeners() {
	local d=$1 n
	in_ns "$SM" -C "$d/sendmail.cf" -bD -O QueueDirectory="$d/q" \
		-O PidFile="$d/pid" >"$d/bd.log" 2>&1 &
	PIDS+=($!)
	for n in $(seq 1 30); do
		[ -s "$d/pid" ] && break
		sleep 0.1
	done
	sleep 0.3
	ip netns exec "$NS" ss -ltnH | awk '{ a = $4; sub(/^\*:/, "[::]:", a); sub(/%lo/, "", a); print a }' | sort
	stop_daemon "$d" >&2 || echo "daemon-would-not-stop"
}

# check_rcpt results: prints two lines (no sender, local sender)
relay_test() {
	local d=$1
	printf '%s\n' '.D{client_addr}203.0.113.5' 'check_rcpt <user@example.net>' \
		'.Df<postmaster@oracle.example.org>' 'check_rcpt <user@example.net>' |
		in_ns "$SM" -C "$d/sendmail.cf" -bt 2>&1 |
		awk '/^check_rcpt +returns:/ { sub(/^check_rcpt +returns: */, ""); print }'
}

smtp_session() {
	local d=$1
	(sleep 0.5; printf 'EHLO client.example.net\r\n'; sleep 0.2
	 printf 'VRFY root\r\nEXPN root\r\nHELP\r\nQUIT\r\n') |
		in_ns "$SM" -C "$d/sendmail.cf" -bs -O QueueDirectory="$d/q" 2>&1 | tr -d '\r'
}

# start_daemon DIR PORT LOG: sendmail -bD in the server namespace (log in
# DIR/bd-LOG.log), waiting up to 5 s for something to listen on PORT
start_daemon() {
	local d=$1 port=$2 n
	in_ns "$SM" -C "$d/sendmail.cf" -bD -O QueueDirectory="$d/q" \
		-O PidFile="$d/pid" >"$d/bd-$3.log" 2>&1 &
	PIDS+=($!)
	for n in $(seq 1 50); do
		ip netns exec "$NS" ss -ltnH | grep -q ":$port " && break
		sleep 0.1
	done
}

# smtp_rcpt DIR SENDER [PORT]: the server's answers to MAIL FROM:<SENDER>
# ("MAIL <reply>") and RCPT TO:<user@example.net> ("RCPT <reply>") in a
# real session from the client namespace, or "no session"
smtp_rcpt() {
	local d=$1 port=${3:-25}
	start_daemon "$d" "$port" smtp
	# shellcheck disable=SC2016 # expanded by the inner bash
	ip netns exec "$NSC" timeout 60 bash -c '
		exec 3<>/dev/tcp/198.51.100.1/$2 || exit 1
		rd() {
			local l
			while IFS= read -r -t 30 l <&3; do
				l=${l%$'"'"'\r'"'"'}
				echo "$l"
				[[ $l =~ ^[0-9]{3}\  ]] && return 0
			done
			return 1
		}
		rd >/dev/null
		printf "EHLO client.example.net\r\n" >&3; rd >/dev/null
		printf "MAIL FROM:<%s>\r\n" "$1" >&3; echo "MAIL $(rd | tail -1)"
		printf "RCPT TO:<user@example.net>\r\n" >&3; echo "RCPT $(rd | tail -1)"
		printf "QUIT\r\n" >&3; rd >/dev/null' sh "$2" "$port" 2>/dev/null || echo "no session"
	stop_daemon "$d" >&2 || echo "daemon-would-not-stop"
}

# smtp_banner DIR PORT: the greeting the daemon sends a client from the
# other namespace within 8 s, "no banner" (connected, nothing said) or
# "no session"
smtp_banner() {
	local d=$1 port=$2
	start_daemon "$d" "$port" banner
	# shellcheck disable=SC2016 # expanded by the inner bash
	ip netns exec "$NSC" timeout 20 bash -c '
		exec 3<>/dev/tcp/198.51.100.1/$1 || { echo "no session"; exit 0; }
		if IFS= read -r -t 8 l <&3; then echo "${l%$'"'"'\r'"'"'}"; else echo "no banner"; fi' sh "$port"
	stop_daemon "$d" >&2 || echo "daemon-would-not-stop"
}

n=0
for mc in "$FIX"/*.mc; do
	name=$(basename "$mc" .mc)
	d=$WORK/$name
	compile "$name" "$mc"
	"$DUMP" -b "$(ip netns exec "$NS" cat /proc/sys/net/ipv6/bindv6only)" \
		"$d/sendmail.cf" "$mc" "$d/access" >"$d/dump"
	n=$((n + 1))

	# parse diagnostics on m4 output would be our bug (or a bad fixture)
	# ... except those a fixture expects (NAME.expect-diag: one regex a line)
	if [ -f "$FIX/$name.expect-diag" ]; then
		while IFS= read -r re; do
			grep -q "^diag .*$re" "$d/dump" || bad "$name: expected diagnostic /$re/ missing"
		done <"$FIX/$name.expect-diag"
	elif grep -q '^diag ' "$d/dump"; then
		bad "$name: diagnostics on a generated .cf: $(grep '^diag ' "$d/dump" | head -3)"
	fi
	if grep -q '^mismatch ' "$d/dump"; then
		bad "$name: .mc/.cf mismatch on a freshly built .cf: $(grep '^mismatch ' "$d/dump")"
	fi

	# the same verdict without the m4 marker comments (rules alone)
	grep -v '[$]Id: ' "$d/sendmail.cf" >"$d/nomarker.cf"
	"$DUMP" "$d/nomarker.cf" - "$d/access" >"$d/nomarker.dump"
	if [ "$(grep -E '^(relay|finding) ' "$d/dump" | sed 's/ promiscuous_relay$/ P/; s/ relay_ok_missing$/ P/')" != \
	     "$(grep -E '^(relay|finding) ' "$d/nomarker.dump" | sed 's/ promiscuous_relay$/ P/; s/ relay_ok_missing$/ P/')" ]; then
		bad "$name: verdict changes without marker comments: $(grep -E '^(relay|finding) ' "$d/nomarker.dump" | tr '\n' ' ')"
	fi

	# daemons
	want=$(our_listeners "$d/dump")
	have=$(sendmail_listeners "$d")
	if [ "$want" != "$have" ]; then
		bad "$name: daemons differ: ours [$(oneline "$want")] sendmail [$(oneline "$have")]"
	fi

	# relay
	verdict=$(awk '$1 == "relay" { print $2 }' "$d/dump")
	mapfile -t res < <(relay_test "$d")
	if [ "${#res[@]}" != 2 ]; then
		bad "$name: sendmail -bt gave ${#res[@]} check_rcpt results"
		continue
	fi
	relayed=no
	for r in "${res[@]}"; do
		case "$r" in
		'$# error'*) ;;
		*) relayed=yes ;;
		esac
	done
	case "$verdict" in
	open) [ $relayed = yes ] || bad "$name: we say open, sendmail refuses: ${res[*]}" ;;
	closed) [ $relayed = no ] || bad "$name: we say closed, sendmail relays: ${res[*]}" ;;
	undetermined) echo "note: $name: undetermined here; sendmail -bt: ${res[*]}" ;;
	*) bad "$name: no relay verdict" ;;
	esac
	if [ -f "$FIX/$name.expect-relay" ]; then
		[ "$(cat "$FIX/$name.expect-relay")" = $relayed ] ||
			bad "$name: sendmail relayed=$relayed, fixture expects $(cat "$FIX/$name.expect-relay")"
	fi

	# hardening
	s=$(smtp_session "$d")
	greet=$(printf '%s\n' "$s" | grep -m1 '^220 ' || true)
	gv=0
	printf '%s' "$greet" | grep -Eq '[0-9]+\.[0-9]+\.[0-9]+' && gv=1
	[ "$gv" = "$(awk '$1 == "greeting_version" { print $2 }' "$d/dump")" ] ||
		bad "$name: greeting [$greet] vs our greeting_version"
	vrfy=$(printf '%s\n' "$s" | grep -E '^(2|5)[0-9][0-9] ' | sed -n 3p)
	expn=$(printf '%s\n' "$s" | grep -E '^(2|5)[0-9][0-9] ' | sed -n 4p)
	pok=1
	case "$vrfy$expn" in *250*) pok=0 ;; esac
	[ "$pok" = "$(awk '$1 == "privacy_ok" { print $2 }' "$d/dump")" ] ||
		bad "$name: VRFY [$vrfy] EXPN [$expn] vs our privacy_ok"
	help=0
	printf '%s\n' "$s" | grep -q '^214' && help=1
	[ "$help" = "$(awk '$1 == "help_enabled" { print $2 }' "$d/dump")" ] ||
		bad "$name: HELP answer vs our help_enabled"
	# the exporter itself on this configuration
	mkdir -p "$d/root/etc/mail"
	cp "$d/sendmail.cf" "$mc" "$d/access" "$d/root/etc/mail/"
	mv "$d/root/etc/mail/$name.mc" "$d/root/etc/mail/sendmail.mc"
	ip netns exec "$NS" "$MTA_EXPORTER" --once --path.rootfs="$d/root" >"$d/metrics" 2>"$d/exporter.log" ||
		bad "$name: exporter failed: $(head -3 "$d/exporter.log")"
	exp_l=$(awk -F'"' '/^mta_service_info\{mta="sendmail",/ {
		a = $6
		if (a ~ /:/) a = "[" a "]"
		else if (a !~ /^[0-9.]+$/) a = "@inet:" a
		print a ":" $8 }' "$d/metrics" | resolve_hosts | sort)
	[ "$exp_l" = "$have" ] ||
		bad "$name: exporter endpoints [$(oneline "$exp_l")] vs sendmail [$(oneline "$have")]"
	# each network daemon: our verdict for it, closed on loopback (the rule every MTA shares)
	while read -r _ dname dfam daddr _ _; do
		case "$dfam" in inet|inet6) ;; *) continue ;; esac
		dv=$(awk -v n="$dname" '$1 == "daemon_relay" && $2 == n { print $3 }' "$d/dump")
		case "$daddr" in 127.*|::1) dv=closed ;; esac
		want=
		case "$dv" in open) want=1 ;; closed|config_error) want=0 ;; esac
		got=$(awk -F'[{}" ]' -v n="$dname" '$1 == "mta_open_relay_risk" && $3 == "sendmail" && $5 == n { print $NF }' "$d/metrics")
		[ "$got" = "$want" ] || bad "$name: exporter mta_open_relay_risk for $dname [$got], want [$want] ($dv)"
	done < <(grep '^daemon ' "$d/dump")
	grep -qx "sendmail_promiscuous_relay $(awk '$1 == "promiscuous" { print $2 }' "$d/dump")" "$d/metrics" ||
		bad "$name: exporter sendmail_promiscuous_relay differs from the dump"
	grep -qx 'sendmail_mc_cf_mismatch 0' "$d/metrics" ||
		bad "$name: exporter reports a .mc/.cf mismatch on a fresh build"

	echo "ok: $name: relay=$verdict relayed=$relayed daemons=[$(oneline "$have")] greeting_version=$gv privacy_ok=$pok help=$help"
done

# real SMTP sessions: fixture, sender, port, relayed?, what MAIL must get
# ("-": anything), and the exporter's mta_open_relay_risk for that daemon
# ("SERVICE=0|1", "-": not compared, e.g. relay_local_from, open only for
# a forged local sender).  A refusal is 4xx or 5xx: the namespace has no DNS, so
# sendmail cannot resolve the client's PTR and says "450 Relaying
# temporarily denied" where it would say 550; an open relay answers 250
# either way.  "no_session": the connection is refused (nothing listens
# on 198.51.100.1).
while read -r name sender port want mailwant risk; do
	got=$(smtp_rcpt "$WORK/$name" "$sender" "$port")
	rcpt=$(printf '%s\n' "$got" | sed -n 's/^RCPT //p')
	mail=$(printf '%s\n' "$got" | sed -n 's/^MAIL //p')
	case "$got" in
	"no session") relayed=no_session ;;
	*)
		case "$rcpt" in
		2[0-9][0-9]\ *) relayed=yes ;;
		[45][0-9][0-9]\ *) relayed=no ;;
		*) relayed=no_answer ;;
		esac
		;;
	esac
	if [ "$relayed" != "$want" ]; then
		bad "smtp $name:$port from <$sender>: [$(oneline "$got")], want relayed=$want"
	elif [ "$mailwant" != - ] && [ "${mail%% *}" != "$mailwant" ]; then
		bad "smtp $name:$port from <$sender>: MAIL got [$mail], want $mailwant"
	elif [ "$risk" != - ] && ! grep -qx "mta_open_relay_risk{mta=\"sendmail\",service=\"${risk%=*}\"} ${risk#*=}" \
		"$WORK/$name/metrics"; then
		bad "smtp $name:$port: the exporter does not say ${risk%=*} risk ${risk#*=}: $(grep '^mta_open_relay_risk' "$WORK/$name/metrics")"
	else
		echo "ok: smtp $name:$port from <$sender>: $(oneline "$got")"
	fi
done <<'EOF'
default someone@example.com 25 no - MTA=0
promiscuous_relay someone@example.com 25 yes - MTA=1
relay_local_from someone@example.com 25 no - -
relay_local_from postmaster@oracle.example.org 25 yes - MTA=1
relay_entire_domain someone@example.com 25 no - MTA=0
debian_msa_open someone@example.com 25 yes - MTA-v4=1
debian_msa_open someone@example.com 587 no 530 MSP-v4=0
debian_promiscuous someone@example.com 25 no_session - MTA-v4=0
access_private someone@example.com 25 no - MTA=0
EOF

# the IPv6 wildcard daemon took IPv4 too (bindv6only=0): the socket
# listens, sendmail is busy retrying the IPv4 daemon and answers nobody
b=$(smtp_banner "$WORK/debian_dual" 25)
case "$b" in
"no banner") echo "ok: smtp debian_dual:25: connected, no greeting (as our config_error)" ;;
*) bad "debian_dual: greeting [$b], we say the daemons clash and sendmail answers nobody" ;;
esac
grep -qx 'daemon_relay MTA-v6 config_error daemon_bind_conflict' "$WORK/debian_dual/dump" ||
	bad "debian_dual: our verdict is not daemon_bind_conflict: $(grep daemon_relay "$WORK/debian_dual/dump")"
grep -q '^mta_check_finding{check="sendmail_daemons_listen",reason="daemon_bind_conflict"} 1' \
	"$WORK/debian_dual/metrics" || bad "debian_dual: exporter reports no daemon_bind_conflict"

# 7. the same with bindv6only=1 in the namespace: both wildcards listen
reset_v6only() { ip netns exec "$NS" sysctl -qw net.ipv6.bindv6only=0 || true; }
on_exit reset_v6only
ip netns exec "$NS" sysctl -qw net.ipv6.bindv6only=1
d=$WORK/debian_dual
"$DUMP" -b 1 "$d/sendmail.cf" >"$d/dump1"
want=$(our_listeners "$d/dump1")
have=$(sendmail_listeners "$d")
[ "$want" = "$have" ] || bad "debian_dual, bindv6only=1: ours [$(oneline "$want")] sendmail [$(oneline "$have")]"
[ "$(echo "$have" | wc -l)" = 4 ] || bad "debian_dual, bindv6only=1: sendmail listens on [$(oneline "$have")]"
ip netns exec "$NS" "$MTA_EXPORTER" --once --path.rootfs="$d/root" >"$d/metrics1" 2>/dev/null ||
	bad "debian_dual, bindv6only=1: exporter failed"
grep -q '^mta_check_status{check="sendmail_daemons_listen",status="pass"} 1' "$d/metrics1" ||
	bad "debian_dual, bindv6only=1: exporter still reports a clash"
[ "$(grep -c '^mta_service_info{mta="sendmail"' "$d/metrics1")" = 4 ] ||
	bad "debian_dual, bindv6only=1: exporter endpoints: $(grep '^mta_service_info' "$d/metrics1")"
reset_v6only
echo "ok: debian_dual with bindv6only=1: [$(oneline "$have")]"

# 8. access.db older than access: sendmail follows the database.  The
# default .cf, whose access.db was built from default.access; then the
# client's network is added to the text only.
d=$WORK/stale_db
mkdir -p "$d/q"
cp "$WORK/default/sendmail.cf" "$WORK/default/access" "$WORK/default/aliases" "$WORK/default/helpfile" "$d/"
sed -i "s|$WORK/default/|$d/|g" "$d/sendmail.cf"
LD_LIBRARY_PATH=$SM_LD "$MAKEMAP" -C "$d/sendmail.cf" hash "$d/access" <"$d/access"
touch -d '-1 hour' "$d/access.db"
printf 'Connect:198.51.100\tRELAY\n' >>"$d/access"
got=$(smtp_rcpt "$d" someone@example.com 25 | sed -n 's/^RCPT //p')
case "$got" in
[45][0-9][0-9]\ *) echo "ok: stale access.db: sendmail refuses 198.51.100.7 ($got)" ;;
*) bad "stale access.db: sendmail answered [$got]: it should still use the old database" ;;
esac
mkdir -p "$d/root/etc/mail"
cp -p "$d/sendmail.cf" "$d/access" "$d/access.db" "$d/root/etc/mail/"
ip netns exec "$NS" "$MTA_EXPORTER" --once --path.rootfs="$d/root" >"$d/metrics" 2>"$d/exporter.log" ||
	bad "stale access.db: exporter failed"
grep -q '^mta_check_finding{check="sendmail_access_db_current",reason="access_map_not_rebuilt"} 1' "$d/metrics" ||
	bad "stale access.db: exporter reports no access_map_not_rebuilt: $(grep access_db "$d/metrics")"
grep -q 'the access map was not rebuilt.*file=.*/etc/mail/access' "$d/exporter.log" ||
	bad "stale access.db: no warning naming the access file: $(cat "$d/exporter.log")"
LD_LIBRARY_PATH=$SM_LD "$MAKEMAP" -C "$d/sendmail.cf" hash "$d/access" <"$d/access"
got=$(smtp_rcpt "$d" someone@example.com 25 | sed -n 's/^RCPT //p')
case "$got" in
2[0-9][0-9]\ *) echo "ok: after makemap sendmail relays for 198.51.100.7 ($got)" ;;
*) bad "after makemap: sendmail answered [$got], want a relay for the client's network" ;;
esac
cp -p "$d/access.db" "$d/root/etc/mail/"
ip netns exec "$NS" "$MTA_EXPORTER" --once --path.rootfs="$d/root" >"$d/metrics" 2>/dev/null ||
	bad "rebuilt access.db: exporter failed"
grep -q '^mta_check_status{check="sendmail_access_db_current",status="pass"} 1' "$d/metrics" ||
	bad "rebuilt access.db: exporter still reports it stale"
echo "ok: access.db: stale reported, rebuilt passes"

# a .cf that was not rebuilt: promiscuous_relay in the .mc, default .cf
"$DUMP" "$WORK/default/sendmail.cf" "$FIX/promiscuous_relay.mc" >"$WORK/stale.dump"
grep -qx 'mismatch promiscuous_relay' "$WORK/stale.dump" ||
	bad "stale .cf: promiscuous_relay mismatch not reported"
"$DUMP" "$WORK/promiscuous_relay/sendmail.cf" "$FIX/default.mc" >"$WORK/stale2.dump"
grep -qx 'mismatch promiscuous_relay' "$WORK/stale2.dump" ||
	bad "stale .cf (reverse): promiscuous_relay mismatch not reported"
"$DUMP" "$WORK/default/sendmail.cf" "$FIX/loopback.mc" >"$WORK/stale3.dump"
grep -qx 'mismatch daemon_options' "$WORK/stale3.dump" ||
	bad "stale .cf: daemon_options mismatch not reported"

# ... and by the exporter, with file name in the log
mkdir -p "$WORK/stale/etc/mail"
cp "$WORK/default/sendmail.cf" "$WORK/stale/etc/mail/sendmail.cf"
cp "$FIX/promiscuous_relay.mc" "$WORK/stale/etc/mail/sendmail.mc"
"$MTA_EXPORTER" --once --path.rootfs="$WORK/stale" >"$WORK/stale.metrics" 2>"$WORK/stale.log" ||
	bad "stale: exporter failed"
grep -qx 'sendmail_mc_cf_mismatch 1' "$WORK/stale.metrics" || bad "stale: exporter mismatch metric"
grep -q 'not rebuilt.*promiscuous_relay on in .mc, off in .cf.*file=.*/etc/mail/sendmail.cf' "$WORK/stale.log" ||
	bad "stale: no warning naming sendmail.cf: $(cat "$WORK/stale.log")"

[ "$n" -ge 12 ] || bad "only $n fixtures"
if [ $failed != 0 ]; then
	exit 1
fi
echo "PASS: $n sendmail fixtures agree with sendmail"
