#!/usr/bin/env bash
# http_hostile.sh - hostile HTTP clients against the real binary: request
# lines and headers over the limits (414/431/400), 10,000 headers, invalid
# methods, path-traversal-looking paths (a raw NUL in the path is 404 as
# %00 is), a 16 KiB Accept header full of q-values, the per-address limit,
# 1,000 idle connections (slowloris) from 63 source addresses while a
# scrape from 127.0.0.1 must succeed within 1 s, and clients that never
# read their responses.  RSS is measured before and after: memory must
# stay bounded.  (Floods that reconnect, and pipelining non-readers by the
# thousand: http_flood.sh.)
. "$(dirname "$0")/lib.sh"

PORT=20730
ADDR=127.0.0.1:$PORT
URL=http://$ADDR
mkdir -p "$T/root"

# 1000 idle connections need descriptors on both ends.
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -ge 2200 ] || { echo "SKIP: need 2200 descriptors, have $(ulimit -n)" >&2; exit 77; }

# Under ASan, freed memory sits in a 256 MiB quarantine: keep it small so
# that RSS measures what the exporter holds, not what ASan delays.
if sanitized; then
	export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}quarantine_size_mb=4"
fi
start_bg "$T/log" "$MTA_EXPORTER" --web.listen-address=$ADDR --path.rootfs="$T/root" \
	--web.connection-timeout=10 --log.level=warn
PID=$BG_PID
wait_http "$URL/-/healthy"
rss() { awk '/^VmRSS/ {print $2}' "/proc/$PID/status"; }
for i in $(seq 20); do curl -sS -o /dev/null "$URL/metrics"; done
RSS0=$(rss)

python3 - "$PORT" <<'PY' || fail "hostile requests"
import socket, sys, time
port = int(sys.argv[1])

def req(raw, want, name, timeout=5.0):
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(timeout)
    try:
        s.sendall(raw)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server may answer and close before reading it all
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            d = s.recv(65536)
            if not d:
                break
            data += d
    except (socket.timeout, ConnectionResetError):
        pass
    s.close()
    status = data.split(b" ", 2)[1].decode() if data.startswith(b"HTTP/1.") else "none"
    if status not in want:
        sys.exit("%s: got %s, want %s (%r)" % (name, status, want, data[:120]))
    print("ok - %s -> %s" % (name, status))
    return data

H = b"Host: x\r\n"
req(b"GET /" + b"a" * 200000 + b" HTTP/1.1\r\n" + H + b"\r\n", {"414", "431", "400"}, "200 KiB request line")
req(b"GET /metrics HTTP/1.1\r\n" + H + b"".join(b"X-A%d: %s\r\n" % (i, b"b" * 1000) for i in range(200)) + b"\r\n",
    {"431", "400"}, "200 headers of 1 KiB")
req(b"GET /metrics HTTP/1.1\r\n" + H + b"X-Big: " + b"b" * 300000 + b"\r\n\r\n", {"431", "400"}, "one 300 KiB header")
req(b"GET /metrics HTTP/1.1\r\n" + H + b"".join(b"X-%d: b\r\n" % i for i in range(10000)) + b"\r\n",
    {"431", "400"}, "10,000 headers")
for m in (b"FOO", b"PROPFIND", b"CONNECT"):
    req(m + b" /metrics HTTP/1.1\r\n" + H + b"\r\n", {"405"}, "method " + m.decode())
for m in (b"\x01\x02", b"G\x7fT", b"GET\xff"):
    req(m + b" /metrics HTTP/1.1\r\n" + H + b"\r\n", {"400"}, "invalid method %r" % m)
req(b"GET /metrics\r\n\r\n", {"400"}, "HTTP/0.9-style request line")
req(b"GET /metrics HTTP/9.9\r\n" + H + b"\r\n", {"505", "400"}, "unknown HTTP version")
req(b"POST /metrics HTTP/1.1\r\n" + H + b"Content-Length: 99999999999999999999\r\n\r\n", {"413", "400"},
    "absurd Content-Length")
req(b"POST /metrics HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n", {"400"}, "bad chunk")
for p in (b"/metrics/../metrics", b"/%2e%2e/metrics", b"/../../../../etc/passwd", b"//metrics",
          b"/metrics%00", b"/metrics\x00", b"/metrics\x00junk", b"/-/healthy\x00", b"/metrics/",
          b"/./metrics", b"/metrics?../../x"):
    want = {"200"} if p == b"/metrics?../../x" else {"404"}
    req(b"GET " + p + b" HTTP/1.1\r\n" + H + b"\r\n", want, "path %r" % p)

# A 16 KiB Accept header full of q-values is negotiated, quickly, and correctly
# (request line and headers may take about 30 KiB: the connection's memory is 32 KiB).
acc = b",".join(b"text/plain;version=0.0.4;q=0.%03d" % (i % 500) for i in range(600))
acc = acc[:16384 - 60]
acc = acc[:acc.rfind(b",")] + b",application/openmetrics-text;version=1.0.0;q=0.9"
assert 16000 < len(acc) <= 16384, len(acc)
t0 = time.monotonic()
d = req(b"GET /metrics HTTP/1.1\r\n" + H + b"Accept: " + acc + b"\r\n\r\n", {"200"}, "16 KiB Accept")
dt = time.monotonic() - t0
if b"application/openmetrics-text" not in d or dt > 1.0:
    sys.exit("16 KiB Accept: wrong format or slow (%.3fs): %r" % (dt, d[:200]))
req(b"GET /metrics HTTP/1.1\r\n" + H + b"Accept: " + b"a" * 40000 + b"\r\n\r\n", {"431"}, "40 KiB Accept")
PY
pass "oversized, malformed and odd requests"
curl -fsS -o /dev/null "$URL/metrics" || fail "exporter unhealthy after hostile requests"

# The per-address limit: 16 connections from 127.0.0.2, the 17th is closed at once.
python3 - "$PORT" <<'PY' || fail "per-address limit"
import socket, sys, time
port = int(sys.argv[1])
socks = []
for i in range(16):
    s = socket.socket()
    s.bind(("127.0.0.2", 0))
    s.connect(("127.0.0.1", port))
    s.sendall(b"GET /metrics HT")
    socks.append(s)
time.sleep(1)  # all 16 accepted (four threads accept in parallel)
s = socket.socket()
s.bind(("127.0.0.2", 0))
s.connect(("127.0.0.1", port))
s.settimeout(3)
try:
    s.sendall(b"GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n")
    data = s.recv(100)
except (ConnectionResetError, BrokenPipeError):
    data = b""
if data.startswith(b"HTTP/1.1 200"):
    sys.exit("17th connection from one address was served")
print("ok - 17th connection from 127.0.0.2 refused")
PY

# Slowloris: 1000 idle connections, 16 from each of 63 addresses + 8 more,
# each having sent half a request line.  The table holds 512; the busiest
# addresses lose their longest idle connections to newcomers, so a scrape
# from 127.0.0.1 must still succeed within 1 s.
python3 - "$PORT" "$T/slow.ready" "$T/slow.done" <<'PY' &
import os, socket, sys, time
port, ready, done = int(sys.argv[1]), sys.argv[2], sys.argv[3]
socks = []
for i in range(1000):
    s = socket.socket()
    s.bind(("127.0.0.%d" % (2 + i // 16), 0))
    s.connect(("127.0.0.1", port))
    s.sendall(b"GET /metrics HT")
    socks.append(s)
open(ready, "w").close()
deadline = time.monotonic() + 30
while not os.path.exists(done) and time.monotonic() < deadline:
    time.sleep(0.1)
PY
SLOW=$!
E2E_PIDS+=("$SLOW")
for i in $(seq 300); do [ -e "$T/slow.ready" ] && break; sleep 0.1; done
[ -e "$T/slow.ready" ] || fail "could not open 1000 connections"
sleep 0.5
EST=$(ss -Htn state established "( sport = :$PORT )" | wc -l)
[ "$EST" -ge 480 ] && [ "$EST" -le 600 ] || fail "$EST connections held, want about the table's 512"
t=$(curl -sS -m 1 -o "$T/slow.body" -w '%{time_total}' "$URL/metrics") || fail "scrape failed under 1000 idle connections"
grep -q '^mta_exporter_build_info' "$T/slow.body" || fail "scrape body under slowloris"
pass "scrape in ${t}s with $EST of 1000 idle connections held"
RSS1=$(rss)
touch "$T/slow.done"
wait "$SLOW" 2>/dev/null || true

# Clients that never read: 15 connections pipelining 2000 scrapes each.
python3 - "$PORT" <<'PY' &
import socket, sys, time
port = int(sys.argv[1])
socks = []
for i in range(15):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.bind(("127.0.0.200", 0))
    s.connect(("127.0.0.1", port))
    s.setblocking(False)
    socks.append(s)
req = b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n" * 2000
for s in socks:
    try:
        s.send(req)
    except BlockingIOError:
        pass
time.sleep(4)
PY
NOREAD=$!
E2E_PIDS+=("$NOREAD")
sleep 1
t=$(curl -sS -m 1 -o /dev/null -w '%{time_total}' "$URL/metrics") || fail "scrape failed while clients do not read"
RSS2=$(rss)
wait "$NOREAD" 2>/dev/null || true
pass "scrape in ${t}s while 15 clients never read"

curl -fsS -o /dev/null "$URL/metrics" || fail "exporter unhealthy at the end"
kill -0 "$PID" || fail "exporter died"
echo "RSS KiB: before $RSS0, under 1000 idle connections $RSS1, with non-reading clients $RSS2"
for r in "$RSS1" "$RSS2"; do
	[ "$r" -le $((RSS0 + 96 * 1024)) ] || fail "RSS grew from $RSS0 KiB to $r KiB"
done
pass "RSS bounded (before ${RSS0} KiB, max $(( RSS1 > RSS2 ? RSS1 : RSS2 )) KiB)"
grep -E 'level=(error|fatal)' "$T/log" && fail "errors logged"
echo "all http_hostile checks passed"
