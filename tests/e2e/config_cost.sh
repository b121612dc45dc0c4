#!/usr/bin/env bash
# config_cost.sh - legal-looking configurations that cost far more work or
# memory than their size (issue 14, findings 1-5 and 11), each run through
# the real binary (--once) under a fixture rootfs:
#
#   postfix-expand-bytes   a ~900 KiB default referenced 2,000 times
#   postfix-nested         99 nested ${b?{...}} around ~1 MB of text
#   postfix-nested-small   the same around 16 KB: within the caps, read
#   postfix-600k-params    600,000 "pN = v" lines
#   postfix-600-services   600 smtpd services in master.cf (checks arena)
#   postfix-warning-file   an undefined name in a main.cf value expanded
#                          for a master.cf service: the warning names main.cf
#   exim-macros            one 65 KB macro, 1,023 short ones, 10,000 comments
#   exim-split-links       128 hard links to one 4 MiB conf.d part
#   listeners-600          600 sockets listening on port 25 (in a network
#                          namespace): every one named by its process, and
#                          the checks collector's per-scrape memory suffices
#
# Every run: exit 0 or 1, under MAX_S seconds and MAX_KB peak RSS (1 s and
# 64 MiB; sanitizer builds get 3 s and 256 MiB: their baseline is larger).
# A run that hits a cap must also log a warning naming the file and report
# collector_success 0 for that collector only; a run within the caps must
# report success 1.  Inputs are generated here (python3), not committed.
. "$(dirname "$0")/lib.sh"
need_root
apt_need /usr/bin/time time
apt_need python3 python3
apt_need ip iproute2

MAX_S=1.0
MAX_KB=$((64 * 1024))
if sanitized; then
	MAX_S=3.0
	MAX_KB=$((256 * 1024))
fi
have() { "$MTA_EXPORTER" --help | grep -qE "^  $1 "; }

# once NAME ROOT [WRAPPER...]: one scrape; sets OUT, ERR; checks exit
# status, time and memory.
once() {
	local name=$1 root=$2 rc maxkb secs
	shift 2
	OUT=$T/$name.out ERR=$T/$name.err
	set +e
	/usr/bin/time -f '%M %e' -o "$T/$name.time" "$@" \
		timeout -s KILL 60 "$MTA_EXPORTER" --once --path.rootfs="$root" \
		--log.level=info >"$OUT" 2>"$ERR"
	rc=$?
	set -e
	[ "$rc" = 0 ] || [ "$rc" = 1 ] || fail "$name: exit status $rc (crash or timeout): $(tail -3 "$ERR")"
	read -r maxkb secs < <(tail -n 1 "$T/$name.time") || true
	grep -q '^mta_exporter_build_info' "$OUT" || fail "$name: no exposition"
	echo "   $name: exit $rc, ${maxkb} KiB, ${secs} s"
	[ "${maxkb:-0}" -le "$MAX_KB" ] || fail "$name: peak RSS $maxkb KiB > $MAX_KB KiB"
	python3 -c "import sys; sys.exit(0 if float('$secs') <= $MAX_S else 1)" ||
		fail "$name: $secs s > $MAX_S s"
}
success() {	# COLLECTOR VALUE
	grep -q "^mta_exporter_collector_success{collector=\"$1\"} $2\$" "$OUT" ||
		fail "collector_success{collector=\"$1\"} is not $2: $(grep collector_success "$OUT" | tr '\n' ' ')"
}
# refused NAME COLLECTOR FILE: success 0 for that collector, a warning naming FILE,
# and the other collectors still served.
refused() {
	success "$2" 0
	grep -E 'level=(warn|error)' "$ERR" | grep -qF "$3" ||
		fail "$1: no warning naming $3: $(head -5 "$ERR")"
	success listeners 1
}

postfix_root() {	# ROOT: a minimal Postfix configuration
	rm -rf "$1"
	mkdir -p "$1/etc/postfix"
	printf 'inet_interfaces = loopback-only\nmydestination = localhost\n' >"$1/etc/postfix/main.cf"
	printf 'smtp      inet  n       -       y       -       -       smtpd\n' >"$1/etc/postfix/master.cf"
}

if have postfix; then
	R=$T/postfix
	MAIN=$R/etc/postfix/main.cf

	postfix_root "$R"
	once postfix-valid "$R"
	success postfix 1

	# 1. bytes, not references: 2.7 MiB of text costing 1.8 GB of scanning
	postfix_root "$R"
	python3 - "$MAIN" <<'EOF'
import sys
with open(sys.argv[1], "a") as f:
    f.write("b = ${undefined?{" + "x" * (900 << 10) + "}}\n")
    f.write("smtpd_banner = " + " ".join(["$b"] * 2000) + "\n")
EOF
	once postfix-expand-bytes "$R"
	refused postfix-expand-bytes postfix main.cf

	# 2. nesting around a large text: no copy per level
	nested() {	# BYTES: a main.cf with 99 levels of ${b?{...}} around that many bytes
		postfix_root "$R"
		python3 - "$MAIN" "$1" <<'EOF'
import sys
n = int(sys.argv[2])
with open(sys.argv[1], "a") as f:
    f.write("b = yes\n")
    f.write("smtpd_banner = " + "${b?{" * 99 + "y" * n + "}}" * 99 + "\n")
EOF
	}
	nested 1000000
	once postfix-nested "$R"
	refused postfix-nested postfix main.cf

	# ... and the same shape within the caps is read, not refused
	nested 16000
	once postfix-nested-small "$R"
	success postfix 1

	# 3. 600,000 parameters (7 MiB): the dictionary cap stops reading
	postfix_root "$R"
	python3 - "$MAIN" <<'EOF'
import sys
with open(sys.argv[1], "a") as f:
    f.write("".join("p%d = v\n" % i for i in range(600000)))
EOF
	once postfix-600k-params "$R"
	refused postfix-600k-params postfix main.cf

	# 11. 600 smtpd services: the checks collector's per-scrape memory suffices
	postfix_root "$R"
	python3 - "$R/etc/postfix/master.cf" <<'EOF'
import sys
with open(sys.argv[1], "a") as f:
    for i in range(600):
        f.write("127.0.0.1:%d inet n - y - - smtpd\n" % (10000 + i))
EOF
	once postfix-600-services "$R"
	success postfix 1
	success checks 1

	# 11. a main.cf value expanded for a master.cf service names main.cf
	postfix_root "$R"
	printf 'smtpd_banner = $myhostname $nosuchparam\n' >>"$MAIN"
	printf 'submission inet n - y - - smtpd -o smtpd_tls_security_level=encrypt\n' \
		>>"$R/etc/postfix/master.cf"
	once postfix-warning-file "$R"
	grep 'nosuchparam' "$ERR" | grep -qF 'main.cf' ||
		fail "postfix-warning-file: no warning naming main.cf: $(grep nosuchparam "$ERR")"
	if grep 'nosuchparam' "$ERR" | grep -qF 'master.cf'; then
		fail "postfix-warning-file: a main.cf setting reported at master.cf: $(grep nosuchparam "$ERR")"
	fi
	pass "postfix: expansion, dictionary and service counts cost bytes, not more"
fi

if have exim; then
	R=$T/exim

	# 4. macro substitution: linear in the text, comments free; all legal
	rm -rf "$R"
	mkdir -p "$R/etc/exim4"
	python3 - "$R/etc/exim4/exim4.conf" <<'EOF'
import sys
with open(sys.argv[1], "w") as f:
    f.write("BIG = " + "z" * 65000 + "\n")
    for i in range(1022):
        f.write("M%04d = v%d\n" % (i, i))
    f.write("IFPART = 127.0.0\n")
    f.write("".join("# comment line %d with M0001 and BIG in it\n" % i for i in range(10000)))
    f.write("local_interfaces = IFPART.1 : IFPART.2\n")
    f.write("begin acl\n")
EOF
	once exim-macros "$R"
	success exim 1
	grep -q '^mta_service_info{mta="exim",service="smtp",address="127.0.0.2",port="25"} 1$' "$OUT" ||
		fail "exim-macros: the macro in local_interfaces was not substituted: $(grep 'mta="exim"' "$OUT")"

	# 5. one configuration's files together: 128 links to one 4 MiB part
	rm -rf "$R"
	mkdir -p "$R/etc/exim4/conf.d/main" "$R/etc/exim4/conf.d/acl"
	printf "dc_eximconfig_configtype='local'\ndc_use_split_config='true'\n" \
		>"$R/etc/exim4/update-exim4.conf.conf"
	python3 - "$R/etc/exim4/conf.d/main/00_big" <<'EOF'
import sys
with open(sys.argv[1], "w") as f:
    f.write(("# " + "c" * 1000 + "\n") * 4000)
EOF
	for i in $(seq -w 1 127); do ln "$R/etc/exim4/conf.d/main/00_big" "$R/etc/exim4/conf.d/main/$i"; done
	once exim-split-links "$R"
	refused exim-split-links exim conf.d
	pass "exim: macro substitution and split configuration are bounded"
fi
# 11. more listeners than the owner cache held (256): all named, checks served
ns=mcost-e2e-$$
ip netns add "$ns"
on_exit ip netns del "$ns"
ip -n "$ns" link set lo up
# 127.0.0.1-127.0.2.88 on port 25 (lo holds 127.0.0.0/8): 600 distinct series
mapfile -t specs < <(python3 -c 'for i in range(1, 601): print("4,127.0.%d.%d,25" % (i // 256, i % 256))')
start_bg "$T/listen.log" ip netns exec "$ns" python3 \
	"$MTA_SOURCE_DIR/tests/fixtures/listeners/listen.py" "$T/listen.ready" "${specs[@]}"
for ((i = 0; i < 100; i++)); do
	[ -e "$T/listen.ready" ] && break
	kill -0 "$BG_PID" 2>/dev/null || break
	sleep 0.1
done
[ -e "$T/listen.ready" ] || { cat "$T/listen.log" >&2; fail "listeners did not start"; }
R=$T/postfix
postfix_root "$R"
once listeners-600 "$R" ip netns exec "$ns"
success listeners 1
success checks 1
n=$(grep -c '^mta_listener_info{port="25",address="127\.0\.[0-9.]*",process="python3"} 1$' "$OUT" || true)
[ "$n" = 600 ] || fail "listeners-600: $n of 600 listeners named python3: $(grep mta_listener_info "$OUT" | head -3)"
if grep -q '^mta_listener_info{.*process=""' "$OUT"; then
	fail "listeners-600: listeners left without a process name: $(grep 'process=""' "$OUT" | head -3)"
fi
pass "600 listeners: every one named, checks served"
echo "all config_cost checks passed"
