#!/usr/bin/env bash
# deps.sh - install what building (and, with "test", testing) needs, from
# Debian 12 packages, non-interactively.  Packages already present are not
# touched, so a second run costs nothing.  Services that packages would
# start (postfix, prometheus, alertmanager, node_exporter) are kept from
# starting: tests start their own instances and stop them.
#
#   scripts/deps.sh build    compiler, CMake and the -dev libraries
#   scripts/deps.sh test     build + everything the test suite runs
set -euo pipefail

BUILD_PKGS=(build-essential cmake pkg-config git clang libclang-rt-14-dev
	libmicrohttpd-dev libpcre2-dev libmnl-dev zlib1g-dev libcmocka-dev
	libyaml-dev libgnutls28-dev libcrypt-dev)
TEST_PKGS=(curl python3 iproute2 procps psmisc gzip m4 prometheus
	prometheus-alertmanager prometheus-node-exporter postfix python3-yaml wrk time
	apache2-utils openssl valgrind)
# postfix-pcre: pcre: tables for the Postfix oracles (regexp: is in postfix).
TEST_PKGS+=(postfix-pcre)
# tests/e2e/tls.sh compares the TLS probe with sslscan (bookworm has no testssl.sh 3.2)
TEST_PKGS+=(sslscan)
# Libraries of the MTA binaries the oracle tests unpack with dpkg -x and run
# without installing their packages (they conflict with Postfix): sendmail
# needs libwrap.so.0, exim4 libidn.so.12; the rest is in a base system or
# comes with the packages above.  Not essential in Debian 12 either, so
# missing from a minimal system: mount (exim_oracle's private mounts),
# netbase (/etc/hosts and /etc/services, which the oracles resolve
# "localhost" and "smtp" with), systemd (systemd-socket-activate and
# systemd-analyze), groff-base (the man page check).
TEST_PKGS+=(libwrap0 libidn12 mount netbase systemd groff-base)
# The audit's JUnit report: a schema validator and a real reader.
TEST_PKGS+=(libxml2-utils python3-junitparser)
# The Debian package test: lintian, dpkg-shlibdeps (dpkg-dev), file.
TEST_PKGS+=(lintian dpkg-dev file)
# tests/e2e/container.sh: buildah (chroot isolation, vfs storage: no OCI
# runtime, no fuse-overlayfs) and mmdebstrap for the base image.
TEST_PKGS+=(buildah mmdebstrap)

want=("${BUILD_PKGS[@]}")
[ "${1:-build}" = test ] && want+=("${TEST_PKGS[@]}")
# tests/e2e/dashboards_schema.sh: npm (with Node.js) installs Grafana's
# schema types and TypeScript into the build directory.  Only when no npm
# is on PATH: a Node.js installed otherwise (nodesource) brings its own npm
# and conflicts with Debian's package.
[ "${1:-build}" = test ] && ! command -v npm >/dev/null 2>&1 && want+=(npm)

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || { echo "deps.sh: run as root or install sudo; missing: ${missing[*]}" >&2; exit 1; }
	SUDO=sudo
fi
echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Postfix asks how it is used; "No configuration" leaves /etc/postfix alone.
echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
# Keep package scripts from starting daemons while installing.
policy=/usr/sbin/policy-rc.d
added_policy=
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
	$SUDO chmod 755 "$policy"
	added_policy=1
fi
cleanup() { [ -n "$added_policy" ] && $SUDO rm -f "$policy"; return 0; }
trap cleanup EXIT
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}" >/dev/null
