#!/usr/bin/env bash
# install_layout.sh - `cmake --install` of the build under test, into a
# DESTDIR with the build's configured prefix (/usr/local by default):
#   - the systemd unit's ExecStart= is the installed binary and its
#     EnvironmentFile= the installed flags file; the unit directory is one
#     systemd searches; `systemd-analyze verify` accepts the service, the
#     socket unit and the textfile-collector service and timer;
#   - share/ holds only the Grafana dashboards and the alert rules (no
#     tests/, tools/ or scripts), all of them;
#   - every relative link in the installed README and docs resolves;
#   - a reinstall keeps an edited flags file;
#   - `cmake --install --prefix OTHER` is refused and installs nothing.
# The Debian package is tested by deb_package.sh.
. "$(dirname "$0")/lib.sh"
: "${MTA_BUILD_DIR:?MTA_BUILD_DIR must point at the build tree (ctest sets it)}"

B=$MTA_BUILD_DIR
D=$T/dest
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$B/CMakeCache.txt")
[ -n "$prefix" ] || fail "no CMAKE_INSTALL_PREFIX in $B/CMakeCache.txt"

DESTDIR=$D cmake --install "$B" >"$T/install.log" 2>&1 || fail "cmake --install: $(cat "$T/install.log")"
pass "cmake --install (prefix $prefix) into a DESTDIR"

# ------------------------------------------------------------ systemd units
mapfile -t units < <(cd "$D" && find . -name mta_exporter.service -printf '/%P\n')
[ ${#units[@]} = 1 ] || fail "expected one mta_exporter.service, found: ${units[*]:-none}"
unit=${units[0]}
unitdir=${unit%/*}
for u in mta_exporter.socket mta_exporter-textfile.service mta_exporter-textfile.timer; do
	[ -f "$D$unitdir/$u" ] || fail "$u not installed beside $unit"
done
grep -q "^ExecStart=$prefix/bin/mta_exporter --once=" "$D$unitdir/mta_exporter-textfile.service" ||
	fail "textfile unit: $(grep ExecStart "$D$unitdir/mta_exporter-textfile.service")"
if [ "$prefix" = /usr ]; then
	[ "$unitdir" = /lib/systemd/system ] || fail "prefix /usr: units in $unitdir, not /lib/systemd/system"
else
	[ "$unitdir" = "$prefix/lib/systemd/system" ] || fail "units in $unitdir, not $prefix/lib/systemd/system"
fi
if command -v systemd-analyze >/dev/null; then
	systemd-analyze unit-paths | grep -qx "$unitdir" ||
		echo "note: $unitdir is not in systemd's unit search path (prefix $prefix)"
	[ "$prefix" != /usr/local ] || systemd-analyze unit-paths | grep -qx /usr/local/lib/systemd/system ||
		fail "systemd does not search /usr/local/lib/systemd/system"
fi

exec_start=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$D$unit")
[ "$exec_start" = "$prefix/bin/mta_exporter" ] || fail "ExecStart=$exec_start, installed binary is $prefix/bin/mta_exporter"
[ -x "$D$exec_start" ] || fail "ExecStart=$exec_start is not installed"
cmp -s "$D$exec_start" "$MTA_EXPORTER" || fail "$exec_start is not the binary built in $B"
envfile=$(sed -n 's/^EnvironmentFile=-\{0,1\}//p' "$D$unit")
[ -f "$D$envfile" ] || fail "EnvironmentFile=$envfile is not installed"
grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' "$D$unit" || fail "no ExecReload sending SIGHUP"
pass "unit: ExecStart=$exec_start and EnvironmentFile=$envfile are the installed files"

if command -v systemd-analyze >/dev/null; then
	# verify wants ExecStart to exist: point it into the DESTDIR.
	mkdir "$T/units"
	sed "s#^ExecStart=$exec_start#ExecStart=$D$exec_start#" "$D$unit" >"$T/units/mta_exporter.service"
	sed "s#^ExecStart=$exec_start#ExecStart=$D$exec_start#" "$D$unitdir/mta_exporter-textfile.service" \
		>"$T/units/mta_exporter-textfile.service"
	cp "$D$unitdir/mta_exporter.socket" "$D$unitdir/mta_exporter-textfile.timer" "$T/units/"
	systemd-analyze verify --man=no "$T/units/mta_exporter.service" "$T/units/mta_exporter.socket" \
		"$T/units/mta_exporter-textfile.service" "$T/units/mta_exporter-textfile.timer" \
		>"$T/verify.log" 2>&1 || fail "systemd-analyze verify: $(cat "$T/verify.log")"
	pass "systemd-analyze verify accepts the service, the socket, the textfile service and timer"
else
	echo "note: systemd-analyze not installed; unit verification left to deb_package.sh"
fi

# ------------------------------------------------------------ share/
share=$D$prefix/share
bad=$(cd "$share" && find . \( -name tests -o -name tools \) -o -name '*.py' -o -name '*.sh' -o -name '*.test.yml')
[ -z "$bad" ] || fail "developer files installed under share/: $bad"
data=$share/mta-exporter
got=$(cd "$data" && find . -type f | sort)
want=$(cd "$MTA_SOURCE_DIR/dashboards" && find grafana -name '*.json' -printf './%p\n' &&
	find alerts -name '*.yml' -printf './%p\n')
want=$(sort <<<"$want")
[ "$got" = "$want" ] || fail "share/mta-exporter holds$(printf '\n%s' "$got")
expected$(printf '\n%s' "$want")"
[ -f "$share/man/man1/mta_exporter.1.gz" ] && gzip -t "$share/man/man1/mta_exporter.1.gz" ||
	fail "man page not installed as share/man/man1/mta_exporter.1.gz"
pass "share/: dashboards, alert rules and the man page only"

# ------------------------------------------------------------ docs
doc=$share/doc/mta-exporter
[ -f "$doc/README.md" ] || fail "README.md not in share/doc/mta-exporter"
n=0
while IFS=$'\t' read -r file target; do
	n=$((n + 1))
	[ -e "$(dirname "$file")/$target" ] || fail "${file#"$D"}: link to $target does not resolve"
done < <(for f in "$doc/README.md" "$doc"/docs/*.md; do
	grep -o '\]([^)]*)' "$f" | sed 's/^](//; s/)$//; s/#.*//' | grep -v '^$' | grep -v '^[a-z]*:' |
		sed "s#^#$f\t#"
done)
[ "$n" -ge 10 ] || fail "only $n relative links found in the installed docs"
pass "all $n relative links in the installed README and docs resolve"

# ------------------------------------------------------------ reinstall, other prefix
echo 'ARGS="--log.level=debug"' >"$D$envfile"
DESTDIR=$D cmake --install "$B" >"$T/install2.log" 2>&1 || fail "second cmake --install: $(cat "$T/install2.log")"
grep -q -- '--log.level=debug' "$D$envfile" || fail "reinstall overwrote the edited $envfile"
pass "a reinstall keeps the edited flags file"

other=/opt/mta-e2e-$$
set +e
DESTDIR=$T/other cmake --install "$B" --prefix "$other" >"$T/other.log" 2>&1
rc=$?
set -e
[ "$rc" != 0 ] && grep -q "configured for the prefix $prefix" "$T/other.log" ||
	fail "install to another prefix: rc $rc $(cat "$T/other.log")"
[ -z "$(find "$T/other" -type f 2>/dev/null)" ] || fail "refused install still installed: $(find "$T/other" -type f)"
pass "cmake --install --prefix $other is refused with a clear message, nothing installed"
echo "all install layout checks passed"
