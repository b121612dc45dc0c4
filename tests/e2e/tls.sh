#!/usr/bin/env bash
# tls.sh - the exporter's TLS figures against real Postfix and Exim, the
# seed's own openssl command and sslscan.
#
# Certificates and DH parameters are made here, at test time: RSA 1024,
# RSA 2048, EC P-256; expired; expiring in 3 days; a key that does not
# match; DH files of 1024 and 2048 bits; protocol settings with and without
# TLS 1.0/1.1.  For each configuration a Postfix instance runs in the
# network namespace tls-$$ (listening on all addresses: 198.51.100.1 on a
# veth in that namespace, and loopback) and the exporter serves in the same
# namespace with --tls.interval=1s.  Then:
#   - static (source="config") and live (source="live") key bits, notAfter
#     and DH bits agree with each other and with the files;
#   - the live figures agree with `openssl s_client -starttls smtp` (the
#     seed's command): "Server public key is N bit", "Server Temp Key: DH,
#     N bits" (with -tls1_2 -cipher 'EDH:@SECLEVEL=0'), the certificate's notAfter, and
#     -tls1 / -tls1_1 acceptance (with -cipher 'DEFAULT:@SECLEVEL=0', which
#     Debian's OpenSSL 3 needs to offer them);
#   - sslscan --starttls-smtp agrees on the key strength and on which of
#     TLSv1.0..1.3 are enabled;
#   - the tls_* checks say what the table expects (tls_ciphers_strong by
#     the cipher grade postconf reports);
#   - finally the certificate file is replaced without a reload:
#     mta_runtime_matches_config reports <mta>_tls_certificate_not_loaded.
# Then the real Exim daemon (unpacked as exim_oracle.sh does: lib.sh
# exim_setup) in the same namespace with RSA 2048, twice: the default
# tls_require_ciphers (GnuTLS NORMAL) and one that enables TLS 1.0/1.1 and
# 3DES; the same comparisons (agree) and the checks each expects.
. "$(dirname "$0")/lib.sh"

need_root
command -v postfix >/dev/null 2>&1 || "$MTA_SOURCE_DIR/scripts/deps.sh" test
command -v ip >/dev/null 2>&1 || apt_need ip iproute2
apt_need openssl openssl
apt_need sslscan sslscan
apt_need curl curl
chmod 755 "$T"
NS=tls-$$
# below the ephemeral range (32768-60999): a client socket of openssl or
# sslscan lingering in TIME_WAIT must not hold the exporter's next port
PORT=$((20000 + $$ % 10000))

cleanup_netns() { ip netns del $NS 2>/dev/null || true; }
cleanup_netns
on_exit cleanup_netns
ip netns add $NS
ip -n $NS link set lo up
ip -n $NS link add tlsd0 type veth peer name tlsd1
ip -n $NS addr add 198.51.100.1/24 dev tlsd0
ip -n $NS link set tlsd0 up
ip -n $NS link set tlsd1 up
nsx() { ip netns exec $NS "$@"; }

# ---- test material ----
K=$T/keys
mkdir -p "$K"
mkcert() {	# NAME KEYSPEC DAYS
	local n=$1 spec=$2 days=$3
	openssl req -new -newkey "$spec" -nodes -keyout "$K/$n.key" -subj /CN=mx.example.org \
		-addext subjectAltName=DNS:mx.example.org -out "$K/$n.csr" 2>/dev/null
	openssl x509 -req -in "$K/$n.csr" -signkey "$K/$n.key" -days "$days" \
		-copy_extensions copy -out "$K/$n.pem" 2>/dev/null || fail "openssl: $n"
}
mkcert rsa2048 rsa:2048 365
mkcert rsa1024 rsa:1024 365
openssl ecparam -name prime256v1 -out "$K/p256.param" 2>/dev/null
mkcert ec256 "ec:$K/p256.param" 365
mkcert expired rsa:2048 -1
mkcert soon rsa:2048 3
mkcert other rsa:2048 365
openssl dhparam -out "$K/dh1024.pem" 1024 2>/dev/null || fail "openssl dhparam 1024"
openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 -out "$K/dh2048.pem" 2>/dev/null ||
	fail "openssl genpkey ffdhe2048"
chmod 644 "$K"/*

# ---- Postfix ----
DAEMON_DIR=$(postconf -h daemon_directory 2>/dev/null || echo /usr/lib/postfix/sbin)
sed -E 's/^([a-z][^ \t]*[ \t]+(inet|unix|unix-dgram|fifo|pass)[ \t]+[^ \t]+[ \t]+[^ \t]+[ \t]+)y/\1n/' \
	/usr/share/postfix/master.cf.dist >"$T/master.base" 2>/dev/null ||
	sed -E 's/^([a-z][^ \t]*[ \t]+(inet|unix|unix-dgram|fifo|pass)[ \t]+[^ \t]+[ \t]+[^ \t]+[ \t]+)y/\1n/' \
		/etc/postfix/master.cf >"$T/master.base"
mkdir -p "$T/tmpl/q" "$T/tmpl/data"
printf 'queue_directory = %s\ndata_directory = %s\n' "$T/tmpl/q" "$T/tmpl/data" >"$T/tmpl/main.cf"
cp "$T/master.base" "$T/tmpl/master.cf"
postfix -c "$T/tmpl" check >/dev/null 2>&1 || fail "postfix check could not create a queue directory"

CUR=
pf_stop() {
	local d=$CUR pid
	[ -n "$d" ] || return 0
	nsx postfix -c "$d" stop >/dev/null 2>&1 || true
	pid=$(tr -d ' ' <"$d/q/pid/master.pid" 2>/dev/null || true)
	if [ -n "$pid" ] && [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$d/q" ]; then
		for _ in $(seq 50); do
			[ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$d/q" ] || break
			sleep 0.1
		done
		[ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$d/q" ] && kill -9 "$pid" 2>/dev/null
	fi
	CUR=
}
on_exit pf_stop

# pf_run NAME MAIN-LINES: start Postfix with these TLS settings.
pf_run() {
	local d=$T/$1
	mkdir -p "$d/data"
	chown postfix "$d/data"
	cp "$T/master.base" "$d/master.cf"
	cat >"$d/main.cf" <<EOF
queue_directory = $d/q
data_directory = $d/data
myhostname = mx.example.org
mydestination = localhost
inet_interfaces = all
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
maillog_file = $d/maillog
maillog_file_prefixes = /tmp, /var
compatibility_level = 3.6
smtpd_tls_security_level = may
$(printf '%b' "$2")
EOF
	cp -a "$T/tmpl/q" "$d/q"
	nsx "$DAEMON_DIR/master" -c "$d" -w >"$d/start.log" 2>&1 || {
		cat "$d/start.log" "$d/maillog" >&2 2>/dev/null
		fail "$1: postfix did not start"
	}
	CUR=$d
}

# ---- the exporter ----
EXP_PID=
exp_stop() {
	if [ -n "$EXP_PID" ]; then
		kill "$EXP_PID" 2>/dev/null || true
		wait "$EXP_PID" 2>/dev/null || true
	fi
	EXP_PID=
	return 0
}
on_exit exp_stop
# exp_run MTA OUT ARGS...: serve with ARGS (the collector of MTA configured,
# the other MTAs' off), wait for a completed probe round of MTA's smtp
# service, save one scrape.
exp_run() {
	local mta=$1 out=$2 i
	shift 2
	# a fresh port per run: the last run's port may still be in TIME_WAIT
	PORT=$((PORT + 1))
	# ip execs the exporter: $! is the exporter itself
	ip netns exec $NS "$MTA_EXPORTER" --web.listen-address=127.0.0.1:$PORT "$@" \
		--tls.interval=1s --tls.timeout=3s --log.level=debug >"$out.log" 2>&1 &
	EXP_PID=$!
	# Until a probe round succeeded, or for 5 s of rounds (1 s apart) after
	# the first: a daemon that has just started may turn the first
	# connection away (Exim: 421 while its previous instance's sessions
	# end), and a case that expects no handshake must not wait long.
	local rounds=0
	for i in $(seq 125); do
		if nsx curl -fsS "http://127.0.0.1:$PORT/metrics" >"$out" 2>/dev/null &&
			grep -q "^mta_tls_probe_timestamp_seconds{mta=\"$mta\",service=\"smtp\"}" "$out"; then
			grep -q "^mta_tls_probe_success{mta=\"$mta\",service=\"smtp\"} 1" "$out" && break
			rounds=$((rounds + 1))
			[ "$rounds" -ge 25 ] && break
		fi
		sleep 0.2
	done
	grep -q '^mta_tls_probe_timestamp_seconds' "$out" || { cat "$out.log" >&2; fail "no probe round"; }
	exp_stop
}
pf_exp() { exp_run postfix "$2" --postfix.config-directory="$1" --no-collector.exim --no-collector.sendmail; }

# m FILE NAME LABELS: the value of the sample NAME{LABELS...} ("" if none).
m() { { grep -F "$2{$3}" "$1" || true; } | head -1 | awk '{print $NF}'; }
# status FILE CHECK: which status of the check is 1.
status() { grep -E "^mta_check_status\{check=\"$2\",status=\"[a-z_]+\"\} 1$" "$1" | sed -E 's/.*status="([a-z_]+)".*/\1/'; }

# ---- the oracles ----
sclient() { echo QUIT | nsx timeout 10 openssl s_client -starttls smtp -connect 127.0.0.1:25 "$@" 2>/dev/null || true; }
seed_pubkey() { sclient | sed -nE 's/^Server public key is ([0-9]+) bit.*/\1/p'; }
# The seed's "-cipher EDH", with TLS 1.2 (EDH has no effect on TLS 1.3) and
# security level 0 (Debian's OpenSSL 3 client refuses a 1024-bit group).
seed_dh() { sclient -tls1_2 -cipher 'EDH:@SECLEVEL=0' | sed -nE 's/^Server Temp Key: DH, ([0-9]+) bits.*/\1/p'; }
seed_notafter() { date -d "$(sclient | openssl x509 -noout -enddate 2>/dev/null | cut -d= -f2)" +%s 2>/dev/null; }
seed_accepts() {	# -tls1 | -tls1_1: 1 if the handshake completes
	if sclient "$1" -cipher 'DEFAULT:@SECLEVEL=0' | grep -qE '^New, TLSv1(\.[01])?, Cipher is [A-Z]'; then
		echo 1
	else
		echo 0
	fi
}

# agree MTA NAME OUT: the static and live figures of MTA's smtp service in
# the scrape OUT agree with each other, with the seed's openssl commands and
# with sslscan (key bits, notAfter, DH group, TLS 1.0/1.1 acceptance).
agree() {
	local mta=$1 name=$2 out=$3 alg=rsa kc kl ko nc nl no dl dc do_ v a o s ks
	case $name in *ec*) alg=ec ;; esac
	# key bits: config = live = the seed's "Server public key is N bit"
	kc=$(m "$out" mta_tls_certificate_key_bits "mta=\"$mta\",service=\"smtp\",source=\"config\",algorithm=\"$alg\"")
	kl=$(m "$out" mta_tls_certificate_key_bits "mta=\"$mta\",service=\"smtp\",source=\"live\",algorithm=\"$alg\"")
	ko=$(seed_pubkey)
	[ -n "$kc" ] && [ "$kc" = "$kl" ] && [ "$kl" = "$ko" ] ||
		fail "$name: key bits config=$kc live=$kl openssl=$ko"
	# notAfter: config = live = openssl's
	nc=$(m "$out" mta_tls_certificate_not_after_timestamp_seconds "mta=\"$mta\",service=\"smtp\",source=\"config\"")
	nl=$(m "$out" mta_tls_certificate_not_after_timestamp_seconds "mta=\"$mta\",service=\"smtp\",source=\"live\"")
	no=$(seed_notafter)
	[ -n "$nc" ] && [ "$(printf '%.0f' "$nc")" = "$(printf '%.0f' "$nl")" ] &&
		[ "$(printf '%.0f' "$nl")" = "$no" ] || fail "$name: notAfter config=$nc live=$nl openssl=$no"
	# DH: the seed's EDH check (TLS 1.2) against the live and the static figure
	dl=$(m "$out" mta_tls_dh_bits "mta=\"$mta\",service=\"smtp\",source=\"live\"")
	dc=$(m "$out" mta_tls_dh_bits "mta=\"$mta\",service=\"smtp\",source=\"config\"")
	do_=$(seed_dh)
	if [ -n "$do_" ]; then
		[ "$dl" = "$do_" ] && [ "$dc" = "$do_" ] || fail "$name: DH config=$dc live=$dl openssl=$do_"
	else
		[ -z "$dc" ] && [ -z "$dl" ] || fail "$name: no DHE for openssl, but config=$dc live=$dl bits"
	fi
	# TLS 1.0 / 1.1: pinned handshakes against openssl -tls1 / -tls1_1
	for v in 1.0:-tls1 1.1:-tls1_1; do
		a=$(m "$out" mta_tls_protocol_accepted "mta=\"$mta\",service=\"smtp\",version=\"TLSv${v%%:*}\"")
		o=$(seed_accepts "${v#*:}")
		[ "$a" = "$o" ] || fail "$name: TLSv${v%%:*} accepted=$a, openssl says $o"
	done
	# sslscan: key strength and the enabled versions
	nsx timeout 60 sslscan --no-colour --starttls-smtp 127.0.0.1:25 >"$T/$name.sslscan" 2>&1 || true
	# sslscan's certificate round gets no SMTP greeting from Exim ("did not
	# appear to be an SMTP service", after its many cipher connections):
	# there openssl s_client above is the key-size oracle
	if [ "$alg" = rsa ] && { [ "$mta" != exim ] ||
		! grep -q 'did not appear to be an SMTP service' "$T/$name.sslscan"; }; then
		ks=$(sed -nE 's/^RSA Key Strength: *([0-9]+).*/\1/p' "$T/$name.sslscan" | head -1)
		[ "$ks" = "$kl" ] || { cat "$T/$name.sslscan" >&2; fail "$name: sslscan RSA key strength '$ks', exporter $kl"; }
	fi
	for v in 1.0 1.1; do
		s=$(sed -nE "s/^TLSv$v +(enabled|disabled).*/\\1/p" "$T/$name.sslscan" | head -1)
		a=$(m "$out" mta_tls_protocol_accepted "mta=\"$mta\",service=\"smtp\",version=\"TLSv$v\"")
		[ -z "$s" ] || [ "$s" = "$([ "$a" = 1 ] && echo enabled || echo disabled)" ] ||
			fail "$name: sslscan says TLSv$v $s, exporter $a"
	done
	pass "$name: config, live, openssl s_client and sslscan agree (key $kl bits, DH ${dl:-none}, TLSv1.0 $(m "$out" mta_tls_protocol_accepted "mta=\"$mta\",service=\"smtp\",version=\"TLSv1.0\""))"
}

# ---- configurations ----
# name | main.cf TLS lines | expected check statuses (check=status ...)
CASES=(
"good|smtpd_tls_chain_files = $K/rsa2048.key, $K/rsa2048.pem\nsmtpd_tls_dh1024_param_file = $K/dh2048.pem\nsmtpd_tls_protocols = >=TLSv1.2\nsmtpd_tls_ciphers = high|tls_certificate_valid=pass tls_certificate_key_strong=pass tls_dh_strong=pass tls_legacy_protocols_disabled=pass tls_certificate_matches_key=pass tls_certificate_names_host=pass tls_ciphers_strong=pass"
"weak|smtpd_tls_cert_file = $K/rsa1024.pem\nsmtpd_tls_key_file = $K/rsa1024.key\nsmtpd_tls_dh1024_param_file = $K/dh1024.pem\nsmtpd_tls_protocols = !SSLv2, !SSLv3\nsmtpd_tls_ciphers = export\ntls_export_cipherlist = DEFAULT:@SECLEVEL=0|tls_certificate_key_strong=fail tls_dh_strong=fail tls_legacy_protocols_disabled=fail tls_certificate_valid=pass tls_ciphers_strong=fail"
"ec_default_protocols|smtpd_tls_cert_file = $K/ec256.pem\nsmtpd_tls_key_file = $K/ec256.key|tls_certificate_key_strong=pass tls_dh_strong=pass tls_legacy_protocols_disabled=fail tls_ciphers_strong=pass"
"rsa_auto_dh|smtpd_tls_cert_file = $K/rsa2048.pem\nsmtpd_tls_key_file = $K/rsa2048.key|tls_dh_strong=pass tls_legacy_protocols_disabled=fail"
"expired|smtpd_tls_cert_file = $K/expired.pem\nsmtpd_tls_key_file = $K/expired.key|tls_certificate_valid=fail"
"soon|smtpd_tls_cert_file = $K/soon.pem\nsmtpd_tls_key_file = $K/soon.key|tls_certificate_valid=fail"
"mismatch|smtpd_tls_cert_file = $K/rsa2048.pem\nsmtpd_tls_key_file = $K/other.key|tls_certificate_matches_key=fail"
)

n=0
for c in "${CASES[@]}"; do
	IFS='|' read -r name lines want <<<"$c"
	pf_run "$name" "$lines"
	out=$T/$name.prom
	pf_exp "$T/$name" "$out"
	for w in $want; do
		got=$(status "$out" "${w%%=*}")
		[ "$got" = "${w#*=}" ] || { grep -E "check=\"${w%%=*}\"|^mta_tls" "$out" >&2; fail "$name: ${w%%=*} is $got, want ${w#*=}"; }
	done
	# the cipher grade smtpd uses, as postconf reads it, and the reasons it gives
	if [ "$(postconf -c "$T/$name" -h smtpd_tls_ciphers)" = export ]; then
		grep -q '^mta_check_finding{check="tls_ciphers_strong",reason="postfix_config_allows_export_ciphers"} 1' "$out" ||
			fail "$name: smtpd_tls_ciphers = export is not reported"
	fi
	up=$(m "$out" mta_tls_probe_success 'mta="postfix",service="smtp"')
	if [ "$name" = mismatch ]; then
		# Postfix cannot load the pair: no TLS, and openssl agrees
		[ "$up" = 0 ] || fail "$name: probe_success $up with a mismatched key"
		sclient | grep -q '^Server public key' && fail "$name: openssl completed a handshake"
		pass "$name: no TLS for the exporter nor for openssl; tls_certificate_matches_key fails"
		pf_stop
		n=$((n + 1))
		continue
	fi
	[ "$up" = 1 ] || { cat "$out.log" >&2; fail "$name: probe_success '$up'"; }
	agree postfix "$name" "$out"
	n=$((n + 1))
	# the last case: replace the certificate, do not reload
	if [ "$name" = rsa_auto_dh ]; then
		cp "$K/other.pem" "$T/$name/new.pem"
		cp "$K/other.key" "$T/$name/new.key"
		sed -i "s|^smtpd_tls_cert_file = .*|smtpd_tls_cert_file = $T/$name/new.pem|; s|^smtpd_tls_key_file = .*|smtpd_tls_key_file = $T/$name/new.key|" "$T/$name/main.cf"
		pf_exp "$T/$name" "$out.changed"
		grep -q '^mta_check_finding{check="mta_runtime_matches_config",reason="postfix_tls_certificate_not_loaded"} 1' "$out.changed" ||
			{ grep mta_runtime "$out.changed" >&2; fail "$name: a certificate changed without reload is not reported"; }
		pass "$name: the certificate replaced without a reload is reported"
	fi
	pf_stop
done
[ "$n" = "${#CASES[@]}" ] || fail "ran $n of ${#CASES[@]} configurations"

# ---- Exim (unpacked from Debian's packages, GnuTLS build) ----
exim_setup
EXIM_PID=
ex_stop() {
	if [ -n "$EXIM_PID" ]; then
		kill "$EXIM_PID" 2>/dev/null || true
		wait "$EXIM_PID" 2>/dev/null || true
	fi
	EXIM_PID=
	return 0
}
on_exit ex_stop
# ex_run NAME CONF-LINES: the Exim daemon on 0.0.0.0:25 with RSA 2048 and these lines.
ex_run() {
	local d=$T/$1 i
	mkdir -p "$d/spool" "$d/log"
	chmod 1777 "$d/spool" "$d/log"
	{
		echo "spool_directory = $d/spool"
		echo "log_file_path = $d/log/%slog"
		echo "pid_file_path = $d/log/exim.pid"
		echo "primary_hostname = mx.example.org"
		echo "daemon_smtp_ports = 25"
		echo "local_interfaces = 0.0.0.0"
		echo "disable_ipv6 = true"
		echo "tls_advertise_hosts = *"
		echo "tls_certificate = $K/rsa2048.pem"
		echo "tls_privatekey = $K/rsa2048.key"
		printf '%b\n' "$2"
		echo "acl_smtp_rcpt = acl_check_rcpt"
		echo "begin acl"
		echo "acl_check_rcpt:"
		echo "  deny"
	} >"$d/exim.conf"
	# exim_in_ns's passwd/group mounts are inherited by ip netns exec; $! is exim
	exim_in_ns ip netns exec $NS env LD_LIBRARY_PATH="$EXIM_LD" "$EXIM" -C "$d/exim.conf" -bdf \
		>"$d/log/daemon.out" 2>&1 &
	EXIM_PID=$!
	for i in $(seq 200); do
		nsx ss -ltnH 'sport = :25' | grep -q . && return 0
		sleep 0.1
	done
	cat "$d/log/daemon.out" "$d/log/"*log >&2 2>/dev/null
	fail "$1: exim did not start"
}

# name | exim.conf lines | expected check statuses | TLS 1.0 accepted ("" not asserted)
EXIM_CASES=(
"exim_rsa2048_default||tls_certificate_valid=pass tls_certificate_key_strong=pass tls_dh_strong=pass tls_ciphers_strong=pass tls_certificate_matches_key=pass tls_certificate_names_host=pass|"
"exim_tls10_3des|tls_require_ciphers = NORMAL:-VERS-ALL:+VERS-TLS1.0:+VERS-TLS1.1:+VERS-TLS1.2:+3DES-CBC|tls_legacy_protocols_disabled=fail tls_ciphers_strong=fail tls_certificate_key_strong=pass|1"
)
for c in "${EXIM_CASES[@]}"; do
	IFS='|' read -r name lines want tls10 <<<"$c"
	ex_run "$name" "$lines"
	out=$T/$name.prom
	exp_run exim "$out" --exim.config="$T/$name/exim.conf" --no-collector.postfix --no-collector.sendmail
	for w in $want; do
		got=$(status "$out" "${w%%=*}")
		[ "$got" = "${w#*=}" ] || { grep -E "check=\"${w%%=*}\"|^mta_tls" "$out" >&2; fail "$name: ${w%%=*} is $got, want ${w#*=}"; }
	done
	[ "$(m "$out" mta_tls_probe_success 'mta="exim",service="smtp"')" = 1 ] ||
		{ cat "$out.log" >&2; fail "$name: no live handshake with Exim"; }
	if [ -n "$tls10" ]; then
		[ "$(m "$out" mta_tls_protocol_accepted 'mta="exim",service="smtp",version="TLSv1.0"')" = "$tls10" ] ||
			fail "$name: TLSv1.0 accepted is not $tls10"
		grep -q '^mta_check_finding{check="tls_ciphers_strong",reason="exim_config_allows_3des_ciphers"} 1' "$out" ||
			fail "$name: +3DES-CBC is not reported"
	fi
	agree exim "$name" "$out"
	ex_stop
	n=$((n + 1))
done
echo "$n passed, 0 failed"
