#!/usr/bin/env bash
# alerting_stack.sh - the shipped rules and dashboards against a real
# Prometheus, Alertmanager and node_exporter, on loopback only (free ports
# picked at start), with a small fleet of real exporters:
#
#   A  client, failing (tests/fixtures/alerting/rootfs-failing), waivers:
#      postfix_vrfy_disabled in force but ending in 3 days,
#      postfix_mynetworks_local expired, postfix_config_warnings in force
#      until a reload (SIGHUP) drops it
#   B  server (--checks.role=server, rootfs-server): listens on every
#      interface, stig_gen004710 waived, mta_no_open_relay in error (a
#      policy service decides the submission service's relaying)
#   D  textfile mode: `mta_exporter --once=FILE` of rootfs-fixed with VRFY
#      turned back on, served by node_exporter's textfile collector (job
#      "node"), the file an hour old
#   E  a fresh host with no MTA (rootfs-fresh)
#
#   exporters, node_exporter <- Prometheus (shipped rules, `for:` shortened)
#   -> Alertmanager -> webhook receiver (a file)
#
# 1. the expected alerts, and nothing else, reach the webhook with their
#    labels and annotations: one MtaCheckFailed per failing check of A
#    (the open relay the only critical one; the expired waiver's check with
#    the reason waiver_expired; none for the waived check), the waiver
#    expiring soon, MtaCheckError for B, D's failure with job="node" and
#    MtaTextfileStale; nothing for the server's exposure, the waivers in
#    force or the fresh host;
#    then every panel query of every dashboard runs against this
#    Prometheus (the host view on A): none may return nothing or NaN;
# 2. A is fixed (its root swapped to rootfs-fixed) and its waivers file
#    replaced by an invalid one (SIGHUP): A's failures resolve,
#    MtaWaiversReloadFailed fires, the waivers in force stay, nothing else
#    changes;
# 3. A stops: MtaExporterDown fires.
#
# The hosts are fixture trees; each exporter's --path.rootfs is a symlink
# (A's is swapped atomically to fix the host), and its listening sockets come
# from the netlink dump listeners.rec inside the tree (--netlink.replay), so
# the test does not depend on what listens on this machine.
#
# Durations: Prometheus loads a copy of dashboards/alerts/mta.rules.yml made
# by dashboards/tools/customize.py --for-all 3s (MtaExporterAbsent keeps 1m so
# startup, before the first scrape, cannot trip it).  The real durations are
# covered by promtool test rules in dashboards_static.sh.
. "$(dirname "$0")/lib.sh"

SRC=$MTA_SOURCE_DIR
FIX=$SRC/tests/fixtures/alerting
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
need_pkg prometheus-node-exporter prometheus-node-exporter
need_pkg amtool prometheus-alertmanager
need_pkg promtool prometheus
need_pkg curl curl

# Free loopback ports, so that runs from other checkouts cannot collide.
read -r PORT_PROM PORT_AM PORT_HOOK PORT_A PORT_B PORT_E PORT_NODE < <("$PY" - <<'PY'
import socket
socks = [socket.socket() for _ in range(7)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
PY
)

# On failure, show the daemons' logs (lib.sh kills them, then runs this).
DONE=
dump_logs() {
	[ -n "$DONE" ] && return 0
	local f
	for f in prometheus.log alertmanager.log node.log a.log b.log e.log webhook.jsonl; do
		[ -s "$WORK/$f" ] && { say "--- $f (tail)"; tail -n 30 "$WORK/$f"; }
	done
	return 0
}
on_exit dump_logs

# ---------------------------------------------------------------- the hosts
for t in failing fixed server fresh; do
	[ -f "$FIX/rootfs-$t/listeners.rec" ] || die "fixture tree rootfs-$t missing"
done
ln -sfn "$FIX/rootfs-failing" "$WORK/root-a"
ln -sfn "$FIX/rootfs-server" "$WORK/root-b"
ln -sfn "$FIX/rootfs-fresh" "$WORK/root-e"
day() { date -u -d "$1" +%Y-%m-%d; }
SOON=$(day '+3 days')
cat >"$WORK/waivers-a.yml" <<EOF
- check: postfix_vrfy_disabled
  reason: VRFY needed by the helpdesk tool, ticket 123
  expires: $SOON
- check: postfix_mynetworks_local
  reason: migration of the old relay network, ticket 77
  expires: 2020-01-31
- check: postfix_config_warnings
  reason: duplicate mynetworks, cleanup scheduled
  expires: 2099-12-31
EOF
cat >"$WORK/waivers-b.yml" <<EOF
- check: stig_gen004710
  mta: postfix
  reason: an MX must accept mail from any client; relaying is closed (mta_no_open_relay)
  expires: 2099-12-31
EOF
exporter() {	# exporter NAME PORT ROOT [FLAG...]: start it, its pid in PID_<NAME>
	local name=$1 port=$2 root=$3
	shift 3
	start_bg "$WORK/$name.log" "$MTA_EXPORTER" --web.listen-address=$HOST:"$port" \
		--path.rootfs="$root" --netlink.replay="$root/listeners.rec" "$@"
	printf -v "PID_$name" '%s' "$BG_PID"
	wait_http "http://$HOST:$port/metrics" 20
}
exporter a "$PORT_A" "$WORK/root-a" --checks.waivers="$WORK/waivers-a.yml"
exporter b "$PORT_B" "$WORK/root-b" --checks.role=server --checks.waivers="$WORK/waivers-b.yml" \
	--listeners.ports=25
exporter e "$PORT_E" "$WORK/root-e"
# D: the textfile node_exporter serves, written an hour ago (the timer stopped).
mkdir -p "$WORK/textfile"
cp -r "$FIX/rootfs-fixed" "$WORK/root-d"
sed -i 's/^disable_vrfy_command = yes/disable_vrfy_command = no/' "$WORK/root-d/etc/postfix/main.cf"
"$MTA_EXPORTER" --once="$WORK/textfile/mta_exporter.prom" --path.rootfs="$WORK/root-d" \
	--netlink.replay="$WORK/root-d/listeners.rec" --log.level=error || die "--once for the textfile"
touch -d '-1 hour' "$WORK/textfile/mta_exporter.prom"
start_bg "$WORK/node.log" prometheus-node-exporter --web.listen-address=$HOST:$PORT_NODE \
	--collector.disable-defaults --collector.textfile --collector.textfile.directory="$WORK/textfile"
wait_http "http://$HOST:$PORT_NODE/metrics" 20
# (read whole: `curl | grep -q` can kill curl with SIGPIPE, a false failure)
node_metrics=$(curl -fsS "http://$HOST:$PORT_NODE/metrics")
grep -q '^mta_check_status{check="postfix_vrfy_disabled",status="fail"} 1$' <<<"$node_metrics" ||
	die "node_exporter does not serve the textfile"

# ---------------------------------------------------------------- the stack
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
    static_configs: [{targets: ['$HOST:$PORT_A', '$HOST:$PORT_B', '$HOST:$PORT_E']}]
  - job_name: node
    static_configs: [{targets: ['$HOST:$PORT_NODE']}]
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
start_bg "$WORK/prometheus.log" prometheus --config.file="$WORK/prometheus.yml" \
	--storage.tsdb.path="$WORK/tsdb" --web.listen-address=$HOST:$PORT_PROM \
	--rules.alert.resend-delay=1s
wait_http "http://$HOST:$PORT_HOOK/" 20
wait_http "http://$HOST:$PORT_AM/-/ready" 30
wait_http "http://$HOST:$PORT_PROM/-/ready" 30
say "stack up: exporters A=$PORT_A B=$PORT_B E=$PORT_E node=$PORT_NODE prometheus=$PORT_PROM alertmanager=$PORT_AM webhook=$PORT_HOOK"

promql() {	# promql EXPR: the number of series the instant query returns
	curl -fsS -G "http://$HOST:$PORT_PROM/api/v1/query" --data-urlencode "query=$1" |
		"$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["data"]["result"]))'
}
wait_promql() {	# wait_promql EXPR SECONDS: until the query returns a series
	local i
	for ((i = 0; i < $2 * 4; i++)); do
		[ "$(promql "$1" 2>/dev/null || echo 0)" -gt 0 ] && return 0
		sleep 0.25
	done
	die "no result for $1 after $2 s"
}

# A's postfix_config_warnings is waived until the reload: once Prometheus has
# seen that, the waiver is dropped (SIGHUP re-reads the file) and the check
# fails: a status change the "what changed" panels must show.
IA="instance=\"$HOST:$PORT_A\""
wait_promql "mta_check_status{$IA,check=\"postfix_config_warnings\",status=\"waived\"} == 1" 30
sed -i '/check: postfix_config_warnings/,/expires: 2099-12-31/d' "$WORK/waivers-a.yml"
kill -HUP "$PID_a"
wait_promql "mta_check_status{$IA,check=\"postfix_config_warnings\",status=\"fail\"} == 1" 30
grep -q 'msg="waivers reloaded".*count=2' "$WORK/a.log" || die "A did not log the reload: $(tail -3 "$WORK/a.log")"
say "A's waivers reloaded on SIGHUP: postfix_config_warnings went from waived to fail"

# EXPECT is what the exporters report (and nothing else may fire): keep it
# in step with the fixture trees and the waivers above.
A="instance=$HOST:$PORT_A" B="instance=$HOST:$PORT_B" D="instance=$HOST:$PORT_NODE"
F="alertname=MtaCheckFailed"
EXPECT=(
	"$F,$A,job=mta,check=mta_no_open_relay,severity=critical;Host $HOST:$PORT_A: check mta_no_open_relay;reasons: postfix_open_relay"
	"$F,$A,job=mta,check=cis_2_1_21,severity=warning;(MTA is configured for local-only mode;reasons: port_25_nonloopback, postfix_inet_interfaces_all"
	"$F,$A,job=mta,check=stig_gen004710,severity=warning;reasons: postfix_client_restrictions_missing"
	"$F,$A,job=mta,check=mta_runtime_matches_config,severity=warning;reasons: postfix_endpoint_not_listening"
	"$F,$A,job=mta,check=postfix_mynetworks_local,severity=warning;reasons: mynetworks_global, waiver_expired"
	"$F,$A,job=mta,check=postfix_config_warnings,severity=warning;reasons: config_warnings"
	"$F,$A,job=mta,check=tls_legacy_protocols_disabled,severity=warning;reasons: postfix_config_allows_tls1_0, postfix_config_allows_tls1_1"
	"alertname=MtaWaiverExpiresSoon,$A,check=postfix_vrfy_disabled,severity=info;reason: VRFY needed by the helpdesk tool, ticket 123, last day $SOON"
	"alertname=MtaCheckError,$B,job=mta,check=mta_no_open_relay,severity=warning;reasons: postfix_relay_undetermined"
	"$F,$D,job=node,check=postfix_vrfy_disabled,severity=warning;Host $HOST:$PORT_NODE;reasons: vrfy_enabled"
	"alertname=MtaTextfileStale,$D,job=node,severity=warning;mta_exporter.prom was last written"
)
args=()
for e in "${EXPECT[@]}"; do args+=(--expect "$e"); done

say "phase 1: the fleet, waiting for ${#EXPECT[@]} firing alerts and nothing else"
"$PY" "$SRC/dashboards/tests/alert_webhook.py" wait "$WORK/webhook.jsonl" \
	--status firing --timeout 120 --only --absent MtaExporterAbsent \
	--absent MtaExporterDown --absent MtaCollectorFailing "${args[@]}" || die "expected alerts did not fire"
# --only above: any other firing alert (the waived check, the server's
# exposure or its waived STIG finding, anything about the fresh host E)
# fails the test.  Every rule evaluated several times since the last of them
# fired, so nothing is merely pending: check that, then the webhook again.
sleep 5
"$PY" "$SRC/dashboards/tests/alert_webhook.py" wait "$WORK/webhook.jsonl" \
	--status firing --timeout 5 --only "${args[@]}" >/dev/null || die "an unexpected alert fired late"
[ "$(promql "ALERTS{alertstate=\"pending\"}")" = 0 ] || die "pending alerts: $(curl -fsS -G "http://$HOST:$PORT_PROM/api/v1/query" --data-urlencode 'query=ALERTS{alertstate="pending"}')"

say "phase 1: every dashboard panel query against this Prometheus (the host view on A)"
"$PY" "$SRC/dashboards/tests/dashboards_check.py" query \
	--prometheus "http://$HOST:$PORT_PROM" --var instance="$HOST:$PORT_A" ||
	die "dashboard queries (empty or NaN on the failing fleet)"

say "phase 2: fixing A, and an invalid waivers file (SIGHUP)"
ln -sfn "$FIX/rootfs-fixed" "$WORK/root-a.new"	# rename(2) over the old link:
mv -T "$WORK/root-a.new" "$WORK/root-a"		# every scrape sees one tree
printf -- '- check: postfix_vrfy\n  reason: typo\n  expires: 2099-01-01\n' >"$WORK/waivers-a.yml"
kill -HUP "$PID_a"
RESOLVE=("${EXPECT[@]:0:7}")
KEEP=("${EXPECT[@]:7}" "alertname=MtaWaiversReloadFailed,$A,severity=warning;waivers_reload_failed")
args=()
for e in "${RESOLVE[@]}"; do args+=(--expect "$e"); done
for e in "${KEEP[@]}"; do args+=(--keep "$e"); done
"$PY" "$SRC/dashboards/tests/alert_webhook.py" wait "$WORK/webhook.jsonl" \
	--status resolved --timeout 120 --only "${args[@]}" || die "A's alerts did not resolve, or others changed"
# --only again: the fixed host must not raise anything new; the other hosts'
# alerts and the waiver expiring soon stay.
grep -q 'msg="waivers reload failed; keeping the waivers in force".*line 1: entry 1: check: unknown check' \
	"$WORK/a.log" || die "A did not log the failed reload: $(tail -3 "$WORK/a.log")"
[ "$(promql "mta_check_waiver_info{$IA,check=\"postfix_vrfy_disabled\"}")" = 1 ] ||
	die "the waivers in force were dropped by an invalid reload"
say "phase 2: A resolved; the invalid waivers file was refused and the old waivers kept"

say "phase 3: stopping A, waiting for MtaExporterDown"
kill "$PID_a"
wait "$PID_a" 2>/dev/null || true
"$PY" "$SRC/dashboards/tests/alert_webhook.py" wait "$WORK/webhook.jsonl" \
	--status firing --timeout 60 --absent MtaExporterAbsent \
	--expect "alertname=MtaExporterDown,$A,severity=warning;Host $HOST:$PORT_A;scrape_failed" ||
	die "MtaExporterDown did not fire"

DONE=1
say "1 passed, 0 failed"
