#!/usr/bin/env bash
# webconfig.sh - --web.config.file against the real binary: TLS with a
# self-signed certificate, minimum/maximum TLS versions, basic auth with
# htpasswd-generated bcrypt hashes (401 + WWW-Authenticate: Basic; the
# scheme in any case; NUL in the credentials refused), the
# extra headers, every client_auth_type that changes behaviour, and
# client_allowed_sans; SIGHUP reload (new password, new certificate, a
# broken file keeps the last good configuration); startup errors for
# malformed YAML, wrong types and missing files.
. "$(dirname "$0")/lib.sh"

apt_need htpasswd apache2-utils
apt_need openssl openssl
PORT=20710
ADDR=127.0.0.1:$PORT
URL=https://$ADDR
mkdir -p "$T/root" "$T/pki"
cd "$T/pki"

# PKI: a CA, a server certificate, two client certificates from the CA
# (SANs client.example and other.example), and a self-signed client.
subj() { echo "/CN=$1"; }
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt \
	-days 2 -subj "$(subj test-ca)" 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key -out server.crt \
	-days 2 -subj "$(subj localhost)" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server2.key -out server2.crt \
	-days 2 -subj "$(subj localhost2)" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
client_cert() {	# NAME SAN
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" -out "$1.csr" \
		-subj "$(subj "$1")" 2>/dev/null
	printf 'subjectAltName=%s\nextendedKeyUsage=clientAuth\n' "$2" >"$1.ext"
	openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
		-extfile "$1.ext" -out "$1.crt" 2>/dev/null
}
client_cert client DNS:client.example
client_cert other DNS:other.example
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout rogue.key -out rogue.crt \
	-days 2 -subj "$(subj rogue)" -addext "subjectAltName=DNS:client.example" 2>/dev/null
cd - >/dev/null

HASH=$(htpasswd -nbBC 10 "" secret | tr -d ':\n')
HASH2=$(htpasswd -nbBC 10 "" newsecret | tr -d ':\n')
CFG=$T/web.yml
write_cfg() {	# extra TLS lines on stdin
	{
		echo "tls_server_config:"
		echo "  cert_file: pki/server.crt"	# relative to the file's directory
		echo "  key_file: pki/server.key"
		cat
		echo "http_server_config:"
		echo "  headers:"
		echo "    X-Frame-Options: deny"
		echo "    Strict-Transport-Security: max-age=31536000"
		echo "basic_auth_users:"
		echo "  alice: ${1:-$HASH}"
	} >"$CFG.new"
	mv "$CFG.new" "$CFG"
}
write_cfg </dev/null

CURL=(curl -sS --cacert "$T/pki/ca.crt" --cacert "$T/pki/server.crt")
code() { "${CURL[@]}" -o /dev/null -w '%{http_code}' "$@" || true; }

start_bg "$T/log" "$MTA_EXPORTER" --web.listen-address=$ADDR --web.config.file="$CFG" \
	--path.rootfs="$T/root" --log.level=debug
PID=$BG_PID
for i in $(seq 50); do [ "$(code -u alice:secret "$URL/-/healthy")" = 200 ] && break; sleep 0.1; done
grep -q 'tls=true basic_auth=true' "$T/log" || fail "startup log: $(cat "$T/log")"

# TLS is served, plain HTTP is not.
"${CURL[@]}" -u alice:secret "$URL/metrics" -o "$T/m.txt" || fail "https scrape"
grep -q '^mta_exporter_build_info' "$T/m.txt" || fail "metrics over TLS"
curl -sS -m 3 -o /dev/null "http://$ADDR/metrics" 2>/dev/null && fail "plain HTTP answered on a TLS port"
pass "TLS with a self-signed certificate"

# Basic auth: 401 + WWW-Authenticate: Basic, and the extra headers on every answer.
"${CURL[@]}" -D "$T/h401" -o /dev/null "$URL/metrics"
grep -q '^HTTP/1.1 401' "$T/h401" || fail "no credentials: $(head -1 "$T/h401")"
grep -qi '^WWW-Authenticate: Basic' "$T/h401" || fail "no WWW-Authenticate"
grep -qi '^X-Frame-Options: deny' "$T/h401" || fail "headers missing on 401"
[ "$(code -u alice:wrong "$URL/metrics")" = 401 ] || fail "wrong password accepted"
[ "$(code -u bob:secret "$URL/metrics")" = 401 ] || fail "unknown user accepted"
[ "$(code -u alice: "$URL/metrics")" = 401 ] || fail "empty password accepted"
[ "$(code -H 'Authorization: Basic !!!notbase64' "$URL/metrics")" = 401 ] || fail "garbage Authorization"
[ "$(code -H "Authorization: Basic $(printf 'alice' | base64)" "$URL/metrics")" = 401 ] || fail "no colon"
[ "$(code -u alice:secret "$URL/nope")" = 404 ] || fail "404 behind auth"
# The scheme in any case (as Go); a NUL in the credentials is refused, not cut short.
[ "$(code -H "Authorization: basic $(printf 'alice:secret' | base64)" "$URL/metrics")" = 200 ] ||
	fail "lower-case scheme refused"
[ "$(code -H "Authorization: BASIC $(printf 'alice:secret' | base64)" "$URL/metrics")" = 200 ] ||
	fail "upper-case scheme refused"
[ "$(code -H "Authorization: Basic $(printf 'alice:secret\0anything' | base64)" "$URL/metrics")" = 401 ] ||
	fail "a password with a NUL was accepted as its prefix"
[ "$(code -H "Authorization: Basic $(printf 'alice\0x:secret' | base64)" "$URL/metrics")" = 401 ] ||
	fail "a user name with a NUL was accepted"
[ "$(code "$URL/-/healthy")" = 401 ] || fail "healthy must be behind auth too (as exporter-toolkit)"
"${CURL[@]}" -u alice:secret -D "$T/h200" -o /dev/null "$URL/metrics"
grep -qi '^Strict-Transport-Security: max-age=31536000' "$T/h200" || fail "HSTS header missing"
grep -qi '^X-Frame-Options: deny' "$T/h200" || fail "X-Frame-Options missing"
pass "basic auth (401 + WWW-Authenticate: Basic), headers on every response"

# Unknown user and wrong password take about as long (a bcrypt each).
t_unknown=$( { /usr/bin/time -f %e "${CURL[@]}" -o /dev/null -u nobody:x "$URL/metrics"; } 2>&1 )
t_wrong=$( { /usr/bin/time -f %e "${CURL[@]}" -o /dev/null -u alice:x "$URL/metrics"; } 2>&1 )
python3 -c "import sys; u,w=float(sys.argv[1]),float(sys.argv[2]); sys.exit(0 if u >= w/3 else 1)" \
	"$t_unknown" "$t_wrong" || fail "unknown user $t_unknown s vs wrong password $t_wrong s"
pass "unknown user costs a bcrypt like a wrong password ($t_unknown s / $t_wrong s)"

# TLS slowloris: 300 connections that never send a ClientHello (or stop
# half-way through one) must not delay a scrape.
python3 - "$PORT" "$T/tls.ready" "$T/tls.done" <<'PY' &
import os, socket, sys, time
port, ready, done = int(sys.argv[1]), sys.argv[2], sys.argv[3]
socks = []
for i in range(300):
    s = socket.socket()
    s.bind(("127.0.0.%d" % (100 + i // 16), 0))
    s.connect(("127.0.0.1", port))
    if i % 2:
        s.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")  # a truncated ClientHello
    socks.append(s)
open(ready, "w").close()
deadline = time.monotonic() + 20
while not os.path.exists(done) and time.monotonic() < deadline:
    time.sleep(0.1)
PY
TLSLOW=$!
E2E_PIDS+=("$TLSLOW")
for i in $(seq 100); do [ -e "$T/tls.ready" ] && break; sleep 0.1; done
[ -e "$T/tls.ready" ] || fail "could not open 300 connections"
t=$("${CURL[@]}" -m 1 -u alice:secret -o /dev/null -w '%{time_total}' "$URL/metrics") ||
	fail "TLS scrape failed with 300 stalled handshakes"
touch "$T/tls.done"
wait "$TLSLOW" 2>/dev/null || true
pass "TLS scrape in ${t}s with 300 stalled handshakes"

# Default minimum TLS 1.2: a TLS 1.1 client is refused.
echo | openssl s_client -connect $ADDR -tls1_1 >/dev/null 2>&1 && fail "TLS 1.1 accepted"
echo | openssl s_client -connect $ADDR -tls1_3 >/dev/null 2>&1 || fail "TLS 1.3 refused"
pass "TLS 1.1 refused, TLS 1.3 accepted by default"

# Reload on SIGHUP: a new password and max_version TLS12.
printf '  max_version: TLS12\n' | write_cfg "$HASH2"
kill -HUP $PID
for i in $(seq 50); do grep -q 'web config reloaded' "$T/log" && break; sleep 0.1; done
grep -q 'web config reloaded.*tls_restarted=true' "$T/log" || fail "reload not logged: $(tail -3 "$T/log")"
[ "$(code -u alice:newsecret "$URL/metrics")" = 200 ] || fail "new password refused after reload"
[ "$(code -u alice:secret "$URL/metrics")" = 401 ] || fail "old password still accepted after reload"
echo | openssl s_client -connect $ADDR -tls1_3 >/dev/null 2>&1 && fail "TLS 1.3 accepted with max_version TLS12"
echo | openssl s_client -connect $ADDR -tls1_2 >/dev/null 2>&1 || fail "TLS 1.2 refused"
pass "SIGHUP reload: new password, max_version TLS12"

# A broken file on reload: error logged naming the key, last good config kept.
printf 'tls_server_config:\n  cert_file: pki/server.crt\n  key_file: pki/server.key\n  min_version: TLS9\n' >"$CFG"
kill -HUP $PID
for i in $(seq 50); do grep -q 'reload failed' "$T/log" && break; sleep 0.1; done
grep -q 'tls_server_config.min_version: unknown TLS version' "$T/log" || fail "reload error does not name the key"
grep -q 'reload failed; keeping the last good configuration' "$T/log" || fail "no keep-last-good message"
[ "$(code -u alice:newsecret "$URL/metrics")" = 200 ] || fail "lost the last good config"
pass "a failed reload keeps the last good configuration and names the key"

# New certificate on reload: served without restarting the process.
fp() { echo | openssl s_client -connect $ADDR 2>/dev/null | openssl x509 -noout -fingerprint -sha256; }
before=$(fp)
write_cfg "$HASH2" </dev/null
sed -i 's#pki/server.crt#pki/server2.crt#; s#pki/server.key#pki/server2.key#' "$CFG"
kill -HUP $PID
for i in $(seq 50); do [ "$(fp)" != "$before" ] && break; sleep 0.1; done
[ "$(fp)" = "$(openssl x509 -in "$T/pki/server2.crt" -noout -fingerprint -sha256)" ] || fail "new certificate not served"
kill -0 $PID || fail "exporter died on reload"
pass "SIGHUP reload: new certificate served"
kill -TERM $PID; wait $PID || fail "exit status after SIGTERM"

# Client certificates.
CC=(--cert "$T/pki/client.crt" --key "$T/pki/client.key")
OC=(--cert "$T/pki/other.crt" --key "$T/pki/other.key")
RC=(--cert "$T/pki/rogue.crt" --key "$T/pki/rogue.key")
run_with() {	# LOG, TLS lines on stdin
	write_cfg
	sed -i '/^basic_auth_users:/,$d' "$CFG"
	start_bg "$T/$1" "$MTA_EXPORTER" --web.listen-address=$ADDR --web.config.file="$CFG" --path.rootfs="$T/root"
	PID=$BG_PID
	for i in $(seq 50); do grep -qs listening "$T/$1" && break; sleep 0.1; done
}
stop() { kill -TERM $PID; wait $PID || true; }

run_with log_rv < <(printf '  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: pki/ca.crt\n  client_allowed_sans: [client.example]\n')
[ "$(code "${CC[@]}" "$URL/metrics")" = 200 ] || fail "RequireAndVerify: trusted client with allowed SAN refused"
c=$(code "$URL/metrics"); [ "$c" = 403 ] || [ "$c" = 000 ] || fail "RequireAndVerify: no certificate: $c"
c=$(code "${RC[@]}" "$URL/metrics"); [ "$c" = 403 ] || [ "$c" = 000 ] || fail "RequireAndVerify: untrusted certificate: $c"
c=$(code "${OC[@]}" "$URL/metrics"); [ "$c" = 403 ] || fail "client_allowed_sans: other SAN: $c"
stop
pass "RequireAndVerifyClientCert + client_allowed_sans"

run_with log_vig < <(printf '  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: pki/ca.crt\n')
[ "$(code "$URL/metrics")" = 200 ] || fail "VerifyIfGiven: no certificate refused"
[ "$(code "${CC[@]}" "$URL/metrics")" = 200 ] || fail "VerifyIfGiven: trusted refused"
c=$(code "${RC[@]}" "$URL/metrics"); [ "$c" = 403 ] || [ "$c" = 000 ] || fail "VerifyIfGiven: untrusted accepted: $c"
stop
pass "VerifyClientCertIfGiven"

run_with log_any < <(printf '  client_auth_type: RequireAnyClientCert\n')
c=$(code "$URL/metrics"); [ "$c" = 403 ] || [ "$c" = 000 ] || fail "RequireAny: no certificate: $c"
[ "$(code "${RC[@]}" "$URL/metrics")" = 200 ] || fail "RequireAny: self-signed client refused"
stop
pass "RequireAnyClientCert"

# Startup errors name the key (and line) and exit 1.
bad() {	# WANT, YAML on stdin
	cat >"$T/bad.yml"
	set +e
	"$MTA_EXPORTER" --web.listen-address=127.0.0.1:20711 --web.config.file="$T/bad.yml" \
		--path.rootfs="$T/root" 2>"$T/bad.err"
	rc=$?
	set -e
	[ "$rc" = 1 ] || fail "bad config ($1): exit $rc"
	grep -qF -- "$1" "$T/bad.err" || fail "bad config: want '$1', got: $(cat "$T/bad.err")"
}
printf 'tls_server_config:\n  cert_file: [oops\n' | bad "invalid YAML"
printf 'basic_auth_users: [alice]\n' | bad "line 1: basic_auth_users: expected a mapping, got a list"
printf 'basic_auth_users:\n  alice: plaintext\n' | bad "line 2: basic_auth_users.alice: not a bcrypt hash"
printf 'tls_server_config:\n  cert_file: nosuch.crt\n  key_file: nosuch.key\n' | bad "tls_server_config.cert_file $T/nosuch.crt: No such file"
printf 'tls_server_config:\n  cert_file: pki/server.crt\n  key_file: pki/client.key\n' | bad "tls_server_config.cert_file/key_file"
printf 'tls_server_config:\n  cert_file: pki/server.crt\n  key_file: pki/server.key\n  cipher_suites: [TLS_FOO]\n' | bad "unsupported cipher suite"
printf 'http_server_config:\n  headers:\n    Set-Cookie: a\n' | bad "http_server_config.headers.Set-Cookie: this header can not be configured"
printf 'tls_server_config:\n  cert_file: pki/server.crt\n  key_file: pki/server.key\nextra: 1\n' | bad "line 4: extra: unknown key"
head -c 3000 /dev/urandom | bad "web config"
set +e; "$MTA_EXPORTER" --web.config.file="$T/none.yml" --web.listen-address=127.0.0.1:20711 2>"$T/bad.err"; rc=$?; set -e
[ "$rc" = 1 ] && grep -q 'none.yml: No such file' "$T/bad.err" || fail "missing file: $rc $(cat "$T/bad.err")"
mkdir "$T/dir.yml"
set +e; "$MTA_EXPORTER" --web.config.file="$T/dir.yml" --web.listen-address=127.0.0.1:20711 2>"$T/bad.err"; rc=$?; set -e
[ "$rc" = 1 ] && grep -q 'not a regular file' "$T/bad.err" || fail "directory: $rc $(cat "$T/bad.err")"
pass "invalid web config files are startup errors naming the key"
echo "all webconfig checks passed"
