#!/usr/bin/env bash
# dashboards_static.sh - fast static validation of everything in
# dashboards/, docker/ and packaging/ (no daemon is started):
#   promtool check rules / test rules, customize.py output, check ids
#   against the exporter's catalogue, dashboard lint
#   (and a lint self-test on broken copies), docker/ YAML, compose and
#   Grafana provisioning, promtool check config, amtool check-config,
#   systemd-analyze verify of the unit template and the socket unit
#   (+ security report), the man page, and the image's
#   HEALTHCHECK command against the real exporter on 127.0.0.1:20305 (the
#   one daemon this script starts, briefly).
# Missing tools are installed by scripts/install-monitoring-tools.sh when
# root; a sub-check whose tool cannot be had is reported as SKIP, by name.
set -uo pipefail

SRC=${MTA_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
WORK=$(mktemp -d /tmp/mta-dstatic.XXXXXX)
EXPORTER_PID=
trap '[ -n "$EXPORTER_PID" ] && kill "$EXPORTER_PID" 2>/dev/null; rm -rf "$WORK"' EXIT INT TERM
pass=0 failn=0 skip=0

step() {	# step NAME COMMAND... : run, report, count
	local name=$1; shift
	if "$@" >"$WORK/out" 2>&1; then
		pass=$((pass + 1)); echo "ok   $name"
	else
		failn=$((failn + 1)); echo "FAIL $name"; sed 's/^/     /' "$WORK/out"
	fi
}
skipped() { skip=$((skip + 1)); echo "SKIP $1: $2"; }

if [ "$(id -u)" = 0 ]; then
	"$SRC/scripts/install-monitoring-tools.sh" >"$WORK/install.log" 2>&1 ||
		{ echo "install-monitoring-tools.sh failed:"; cat "$WORK/install.log"; }
fi
have() { command -v "$1" >/dev/null 2>&1; }

# ------------------------------------------------------------ alert rules
RULES=$SRC/dashboards/alerts/mta.rules.yml
if have promtool; then
	step "promtool check rules" promtool check rules "$RULES"
	step "promtool test rules (real for: durations)" \
		promtool test rules "$SRC"/dashboards/tests/*.test.yml
	custom() {
		"$PY" "$SRC/dashboards/tools/customize.py" --selector 'job="mail",env="prod"' \
			--runbook-base https://wiki.example.org/mta --for MtaOpenRelay=0s \
			-o "$WORK/custom.yml" || return 1
		promtool check rules "$WORK/custom.yml" || return 1
		local a b
		a=$(grep -c 'job="mta"' "$RULES"); b=$(grep -c 'job="mail",env="prod"' "$WORK/custom.yml")
		[ "$a" -gt 0 ] && [ "$a" = "$b" ] || { echo "selector: $a vs $b"; return 1; }
		! grep -q 'job="mta"\|mta-exporter.invalid' "$WORK/custom.yml" || return 1
		grep -A1 'alert: MtaOpenRelay$' "$WORK/custom.yml" >/dev/null &&
			awk '/alert: MtaOpenRelay$/{f=1} f&&/for:/{print; exit}' "$WORK/custom.yml" | grep -q 'for: 0s'
	}
	step "customize.py rewrites selector, runbooks, for:" custom
	unknown_alert() { ! "$PY" "$SRC/dashboards/tools/customize.py" --for NoSuchAlert=1m >/dev/null; }
	step "customize.py rejects an unknown alert" unknown_alert
else
	skipped "promtool checks" "promtool not installed (Debian package prometheus)"
fi

# ------------------------------------------------------------ check ids
check_ids() {	# every check id the shipped files name is the exporter's
	"$MTA_EXPORTER" audit --format=json --path.rootfs="$WORK/empty-root" >"$WORK/catalogue.json"
	[ $? -le 1 ] || return 1	# 0 all pass, 1 a check fails: both list the catalogue
	"$PY" "$SRC/dashboards/tests/check_ids.py" "$WORK/catalogue.json" "$SRC"
}
if [ -n "${MTA_EXPORTER:-}" ] && [ -x "$MTA_EXPORTER" ]; then
	mkdir -p "$WORK/empty-root"
	step "check ids in rules, tests, dashboards, docs are the exporter's; docs/checks.md anchors" check_ids
else
	skipped "check ids" "MTA_EXPORTER not set (run under ctest)"
fi

# ------------------------------------------------------------ dashboards
step "dashboard lint" "$PY" "$SRC/dashboards/tests/dashboards_check.py" lint
lint_selftest() {	# the lint must catch each defect
	local d=$WORK/broken; rm -rf "$d"; mkdir -p "$d"
	cp "$SRC"/dashboards/grafana/*.json "$d/"
	"$PY" - "$d" <<'PYEOF' || return 1
import json, sys, glob, os
d = sys.argv[1]
fs = sorted(glob.glob(os.path.join(d, "*.json")))
a = json.load(open(fs[0])); b = json.load(open(fs[1])); c = json.load(open(fs[2]))
b["uid"] = a["uid"]                                     # duplicate uid
a["panels"][0]["targets"] = []                          # panel without query
a["panels"][1]["datasource"] = {"uid": "${DS_PROMETHEUS}"}  # import input
c["templating"]["list"] = [v for v in c["templating"]["list"] if v["name"] != "datasource"]
for f, x in zip(fs, (a, b, c)):
    json.dump(x, open(f, "w"))
PYEOF
	"$PY" "$SRC/dashboards/tests/dashboards_check.py" lint "$d" >"$WORK/lint.out" && return 1
	local want
	for want in "also used by" "panel has no query" 'uses ${DS_' \
		"no prometheus datasource variable" "differs from build_dashboards.py"; do
		grep -qF "$want" "$WORK/lint.out" || { echo "lint missed: $want"; cat "$WORK/lint.out"; return 1; }
	done
}
step "dashboard lint catches broken dashboards" lint_selftest

# ------------------------------------------------------------ docker
if "$PY" -c 'import yaml' 2>/dev/null; then
	step "docker/: YAML, compose, Grafana provisioning, Dockerfiles" \
		"$PY" "$SRC/dashboards/tests/docker_check.py" "$SRC/docker"
else
	skipped "docker/ checks" "python3-yaml not installed"
fi
if have promtool; then
	prom_config() {
		# The compose file mounts dashboards/alerts at /etc/prometheus/rules;
		# check a copy pointing there so the rules are loaded too.
		sed "s#/etc/prometheus/rules/#$SRC/dashboards/alerts/#" \
			"$SRC/docker/prometheus/prometheus.yml" >"$WORK/prometheus.yml"
		promtool check config "$WORK/prometheus.yml" | tee "$WORK/pc.out" &&
			grep -q 'SUCCESS: 17 rules found' "$WORK/pc.out"
	}
	step "promtool check config docker/prometheus/prometheus.yml" prom_config
fi
healthcheck() {
	# The image's HEALTHCHECK command, run here against the real exporter
	# on a loopback test port (and against a closed port, where it must fail).
	"$PY" - "$SRC/docker/Dockerfile" >"$WORK/hc.sh" <<'PYEOF' || return 1
import json, re, sys
t = re.sub(r"\\\n", " ", open(sys.argv[1]).read())
cmd = json.loads(re.search(r"^HEALTHCHECK .*?CMD (\[.*\])\s*$", t, re.M).group(1))
assert cmd[:2] == ["bash", "-c"], cmd
print(cmd[2])
PYEOF
	grep -q '/dev/tcp/127.0.0.1/10425' "$WORK/hc.sh" || { echo "unexpected HEALTHCHECK: $(cat "$WORK/hc.sh")"; return 1; }
	"$MTA_EXPORTER" --web.listen-address=127.0.0.1:20305 >"$WORK/exporter.log" 2>&1 &
	EXPORTER_PID=$!
	local i rc=1
	for ((i = 0; i < 50; i++)); do
		if bash -c "$(sed 's#/10425#/20305#' "$WORK/hc.sh")"; then rc=0; break; fi
		sleep 0.1
	done
	kill "$EXPORTER_PID"; wait "$EXPORTER_PID" 2>/dev/null; EXPORTER_PID=
	[ $rc = 0 ] || { echo "HEALTHCHECK failed against the exporter"; cat "$WORK/exporter.log"; return 1; }
	! bash -c "$(sed 's#/10425#/20306#' "$WORK/hc.sh")" 2>/dev/null
}
if [ -n "${MTA_EXPORTER:-}" ] && [ -x "$MTA_EXPORTER" ]; then
	step "Dockerfile HEALTHCHECK command against the exporter" healthcheck
else
	skipped "HEALTHCHECK command" "MTA_EXPORTER not set (run under ctest)"
fi
if have amtool; then
	step "amtool check-config docker/alertmanager/alertmanager.yml" \
		amtool check-config "$SRC/docker/alertmanager/alertmanager.yml"
else
	skipped "amtool check-config" "amtool not installed (Debian package prometheus-alertmanager)"
fi

# ------------------------------------------------------------ packaging
if have systemd-analyze; then
	unit() {
		local bin=${MTA_EXPORTER:-/bin/true}
		[ -x "$bin" ] || bin=/bin/true
		# The template as CMake fills it for the prefix /usr, except that
		# ExecStart is the built binary (verify checks that it exists).
		sed -e "s#^ExecStart=@CMAKE_INSTALL_FULL_BINDIR@/mta_exporter#ExecStart=$bin#" \
			-e "s#@MTA_DEFAULTS_FILE@#/etc/default/mta_exporter#g; s#@CMAKE_INSTALL_PREFIX@#/usr#g" \
			"$SRC/packaging/mta_exporter.service.in" >"$WORK/mta_exporter.service"
		! grep -n '@[A-Z_]*@' "$WORK/mta_exporter.service" || { echo "template variable left"; return 1; }
		cp "$SRC/packaging/mta_exporter.socket" "$WORK/"
		systemd-analyze verify --man=no "$WORK/mta_exporter.service" "$WORK/mta_exporter.socket" || return 1
		local k
		for k in DynamicUser=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
			NoNewPrivileges=yes EnvironmentFile= 'ExecReload=/bin/kill -HUP $MAINPID' \
			'CapabilityBoundingSet=CAP_DAC_READ_SEARCH CAP_SYS_PTRACE' \
			'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK'; do
			grep -q "^$k" "$WORK/mta_exporter.service" || { echo "unit lacks $k"; return 1; }
		done
	}
	step "systemd-analyze verify packaging/mta_exporter.service.in and .socket" unit
	if systemd-analyze --offline=true security "$WORK/mta_exporter.service" >"$WORK/sec.out" 2>&1; then
		echo "info systemd-analyze security: $(grep 'Overall exposure' "$WORK/sec.out")"
	else
		echo "info systemd-analyze security --offline not available here"
	fi
else
	skipped "systemd-analyze verify" "systemd-analyze not installed and systemd not installable here"
fi
if have groff; then
	step "man page renders without warnings" groff -man -ww -z "$SRC/packaging/mta_exporter.1"
else
	skipped "man page check" "groff not installed"
fi
# What `cmake --install` and the .deb install is checked by install_layout.sh
# and deb_package.sh.

echo "dashboards_static: $pass passed, $failn failed, $skip skipped"
[ "$failn" -eq 0 ]
