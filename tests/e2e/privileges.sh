#!/usr/bin/env bash
# privileges.sh - least privilege of the real binary: --runas drops to an
# unprivileged user after binding (every thread), keeps no capability when
# no enabled collector needs one, sets no_new_privs; --runas errors;
# --web.systemd-socket serves on sockets passed by systemd socket
# activation (and so does the exporter without it); and, run as an unprivileged user, every collector either
# succeeds or logs what it lacks.
. "$(dirname "$0")/lib.sh"
need_root
apt_need systemd-socket-activate systemd

USER_NAME=mta-e2e-unpriv
PORT=20740
mkdir -p "$T/root"
chmod 755 "$T" "$T/root"
if ! id "$USER_NAME" >/dev/null 2>&1; then
	useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$USER_NAME"
	on_exit userdel "$USER_NAME"
fi
UID_N=$(id -u "$USER_NAME")

# A root-owned listener on an audited port, for the listeners collector to name.
LPORT=20745
start_bg "$T/rootlistener.log" python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $LPORT)); s.listen(1); time.sleep(120)"
for i in $(seq 50); do ss -Hltn "( sport = :$LPORT )" | grep -q . && break; sleep 0.1; done
HAVE_LISTENERS=false
"$MTA_EXPORTER" --help | grep -qE '^  listeners ' && HAVE_LISTENERS=true

# check_creds PID CAPS: every thread runs as the user with exactly CAPS (hex) and no_new_privs.
check_creds() {
	local st uids
	for st in /proc/$1/task/*/status; do
		uids=$(awk '/^Uid:/ {print $2, $3, $4, $5}' "$st")
		[ "$uids" = "$UID_N $UID_N $UID_N $UID_N" ] || fail "thread $st has uids $uids"
		[ "$(awk '/^CapEff:/ {print $2}' "$st")" = "$2" ] || fail "effective capabilities: $(grep Cap "$st")"
		[ "$(awk '/^CapPrm:/ {print $2}' "$st")" = "$2" ] || fail "permitted capabilities: $(grep Cap "$st")"
		[ "$(awk '/^CapInh:/ {print $2}' "$st")" = 0000000000000000 ] || fail "inheritable capabilities"
		[ "$(awk '/^CapAmb:/ {print $2}' "$st")" = 0000000000000000 ] || fail "ambient capabilities"
		[ "$(awk '/^NoNewPrivs:/ {print $2}' "$st")" = 1 ] || fail "no_new_privs not set"
	done
}

# --runas with the listeners collector disabled: no capability at all.
start_bg "$T/log" "$MTA_EXPORTER" --web.listen-address=127.0.0.1:$PORT --path.rootfs="$T/root" \
	--runas="$USER_NAME" --no-collector.listeners
PID=$BG_PID
wait_http "http://127.0.0.1:$PORT/metrics"
check_creds $PID 0000000000000000
grep -q '^Groups:[[:space:]]*$' /proc/$PID/status || grep -q "^Groups:.*$(id -g "$USER_NAME")" /proc/$PID/status ||
	fail "supplementary groups kept: $(grep Groups /proc/$PID/status)"
grep -q 'running as root is not needed' "$T/log" && fail "root warning despite --runas"
grep -q "msg=privileges state=\"uid=$UID_N" "$T/log" || fail "privilege state not logged"
kill -TERM $PID; wait $PID || fail "exit status"
pass "--runas: all threads run as $USER_NAME with no capabilities and no_new_privs"

if $HAVE_LISTENERS; then
	# With the listeners collector: CAP_DAC_READ_SEARCH + CAP_SYS_PTRACE only,
	# and the root-owned listener is named.
	start_bg "$T/log" "$MTA_EXPORTER" --web.listen-address=127.0.0.1:$PORT --path.rootfs="$T/root" \
		--runas="$USER_NAME" --listeners.ports=$LPORT
	PID=$BG_PID
	wait_http "http://127.0.0.1:$PORT/metrics"
	check_creds $PID 0000000000080004
	curl -sS "http://127.0.0.1:$PORT/metrics" >"$T/caps.txt"
	grep -q "^mta_listener_info{.*port=\"$LPORT\".*process=\"python3\"" "$T/caps.txt" ||
		fail "root-owned listener not named with the kept capabilities: $(grep listener_info "$T/caps.txt")"
	kill -TERM $PID; wait $PID || fail "exit status"
	pass "--runas keeps CAP_DAC_READ_SEARCH + CAP_SYS_PTRACE for the listeners collector, which names root's listener"
fi

# --runas errors.
set +e
"$MTA_EXPORTER" --web.listen-address=127.0.0.1:$PORT --runas=no-such-user-xyz 2>"$T/err"; rc=$?
set -e
[ "$rc" = 1 ] && grep -q 'unknown user .*no-such-user-xyz' "$T/err" || fail "unknown user: $rc $(cat "$T/err")"
set +e
"$MTA_EXPORTER" --web.listen-address=127.0.0.1:$PORT --runas=root 2>"$T/err"; rc=$?
set -e
[ "$rc" = 1 ] && grep -q 'is root' "$T/err" || fail "runas root: $rc $(cat "$T/err")"
set +e
runuser -u "$USER_NAME" -- "$MTA_EXPORTER" --web.listen-address=127.0.0.1:$PORT --runas=nobody 2>"$T/err"; rc=$?
set -e
[ "$rc" = 1 ] && grep -q 'needs to be started as root' "$T/err" || fail "runas unprivileged: $rc $(cat "$T/err")"
pass "--runas errors are clear"

# Started unprivileged (no --runas): no_new_privs still set, port bound.
start_bg "$T/log2" runuser -u "$USER_NAME" -- "$MTA_EXPORTER" --web.listen-address=127.0.0.1:$PORT --path.rootfs="$T/root"
wait_http "http://127.0.0.1:$PORT/metrics"
EPID=$(pgrep -P "$BG_PID" mta_exporter) || fail "no exporter pid under runuser"
[ "$(awk '/^NoNewPrivs:/ {print $2}' /proc/$EPID/status)" = 1 ] || fail "no_new_privs not set when unprivileged"
kill -TERM "$EPID"; sleep 0.3
pass "started as an unprivileged user: serving, no_new_privs set"

# Every collector, as the unprivileged user: success, or a log line naming it.
ports=()
$HAVE_LISTENERS && ports=(--listeners.ports=$LPORT)
runuser -u "$USER_NAME" -- "$MTA_EXPORTER" --once --path.rootfs="$T/root" "${ports[@]}" --log.level=debug \
	>"$T/once.txt" 2>"$T/once.log" || true
grep -q '^mta_exporter_build_info' "$T/once.txt" || fail "--once as $USER_NAME produced no metrics"
while read -r c; do
	grep -q "collector=$c\|collector=\"$c\"" "$T/once.log" || fail "collector $c failed unprivileged without saying why"
done < <(sed -n 's/^mta_exporter_collector_success{collector="\([^"]*\)"} 0$/\1/p' "$T/once.txt")
if $HAVE_LISTENERS; then
	# Without capabilities the listener is still reported, unnamed, and the log says why.
	grep -q "^mta_listener_info{.*port=\"$LPORT\".*process=\"\"" "$T/once.txt" ||
		fail "unprivileged: listener missing or named: $(grep listener_info "$T/once.txt")"
	# (the listeners collector says so at debug level, once per scrape)
	grep -E 'level=(warn|info|debug)' "$T/once.log" | grep -qiE 'process (names|label)|permission|CAP_' ||
		fail "unprivileged: no message about the missing process names: $(cat "$T/once.log")"
fi
pass "as $USER_NAME, every collector succeeds or reports what it lacks"

# systemd socket activation: LISTEN_FDS/LISTEN_PID, no bind of its own.
start_bg "$T/log3" systemd-socket-activate -l 127.0.0.1:$((PORT + 1)) -l 127.0.0.1:$((PORT + 2)) \
	"$MTA_EXPORTER" --web.systemd-socket --web.listen-address=127.0.0.1:1 --path.rootfs="$T/root"
wait_http "http://127.0.0.1:$((PORT + 1))/metrics"
wait_http "http://127.0.0.1:$((PORT + 2))/-/healthy"
grep -q "msg=listening address=127.0.0.1:$((PORT + 1)) .* systemd_socket_fd=3$" "$T/log3" ||
	fail "fd 3 not used or its address not logged: $(cat "$T/log3")"
grep -q "msg=listening address=127.0.0.1:$((PORT + 2)) .* systemd_socket_fd=4$" "$T/log3" || fail "fd 4 not used"
pass "--web.systemd-socket serves on the passed sockets"
# Without the flag, sockets systemd passes are used too (daemon(7)), so one
# unit serves with and without mta_exporter.socket; --web.listen-address is
# then not bound.  A LISTEN_PID naming another process is ignored.
start_bg "$T/log5" systemd-socket-activate -l 127.0.0.1:$((PORT + 6)) \
	"$MTA_EXPORTER" --web.listen-address=127.0.0.1:$((PORT + 7)) --path.rootfs="$T/root"
wait_http "http://127.0.0.1:$((PORT + 6))/metrics"
grep -q 'socket activation: serving on the sockets systemd passed' "$T/log5" ||
	fail "socket activation without the flag not logged: $(cat "$T/log5")"
! curl -fsS -o /dev/null "http://127.0.0.1:$((PORT + 7))/-/healthy" 2>/dev/null ||
	fail "bound --web.listen-address although socket-activated"
start_bg "$T/log6" env LISTEN_PID=1 LISTEN_FDS=1 \
	"$MTA_EXPORTER" --web.listen-address=127.0.0.1:$((PORT + 8)) --path.rootfs="$T/root"
wait_http "http://127.0.0.1:$((PORT + 8))/-/healthy"
! grep -q 'socket activation' "$T/log6" || fail "foreign LISTEN_PID taken as activation: $(cat "$T/log6")"
set +e
bash -c 'export LISTEN_PID=$$ LISTEN_FDS=junk; exec "$@"' sh "$MTA_EXPORTER" \
	--web.listen-address=127.0.0.1:$((PORT + 9)) 2>"$T/err5"; rc=$?
set -e
[ "$rc" = 1 ] && grep -q 'socket activation: no sockets.*LISTEN_FDS' "$T/err5" ||
	fail "unusable LISTEN_FDS for this process without the flag: $rc $(cat "$T/err5")"
pass "without --web.systemd-socket, passed sockets are used and foreign ones ignored"
set +e
"$MTA_EXPORTER" --web.systemd-socket 2>"$T/err"; rc=$?
set -e
[ "$rc" = 1 ] && grep -q 'LISTEN_PID/LISTEN_FDS not set' "$T/err" || fail "systemd socket without env: $rc $(cat "$T/err")"
set +e
LISTEN_PID=1 LISTEN_FDS=1 "$MTA_EXPORTER" --web.systemd-socket 2>"$T/err"; rc=$?
set -e
[ "$rc" = 1 ] && grep -q 'is not this process' "$T/err" || fail "foreign LISTEN_PID: $rc $(cat "$T/err")"
# fd 3 a regular file, then a connected (not listening) socket: refused.
set +e
bash -c 'export LISTEN_PID=$$ LISTEN_FDS=1; exec "$@"' sh "$MTA_EXPORTER" --web.systemd-socket 3<"$T/err" 2>"$T/err3"; rc=$?
set -e
[ "$rc" = 1 ] && grep -q 'not a listening stream socket' "$T/err3" || fail "file as fd 3: $rc $(cat "$T/err3")"
set +e
python3 -c '
import os, socket, sys
a, b = socket.socketpair()
os.dup2(a.fileno(), 3)
os.environ.update(LISTEN_PID=str(os.getpid()), LISTEN_FDS="1")
os.execv(sys.argv[1], [sys.argv[1], "--web.systemd-socket"])' "$MTA_EXPORTER" 2>"$T/err4"; rc=$?
set -e
[ "$rc" = 1 ] && grep -q 'not a listening stream socket' "$T/err4" || fail "connected socket as fd 3: $rc $(cat "$T/err4")"
pass "--web.systemd-socket errors are clear"
echo "all privileges checks passed"
