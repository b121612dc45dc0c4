#!/bin/bash
# listeners.sh - the listeners collector against real sockets.
#
# In a network namespace of its own (lo with 127.0.0.2, a veth pair with
# 192.0.2.10/24 and 2001:db8::10/64) the test opens listeners on audited
# ports and on the decoys 2525 and 25565, runs `mta_exporter --once` in the
# namespace and checks every mta_port_nonloopback_listening and
# mta_listener_info series, compares the addresses with `ss -Hltn`, then
# checks the /proc/net/tcp fallback (MTA_EXPORTER_NO_SOCK_DIAG=1), record
# and replay, and an unprivileged run (process names empty, no failure).
. "$(dirname "$0")/lib.sh"
need_root
apt_need ss iproute2
apt_need python3 python3
apt_need setpriv util-linux

ns=mlst-e2e-$$
LISTEN="$MTA_SOURCE_DIR/tests/fixtures/listeners/listen.py"

ip netns add "$ns"
on_exit ip netns del "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" addr add 127.0.0.2/8 dev lo
ip -n "$ns" link add mlste0 type veth peer name mlste1
ip -n "$ns" link set mlste0 up
ip -n "$ns" link set mlste1 up
ip -n "$ns" addr add 192.0.2.10/24 dev mlste0
ip -n "$ns" addr add 2001:db8::10/64 dev mlste0 nodad

nsx() { ip netns exec "$ns" "$@"; }

# listen NAME SPEC...: start listen.py in the namespace, wait until ready.
listen() {
	local name=$1 i
	shift
	rm -f "$T/$name.ready"
	start_bg "$T/$name.log" ip netns exec "$ns" python3 "$LISTEN" "$T/$name.ready" "$@"
	LISTEN_PID=$BG_PID
	for ((i = 0; i < 100; i++)); do
		[ -e "$T/$name.ready" ] && return 0
		kill -0 "$LISTEN_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$T/$name.log" >&2
	fail "listeners $name did not start"
}
stop_listen() { kill "$LISTEN_PID"; wait "$LISTEN_PID" 2>/dev/null || true; }

# scrape OUT [ENV...] -- [FLAGS...]: one exposition of the namespace.
scrape() {
	local out=$1
	shift
	nsx env "$@" "$MTA_EXPORTER" --once --log.level=debug >"$out" 2>"$out.err" ||
		{ cat "$out.err" >&2; fail "mta_exporter --once failed"; }
}

series() { grep -E "^$2[{ ]" "$1" | sort; }

expect_series() {	# FILE METRIC EXPECTED(lines)
	local got want
	got=$(series "$1" "$2")
	want=$(printf '%s\n' "$3" | sed '/^$/d' | sort)
	if [ "$got" != "$want" ]; then
		printf 'got:\n%s\nwant:\n%s\n' "$got" "$want" >&2
		fail "$2 differs ($1)"
	fi
}

# The exporter's (port address) pairs against ss -Hltn for the audited ports.
compare_ss() {	# FILE PORTS-REGEX
	local ours theirs
	ours=$(series "$1" mta_listener_info |
		sed -E 's/.*port="([0-9]+)",address="([^"]*)".*/\1 \2/' | sort -u)
	theirs=$(nsx ss -Hltn | awk '{print $4}' |
		sed -E 's/^\[(.*)\]:([0-9]+)$/\2 \1/; s/^\*:([0-9]+)$/\1 ::/; t; s/^(.*):([0-9]+)$/\2 \1/' |
		sed -E 's/^([0-9]+) \[(.*)\]$/\1 \2/' |
		grep -E "^($2) " | sort -u)
	if [ "$ours" != "$theirs" ]; then
		printf 'exporter:\n%s\nss:\n%s\n' "$ours" "$theirs" >&2
		fail "exporter and ss disagree"
	fi
}

success_is() {
	grep -q "^mta_exporter_collector_success{collector=\"listeners\"} $2\$" "$1" ||
		fail "$1: listeners success is not $2"
}

# --- Scenario A: loopback-only port 25; specific and wildcard on 465/587 ---
listen a 4,127.0.0.2,25 6,::1,25 4,192.0.2.10,465 6,::,587,v6only \
	6,2001:db8::10,465 4,0.0.0.0,2525 6,::,25565,dualstack 4,127.0.0.1,20150
scrape "$T/a.prom"
success_is "$T/a.prom" 1
expect_series "$T/a.prom" mta_port_nonloopback_listening '
mta_port_nonloopback_listening{port="25"} 0
mta_port_nonloopback_listening{port="465"} 1
mta_port_nonloopback_listening{port="587"} 1'
expect_series "$T/a.prom" mta_listener_info '
mta_listener_info{port="25",address="127.0.0.2",process="python3"} 1
mta_listener_info{port="25",address="::1",process="python3"} 1
mta_listener_info{port="465",address="192.0.2.10",process="python3"} 1
mta_listener_info{port="587",address="::",process="python3"} 1
mta_listener_info{port="465",address="2001:db8::10",process="python3"} 1'
compare_ss "$T/a.prom" '25|465|587'
pass "scenario A: loopback-only 25, decoys 2525/25565 ignored, ss agrees"

# Service names, and the decoys when they are audited themselves.
nsx "$MTA_EXPORTER" --once --listeners.ports=smtp,2525,25565,submissions >"$T/a2.prom" 2>"$T/a2.err" ||
	fail "--listeners.ports with names"
expect_series "$T/a2.prom" mta_port_nonloopback_listening '
mta_port_nonloopback_listening{port="25"} 0
mta_port_nonloopback_listening{port="2525"} 1
mta_port_nonloopback_listening{port="25565"} 1
mta_port_nonloopback_listening{port="465"} 1'
compare_ss "$T/a2.prom" '25|465|2525|25565'
pass "service names and decoy ports"

# Fallback: same answer from /proc/net/tcp{,6}, one warning.
scrape "$T/a3.prom" MTA_EXPORTER_NO_SOCK_DIAG=1
success_is "$T/a3.prom" 1
diff <(series "$T/a.prom" 'mta_(port_nonloopback_listening|listener_info)') \
	<(series "$T/a3.prom" 'mta_(port_nonloopback_listening|listener_info)') ||
	fail "fallback differs from sock_diag"
[ "$(grep -c 'sock_diag not available' "$T/a3.prom.err")" = 1 ] || fail "fallback warning missing"
pass "/proc/net/tcp fallback matches sock_diag"

# Record in the namespace, replay on the host: same series, no process names.
nsx "$MTA_EXPORTER" --once --netlink.record="$T/a.rec" >/dev/null 2>&1 || fail "record"
"$MTA_EXPORTER" --once --netlink.replay="$T/a.rec" >"$T/a4.prom" 2>"$T/a4.err" || fail "replay"
diff <(series "$T/a.prom" 'mta_(port_nonloopback_listening|listener_info)' | sed 's/process="python3"/process=""/') \
	<(series "$T/a4.prom" 'mta_(port_nonloopback_listening|listener_info)') || fail "replay differs"
pass "record and replay"

# A broken replay file: refused at startup with the file named.
head -c 40 "$T/a.rec" >"$T/bad.rec"
if "$MTA_EXPORTER" --once --netlink.replay="$T/bad.rec" >/dev/null 2>"$T/bad.err"; then
	fail "truncated replay file accepted"
fi
grep -q "bad.rec" "$T/bad.err" || fail "replay error does not name the file"
pass "truncated replay file refused"

# Unprivileged: no process names, still a success.
nsx setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$MTA_EXPORTER" --once --log.level=debug >"$T/a5.prom" 2>"$T/a5.err" || fail "unprivileged run"
success_is "$T/a5.prom" 1
diff <(series "$T/a.prom" 'mta_(port_nonloopback_listening|listener_info)' | sed 's/process="python3"/process=""/') \
	<(series "$T/a5.prom" 'mta_(port_nonloopback_listening|listener_info)') || fail "unprivileged differs"
grep -q 'level=debug.*not readable' "$T/a5.err" || fail "no debug line saying why process names are empty"
pass "unprivileged: empty process names, debug log"
stop_listen

# --- Scenario B: wildcards, dual-stack, mapped loopback, bound to lo ---
listen b 4,0.0.0.0,25 6,::,465,dualstack 4,0.0.0.0,587,dev=lo 6,::1,587 \
	6,::ffff:127.0.0.1,2525,dualstack 4,0.0.0.0,25565
scrape "$T/b.prom"
expect_series "$T/b.prom" mta_port_nonloopback_listening '
mta_port_nonloopback_listening{port="25"} 1
mta_port_nonloopback_listening{port="465"} 1
mta_port_nonloopback_listening{port="587"} 0'
expect_series "$T/b.prom" mta_listener_info '
mta_listener_info{port="25",address="0.0.0.0",process="python3"} 1
mta_listener_info{port="465",address="::",process="python3"} 1
mta_listener_info{port="587",address="0.0.0.0%lo",process="python3"} 1
mta_listener_info{port="587",address="::1",process="python3"} 1'
compare_ss "$T/b.prom" '25|465|587'
pass "scenario B: wildcards, dual-stack ::, SO_BINDTODEVICE lo"
stop_listen

# --- Scenario C: only a v4-mapped loopback on 25, and nothing on 465/587 ---
listen c 6,::ffff:127.0.0.1,25,dualstack 4,192.0.2.10,2525
scrape "$T/c.prom"
expect_series "$T/c.prom" mta_port_nonloopback_listening '
mta_port_nonloopback_listening{port="25"} 0
mta_port_nonloopback_listening{port="465"} 0
mta_port_nonloopback_listening{port="587"} 0'
expect_series "$T/c.prom" mta_listener_info '
mta_listener_info{port="25",address="::ffff:127.0.0.1",process="python3"} 1'
pass "scenario C: v4-mapped loopback"
stop_listen
