#!/usr/bin/env bash
# alerting_stack.sh - the shipped rules and dashboards against a real
# Prometheus and Alertmanager, on loopback only (ports 20300-20309).
#
#   target (exporter, or the stand-in below) <- Prometheus (shipped rules,
#   `for:` shortened) -> Alertmanager -> webhook receiver (a file)
#
# 1. the target serves a failing host: the expected alerts must reach the
#    webhook with their labels and annotations; every panel query of every
#    dashboard must return data;
# 2. the target is fixed: every alert must arrive as resolved;
# 3. the target stops: MtaExporterDown must fire.
#
# The target is one variable, TARGET_MODE:
#   exporter  - $MTA_EXPORTER on a fixture rootfs (tests/fixtures/alerting/
#               rootfs-failing, then rootfs-fixed copied over it);
#   standin   - python3 http.server serving tests/fixtures/alerting/
#               failing.prom, then fixed.prom, as /metrics.
# It is chosen automatically: exporter when `$MTA_EXPORTER --once` already
# emits mta_check_status and both fixture trees exist, standin otherwise
# (and the script says so).  Override with TARGET_MODE=... in the env.
#
# Durations: Prometheus loads a copy of dashboards/alerts/mta.rules.yml made
# by dashboards/tools/customize.py --for-all 3s (MtaExporterAbsent keeps 1m so
# startup, before the first scrape, cannot trip it).  The real durations are
# covered by promtool test rules in dashboards_static.sh.
. "$(dirname "$0")/lib.sh"

SRC=$MTA_SOURCE_DIR
FIX=$SRC/tests/fixtures/alerting
PORT_PROM=20300 PORT_AM=20301 PORT_HOOK=20302 PORT_TARGET=20303
HOST=127.0.0.1
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
WORK=$T

say() { printf 'alerting_stack: %s\n' "$*"; }
die() { say "FAIL: $*"; exit 1; }

need_pkg() {	# need_pkg BINARY PACKAGE
	command -v "$1" >/dev/null 2>&1 && return 0
	need_root
	"$SRC/scripts/install-monitoring-tools.sh" >&2
	command -v "$1" >/dev/null 2>&1 || die "$1 still missing after installing $2"
}
need_pkg prometheus prometheus
need_pkg prometheus-alertmanager prometheus-alertmanager
need_pkg amtool prometheus-alertmanager
need_pkg promtool prometheus
need_pkg curl curl

# On failure, show the daemons' logs (lib.sh kills them, then runs this).
DONE=
dump_logs() {
	[ -n "$DONE" ] && return 0
	local f
	for f in prometheus.log alertmanager.log target.log webhook.jsonl; do
		[ -s "$WORK/$f" ] && { say "--- $f (tail)"; tail -n 30 "$WORK/$f"; }
	done
	return 0
}
on_exit dump_logs

# ---------------------------------------------------------------- target
if [ -z "${TARGET_MODE:-}" ]; then
	TARGET_MODE=standin
	if [ -n "${MTA_EXPORTER:-}" ] && [ -x "$MTA_EXPORTER" ] &&
	   [ -d "$FIX/rootfs-failing" ] && [ -d "$FIX/rootfs-fixed" ] &&
	   "$MTA_EXPORTER" --once --path.rootfs="$FIX/rootfs-failing" 2>/dev/null |
	   grep -q '^mta_check_status{'; then
		TARGET_MODE=exporter
	fi
fi
if [ "$TARGET_MODE" = standin ]; then
	say "NOTE: target is a stand-in (python3 http.server serving $FIX/*.prom),"
	say "      not mta_exporter: the exporter does not emit mta_check_status yet"
fi

target_start() {
	case $TARGET_MODE in
	exporter)
		mkdir -p "$WORK/rootfs"
		cp -a "$FIX/rootfs-failing/." "$WORK/rootfs/"
		start_bg "$WORK/target.log" "$MTA_EXPORTER" \
			--web.listen-address=$HOST:$PORT_TARGET --path.rootfs="$WORK/rootfs"
		;;
	standin)
		mkdir -p "$WORK/www"
		cp "$FIX/failing.prom" "$WORK/www/metrics"
		start_bg "$WORK/target.log" "$PY" -m http.server --bind $HOST \
			--directory "$WORK/www" $PORT_TARGET
		;;
	*) die "unknown TARGET_MODE $TARGET_MODE" ;;
	esac
	TARGET_PID=$BG_PID
	wait_http "http://$HOST:$PORT_TARGET/metrics" 20
}
target_fix() {
	case $TARGET_MODE in
	exporter)
		rm -rf "$WORK/rootfs.new"; mkdir -p "$WORK/rootfs.new"
		cp -a "$FIX/rootfs-fixed/." "$WORK/rootfs.new/"
		rm -rf "$WORK/rootfs.old"; mv "$WORK/rootfs" "$WORK/rootfs.old"
		mv "$WORK/rootfs.new" "$WORK/rootfs"
		;;
	standin)
		cp "$FIX/fixed.prom" "$WORK/www/metrics.new"
		mv "$WORK/www/metrics.new" "$WORK/www/metrics"
		;;
	esac
}
target_stop() { kill "$TARGET_PID"; wait "$TARGET_PID" 2>/dev/null || true; }

# ---------------------------------------------------------------- stack
"$PY" "$SRC/dashboards/tools/customize.py" --for-all 3s \
	--for MtaExporterAbsent=1m -o "$WORK/mta.rules.yml"
cat >"$WORK/prometheus.yml" <<CFG
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files: [mta.rules.yml]
alerting:
  alertmanagers:
    - static_configs: [{targets: ['$HOST:$PORT_AM']}]
scrape_configs:
  - job_name: mta
    static_configs: [{targets: ['$HOST:$PORT_TARGET']}]
CFG
cat >"$WORK/alertmanager.yml" <<CFG
route:
  receiver: webhook
  group_by: ['...']
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: webhook
    webhook_configs:
      - url: 'http://$HOST:$PORT_HOOK/'
        send_resolved: true
CFG
promtool check rules "$WORK/mta.rules.yml" >/dev/null || die "promtool check rules (shortened copy)"
promtool check config "$WORK/prometheus.yml" >/dev/null || die "promtool check config"
amtool check-config "$WORK/alertmanager.yml" >/dev/null || die "amtool check-config"

start_bg "$WORK/webhook.log" "$PY" "$SRC/dashboards/tests/alert_webhook.py" \
	serve $PORT_HOOK "$WORK/webhook.jsonl"
start_bg "$WORK/alertmanager.log" prometheus-alertmanager \
	--config.file="$WORK/alertmanager.yml" --storage.path="$WORK/am" \
	--web.listen-address=$HOST:$PORT_AM --cluster.listen-address=
target_start
start_bg "$WORK/prometheus.log" prometheus --config.file="$WORK/prometheus.yml" \
	--storage.tsdb.path="$WORK/tsdb" --web.listen-address=$HOST:$PORT_PROM \
	--rules.alert.resend-delay=1s
wait_http "http://$HOST:$PORT_HOOK/" 20
wait_http "http://$HOST:$PORT_AM/-/ready" 30
wait_http "http://$HOST:$PORT_PROM/-/ready" 30
say "stack up: target=$TARGET_MODE prometheus=$PORT_PROM alertmanager=$PORT_AM webhook=$PORT_HOOK"

# EXPECT describes tests/fixtures/alerting/failing.prom (standin).  With
# TARGET_MODE=exporter it must describe what the exporter reports for
# rootfs-failing: keep the two fixtures in step.
I="instance=$HOST:$PORT_TARGET"
EXPECT=(
	"alertname=MtaOpenRelay,$I,mta=postfix,service=smtp,severity=critical;Host $HOST:$PORT_TARGET;mta_no_open_relay;permit_mynetworks_global"
	"alertname=MtaListeningNonLoopback,$I,port=25,severity=warning;Host $HOST:$PORT_TARGET;cis_2_1_21;0.0.0.0 by master"
	"alertname=MtaCheckFailed,$I,check=cis_2_1_21,severity=warning;check cis_2_1_21;inet_interfaces_all, nonloopback_listener"
	"alertname=MtaCheckFailed,$I,check=stig_gen004710,severity=critical;check stig_gen004710;open_relay"
	"alertname=MtaCheckFailed,$I,check=postfix_vrfy_disabled,severity=warning;Host $HOST:$PORT_TARGET;vrfy_enabled"
	"alertname=MtaCheckFailed,$I,check=postfix_banner_no_product,severity=info;banner_names_postfix"
	"alertname=MtaCheckFailed,$I,check=postfix_mynetworks_not_global,severity=critical;mynetworks_0_0_0_0"
	"alertname=MtaCheckFailed,$I,check=postfix_smtpd_tls,severity=warning;smtpd_tls_security_level_none"
	"alertname=MtaRuntimeDrift,$I,check=mta_runtime_matches_config,severity=warning;Host $HOST:$PORT_TARGET;config_newer_than_master"
	"alertname=MtaConfigWarnings,$I,check=postfix_no_config_warnings,severity=warning;has 2 warning(s);unused_parameter"
	"alertname=MtaOpenRelayUndetermined,$I,service=submission,severity=info;service submission"
	"alertname=MtaCollectorFailing,$I,collector=exim,severity=warning;exim collector"
)
args=()
for e in "${EXPECT[@]}"; do args+=(--expect "$e"); done

say "phase 1: failing host, waiting for ${#EXPECT[@]} firing alerts"
"$PY" "$SRC/dashboards/tests/alert_webhook.py" wait "$WORK/webhook.jsonl" \
	--status firing --timeout 90 --only --absent MtaExporterAbsent \
	--absent MtaExporterDown "${args[@]}" || die "expected alerts did not fire"
# --only above: any other firing alert (e.g. MtaCheckFailed for a passing
# check, or for one with a dedicated alert) fails the test.

say "phase 1: every dashboard panel query against this Prometheus"
"$PY" "$SRC/dashboards/tests/dashboards_check.py" query \
	--prometheus "http://$HOST:$PORT_PROM" || die "dashboard queries"

say "phase 2: fixing the host, waiting for every alert to resolve"
target_fix
"$PY" "$SRC/dashboards/tests/alert_webhook.py" wait "$WORK/webhook.jsonl" \
	--status resolved --timeout 90 "${args[@]}" || die "alerts did not resolve"

say "phase 3: stopping the target, waiting for MtaExporterDown"
target_stop
"$PY" "$SRC/dashboards/tests/alert_webhook.py" wait "$WORK/webhook.jsonl" \
	--status firing --timeout 60 --absent MtaExporterAbsent \
	--expect "alertname=MtaExporterDown,$I,severity=warning;Host $HOST:$PORT_TARGET;scrape_failed" ||
	die "MtaExporterDown did not fire"

DONE=1
say "1 passed, 0 failed"
