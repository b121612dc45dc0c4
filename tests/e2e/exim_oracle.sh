#!/bin/bash
# exim_oracle.sh - the real Exim is the oracle for the exim collector.
#
# Debian's exim4 packages conflict with Postfix, so they are not installed:
# they are fetched with `apt-get download`, unpacked with `dpkg -x` into a
# cache under the build dir, and run only as oracles:
#   1. every tests/fixtures/exim/oracle/*.conf: `exim -C FILE -bP ...` must
#      print exactly what tests/tools/exim_dump prints for the same names
#      (files they .include or look up are in oracle/data/);
#   2. every tests/fixtures/exim/debian/*.ue4cc (update-exim4.conf.conf):
#      Debian's own update-exim4.conf generates the configuration from the
#      packaged template / conf.d; `exim -bP` on it must equal exim_dump on
#      the same sources (our generation path) and on the generated file;
#   3. the relay verdict: `exim -bh 203.0.113.5` and `-bh 2001:db8:ffff::5` are
#      fed EHLO, MAIL FROM and RCPT TO an external domain; 2xx from either
#      must be our "open", 5xx from both our "closed",
#      4xx or a refused configuration our "config_error"; configurations we
#      call "undetermined" are checked against the fixture's expectation;
#   4. the real daemon (`exim -bdf`) runs each hand-written configuration in a
#      network namespace (mexm-oracle-*) holding the fixtures' addresses on
#      lo; the sockets ss(8) shows must be exim_dump's "@sockets";
#   5. the exporter itself on two Debian trees: metrics with mta="exim";
#   6. a loopback-only satellite that relays for '*': the real daemon
#      relays from loopback and refuses a client from another namespace
#      (veth, 198.51.100.7); the exporter says closed (loopback_only);
#   7. a plain lsearch; host list listing the client's addresses, -bh in
#      that namespace (no DNS): no relay, as we say.
#
# Workarounds (documented in docs/exim.md):
#   - the binary insists on its compiled-in user "Debian-exim" (and refuses
#     uid 0 for it): each run happens in a private mount namespace where
#     copies of /etc/passwd and /etc/group with that user are bind-mounted;
#   - -C needs root (the suite runs as root);
#   - spool_directory is prepended to hand-written fixtures (SPOOLDIR macro
#     for Debian's template), pointing at a temp dir;
#   - update-exim4.conf reads /etc/mailname and the localmacros file by
#     absolute path: a copy of the script with those two paths rewritten
#     runs against a temp tree, from an empty directory (it globs values).
. "$(dirname "$0")/lib.sh"
need_root

FIX=$MTA_SOURCE_DIR/tests/fixtures/exim
DUMP=${MTA_BUILD_DIR:?}/tests/exim_dump
[ -x "$DUMP" ] || fail "exim_dump not built ($DUMP)"
CACHE=$MTA_BUILD_DIR/exim-oracle-cache
ROOT=$CACHE/root
EXIM=$ROOT/usr/sbin/exim4

fetch_packages() {
	mkdir -p "$CACHE/debs"
	(cd "$CACHE/debs" &&
	 apt-get download -q exim4-daemon-light exim4-base exim4-config >/dev/null 2>&1) ||
		{ DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null &&
		  (cd "$CACHE/debs" && apt-get download -q exim4-daemon-light exim4-base exim4-config >/dev/null); } ||
		fail "apt-get download exim4 packages failed"
	for d in "$CACHE"/debs/*.deb; do dpkg -x "$d" "$ROOT"; done
	touch "$CACHE/.unpacked"
}
[ -f "$CACHE/.unpacked" ] && [ -x "$EXIM" ] || fetch_packages
# its libraries (libidn12 is not in a base system) come from scripts/deps.sh
oracle_check_libs "$ROOT" "$EXIM"
EXIM_LD=$(oracle_libpath "$ROOT")

# Debian-exim user, visible only inside the oracle's mount namespace
cp /etc/passwd "$T/passwd"; cp /etc/group "$T/group"
grep -q '^Debian-exim:' "$T/passwd" || echo 'Debian-exim:x:60404:60404::/nonexistent:/usr/sbin/nologin' >>"$T/passwd"
grep -q '^Debian-exim:' "$T/group" || echo 'Debian-exim:x:60404:' >>"$T/group"
mkdir -p "$T/spool" "$T/empty"
# Exim drops to Debian-exim: it must reach the spool and the configurations
chmod 755 "$T"; chmod 1777 "$T/spool"

# in_ns CMD...: run CMD with the Debian-exim passwd/group (in the network
# namespace $IN_NETNS when set)
in_ns() {
	local pre=()
	[ -n "${IN_NETNS:-}" ] && pre=(ip netns exec "$IN_NETNS")
	"${pre[@]}" unshare -m -- bash -c 'mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/group && shift 2 && exec "$@"' \
		in_ns "$T/passwd" "$T/group" "$@"
}
exim() {
	in_ns env LD_LIBRARY_PATH="$EXIM_LD" "$EXIM" "$@"
}

NAMES=(local_interfaces daemon_smtp_ports daemon_smtp_port tls_on_connect_ports acl_smtp_rcpt
       disable_ipv6 +relay_from_hosts +relay_to_domains +local_domains)
NAMES_STR=(local_interfaces daemon_smtp_ports tls_on_connect_ports acl_smtp_rcpt
	   +relay_from_hosts +relay_to_domains +local_domains)

# rcpt_code CLIENT CONF [EXIM ARGS...]: the reply code to RCPT TO an
# external domain (the 4th final reply line: greeting, EHLO, MAIL, RCPT)
rcpt_code() {
	local client=$1 conf=$2; shift 2
	printf 'EHLO client.example.com\r\nMAIL FROM:<sender@example.com>\r\nRCPT TO:<victim@example.net>\r\nQUIT\r\n' |
		{ exim -C "$conf" "$@" -bh "$client" 2>/dev/null || true; } |
		awk '/^[0-9][0-9][0-9] / { if (++n == 4) { print substr($0, 1, 3); exit } }'
}

# relay_check NAME CONF EXPECT OURS [EXIM ARGS...]
relay_check() {
	local name=$1 conf=$2 expect=$3 ours=$4; shift 4
	local verdict=${ours%% *}
	[ "$verdict" = "$expect" ] || fail "$name: our relay verdict '$ours', fixture expects '$expect'"
	[ "$verdict" = undetermined ] && { pass "$name: relay undetermined (as expected)"; return; }
	# an IPv4 and an IPv6 client (documentation addresses)
	local code4 code6 code exim_says
	code4=$(rcpt_code 203.0.113.5 "$conf" "$@") || true
	code6=$(rcpt_code 2001:db8:ffff::5 "$conf" "$@") || true
	code="$code4/$code6"
	case "$code" in
	2??/*|*/2??) exim_says=open ;;
	5??/5??) exim_says=closed ;;
	4??/*|*/4??|/*|*/) exim_says=config_error ;;
	*) exim_says="unexpected:$code" ;;
	esac
	[ "$exim_says" = "$verdict" ] || fail "$name: exim -bh answers RCPT with '$code' ($exim_says), we say $ours"
	pass "$name: relay $verdict (exim -bh: $code)"
}

n_conf=0
# 1. hand-written configurations; the files they include or look up
# (oracle/data/) are copied where Debian-exim can read them, @DATA@ in a
# fixture naming that copy
mkdir -p "$T/data"
cp "$FIX"/oracle/data/* "$T/data/"
chmod -R a+rX "$T/data"
for f in "$FIX"/oracle/*.conf; do
	name=$(basename "$f" .conf)
	conf=$T/$name.conf
	{ echo "spool_directory = $T/spool"; sed "s|@DATA@|$T/data|g" "$f"; } >"$conf"
	expect=$(sed -n 's/^# expect-relay: //p' "$f")
	ours_relay=$("$DUMP" -c "$conf" @relay)
	if [ "$expect" = config_error ] && [ "$("$DUMP" -c "$conf" @fatal)" != 0 ]; then
		# Exim must refuse it too
		if exim -C "$conf" -bP local_interfaces >/dev/null 2>&1; then
			fail "$name: we call the configuration fatal, exim -bP accepts it"
		fi
		[ "${ours_relay%% *}" = config_error ] || fail "$name: fatal configuration but relay '$ours_relay'"
		pass "$name: exim refuses the configuration, so do we"
		n_conf=$((n_conf + 1))
		continue
	fi
	# -bP exits 1 when a named list does not exist; a refused configuration
	# says "configuration error"
	want=$(exim -C "$conf" -bP "${NAMES[@]}" 2>&1) || true
	case "$want" in *"configuration error"*) fail "$name: exim refuses it: $want" ;; esac
	got=$("$DUMP" -c "$conf" "${NAMES[@]}")
	[ "$want" = "$got" ] || fail "$name: -bP differs
--- exim -bP
$want
--- exim_dump
$got"
	pass "$name: -bP matches"
	relay_check "$name" "$conf" "$expect" "$ours_relay"
	n_conf=$((n_conf + 1))
done

# 2. Debian: update-exim4.conf.conf + template or conf.d
sed -e 's|/etc/mailname|"$UPEX4C_confdir/../mailname"|g' \
    -e 's|/etc/exim4/exim4.conf.localmacros|$UPEX4C_confdir/exim4.conf.localmacros|g' \
    "$ROOT/usr/sbin/update-exim4.conf" >"$T/update-exim4.conf"
for f in "$FIX"/debian/*.ue4cc; do
	name=$(basename "$f" .ue4cc)
	tree=$T/tree-$name
	mkdir -p "$tree/etc/exim4"
	cp -r "$ROOT/etc/exim4/exim4.conf.template" "$ROOT/etc/exim4/conf.d" "$tree/etc/exim4/"
	grep -v '^# expect-' "$f" >"$tree/etc/exim4/update-exim4.conf.conf"
	[ -f "${f%.ue4cc}.localmacros" ] && cp "${f%.ue4cc}.localmacros" "$tree/etc/exim4/exim4.conf.localmacros"
	echo mail.example.org >"$tree/etc/mailname"
	gen=$T/$name.generated
	(cd "$T/empty" && in_ns sh "$T/update-exim4.conf" -d "$tree/etc/exim4" -o "$gen") ||
		fail "$name: update-exim4.conf failed"
	expect=$(sed -n 's/^# expect-relay: //p' "$f")
	want=$(exim -C "$gen" -DSPOOLDIR="$T/spool" -bP "${NAMES_STR[@]}" 2>&1) || true
	case "$want" in *"configuration error"*) fail "$name: exim refuses it: $want" ;; esac
	got=$("$DUMP" -r "$tree" "${NAMES_STR[@]}")
	[ "$want" = "$got" ] || fail "$name: -bP differs from our generation of the Debian sources
--- exim -bP (update-exim4.conf output)
$want
--- exim_dump -r (our generation)
$got"
	got2=$("$DUMP" -c "$gen" "${NAMES_STR[@]}")
	[ "$want" = "$got2" ] || fail "$name: -bP differs on the generated file
--- exim -bP
$want
--- exim_dump -c
$got2"
	pass "$name: -bP matches (generated by update-exim4.conf and by us)"
	ours_relay=$("$DUMP" -r "$tree" @relay)
	relay_check "$name" "$gen" "$expect" "$ours_relay" -DSPOOLDIR="$T/spool"
	n_conf=$((n_conf + 1))
done
[ "$n_conf" -ge 20 ] || fail "only $n_conf configurations compared (want >= 20)"

# 3. listening: the real daemon (exim -bdf) in a network namespace that has
# the fixtures' addresses on lo; its sockets (ss) must be ours.
NS=mexm-oracle-$$
ip netns add "$NS" || fail "cannot create netns $NS"
on_exit ip netns del "$NS"
ip -n "$NS" link set lo up
for a in 192.0.2.1/32 192.0.2.5/32 192.0.2.10/32; do ip -n "$NS" addr add "$a" dev lo; done
ip -n "$NS" addr add 2001:db8::1/128 dev lo nodad
mkdir -p "$T/log"; chmod 1777 "$T/log"
n_listen=0
for f in "$FIX"/oracle/*.conf; do
	name=$(basename "$f" .conf)
	[ "$("$DUMP" -c "$T/$name.conf" @fatal)" = 0 ] || continue
	conf=$T/$name.listen.conf
	{ echo "log_file_path = $T/log/%slog"; echo "pid_file_path = $T/log/$name.pid"; cat "$T/$name.conf"; } >"$conf"
	ip netns exec "$NS" unshare -m -- bash -c 'mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/group && shift 2 && exec "$@"' \
		in_ns "$T/passwd" "$T/group" env LD_LIBRARY_PATH="$EXIM_LD" "$EXIM" -C "$conf" -bdf \
		>"$T/log/$name.out" 2>&1 &
	pid=$!
	E2E_PIDS+=("$pid")
	want=$("$DUMP" -c "$conf" @sockets | sort)
	got=""
	for _ in $(seq 50); do
		got=$(ip netns exec "$NS" ss -ltnH | awk '{ print $4 }' | sed 's/^\*:/[::]:/' | sort)
		[ "$got" = "$want" ] && break
		sleep 0.1
	done
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	for _ in $(seq 50); do
		[ -z "$(ip netns exec "$NS" ss -ltnH)" ] && break
		sleep 0.1
	done
	[ "$got" = "$want" ] || fail "$name: the daemon listens on
$got
we say
$want
$(cat "$T/log/$name.out" "$T/log/"*mainlog 2>/dev/null | tail -5)"
	pass "$name: daemon sockets match ($(echo "$want" | wc -l))"
	n_listen=$((n_listen + 1))
done
[ "$n_listen" -ge 20 ] || fail "only $n_listen daemon runs compared"

# 4. the exporter on a Debian tree: relay open through dc_relay_nets
tree=$T/tree-d03_relay_any
mkdir -p "$tree/var/lib/dpkg"
printf 'Package: exim4-daemon-light\nStatus: install ok installed\nVersion: 4.96-15+deb12u10\n\n' >"$tree/var/lib/dpkg/status"
out=$("$MTA_EXPORTER" --once --path.rootfs="$tree" 2>"$T/exporter.log") || fail "exporter failed: $(cat "$T/exporter.log")"
echo "$out" | grep -qx 'mta_detected{mta="exim"} 1' || fail "mta_detected missing"
echo "$out" | grep -qx 'mta_open_relay_risk{mta="exim",service="smtp"} 1' || fail "open relay not reported:
$out"
echo "$out" | grep -qx 'mta_bound_all_interfaces{mta="exim"} 1' || fail "wildcard not reported"
echo "$out" | grep -qx 'mta_exporter_collector_success{collector="exim"} 1' || fail "collector failed"
echo "$out" | grep -qx 'exim_info{version="4.96-15+deb12u10"} 1' || fail "exim_info missing"
out=$("$MTA_EXPORTER" --once --path.rootfs="$T/tree-d02_local_default" 2>>"$T/exporter.log")
echo "$out" | grep -qx 'mta_local_only{mta="exim"} 1' || fail "local-only not reported"
echo "$out" | grep -qx 'mta_open_relay_risk{mta="exim",service="smtp"} 0' || fail "closed relay reported open"
pass "exporter reports the Debian trees"

# 5. the rule every MTA shares (docs/relay-model.md): a service on loopback
# only is closed.  The Debian satellite d12 relays for '*' (its -bh check
# above says open) but listens on 127.0.0.1 and ::1: the real daemon, in
# the namespace of section 3 with a veth to a client namespace, relays for
# a session from loopback and refuses the connection from 198.51.100.7;
# the exporter says closed, reason loopback_only.
NSC=mexm-client-$$
ip netns add "$NSC" || fail "cannot create netns $NSC"
on_exit ip netns del "$NSC"
ip link add "mexs$$" netns "$NS" type veth peer name "mexc$$" netns "$NSC" ||
	fail "cannot create the veth pair"
ip -n "$NS" addr add 198.51.100.1/24 dev "mexs$$"
ip -n "$NSC" addr add 198.51.100.7/24 dev "mexc$$"
ip -n "$NS" link set "mexs$$" up
ip -n "$NSC" link set "mexc$$" up
ip -n "$NSC" link set lo up

# smtp_rcpt NETNS ADDR: the reply to RCPT TO an external domain in a real
# session to ADDR:25 from NETNS, or "no session"
smtp_rcpt() {
	# shellcheck disable=SC2016 # expanded by the inner bash
	ip netns exec "$1" timeout 60 bash -c '
		exec 3<>/dev/tcp/$1/25 || exit 1
		rd() {
			local l
			while IFS= read -r -t 20 l <&3; do
				l=${l%$'"'"'\r'"'"'}
				[[ $l =~ ^[0-9]{3}\  ]] && { echo "$l"; return 0; }
			done
			return 1
		}
		rd >/dev/null
		printf "EHLO client.example.com\r\n" >&3; rd >/dev/null
		printf "MAIL FROM:<sender@example.com>\r\n" >&3; rd >/dev/null
		printf "RCPT TO:<victim@example.net>\r\n" >&3; rd
		printf "QUIT\r\n" >&3' sh "$2" 2>/dev/null || echo "no session"
}

name=d12_satellite_loopback_star
conf=$T/$name.listen.conf
{ echo "log_file_path = $T/log/%slog"; echo "pid_file_path = $T/log/$name.pid"; cat "$T/$name.generated"; } >"$conf"
ip netns exec "$NS" unshare -m -- bash -c 'mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/group && shift 2 && exec "$@"' \
	in_ns "$T/passwd" "$T/group" env LD_LIBRARY_PATH="$EXIM_LD" "$EXIM" -C "$conf" -DSPOOLDIR="$T/spool" -bdf \
	>"$T/log/$name.out" 2>&1 &
pid=$!
E2E_PIDS+=("$pid")
# up to 15 s: the daemon starts slowly on a loaded machine
for _ in $(seq 150); do
	ip netns exec "$NS" ss -ltnH | grep -q '127.0.0.1:25 ' && break
	sleep 0.1
done
inside=$(smtp_rcpt "$NS" 127.0.0.1)
outside=$(smtp_rcpt "$NSC" 198.51.100.1)
kill "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
case "$inside" in
2??\ *) ;;
*) fail "$name: from loopback the daemon answers RCPT [$inside], its configuration should relay
$(tail -5 "$T/log/$name.out" "$T/log/"*mainlog 2>/dev/null)" ;;
esac
[ "$outside" = "no session" ] || fail "$name: a client at 198.51.100.7 got [$outside], want no connection"
out=$("$MTA_EXPORTER" --once --path.rootfs="$T/tree-$name" 2>>"$T/exporter.log") ||
	fail "$name: exporter failed: $(tail -3 "$T/exporter.log")"
echo "$out" | grep -qx 'mta_open_relay_risk{mta="exim",service="smtp"} 0' ||
	fail "$name: the exporter does not say closed: $(echo "$out" | grep '^mta_open_relay')"
echo "$out" | grep -qx 'mta_local_only{mta="exim"} 1' || fail "$name: local-only not reported"
pass "$name: relays from loopback ($inside), no connection from 198.51.100.7, exporter: closed"

# 7. plain lsearch; in a host list needs the client's host name: -bh in the
# namespace (no DNS: the PTR lookup fails, as for any client without one)
# from addresses the file lists must not relay, as we say
name=lsearch_names
conf=$T/$name.conf
{ echo "spool_directory = $T/spool"; sed "s|@DATA@|$T/data|g" "$FIX/oracle/data/$name.conf"; } >"$conf"
IN_NETNS=$NS relay_check "$name" "$conf" "$(sed -n 's/^# expect-relay: //p' "$conf")" "$("$DUMP" -c "$conf" @relay)"
echo "compared $n_conf configurations with the real Exim"
