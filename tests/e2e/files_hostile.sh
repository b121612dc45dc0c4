#!/usr/bin/env bash
# files_hostile.sh - files that could block a scrape or lead it out of the
# audited root, against the real binary.
#
# Blocking (docs/security.md, "Opening files"): in a network namespace with
# a real listener on port 25, a --path.procfs tree whose <pid>/fd/<n> names
# that listener and whose <pid>/comm is a FIFO (then a symlink to a
# character device, then a directory; and a <pid>/fd that is a FIFO).  The
# scrape must end, quickly, with the listener reported and its process
# name empty.  Then a FIFO in place of every file a collector reads under
# --path.rootfs (main.cf, master.cf, a mynetworks file, exim4.conf, an Exim
# conf.d directory, sendmail.cf, dpkg's status file).
#
# Leaving the root: under --path.rootfs, an absolute symlink (main.cf ->
# <host path>), a relative one with more ".." than the root is deep, and a
# path value with ".." (mynetworks = /../../<host path>) must be resolved
# inside the root, as openat2(RESOLVE_IN_ROOT) does: the host file (its
# first line is a marker a parse warning would quote) is never read, and
# the copy at the same path inside the root is.  Everything again with the
# user-space fallback forced (MTA_EXPORTER_NO_OPENAT2=1), and with
# --path.rootfs=/ symlinks are followed on the host as before.
#
# Every run: under 1 s (3 s under sanitizers) and 64 MiB peak RSS (under
# sanitizers: the baseline run's peak + 64 MiB).
. "$(dirname "$0")/lib.sh"
need_root
apt_need /usr/bin/time time
apt_need ss iproute2
apt_need python3 python3

LIMIT_S=1
sanitized && LIMIT_S=3

# once NAME [ENV=VAL...] -- FLAG...: one --once scrape in the namespace;
# OUT, ERR; fails on a hang, a crash, or a run over the time or memory limit.
once() {
	local name=$1 maxkb secs rc envs=()
	shift
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	OUT=$T/$name.out ERR=$T/$name.err
	set +e
	ip netns exec "$ns" env "${envs[@]}" /usr/bin/time -f '%M %e' -o "$T/$name.time" \
		timeout -s KILL 20 "$MTA_EXPORTER" --once --log.level=debug "$@" >"$OUT" 2>"$ERR"
	rc=$?
	set -e
	[ "$rc" = 0 ] || [ "$rc" = 1 ] || fail "$name: exit status $rc (hung or crashed): $(tail -3 "$ERR")"
	read -r maxkb secs < <(tail -n 1 "$T/$name.time") || true
	grep -q '^mta_exporter_build_info' "$OUT" || fail "$name: no exposition"
	python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)' \
		"$secs" "$LIMIT_S" || fail "$name: took $secs s (limit $LIMIT_S s)"
	[ "$maxkb" -le "$LIMIT_KB" ] || fail "$name: peak RSS $maxkb KiB (limit $LIMIT_KB KiB)"
	echo "   $name: exit $rc, $secs s, $maxkb KiB"
}

ns=mfh-e2e-$$
ip netns add "$ns"
on_exit ip netns del "$ns"
ip -n "$ns" link set lo up

start_bg "$T/listen.log" ip netns exec "$ns" python3 "$MTA_SOURCE_DIR/tests/fixtures/listeners/listen.py" \
	"$T/listen.ready" 4,127.0.0.1,25
for i in $(seq 100); do [ -e "$T/listen.ready" ] && break; sleep 0.1; done
[ -e "$T/listen.ready" ] || fail "listener did not start: $(cat "$T/listen.log")"
INODE=$(ip netns exec "$ns" ss -Hltne 'sport = :25' | sed -nE 's/.* ino:([0-9]+).*/\1/p' | head -1)
[ -n "$INODE" ] || fail "no inode for the port 25 listener"

mkdir -p "$T/empty"
LIMIT_KB=$((64 * 1024))
once baseline -- --path.rootfs="$T/empty"
if sanitized; then
	read -r base _ < <(tail -n 1 "$T/baseline.time")
	LIMIT_KB=$((base + 64 * 1024))
fi
grep -q '^mta_listener_info{port="25",address="127.0.0.1",process="python3"}' "$T/baseline.out" ||
	fail "baseline: the listener's owner is not named: $(grep mta_listener_info "$T/baseline.out")"

# --- procfs: a FIFO, a device, a directory where a process name is read ----
P=$T/proc/4242
mkdir -p "$P/fd"
ln -s "socket:[$INODE]" "$P/fd/7"
for kind in fifo device directory fd-fifo; do
	rm -rf "$P/comm" "$T/proc/4243"
	case $kind in
	fifo) mkfifo "$P/comm" ;;
	device) ln -s /dev/zero "$P/comm" ;;
	directory) mkdir "$P/comm" ;;
	fd-fifo) echo x >"$P/comm"; mkdir -p "$T/proc/4243"; mkfifo "$T/proc/4243/fd" ;;
	esac
	once "procfs-comm-$kind" -- --path.rootfs="$T/empty" --path.procfs="$T/proc"
	grep -q '^mta_listener_info{port="25",address="127.0.0.1",process="[x]*"} 1' "$OUT" ||
		fail "procfs-comm-$kind: listener missing: $(grep mta_listener_info "$OUT")"
	grep -q '^mta_exporter_collector_success{collector="listeners"} 1' "$OUT" ||
		fail "procfs-comm-$kind: the listeners collector failed"
done
pass "procfs: a FIFO, a device or a directory as <pid>/comm, a FIFO as <pid>/fd: no hang"

# --- rootfs: a FIFO in place of every file a collector reads ----------------
R=$T/fifo-root
mkdir -p "$R/etc/postfix" "$R/etc/exim4/conf.d" "$R/etc/mail" "$R/var/lib/dpkg" "$R/usr/sbin"
printf 'mynetworks = /etc/postfix/nets\n' >"$R/etc/postfix/main.cf"
mkfifo "$R/etc/postfix/master.cf" "$R/etc/postfix/nets" "$R/etc/mail/sendmail.cf" \
	"$R/var/lib/dpkg/status" "$R/etc/exim4/exim4.conf" "$R/etc/hostname" "$R/etc/mailname"
once rootfs-fifos -- --path.rootfs="$R" --path.procfs="$T/proc"
rm -f "$R/etc/exim4/exim4.conf"	# now the Debian split configuration, with a FIFO for conf.d
printf "dc_eximconfig_configtype='local'\ndc_use_split_config='true'\n" >"$R/etc/exim4/update-exim4.conf.conf"
rm -rf "$R/etc/exim4/conf.d" && mkfifo "$R/etc/exim4/conf.d"
once rootfs-fifo-confd -- --path.rootfs="$R" --path.procfs="$T/proc"
pass "rootfs: FIFOs in place of configuration files and directories: no hang"

# --- rootfs: symlinks and ".." stay inside the root -------------------------
HOST=$T/host			# outside the root: must never be read
R=$T/root
mkdir -p "$HOST" "$R/etc/postfix" "$R$HOST"
printf 'HOSTMARKER is the host file and must not be read\n' >"$HOST/main.cf"
printf 'HOSTMARKER2 host network list\n' >"$HOST/nets"
# the same paths inside the root: these are the audited host's files
printf 'INSIDEMARKER is the file inside the root\ninet_interfaces = loopback-only\n' >"$R$HOST/main.cf"
printf '192.0.2.0/24 INSIDEMARKER2\n' >"$R$HOST/nets"
printf 'smtp      inet  n       -       y       -       -       smtpd\n' >"$R/etc/postfix/master.cf"

check_inside() {	# NAME [ENV=VAL...]
	local name=$1
	shift
	once "$name" "$@" -- --path.rootfs="$R" --path.procfs="$T/proc"
	! grep -q HOSTMARKER "$OUT" "$ERR" ||
		fail "$name: a file outside the root was read: $(grep -h HOSTMARKER "$OUT" "$ERR" | head -2)"
}

for mode in openat2 fallback; do
	envs=()
	[ "$mode" = fallback ] && envs=(MTA_EXPORTER_NO_OPENAT2=1)

	ln -sfn "$HOST/main.cf" "$R/etc/postfix/main.cf"	# absolute: from the root
	check_inside "$mode-absolute-symlink" "${envs[@]}"
	grep -q 'INSIDEMARKER is the file insi' "$ERR" || fail "$mode-absolute-symlink: the file inside the root was not read: $(grep -i warn "$ERR" | head -3)"

	ln -sfn "../../../../../../../../../../..$HOST/main.cf" "$R/etc/postfix/main.cf"	# ".." stops at the root
	check_inside "$mode-relative-symlink" "${envs[@]}"
	grep -q 'INSIDEMARKER is the file insi' "$ERR" || fail "$mode-relative-symlink: the file inside the root was not read"

	rm -f "$R/etc/postfix/main.cf"
	printf 'inet_interfaces = loopback-only\nmynetworks = /../../../../../../..%s/nets\n' "$HOST" >"$R/etc/postfix/main.cf"
	check_inside "$mode-dotdot-path" "${envs[@]}"

	ln -sfn /etc/postfix/nowhere "$R/etc/postfix/main.cf"	# dangling inside the root
	check_inside "$mode-dangling" "${envs[@]}"
	grep -q '^mta_exporter_collector_success{collector="postfix"}' "$OUT" || fail "$mode-dangling: no postfix collector result"
	pass "$mode: absolute and relative symlinks and \"..\" resolved inside the root"
done

# --path.rootfs=/ : the host is the root; symlinks are followed as before.
mkdir -p "$T/slash/etc/postfix"
ln -s "$HOST/main.cf" "$T/slash/etc/postfix/main.cf"
printf 'smtp      inet  n       -       y       -       -       smtpd\n' >"$T/slash/etc/postfix/master.cf"
once rootfs-slash -- --path.rootfs=/ --postfix.config-directory="$T/slash/etc/postfix" --path.procfs="$T/proc"
grep -q 'HOSTMARKER is the host file' "$ERR" || fail "rootfs-slash: the symlink was not followed on the host: $(head -3 "$ERR")"
pass "--path.rootfs=/ follows symlinks on the host, as before"
echo "all files_hostile checks passed"
