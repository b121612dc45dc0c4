#!/usr/bin/env bash
# auth_hostile.sh - basic auth with expensive bcrypt hashes (cost 13, about
# half a second each) against the real server (docs/security.md, "Basic
# auth"):
#   enumeration  a known user with a wrong password and an unknown user
#                take about as long (the dummy hash has the highest
#                configured cost; it was fixed at 10);
#   starvation   8 clients on 8 addresses, 4 connections each, sending
#                wrong passwords without pause: scrapes with a correct,
#                cached password must answer within 1 s (3 s under
#                sanitizers), a correct password not yet cached from
#                another address must get through (within 60 s: clients
#                are taken in turn; the order itself is test_verifier's),
#                the storm gets only 401 and 429 (those answered), and
#                peak RSS stays under 64 MiB (sanitizers: the peak before
#                the storm + 64 MiB).
. "$(dirname "$0")/lib.sh"
apt_need htpasswd apache2-utils
apt_need python3 python3

LIMIT_S=1
sanitized && LIMIT_S=3
PORT=$((21100 + $$ % 100))
URL=http://127.0.0.1:$PORT
mkdir -p "$T/root"
HASH_A=$(htpasswd -nbBC 13 "" secret | tr -d ':\n')
HASH_B=$(htpasswd -nbBC 13 "" other | tr -d ':\n')
printf 'basic_auth_users:\n  alice: %s\n  bob: %s\n' "$HASH_A" "$HASH_B" >"$T/web.yml"

start_bg "$T/log" "$MTA_EXPORTER" --web.listen-address=127.0.0.1:$PORT --web.config.file="$T/web.yml" \
	--path.rootfs="$T/root"
PID=$BG_PID
for i in $(seq 100); do
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/-/healthy" || true)" = 401 ] && break
	sleep 0.1
done
secs() { curl -s -o /dev/null -w '%{time_total}' "$@" || true; }
code() { curl -s -o /dev/null -w '%{http_code}' "$@" || true; }
median3() { printf '%s\n' "$@" | sort -n | sed -n 2p; }

# --- enumeration -------------------------------------------------------------
w=() u=()
for i in 1 2 3; do
	w+=("$(secs -u alice:wrong "$URL/metrics")")
	u+=("$(secs -u nobody:wrong "$URL/metrics")")
done
tw=$(median3 "${w[@]}") tu=$(median3 "${u[@]}")
echo "   wrong password: ${w[*]} s; unknown user: ${u[*]} s"
python3 -c 'import sys; w, u = float(sys.argv[1]), float(sys.argv[2]); sys.exit(0 if w / 2 <= u <= w * 2 else 1)' \
	"$tw" "$tu" || fail "an unknown user takes $tu s, a wrong password $tw s: user names can be told apart"
pass "an unknown user costs what a wrong password of a cost-13 user does ($tu s / $tw s)"

# --- starvation --------------------------------------------------------------
[ "$(code -u alice:secret "$URL/metrics")" = 200 ] || fail "alice cannot log in"	# now cached
t=$(secs -u alice:secret "$URL/metrics")
python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)' "$t" "$LIMIT_S" || fail "cached login took $t s"
base=$(awk '/^VmHWM/ {print $2}' "/proc/$PID/status")

python3 - "$PORT" "$T/storm.ready" "$T/storm.done" "$T/storm.codes" <<'PY' &
import base64, collections, os, socket, sys, threading, time
port, ready, done, out = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
codes = collections.Counter()
lock = threading.Lock()
def storm(addr, n):
    while not os.path.exists(done):
        cred = base64.b64encode(b"alice:wrong%d" % n if n % 2 else b"nobody%d:x" % n)
        try:
            s = socket.socket()
            s.bind((addr, 0))
            s.settimeout(120)
            s.connect(("127.0.0.1", port))
            s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Basic " +
                      cred + b"\r\n\r\n")
            data = s.recv(64)
            s.close()
            code = data.split(b" ", 2)[1].decode() if data.startswith(b"HTTP/1.1 ") else "none"
        except OSError as e:
            code = type(e).__name__
        with lock:
            codes[code] += 1
        n += 1
threads = [threading.Thread(target=storm, args=("127.0.5.%d" % (1 + i // 4), i), daemon=True) for i in range(32)]
for t in threads:
    t.start()
open(ready, "w").close()
while not os.path.exists(done):
    time.sleep(0.1)
with lock, open(out, "w") as f:
    f.write(" ".join("%s=%d" % kv for kv in sorted(codes.items())) + "\n")
PY
STORM=$!
E2E_PIDS+=("$STORM")
for i in $(seq 100); do [ -e "$T/storm.ready" ] && break; sleep 0.1; done
sleep 1	# every storm thread has a verification pending
times=()
for i in $(seq 8); do
	t=$(curl -s -m 10 -u alice:secret -o "$T/body" -w '%{time_total}' "$URL/metrics") ||
		fail "cached scrape $i failed during the storm"
	grep -q '^mta_exporter_build_info' "$T/body" || fail "cached scrape $i: no exposition"
	times+=("$t")
	sleep 0.3
done
tb=$(secs -m 60 -u bob:other "$URL/metrics")
[ "$(code -u bob:other "$URL/metrics")" = 200 ] || fail "bob (verified during the storm) is not cached"
peak=$(awk '/^VmHWM/ {print $2}' "/proc/$PID/status")
touch "$T/storm.done"
wait "$STORM" 2>/dev/null || true
echo "   cached scrapes during the storm: ${times[*]} s; uncached login: $tb s; storm answers: $(cat "$T/storm.codes")"
echo "   peak RSS $peak KiB (before the storm $base KiB)"
for t in "${times[@]}"; do
	python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)' "$t" "$LIMIT_S" ||
		fail "a cached scrape took $t s during the storm (limit $LIMIT_S s): ${times[*]}"
done
python3 -c 'import sys; sys.exit(0 if 0 < float(sys.argv[1]) < 60 else 1)' "$tb" ||
	fail "an uncached correct login waited $tb s behind the storm"
grep -qE '^(401=[0-9]+ ?)?(429=[0-9]+)?$' "$T/storm.codes" && grep -q '401=' "$T/storm.codes" ||
	fail "the storm got other answers than 401 and 429: $(cat "$T/storm.codes")"
if sanitized; then
	[ "$peak" -le $((base + 64 * 1024)) ] || fail "peak RSS $peak KiB, $base KiB before"
else
	[ "$peak" -le $((64 * 1024)) ] || fail "peak RSS $peak KiB (limit 65536 KiB)"
fi
pass "a wrong-password storm from 8 clients does not starve cached scrapes or other clients"
kill -0 "$PID" || fail "the exporter died"
! grep -E 'level=(error|fatal)' "$T/log" || fail "errors logged"
echo "all auth_hostile checks passed"
