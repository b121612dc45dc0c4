#!/usr/bin/env bash
# golden.sh - the --once exposition of every fixture tree, compared byte for
# byte with tests/golden/<name>.prom (as node_exporter compares its
# e2e-output.txt), so that every change of a metric, label or value shows
# in review as a diff of those files.
#
# Trees: tests/fixtures/*/rootfs-* (postfix, sendmail, alerting), a few Exim
# configurations (tests/fixtures/exim/oracle) each as /etc/exim4/exim4.conf
# of its own root, a Debian Exim whose template is missing (the collector
# fails), and the root holding all three MTAs (combined_root, as
# exposition.sh); the alerting trees and the combined root also with
# --no-collector.checks (<name>.no-checks.prom); the server tree also with
# --checks.role=server and tests/fixtures/alerting/waivers-server.yml (a
# waiver in force, one expired: <name>.role-server.prom).  And for every
# tree: the exposition with --no-collector.checks is the full one minus the
# mta_check_* families, mta_exporter_role_info and the collector="checks"
# self-metrics (the checks collector only reads facts; every MTA collector
# produces all of its own, the relay verdicts included).
#
# The output depends only on the tree: the sockets are replayed from a
# recorded netlink dump (the tree's listeners.rec, else
# tests/fixtures/listeners/basic.rec), --path.procfs is a fixture procfs
# with no processes (so no owning command is found), and mask_volatile
# (lib.sh) masks the timings and the build's labels.
#
# A mismatch prints a unified diff (golden file first) and fails.  To accept
# the new output after an intended change, regenerate and review the diff:
#   MTA_UPDATE_GOLDEN=1 ctest --preset default -R e2e.golden
# which also removes golden files no case produces any more.
. "$(dirname "$0")/lib.sh"

FIX=$MTA_SOURCE_DIR/tests/fixtures
GOLDEN=$MTA_SOURCE_DIR/tests/golden
PROCFS=$FIX/listeners/procfs
DEFAULT_REC=$FIX/listeners/basic.rec
EXIM_CONFS="02_stock_closed 03_stock_relay_star 10_semicolon_lists 12_bracket_ports
	14_quoted 16_condition_undetermined 24_option_twice"
unset MTA_EXPORTER_NO_SOCK_DIAG

mkdir -p "$T/out"
produced=()
mismatched=()
checks_changed=()
compared=0

# expose OUT ROOT [FLAG...]: the masked --once output of ROOT into OUT.
expose() {
	local out=$1 root=$2 rec=$DEFAULT_REC rc=0
	shift 2
	[ -f "$root/listeners.rec" ] && rec=$root/listeners.rec
	"$MTA_EXPORTER" --once --path.rootfs="$root" --path.procfs="$PROCFS" \
		--netlink.replay="$rec" "$@" >"$T/raw.prom" 2>"$out.log" || rc=$?
	# 1 = a collector failed: that is in the exposition, and pinned with it.
	[ "$rc" -le 1 ] || fail "${out##*/}: exit status $rc: $(cat "$out.log")"
	[ -s "$T/raw.prom" ] || fail "${out##*/}: empty exposition: $(cat "$out.log")"
	mask_volatile <"$T/raw.prom" >"$out"
}

# but_checks: an exposition without what the checks collector adds (the
# mta_check_* families, mta_exporter_role_info and its own
# collector="checks" self-metrics).
but_checks() {
	grep -vE '^(# (HELP|TYPE) )?(mta_check_|mta_exporter_role_info)|\{collector="checks"\}'
}

# once NAME ROOT [FLAG...]: the masked --once output of ROOT into
# $T/out/NAME.prom.  Without flags, also: --no-collector.checks changes
# nothing but the checks' own series (the checks only read facts).
once() {
	local name=$1 root=$2
	shift 2
	expose "$T/out/$name.prom" "$root" "$@"
	produced+=("$name.prom")
	[ $# -eq 0 ] || return 0
	expose "$T/nochecks.prom" "$root" --no-collector.checks
	but_checks <"$T/out/$name.prom" >"$T/without.prom"
	if ! diff -u --label "$name minus the checks" --label "$name --no-collector.checks" \
		"$T/without.prom" "$T/nochecks.prom" >&2; then
		checks_changed+=("$name")
	fi
	compared=$((compared + 1))
}

for d in "$FIX"/*/rootfs-*; do	# every MTA's fixture roots, and alerting's
	once "$(basename "$(dirname "$d")")-$(basename "$d")" "$d"
done
for c in $EXIM_CONFS; do
	mkdir -p "$T/exim-$c/etc/exim4"
	cp "$FIX/exim/oracle/$c.conf" "$T/exim-$c/etc/exim4/exim4.conf"
	once "exim-oracle-$c" "$T/exim-$c"
done
mkdir -p "$T/exim-debian/etc/exim4"
cp "$FIX/exim/debian/d02_local_default.ue4cc" "$T/exim-debian/etc/exim4/update-exim4.conf.conf"
once exim-debian-no-template "$T/exim-debian"
combined_root "$T/all"
once all "$T/all"
for d in "$FIX"/alerting/rootfs-*; do
	once "alerting-$(basename "$d").no-checks" "$d" --no-collector.checks
done
once all.no-checks "$T/all" --no-collector.checks
# The server tree judged as a server, with one waiver in force and one expired.
once alerting-rootfs-server.role-server "$FIX/alerting/rootfs-server" --checks.role=server \
	--checks.waivers="$FIX/alerting/waivers-server.yml"

[ ${#checks_changed[@]} -eq 0 ] ||
	fail "--no-collector.checks changed more than the checks' series for: ${checks_changed[*]}"
[ "$compared" -gt 0 ] || fail "no tree was compared with --no-collector.checks"

if [ "${MTA_UPDATE_GOLDEN:-0}" = 1 ]; then
	mkdir -p "$GOLDEN"
	for f in "$GOLDEN"/*.prom; do
		[ -e "$f" ] || continue
		case " ${produced[*]} " in *" ${f##*/} "*) ;; *) rm -f "$f"; echo "removed ${f##*/}" ;; esac
	done
	cp "$T"/out/*.prom "$GOLDEN/"
	pass "regenerated ${#produced[@]} golden files in tests/golden (review: git diff tests/golden)"
	exit 0
fi

for name in "${produced[@]}"; do
	if [ ! -f "$GOLDEN/$name" ]; then
		echo "tests/golden/$name is missing" >&2
		mismatched+=("$name")
	elif ! diff -u --label "tests/golden/$name" --label "actual/$name" \
		"$GOLDEN/$name" "$T/out/$name" >&2; then
		mismatched+=("$name")
	fi
done
for f in "$GOLDEN"/*.prom; do
	[ -e "$f" ] || continue
	case " ${produced[*]} " in
	*" ${f##*/} "*) ;;
	*) echo "tests/golden/${f##*/}: no case produces it any more" >&2; mismatched+=("${f##*/}") ;;
	esac
done
[ ${#mismatched[@]} -eq 0 ] ||
	fail "exposition differs from tests/golden for: ${mismatched[*]} (if intended: MTA_UPDATE_GOLDEN=1, see docs/development.md)"
pass "${#produced[@]} expositions equal tests/golden/*.prom; $compared trees the same without the checks collector but for its series"
