#!/usr/bin/env bash
# deb_package.sh - the Debian package, end to end, on this machine:
#   1. build it from this source tree with the `deb` preset's settings
#      (a release build in $MTA_BUILD_DIR/deb-e2e whatever the preset under
#      test, so a rerun is incremental) and cpack -G DEB;
#   2. lintian: no error and no warning (overrides ship in the package);
#      the Depends line comes from dpkg-shlibdeps;
#   3. dpkg -i: files where the issue and docs/deployment.md say, the
#      conffile registered, the service enabled and the socket and the
#      textfile timer not; with a running systemd, the service started and
#      answering;
#   4. run /usr/bin/mta_exporter --once; systemd-analyze verify the
#      installed units;
#   5. reinstall keeps an edited /etc/default/mta_exporter; remove keeps it;
#      purge leaves nothing (files, enablement symlinks, masks, state).
# The package is purged at exit even when a step fails.  Skipped (77) when
# anything of mta_exporter is already installed here that this test did not
# put there: it is never overwritten or purged.
. "$(dirname "$0")/lib.sh"
need_root
: "${MTA_BUILD_DIR:?MTA_BUILD_DIR must point at the build tree (ctest sets it)}"

skip() { echo "SKIP: $*" >&2; exit 77; }
command -v dpkg >/dev/null || skip "not a dpkg system"

# One run at a time on this machine: the package is installed system-wide.
exec 9>/run/lock/mta-exporter-deb-e2e.lock
flock -w 900 9 || fail "another deb_package.sh run holds /run/lock/mta-exporter-deb-e2e.lock"

# Never clobber an install this test did not make.
status=$(dpkg-query -W -f='${db:Status-Abbrev}' mta-exporter 2>/dev/null || true)
case "$status" in
'' | 'un '*) ;;
*) skip "mta-exporter is already known to dpkg here (status '$status'); not touching it" ;;
esac
PATHS=(/usr/bin/mta_exporter /etc/default/mta_exporter /lib/systemd/system/mta_exporter.service
	/lib/systemd/system/mta_exporter.socket /usr/share/man/man1/mta_exporter.1.gz
	/usr/share/doc/mta-exporter /usr/share/mta-exporter /etc/systemd/system/mta_exporter.service
	/etc/systemd/system/mta_exporter.socket /etc/systemd/system/multi-user.target.wants/mta_exporter.service
	/etc/systemd/system/sockets.target.wants/mta_exporter.socket
	/lib/systemd/system/mta_exporter-textfile.service /lib/systemd/system/mta_exporter-textfile.timer
	/etc/systemd/system/timers.target.wants/mta_exporter-textfile.timer)
for p in "${PATHS[@]}"; do
	[ ! -e "$p" ] && [ ! -L "$p" ] || skip "$p exists and is not from this test (owner: $(dpkg -S "$p" 2>/dev/null || echo none)); not touching it"
done

apt_need lintian lintian
apt_need dpkg-shlibdeps dpkg-dev
apt_need systemd-analyze systemd
apt_need file file

# ------------------------------------------------------------ 1. build
BD=$MTA_BUILD_DIR/deb-e2e
rm -f "$BD"/mta-exporter_*.deb
(cd "$MTA_SOURCE_DIR" && cmake --preset deb -B "$BD") >"$T/configure.log" 2>&1 ||
	fail "configure: $(cat "$T/configure.log")"
cmake --build "$BD" >"$T/build.log" 2>&1 || fail "build: $(tail -30 "$T/build.log")"
(cd "$BD" && cpack -G DEB) >"$T/cpack.log" 2>&1 || fail "cpack: $(cat "$T/cpack.log")"
debs=("$BD"/mta-exporter_*.deb)
[ ${#debs[@]} = 1 ] && [ -f "${debs[0]}" ] || fail "cpack made no single .deb: ${debs[*]}"
DEB=${debs[0]}
version=$(sed -n 's/^project(mta_exporter VERSION \([0-9.]*\).*/\1/p' "$MTA_SOURCE_DIR/CMakeLists.txt")
[ "$(dpkg-deb -f "$DEB" Package)" = mta-exporter ] || fail "package name: $(dpkg-deb -f "$DEB" Package)"
[ "$(dpkg-deb -f "$DEB" Version)" = "$version-1" ] || fail "version $(dpkg-deb -f "$DEB" Version), source $version"
pass "built $(basename "$DEB")"

# ------------------------------------------------------------ 2. lintian, Depends
lintian --fail-on error,warning --display-info --tag-display-limit 0 "$DEB" \
	>"$T/lintian.log" 2>&1 || fail "lintian: $(cat "$T/lintian.log")"
grep -v 'running with root privileges' "$T/lintian.log" | sed 's/^/    /'
pass "lintian: no error, no warning"

depends=$(dpkg-deb -f "$DEB" Depends)
echo "    Depends: $depends"
# Every library the binary needs is named, by its package (dpkg-shlibdeps).
dpkg-deb -x "$DEB" "$T/x"
while read -r lib; do
	pkg=$(dpkg -S "*/$lib" 2>/dev/null | head -1 | cut -d: -f1)
	[ -n "$pkg" ] || fail "no package owns $lib"
	grep -qE "(^|, )$pkg( |,|$)" <<<"$depends" || fail "Depends lacks $pkg (for $lib): $depends"
done < <(readelf -d "$T/x/usr/bin/mta_exporter" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
file "$T/x/usr/bin/mta_exporter" | grep -q ', stripped' || fail "binary not stripped"
pass "Depends names every needed library's package; the binary is stripped"

# ------------------------------------------------------------ 3. install
# dpkg -i cannot wait for a lock held by another apt/dpkg: retry while locked.
dpkg_locked() {
	local i
	for ((i = 0; i < 120; i++)); do
		if "$@" >"$T/dpkg.log" 2>&1; then
			return 0
		fi
		grep -qi 'lock' "$T/dpkg.log" || return 1
		sleep 5
	done
	return 1
}
purge_package() { dpkg --purge mta-exporter >/dev/null 2>&1; }
on_exit purge_package
SYSTEMD_RUNNING=false
[ -d /run/systemd/system ] && SYSTEMD_RUNNING=true
port_free=true
ss -Hltn '( sport = :10425 )' | grep -q . && port_free=false
dpkg_locked dpkg -i "$DEB" || fail "dpkg -i: $(cat "$T/dpkg.log")"
pass "dpkg -i $(basename "$DEB")"

for f in /usr/bin/mta_exporter /usr/share/man/man1/mta_exporter.1.gz \
	/lib/systemd/system/mta_exporter.service /lib/systemd/system/mta_exporter.socket \
	/lib/systemd/system/mta_exporter-textfile.service /lib/systemd/system/mta_exporter-textfile.timer \
	/etc/default/mta_exporter /usr/share/doc/mta-exporter/README.md \
	/usr/share/doc/mta-exporter/docs/checks.md /usr/share/doc/mta-exporter/docs/waivers.md \
	/usr/share/doc/mta-exporter/docs/deployment.md /usr/share/doc/mta-exporter/copyright \
	/usr/share/doc/mta-exporter/changelog.Debian.gz /usr/share/mta-exporter/alerts/mta.rules.yml \
	/usr/share/mta-exporter/grafana/mta-fleet-overview.json; do
	[ -f "$f" ] || fail "not installed: $f"
done
dpkg-query -W -f='${Conffiles}\n' mta-exporter | grep -q '^ /etc/default/mta_exporter ' ||
	fail "/etc/default/mta_exporter is not a conffile: $(dpkg-query -W -f='${Conffiles}' mta-exporter)"
! ldd /usr/bin/mta_exporter | grep 'not found' || fail "installed binary misses libraries"
[ "$(readlink /etc/systemd/system/multi-user.target.wants/mta_exporter.service)" = \
	/lib/systemd/system/mta_exporter.service ] || fail "mta_exporter.service not enabled"
[ ! -e /etc/systemd/system/sockets.target.wants/mta_exporter.socket ] || fail "mta_exporter.socket enabled by the package"
[ ! -e /etc/systemd/system/timers.target.wants/mta_exporter-textfile.timer ] ||
	fail "mta_exporter-textfile.timer enabled by the package"
grep -q '^ExecStart=/usr/bin/mta_exporter --once=/var/lib/prometheus/node-exporter/mta_exporter.prom \$ARGS$' \
	/lib/systemd/system/mta_exporter-textfile.service || fail "textfile unit: $(grep ExecStart /lib/systemd/system/mta_exporter-textfile.service)"
# the rules' runbook links resolve to the installed docs (docs/alerts.md, "Runbook links")
for f in $(grep -o 'file:///usr/share/doc/mta-exporter/docs/[a-z-]*\.md' /usr/share/mta-exporter/alerts/mta.rules.yml | sort -u); do
	[ -f "${f#file://}" ] || fail "runbook $f: not installed"
done
pass "files in place, conffile registered, service enabled, socket and textfile timer not, runbooks installed"

if $SYSTEMD_RUNNING && $port_free; then
	systemctl is-active --quiet mta_exporter.service || fail "service not started: $(systemctl status mta_exporter 2>&1)"
	wait_http http://127.0.0.1:10425/-/healthy
	systemctl reload mta_exporter.service || fail "systemctl reload: $(journalctl -u mta_exporter -n 20 2>&1)"
	systemctl is-active --quiet mta_exporter.service || fail "service died on reload"
	pass "systemd started the service; it answers on 127.0.0.1:10425 and survives a reload"
else
	echo "note: no running systemd (or 10425 in use): postinst enabled the service without starting it"
fi

# ------------------------------------------------------------ 4. run, verify
set +e
/usr/bin/mta_exporter --once >"$T/once.txt" 2>"$T/once.log"
rc=$?
set -e
[ "$rc" = 0 ] || [ "$rc" = 1 ] || fail "--once exited $rc: $(cat "$T/once.log")"
rev=$(git -C "$MTA_SOURCE_DIR" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
grep -q "^mta_exporter_build_info{version=\"$version\",revision=\"$rev\"" "$T/once.txt" ||
	fail "--once: no build_info for $version/$rev: $(grep build_info "$T/once.txt")"
if [ "$rc" = 1 ]; then
	failed=$(sed -n 's/^mta_exporter_collector_success{collector="\([^"]*\)"} 0$/\1/p' "$T/once.txt")
	[ -n "$failed" ] || fail "--once exited 1 but no collector failed"
	echo "note: on this host the collector(s) $failed failed; the log says why:"
	sed 's/^/    /' "$T/once.log"
fi
pass "/usr/bin/mta_exporter --once (exit $rc)"

systemd-analyze verify --man=no /lib/systemd/system/mta_exporter.service \
	/lib/systemd/system/mta_exporter.socket /lib/systemd/system/mta_exporter-textfile.service \
	/lib/systemd/system/mta_exporter-textfile.timer >"$T/verify.log" 2>&1 ||
	fail "systemd-analyze verify: $(cat "$T/verify.log")"
pass "systemd-analyze verify accepts the installed service, socket, textfile service and timer"

# ------------------------------------------------------------ 5. reinstall, remove, purge
echo 'ARGS="--log.level=debug"' >/etc/default/mta_exporter
dpkg_locked dpkg -i "$DEB" || fail "second dpkg -i: $(cat "$T/dpkg.log")"
grep -q -- '--log.level=debug' /etc/default/mta_exporter || fail "reinstall replaced the edited conffile"
pass "reinstall keeps the edited conffile"

dpkg_locked dpkg --remove mta-exporter || fail "dpkg --remove: $(cat "$T/dpkg.log")"
[ ! -e /usr/bin/mta_exporter ] || fail "remove left /usr/bin/mta_exporter"
grep -q -- '--log.level=debug' /etc/default/mta_exporter || fail "remove did not keep the conffile"
pass "dpkg --remove keeps the conffile"

dpkg_locked dpkg --purge mta-exporter || fail "dpkg --purge: $(cat "$T/dpkg.log")"
for p in "${PATHS[@]}"; do
	[ ! -e "$p" ] && [ ! -L "$p" ] || fail "purge left $p"
done
left=$(find /var/lib/systemd -name 'mta_exporter.*' 2>/dev/null)
[ -z "$left" ] || fail "purge left deb-systemd-helper state: $left"
status=$(dpkg-query -W -f='${db:Status-Abbrev}' mta-exporter 2>/dev/null || true)
case "$status" in '' | 'un '* | 'pn '*) ;; *) fail "after purge dpkg says '$status'" ;; esac
pass "dpkg --purge leaves nothing behind"
echo "all Debian package checks passed"
