#!/bin/bash
# container.sh - docker/Dockerfile builds and its image runs, with buildah
# and no container registry.
#
#  1. A Debian 12 base root is made with `mmdebstrap --variant=minbase
#     bookworm` (what debian:12-slim is made from) from the host's apt
#     sources and the host's Acquire:: options that reaching them takes.
#     The tarball is cached in $MTA_BUILD_DIR/container/ and remade when
#     the sources change or after a week.
#  2. It is imported into a private buildah storage (vfs driver, under
#     /var/tmp, removed at exit) and docker/Dockerfile is built on it with
#     `buildah bud --format docker --build-arg BASE=...`, chroot isolation.
#  3. The image, run with `buildah run --isolation=chroot` in a network
#     namespace of the test's own:
#     - declares a HEALTHCHECK (dropped in OCI format) and a non-root user;
#       ldd finds every library; no compiler or -dev package is installed;
#       the documentation label names a file in the image;
#     - `--once` with the host's root read-only at /host and
#       --path.rootfs=/host --path.procfs=/host/proc (as docs/deployment.md
#       says: root with only CAP_DAC_READ_SEARCH and CAP_SYS_PTRACE) gives
#       exactly what the host's own build gives auditing / (a listener owned
#       by another user, a Postfix tree), and promtool accepts it;
#     - the HEALTHCHECK command, read from the image's configuration,
#       succeeds against the exporter started with the image's entrypoint
#       and command, and fails once that exporter is stopped.
#  4. The compose demo's pair: docker/weak-postfix is built the same way
#     and runs Postfix; the exporter image audits it with the user,
#     capabilities, command and volume that docker/compose.yml gives it,
#     and every check the weak-postfix Dockerfile promises fails.
#
# Skips (77) only where buildah cannot run: not root, or no mounts (buildah's
# chroot isolation mounts /proc, /dev and the bind mounts in a mount
# namespace of its own).  It needs no user namespaces, no overlay and no
# OCI runtime.  buildah itself keeps its blob-info cache in
# /var/lib/containers/cache, as it does on any use.
. "$(dirname "$0")/lib.sh"

skip() { echo "SKIP: $*" >&2; exit 77; }

[ "$(id -u)" = 0 ] || skip "buildah cannot run here: needs root (a rootless buildah needs subuids and user namespaces this test does not set up)"
capeff=$(awk '/^CapEff:/ { print $2 }' /proc/self/status)
(((16#$capeff >> 21) & 1)) || skip "buildah cannot run here: no CAP_SYS_ADMIN (CapEff=$capeff), so no mounts"

apt_need buildah buildah
apt_need mmdebstrap mmdebstrap
apt_need python3 python3
apt_need ss iproute2
apt_need curl curl
apt_need setpriv util-linux
apt_need unshare util-linux
apt_need mount mount

# What buildah's chroot isolation does: mounts, /proc among them, in a
# mount namespace of its own.
mkdir "$T/probe"
unshare --mount --propagation private mount -t tmpfs none "$T/probe" 2>"$T/probe.err" ||
	skip "buildah cannot run here: a mount namespace with a tmpfs mount failed: $(cat "$T/probe.err")"
unshare --mount --propagation private mount -t proc proc "$T/probe" 2>"$T/probe.err" ||
	skip "buildah cannot run here: mounting /proc in a mount namespace failed: $(cat "$T/probe.err")"

SRC=$MTA_SOURCE_DIR
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

# ------------------------------------------------------------ base root
CACHE=$MTA_BUILD_DIR/container
BASE_TAR=$CACHE/bookworm-minbase.tar
mkdir -p "$CACHE"
sources=()
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] && grep -qE '^[[:space:]]*(deb[[:space:]]|Types:)' "$f" && sources+=("$f")
done
aptopts=()
for o in Acquire::Check-Valid-Until Acquire::Check-Date Acquire::http::Proxy Acquire::https::Proxy; do
	v=
	eval "$(apt-config shell v "$o")"
	[ -n "$v" ] && aptopts+=("--aptopt=$o \"$v\"")
done
mmargs=(--variant=minbase --format=tar --quiet "${aptopts[@]}" bookworm)
key=$({
	printf '%s\n' "${mmargs[@]}"
	for f in "${sources[@]}"; do echo "== $f"; cat "$f"; done
} | sha256sum | cut -d' ' -f1)
if [ -s "$BASE_TAR" ] && [ "$(cat "$BASE_TAR.key" 2>/dev/null)" = "$key" ] &&
	[ -n "$(find "$BASE_TAR" -mtime -7)" ]; then
	echo "# base root: cached $BASE_TAR"
else
	echo "# base root: mmdebstrap ${mmargs[*]} ${sources[*]:-(deb.debian.org)}"
	rm -f "$BASE_TAR" "$BASE_TAR.key"
	mmdebstrap "${mmargs[@]}" "$BASE_TAR.part" "${sources[@]}" 2>"$T/mmdebstrap.log" || {
		rm -f "$BASE_TAR.part"
		fail "mmdebstrap failed: $(tail -20 "$T/mmdebstrap.log")"
	}
	mv "$BASE_TAR.part" "$BASE_TAR"
	echo "$key" >"$BASE_TAR.key"
fi

# ------------------------------------------------------------ storage
# On disk, not in $T: /tmp may be a tmpfs and vfs copies every layer.
ST=$(mktemp -d /var/tmp/mta-e2e-container.XXXXXX)
ns=mctr-e2e-$$
# containers.conf only to keep buildah's CNI lock out of /etc/cni.
printf '[network]\nnetwork_config_dir = "%s/cni"\n' "$ST" >"$ST/containers.conf"
mkdir "$ST/cni"
BH=(env CONTAINERS_CONF="$ST/containers.conf" buildah --root "$ST/root" --runroot "$ST/run"
	--storage-driver vfs)
bh() { "${BH[@]}" "$@"; }
# ns_pids: the processes in the test's network namespace (all started here).
ns_pids() { ip netns pids "$ns" 2>/dev/null || true; }
ctr_cleanup() {
	local p i
	for p in $(ns_pids); do kill "$p" 2>/dev/null || true; done
	for ((i = 0; i < 50; i++)); do
		[ -z "$(ns_pids)" ] && break
		sleep 0.1
	done
	for p in $(ns_pids); do kill -9 "$p" 2>/dev/null || true; done
	ip netns del "$ns" 2>/dev/null || true
	bh rm --all >/dev/null 2>&1 || true
	bh rmi --all --force >/dev/null 2>&1 || true
	rm -rf --one-file-system "$ST"
}
on_exit ctr_cleanup

ip netns add "$ns"
ip -n "$ns" link set lo up
nsx() { ip netns exec "$ns" "$@"; }

BASE=localhost/mta-e2e-base:bookworm
c=$(bh from scratch)
bh add --quiet "$c" "$BASE_TAR" / >/dev/null
bh commit --quiet --rm "$c" "$BASE" >/dev/null
pass "base root imported as $BASE [${SECONDS}s]"

# ------------------------------------------------------------ build
# bud LOG ARGS...: buildah bud on the base, log in $T/LOG, shown on failure.
bud() {
	local log=$1
	shift
	bh bud --isolation chroot --format docker --pull-never --build-arg BASE="$BASE" "$@" \
		>"$T/$log" 2>&1 || fail "buildah bud $* failed:
$(tail -40 "$T/$log")"
}
IMG=localhost/mta_exporter:e2e
rev=$(git -C "$SRC" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
bud bud.log --build-arg REVISION="$rev" -f "$SRC/docker/Dockerfile" -t "$IMG" "$SRC"
grep '^runtime packages:' "$T/bud.log" | sed 's/^/# /'
pass "docker/Dockerfile builds (buildah bud --format docker) [${SECONDS}s]"

# The image's configuration as the image declares it.
bh inspect --type image "$IMG" >"$T/inspect.json"
"$PY" - "$T/inspect.json" "$T" <<'PYEOF' || fail "image configuration: see above"
import json, os, sys
cfg = json.load(open(sys.argv[1]))["Docker"]["config"]
out = sys.argv[2]
hc = cfg.get("Healthcheck") or {}
test = hc.get("Test") or []
if not test or test[0] not in ("CMD", "CMD-SHELL"):
    sys.exit("no HEALTHCHECK in the image configuration: %r" % (hc,))
argv = test[1:] if test[0] == "CMD" else ["/bin/sh", "-c", test[1]]
def write(name, lines):
    with open(os.path.join(out, name), "w") as f:
        f.write("".join(l + "\n" for l in lines))
write("hc.argv", argv)
write("hc.timeout", [str(max(1, (hc.get("Timeout") or 30 * 10**9) // 10**9))])
write("run.argv", (cfg.get("Entrypoint") or []) + (cfg.get("Cmd") or []))
write("user", [cfg.get("User") or ""])
write("doc", [(cfg.get("Labels") or {}).get("org.opencontainers.image.documentation", "")])
PYEOF
mapfile -t HC <"$T/hc.argv"
mapfile -t RUN <"$T/run.argv"
HC_TIMEOUT=$(cat "$T/hc.timeout")
user=$(cat "$T/user")
[ -n "$user" ] && [ "${user%%:*}" != 0 ] && [ "${user%%:*}" != root ] ||
	fail "image runs as '$user', not a non-root user"
pass "image declares HEALTHCHECK ${HC[*]:0:2}... and user $user"

c=$(bh from --pull-never --name "mctr-$$" "$IMG")
bh run --isolation=chroot "$c" -- ldd /usr/bin/mta_exporter >"$T/ldd.out" 2>&1 ||
	fail "ldd in the image failed: $(cat "$T/ldd.out")"
! grep -q 'not found' "$T/ldd.out" || fail "libraries missing in the image: $(grep 'not found' "$T/ldd.out")"
pass "ldd in the image: every library found"
bh run --isolation=chroot "$c" -- dpkg-query -W -f '${Package}\n' >"$T/pkgs"
! grep -E -- '-dev$|^(gcc|cpp|g\+\+)(-[0-9]+)?$|^binutils|^(cmake|make|build-essential)$' \
	"$T/pkgs" >"$T/devpkgs" ||
	fail "runtime image has build packages: $(tr '\n' ' ' <"$T/devpkgs")"
pass "runtime image has no build packages ($(wc -l <"$T/pkgs") packages)"
doc=$(cat "$T/doc")
[ -n "$doc" ] && bh run --isolation=chroot "$c" -- test -f "$doc" ||
	fail "org.opencontainers.image.documentation '$doc' is not a file in the image"
pass "documentation label names $doc, present in the image"

# ------------------------------------------------------------ --once on the host
# buildah applies --cap-drop ALL after --cap-add (docker the other way
# round), so drop its default capabilities by name; the check below shows
# what the exporter really gets.
NODEFCAPS=()
for cap in CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE \
	NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP; do
	NODEFCAPS+=(--cap-drop "CAP_$cap")
done
CAPS=(--user 0:0 "${NODEFCAPS[@]}" --cap-add CAP_DAC_READ_SEARCH --cap-add CAP_SYS_PTRACE)
eff=$(bh run --isolation=chroot "${CAPS[@]}" "$c" -- awk '/^CapEff:/ { print $2 }' /proc/self/status)
[ "$((16#$eff))" = "$(((1 << 2) | (1 << 19)))" ] ||
	fail "container capabilities $eff, not exactly CAP_DAC_READ_SEARCH and CAP_SYS_PTRACE"

# A listener owned by another user, so naming its process takes the two
# capabilities, and a Postfix tree from the fixtures.
# (The script as an argument: nobody may not be able to read the source tree.)
start_bg "$T/listen.log" ip netns exec "$ns" setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$PY" -c "$(cat "$SRC/tests/fixtures/listeners/listen.py")" /dev/null 4,0.0.0.0,2525
for ((i = 0; i < 100; i++)); do
	[ -n "$(nsx ss -Hltn 'sport = :2525')" ] && break
	sleep 0.1
done
[ -n "$(nsx ss -Hltn 'sport = :2525')" ] || fail "listener did not start: $(cat "$T/listen.log")"
PFDIR=$SRC/tests/fixtures/postfix/rootfs-wild/etc/postfix
FLAGS=(--once --listeners.ports=25,2525 --postfix.config-directory="$PFDIR")

nsx "$MTA_EXPORTER" "${FLAGS[@]}" >"$T/native.prom" 2>"$T/native.log" ||
	fail "host build --once failed: $(cat "$T/native.log")"
nsx "${BH[@]}" run --isolation=chroot "${CAPS[@]}" -v /:/host:ro,rslave "$c" -- \
	/usr/bin/mta_exporter "${FLAGS[@]}" --path.rootfs=/host --path.procfs=/host/proc \
	>"$T/ctr.prom" 2>"$T/ctr.log" || fail "image --once failed: $(cat "$T/ctr.log")"
for want in \
	'mta_listener_info{port="2525",address="0.0.0.0",process="python3"} 1' \
	'mta_port_nonloopback_listening{port="2525"} 1' \
	'mta_service_info{mta="postfix",service="0.0.0.0:smtp",address="0.0.0.0",port="25"} 1' \
	'mta_bound_all_interfaces{mta="postfix"} 1'; do
	grep -qxF "$want" "$T/ctr.prom" || fail "image --once: missing $want"
done
[ "$(grep -c '^mta_exporter_collector_success{.*} 1$' "$T/ctr.prom")" -ge 5 ] &&
	! grep -q '^mta_exporter_collector_success{.*} 0$' "$T/ctr.prom" ||
	fail "image --once: a collector failed: $(grep collector_success "$T/ctr.prom")"
diff <(strip_volatile <"$T/native.prom" | grep -v '^mta_exporter_build_info{') \
	<(strip_volatile <"$T/ctr.prom" | grep -v '^mta_exporter_build_info{') >"$T/diff" ||
	fail "image auditing /host differs from the host build auditing /:
$(cat "$T/diff")"
pass "image --once with the host at /host: same exposition as the host build"
if command -v promtool >/dev/null; then
	promtool_check "$T/ctr.prom" >"$T/promtool.out" 2>&1 ||
		fail "promtool check metrics: $(cat "$T/promtool.out")"
	pass "promtool check metrics accepts the image's exposition"
else
	echo "# promtool not installed (Debian package prometheus): exposition lint skipped"
fi
kill "$BG_PID"

# ------------------------------------------------------------ HEALTHCHECK
# hc: the image's HEALTHCHECK command in the container, with its timeout.
hc() {
	nsx timeout "$HC_TIMEOUT" "${BH[@]}" run --isolation=chroot "$c" -- "${HC[@]}"
}
start_bg "$T/server.log" ip netns exec "$ns" "${BH[@]}" run --isolation=chroot "$c" -- "${RUN[@]}"
for ((i = 0; i < 100; i++)); do
	nsx curl -fsS -o /dev/null http://127.0.0.1:10425/-/healthy 2>/dev/null && break
	sleep 0.1
done
nsx curl -fsS -o /dev/null http://127.0.0.1:10425/-/healthy ||
	fail "exporter started with '${RUN[*]}' did not come up: $(cat "$T/server.log")"
hc >"$T/hc.out" 2>&1 || fail "HEALTHCHECK failed against the running exporter: $(cat "$T/hc.out")"
pass "HEALTHCHECK succeeds against the exporter the image starts (${RUN[*]})"
exporter=
for p in $(ns_pids); do
	[ "$(cat "/proc/$p/comm" 2>/dev/null)" = mta_exporter ] && exporter=$p
done
[ -n "$exporter" ] || fail "exporter process not found in the namespace"
kill "$exporter"
for ((i = 0; i < 50; i++)); do
	kill -0 "$exporter" 2>/dev/null || break
	sleep 0.1
done
! kill -0 "$exporter" 2>/dev/null || fail "exporter did not stop on SIGTERM"
if hc >"$T/hc.out" 2>&1; then
	fail "HEALTHCHECK succeeded with no exporter running"
fi
grep -q 'Connection refused' "$T/hc.out" ||
	fail "HEALTHCHECK failed, but not for want of the exporter: $(cat "$T/hc.out")"
pass "HEALTHCHECK fails when the exporter is not running"

# ------------------------------------------------------------ compose demo pair
WP=localhost/weak-postfix:e2e
bud bud-weak.log -t "$WP" "$SRC/docker/weak-postfix"
pass "docker/weak-postfix builds [${SECONDS}s]"
# What compose.yml gives the exporter: user, capabilities, command, and
# the named volumes it shares with weak-postfix (as "host container" pairs).
"$PY" - "$SRC/docker/compose.yml" "$T" <<'PYEOF' || fail "docker/compose.yml: see above"
import os, sys, yaml
svc = yaml.safe_load(open(sys.argv[1]))["services"]
exp, wp = svc["mta-exporter"], svc["weak-postfix"]
out = sys.argv[2]
def write(name, lines):
    with open(os.path.join(out, name), "w") as f:
        f.write("".join(l + "\n" for l in lines))
assert exp.get("network_mode") == "service:weak-postfix", exp.get("network_mode")
assert exp.get("pid") == "service:weak-postfix", exp.get("pid")
assert exp.get("cap_drop") == ["ALL"], exp.get("cap_drop")
write("c.user", [str(exp.get("user", ""))])
write("c.caps", ["CAP_" + c.removeprefix("CAP_") for c in exp.get("cap_add", [])])
write("c.command", exp.get("command", []))
wpvol = {v.split(":")[0]: v.split(":")[1] for v in wp.get("volumes", [])}
mounts = []
for v in exp.get("volumes", []):
    name, target, *opts = v.split(":")
    if name not in wpvol:
        sys.exit("mta-exporter volume %s is not shared with weak-postfix" % name)
    mounts.append("%s %s%s" % (wpvol[name], target, ":" + opts[0] if opts else ""))
write("c.mounts", mounts)
PYEOF
wp=$(bh from --pull-never --name "mwp-$$" "$WP")
bh inspect --type image "$WP" | "$PY" -c '
import json, sys
cfg = json.load(sys.stdin)["Docker"]["config"]
print("\n".join((cfg.get("Entrypoint") or []) + (cfg.get("Cmd") or [])))' >"$T/wp.argv"
mapfile -t WPRUN <"$T/wp.argv"
start_bg "$T/postfix.log" ip netns exec "$ns" "${BH[@]}" run --isolation=chroot "$wp" -- "${WPRUN[@]}"
for ((i = 0; i < 100; i++)); do
	[ -n "$(nsx ss -Hltn 'sport = :25')" ] && break
	sleep 0.1
done
[ -n "$(nsx ss -Hltn 'sport = :25')" ] || fail "weak-postfix did not listen on 25: $(cat "$T/postfix.log")"
wpmnt=$(bh mount "$wp")
DEMO=(--user "$(cat "$T/c.user")" "${NODEFCAPS[@]}")
while read -r cap; do DEMO+=(--cap-add "$cap"); done <"$T/c.caps"
while read -r from to; do DEMO+=(-v "$wpmnt$from:$to"); done <"$T/c.mounts"
mapfile -t CMD <"$T/c.command"
nsx "${BH[@]}" run --isolation=chroot "${DEMO[@]}" "$c" -- \
	"${RUN[0]}" "${CMD[@]}" --once >"$T/demo.prom" 2>"$T/demo.log" ||
	fail "exporter on the demo's weak-postfix failed: $(cat "$T/demo.log")"
grep -qxF 'mta_listener_info{port="25",address="0.0.0.0",process="master"} 1' "$T/demo.prom" ||
	fail "demo: Postfix master not seen listening: $(grep listener "$T/demo.prom")"
grep -qxF 'mta_open_relay_risk{mta="postfix",service="smtp"} 1' "$T/demo.prom" ||
	fail "demo: open relay not reported: $(grep relay "$T/demo.prom")"
# The check ids the weak-postfix Dockerfile header promises: its
# "Weaknesses" block, after each "->" and on the continuation lines.
sed -n '/^# Weaknesses/,/^#$/{s/^#.*->//p; s/^#                   *\([a-z]\)/\1/p}' \
	"$SRC/docker/weak-postfix/Dockerfile" | grep -oE '\b[a-z][a-z0-9]*_[a-z0-9_]+\b' |
	sort -u >"$T/promised"
[ "$(wc -l <"$T/promised")" -ge 5 ] || fail "weak-postfix Dockerfile header lists no check ids"
while read -r id; do
	grep -qxF "mta_check_status{check=\"$id\",status=\"fail\"} 1" "$T/demo.prom" ||
		fail "demo: check $id does not fail: $(grep "check=\"$id\"" "$T/demo.prom")"
done <"$T/promised"
pass "compose demo pair: the image audits weak-postfix; $(wc -l <"$T/promised") promised checks fail"
