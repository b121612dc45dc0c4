#!/usr/bin/env bash
# install-monitoring-tools.sh - install Debian's prometheus (with promtool),
# prometheus-alertmanager (with amtool), prometheus-node-exporter (the
# textfile-collector mode), python3-yaml and, if absent, systemd
# (systemd-analyze) for the dashboards/alerting tests and CI.
#
# Package scripts would start the daemons; a policy-rc.d that exits 101 is
# put in place for the install and the previous one restored afterwards, and
# no service is left running.  Idempotent: installs only what is missing.
set -euo pipefail
want=()
command -v prometheus >/dev/null 2>&1 || want+=(prometheus)
command -v promtool >/dev/null 2>&1 || want+=(prometheus)
command -v prometheus-alertmanager >/dev/null 2>&1 || want+=(prometheus-alertmanager)
command -v amtool >/dev/null 2>&1 || want+=(prometheus-alertmanager)
command -v prometheus-node-exporter >/dev/null 2>&1 || want+=(prometheus-node-exporter)
/usr/bin/python3 -c 'import yaml' 2>/dev/null || want+=(python3-yaml)
command -v systemd-analyze >/dev/null 2>&1 || want+=(systemd)
command -v curl >/dev/null 2>&1 || want+=(curl)
[ ${#want[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "install-monitoring-tools: missing ${want[*]} and not root" >&2
	exit 1
fi
mapfile -t want < <(printf '%s\n' "${want[@]}" | sort -u)
policy=/usr/sbin/policy-rc.d
saved=
if [ -e "$policy" ]; then saved=$(mktemp); cp -p "$policy" "$saved"; fi
restore() {
	if [ -n "$saved" ]; then mv "$saved" "$policy"; else rm -f "$policy"; fi
}
trap restore EXIT
printf '#!/bin/sh\nexit 101\n' >"$policy"
chmod 755 "$policy"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null ||
	echo "install-monitoring-tools: apt-get update failed, trying the cached lists" >&2
apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${want[@]}"
# Nothing may keep running: the tests start their own instances.
for s in prometheus prometheus-alertmanager prometheus-node-exporter; do
	if command -v systemctl >/dev/null 2>&1 && systemctl is-active -q "$s" 2>/dev/null; then
		systemctl stop "$s" || true
	fi
done
