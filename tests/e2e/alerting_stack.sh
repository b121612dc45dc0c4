#!/usr/bin/env bash
# alerting_stack.sh - the shipped rules and dashboards against a real
# Prometheus and Alertmanager, on loopback only (ports 20300-20309).
#
#   mta_exporter <- Prometheus (shipped rules, `for:` shortened)
#   -> Alertmanager -> webhook receiver (a file)
#
# 1. the exporter audits a failing host: the expected alerts must reach the
#    webhook with their labels and annotations, and nothing else may fire;
#    every panel query of every dashboard must return data;
# 2. the host is fixed: every alert must arrive as resolved, none new fires;
# 3. the exporter stops: MtaExporterDown must fire.
#
# The host is a fixture tree: tests/fixtures/alerting/rootfs-failing, then
# rootfs-fixed (see the README there).  The exporter runs with --path.rootfs
# on a symlink that is swapped atomically to fix the host; it re-reads the
# configuration on every scrape.  Its listening sockets come from the
# netlink dump listeners.rec inside each tree (--netlink.replay, also
# re-read on every scrape), so the test does not depend on what listens on
# this machine and the swap changes both.
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
[ -d "$FIX/rootfs-failing" ] && [ -d "$FIX/rootfs-fixed" ] || die "fixture trees missing"
ln -sfn "$FIX/rootfs-failing" "$WORK/rootfs"
target_start() {
	start_bg "$WORK/target.log" "$MTA_EXPORTER" \
		--web.listen-address=$HOST:$PORT_TARGET --path.rootfs="$WORK/rootfs" \
		--netlink.replay="$WORK/rootfs/listeners.rec"
	TARGET_PID=$BG_PID
	wait_http "http://$HOST:$PORT_TARGET/metrics" 20
}
target_fix() {	# rename(2) over the old link: every scrape sees one tree
	ln -sfn "$FIX/rootfs-fixed" "$WORK/rootfs.new"
	mv -T "$WORK/rootfs.new" "$WORK/rootfs"
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
say "stack up: exporter=$PORT_TARGET prometheus=$PORT_PROM alertmanager=$PORT_AM webhook=$PORT_HOOK"

# EXPECT is what the exporter reports for rootfs-failing (and nothing
# else may fire): keep it in step with the fixture trees.
I="instance=$HOST:$PORT_TARGET"
EXPECT=(
	"alertname=MtaOpenRelay,$I,check=mta_no_open_relay,mta=postfix,service=smtp,severity=critical;Host $HOST:$PORT_TARGET: postfix service smtp;reasons: postfix_open_relay)"
	"alertname=MtaListeningNonLoopback,$I,check=cis_2_1_21,port=25,severity=warning;port 25 listens on a non-loopback address (0.0.0.0);reason: port_25_nonloopback"
	"alertname=MtaCheckFailed,$I,check=cis_2_1_21,severity=warning;check cis_2_1_21 (MTA is configured for local-only mode;reasons: port_25_nonloopback, postfix_inet_interfaces_all"
	"alertname=MtaCheckFailed,$I,check=stig_gen004710,severity=critical;check stig_gen004710 (Mail relaying is restricted;reasons: postfix_client_restrictions_missing"
	"alertname=MtaCheckFailed,$I,check=postfix_vrfy_disabled,severity=warning;Host $HOST:$PORT_TARGET;reasons: vrfy_enabled"
	"alertname=MtaCheckFailed,$I,check=postfix_mynetworks_local,severity=warning;reasons: mynetworks_global"
	"alertname=MtaRuntimeDrift,$I,check=mta_runtime_matches_config,severity=warning;Host $HOST:$PORT_TARGET;reasons: postfix_endpoint_not_listening)"
	"alertname=MtaConfigWarnings,$I,check=postfix_config_warnings,config_directory=/etc/postfix,severity=warning;has 1 warning(s);reasons: config_warnings)"
	"alertname=MtaOpenRelayUndetermined,$I,check=mta_no_open_relay,mta=postfix,service=submission,severity=info;postfix service submission;reasons: postfix_open_relay)"
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
	--status resolved --timeout 90 --only "${args[@]}" || die "alerts did not resolve"
# --only again: the fixed host must not raise anything new.

say "phase 3: stopping the exporter, waiting for MtaExporterDown"
target_stop
"$PY" "$SRC/dashboards/tests/alert_webhook.py" wait "$WORK/webhook.jsonl" \
	--status firing --timeout 60 --absent MtaExporterAbsent \
	--expect "alertname=MtaExporterDown,$I,severity=warning;Host $HOST:$PORT_TARGET;scrape_failed" ||
	die "MtaExporterDown did not fire"

DONE=1
say "1 passed, 0 failed"
