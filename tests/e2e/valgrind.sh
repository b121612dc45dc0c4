#!/usr/bin/env bash
# valgrind.sh - the exporter under valgrind memcheck: 1,000 scrapes (both
# formats, gzip, HEAD, 404/405, the landing page), TLS + basic auth scrapes
# and a SIGHUP reload of the web config, then SIGTERM.  Memcheck must
# report no errors and no definite or indirect leaks, and the exit status
# must be 0.  Skipped under sanitizer builds (ASan and valgrind exclude
# each other).
. "$(dirname "$0")/lib.sh"

if sanitized; then
	echo "SKIP: sanitizer build" >&2
	exit 77
fi
apt_need valgrind valgrind
apt_need htpasswd apache2-utils
apt_need openssl openssl
PORT=20750
ADDR=127.0.0.1:$PORT
mkdir -p "$T/root"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/s.key" -out "$T/s.crt" \
	-days 2 -subj /CN=localhost -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
HASH=$(htpasswd -nbBC 4 "" pw | tr -d ':\n')
printf 'tls_server_config:\n  cert_file: s.crt\n  key_file: s.key\nbasic_auth_users:\n  u: %s\nhttp_server_config:\n  headers:\n    X-Content-Type-Options: nosniff\n' \
	"$HASH" >"$T/web.yml"

vg() {	# LOG ARGS...: the exporter under memcheck
	local log=$1; shift
	start_bg "$log.out" valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect \
		--errors-for-leak-kinds=definite,indirect --error-exitcode=99 --track-fds=no \
		--log-file="$log" "$MTA_EXPORTER" --path.rootfs="$T/root" --log.level=info "$@"
}
check_vg() {	# PID LOG
	local pid=$1 log=$2 rc
	kill -TERM "$pid"
	set +e; wait "$pid"; rc=$?; set -e
	[ "$rc" = 0 ] || { cat "$log"; fail "exit status $rc under valgrind"; }
	grep -q 'ERROR SUMMARY: 0 errors' "$log" || { cat "$log"; fail "memcheck errors"; }
	grep -q 'definitely lost: [1-9]\|indirectly lost: [1-9]' "$log" && { cat "$log"; fail "leaks"; }
	return 0
}

# Plain HTTP: 1,000 scrapes of every kind.
vg "$T/vg1" --web.listen-address=$ADDR
P1=$BG_PID
wait_http "http://$ADDR/-/healthy" 60
python3 - "$PORT" <<'PY' || fail "scrapes"
import http.client, sys
port = int(sys.argv[1])
c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
kinds = [
    ("GET", "/metrics", {"Accept": "application/openmetrics-text;version=1.0.0"}),
    ("GET", "/metrics", {"Accept-Encoding": "gzip"}),
    ("GET", "/metrics", {}),
    ("HEAD", "/metrics", {}),
    ("GET", "/", {}),
    ("GET", "/nope", {}),
    ("POST", "/metrics", {}),
    ("GET", "/metrics%00", {}),
]
for i in range(1000):
    m, p, h = kinds[i % len(kinds)]
    c.request(m, p, headers=h)
    r = c.getresponse()
    r.read()
    if r.status not in (200, 404, 405):
        sys.exit("%s %s: %d" % (m, p, r.status))
    if i % 100 == 99:  # new connections now and then
        c.close()
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
print("1000 scrapes done")
PY
check_vg "$P1" "$T/vg1"
pass "1,000 scrapes under memcheck: no errors, no leaks, exit 0"

# TLS + basic auth + a SIGHUP reload.
vg "$T/vg2" --web.listen-address=$ADDR --web.config.file="$T/web.yml"
P2=$BG_PID
for i in $(seq 600); do
	curl -sk -u u:pw -o /dev/null "https://$ADDR/-/healthy" 2>/dev/null && break
	sleep 0.1
done
for i in $(seq 50); do
	curl -fsSk -u u:pw -o /dev/null "https://$ADDR/metrics" || fail "TLS scrape $i"
done
[ "$(curl -sSk -u u:bad -o /dev/null -w '%{http_code}' "https://$ADDR/metrics")" = 401 ] || fail "bad password"
[ "$(curl -sSk -u nobody:pw -o /dev/null -w '%{http_code}' "https://$ADDR/metrics")" = 401 ] || fail "unknown user"
# A reload that changes TLS settings restarts the daemons on their sockets.
sed -i 's/^  key_file: s.key$/  key_file: s.key\n  min_version: TLS13/' "$T/web.yml"
grep -q 'min_version: TLS13' "$T/web.yml" || fail "web.yml edit"
kill -HUP "$P2"
for i in $(seq 100); do grep -q 'tls_restarted=true' "$T/vg2.out" && break; sleep 0.1; done
grep -q 'tls_restarted=true' "$T/vg2.out" || fail "no TLS restart logged: $(cat "$T/vg2.out")"
for i in $(seq 20); do
	curl -fsSk -u u:pw -o /dev/null "https://$ADDR/metrics" || fail "TLS scrape after reload $i"
done
printf 'basic_auth_users: [broken\n' >"$T/web.yml"
kill -HUP "$P2"
sleep 2
curl -fsSk -u u:pw -o /dev/null "https://$ADDR/metrics" || fail "last good config lost"
check_vg "$P2" "$T/vg2"
pass "TLS, basic auth and reloads under memcheck: no errors, no leaks, exit 0"
# The collectors on real configuration trees (whichever fixtures exist).
mkdir -p "$T/mix"
for d in postfix/rootfs-multi sendmail/rootfs-hardened; do
	[ -d "$MTA_SOURCE_DIR/tests/fixtures/$d" ] && cp -r "$MTA_SOURCE_DIR/tests/fixtures/$d/." "$T/mix/"
done
start_bg "$T/vg3.out" valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect \
	--errors-for-leak-kinds=definite,indirect --error-exitcode=99 --log-file="$T/vg3" \
	"$MTA_EXPORTER" --path.rootfs="$T/mix" --log.level=error --web.listen-address=$ADDR
P3=$BG_PID
wait_http "http://$ADDR/-/healthy" 60
for i in $(seq 200); do
	curl -fsS -o /dev/null "http://$ADDR/metrics" || fail "fixture scrape $i"
done
curl -fsS "http://$ADDR/metrics" | grep -q '^mta_detected{mta="postfix"} 1' ||
	! [ -d "$MTA_SOURCE_DIR/tests/fixtures/postfix/rootfs-multi" ] || fail "postfix fixture not detected"
check_vg "$P3" "$T/vg3"
pass "200 scrapes of fixture configuration trees under memcheck: no errors, no leaks"
echo "all valgrind checks passed"
