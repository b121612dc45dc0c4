#!/usr/bin/env bash
# config_hostile.sh - hostile configuration files under a fixture rootfs,
# for every MTA collector the binary has: a 100 MiB file, a single 10 MiB
# line, $a -> $b -> $a expansion loops, an expansion depth bomb, NUL bytes
# and invalid UTF-8, a symlink loop, a directory in place of the file, an
# unreadable file (as an unprivileged user), and a file rewritten while
# scrapes run.
#
# Always: no crash (exit 0 or 1), under 20 s and 512 MiB per run.  For a
# file the collector cannot use (too big, too long a line, loop, bomb,
# symlink loop, directory, unreadable), additionally a warning naming the
# file and mta_exporter_collector_success{collector} 0.  Expansion loops
# and bombs (Postfix only, the one syntax where they exist) need the
# warning; the collector may still succeed, the value being unknown
# (docs/postfix.md).  Collectors not
# built into the binary are skipped (the test grows as they land).
. "$(dirname "$0")/lib.sh"
need_root
apt_need /usr/bin/time time

MTAS=()
for c in postfix exim sendmail; do
	"$MTA_EXPORTER" --help | grep -qE "^  $c " && MTAS+=("$c")
done
if [ ${#MTAS[@]} -eq 0 ]; then
	echo "no MTA collector in this build; only the generic checks run"
fi
main_file() {
	case $1 in
	postfix) echo etc/postfix/main.cf ;;
	exim) echo etc/exim4/exim4.conf ;;
	sendmail) echo etc/mail/sendmail.cf ;;
	esac
}
# A minimal valid configuration, so that "detected" is true before the hostile part.
seed() {	# MTA ROOT
	mkdir -p "$2/etc/postfix" "$2/etc/exim4" "$2/etc/mail"
	case $1 in
	postfix)
		printf 'inet_interfaces = loopback-only\nmydestination = localhost\n' >"$2/etc/postfix/main.cf"
		printf 'smtp      inet  n       -       y       -       -       smtpd\n' >"$2/etc/postfix/master.cf" ;;
	exim) printf 'local_interfaces = 127.0.0.1\nbegin acl\n' >"$2/etc/exim4/exim4.conf" ;;
	sendmail) printf 'O DaemonPortOptions=Port=smtp,Addr=127.0.0.1, Name=MTA\n' >"$2/etc/mail/sendmail.cf" ;;
	esac
}

USER_NAME=mta-e2e-unpriv
if ! id "$USER_NAME" >/dev/null 2>&1; then
	useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$USER_NAME"
	on_exit userdel "$USER_NAME"
fi
chmod 755 "$T"

# once NAME ROOT [AS_USER]: one scrape; sets RC, OUT, ERR; checks time, memory and no crash.
once() {
	local name=$1 root=$2 as=${3:-} maxkb secs
	OUT=$T/$name.out ERR=$T/$name.err
	local cmd=(timeout -s KILL 20 "$MTA_EXPORTER" --once --path.rootfs="$root")
	[ -n "$as" ] && cmd=(runuser -u "$as" -- "${cmd[@]}")
	# ru_maxrss of the waited-for child covers its descendants (runuser, timeout).
	cmd=(/usr/bin/time -f '%M %e' -o "$T/$name.time" "${cmd[@]}")
	set +e
	"${cmd[@]}" >"$OUT" 2>"$ERR"
	RC=$?
	set -e
	[ "$RC" = 0 ] || [ "$RC" = 1 ] || fail "$name: exit status $RC (crash or timeout): $(tail -3 "$ERR")"
	read -r maxkb secs < <(tail -n 1 "$T/$name.time") || true
	[ "${maxkb:-0}" -le $((512 * 1024)) ] || fail "$name: $maxkb KiB"
	grep -q '^mta_exporter_build_info' "$OUT" || fail "$name: no exposition"
	echo "   $name: exit $RC, ${maxkb} KiB, ${secs} s"
}
# refused NAME MTA FILE: the collector failed and said which file.
# KEEP_GOING=1 lists every such failure instead of stopping at the first.
FAILED=0
strict_fail() {
	if [ -n "${KEEP_GOING:-}" ]; then echo "NOT OK: $*" >&2; FAILED=1; else fail "$@"; fi
}
refused() {
	grep -q "^mta_exporter_collector_success{collector=\"$2\"} 0" "$OUT" ||
		strict_fail "$1: collector_success{collector=\"$2\"} is not 0"
	grep -E 'level=(warn|error)' "$ERR" | grep -qF "$(basename "$3")" ||
		strict_fail "$1: no warning naming $3: $(head -3 "$ERR")"
}

for m in "${MTAS[@]}" generic; do
	mta=$m
	[ "$m" = generic ] && mta=postfix	# no collector: the files are still put in place
	f=$(main_file "$mta")
	R=$T/$m
	strict=true
	[ "$m" = generic ] && strict=false

	run_case() {	# CASE-NAME [AS_USER]: hostile file already in place
		once "$m-$1" "$R" "${2:-}"
		# Expansion loops and bombs exist only in Postfix's $name syntax
		# (Exim macros expand once, in definition order; sendmail.cf O lines
		# are not macro-expanded): elsewhere they only must not hurt.
		case $1 in expansion-*) [ "$mta" = postfix ] || strict_case=false ;; *) strict_case=$strict ;; esac
		if ${strict_case:-$strict}; then
			refused "$m-$1" "$m" "$f"
		fi
		strict_case=
		rm -rf "$R"
		seed "$mta" "$R"
	}
	rm -rf "$R"
	seed "$mta" "$R"
	once "$m-valid" "$R"

	(yes 'myhostname = mail.example.org' || true) | head -c $((100 << 20)) >"$R/$f"
	run_case 100MiB
	{ printf 'myhostname = '; head -c $((10 << 20)) /dev/zero | tr '\0' a; printf '\n'; } >"$R/$f"
	run_case 10MiB-line
	case $mta in
	postfix) printf 'a = $b\nb = ${c}\nc = $(a)\ninet_interfaces = $a\nmydestination = $inet_interfaces\n' >"$R/$f" ;;
	exim) printf 'A = B\nB = A\nlocal_interfaces = A\n' >"$R/$f" ;;
	sendmail) printf 'Da$b\nDb$a\nO DaemonPortOptions=Addr=$a\n' >"$R/$f" ;;
	esac
	run_case expansion-loop
	{
		if [ "$mta" = postfix ]; then
			echo 'a0 = 127.0.0.1'
			for i in $(seq 1 48); do echo "a$i = \$a$((i - 1)) \$a$((i - 1))"; done
			echo 'inet_interfaces = $a48'
		elif [ "$mta" = exim ]; then
			echo 'A0 = 127.0.0.1'
			for i in $(seq 1 48); do echo "A$i = A$((i - 1)) A$((i - 1))"; done
			echo 'local_interfaces = A48'
		else
			echo 'Da0127.0.0.1'
			for i in $(seq 1 48); do echo "Da$i\$a$((i - 1))\$a$((i - 1))"; done
		fi
	} >"$R/$f"
	run_case expansion-bomb
	ln -sf "$(basename "$f").2" "$R/$f"
	ln -sf "$(basename "$f")" "$R/$f.2"
	run_case symlink-loop
	rm -f "$R/$f"
	mkdir "$R/$f"
	run_case directory
	rm -rf "$R/$f"
	seed "$mta" "$R"
	chmod 000 "$R/$f"
	chmod 755 "$R" "$R/etc" "$(dirname "$R/$f")"
	run_case unreadable "$USER_NAME"

	# NUL bytes and invalid UTF-8: must not crash; the verdict is the collector's.
	printf 'myhostname = a\0b\ninet_interfaces = \xff\xfe\xc0\x80\nmydestination = \xed\xa0\x80\n' >"$R/$f"
	once "$m-nul-utf8" "$R"
	rm -rf "$R"
	seed "$mta" "$R"

	# A file rewritten (truncated, grown, replaced) while scrapes run.
	(
		end=$((SECONDS + 4))
		while [ $SECONDS -lt $end ]; do
			: >"$R/$f"
			(yes 'inet_interfaces = all' || true) | head -c 200000 >"$R/$f"
			seed "$mta" "$R.tmp" && mv "$R.tmp/$f" "$R/$f.new" && mv "$R/$f.new" "$R/$f"
		done
	) &
	W=$!
	E2E_PIDS+=("$W")
	for i in $(seq 8); do once "$m-changing-$i" "$R"; done
	wait "$W" 2>/dev/null || true
	rm -rf "$R" "$R.tmp"
	pass "$m: hostile configuration files (strict checks: $strict)"
done
[ "$FAILED" = 0 ] || fail "strict checks failed (see NOT OK above)"
echo "all config_hostile checks passed"
