#!/usr/bin/env bash
# logging.sh - what the real binary logs (docs/logging.md):
# 1. a warning about a file (Postfix's duplicate parameter) is logged once
#    in 10 scrapes while postfix_config_warnings counts it at every scrape;
#    touching the file, rewriting it with the same size and mtime (only the
#    ctime changes), editing it, or the warning going away and coming back
#    logs it again; with --log.level=debug the repeats are debug lines;
# 2. with --log.format=json every line of a run on a configuration holding
#    invalid UTF-8 and control bytes (and a --path.rootfs whose name is not
#    UTF-8) is valid JSON for Python's json module, booleans are JSON
#    booleans, and the start-up lines carry version, revision and address;
# 3. logfmt keeps one record per line and shows the bytes as \xNN.
. "$(dirname "$0")/lib.sh"

BASE=$((30000 + $$ % 20000))
FIX=$MTA_SOURCE_DIR/tests/fixtures/postfix/rootfs-multi
DUP='overriding earlier entry for \"smtpd_banner\" (line 5)'

# serve PORT LOG FLAGS...: start the exporter and wait until it answers
serve() {
	local port=$1 log=$2
	shift 2
	start_bg "$log" "$MTA_EXPORTER" --web.listen-address=127.0.0.1:"$port" "$@"
	wait_http "http://127.0.0.1:$port/-/healthy"
}
# scrape PORT: one scrape that collects afresh.  Beyond a burst of 8, the
# exporter collects at most 20 times a second and answers faster requests
# with the newest body (docs/http.md); 60 ms apart, every scrape collects.
scrape() { sleep 0.06; curl -fsS "http://127.0.0.1:$1/metrics"; }
# warned LOG: how many warn lines report the duplicate smtpd_banner
warned() { grep 'level=warn ' "$1" | grep -cF "msg=\"$DUP\"" || true; }
# scrapes PORT N: N scrapes, each must still count the warning
scrapes() {
	local i
	for ((i = 0; i < $2; i++)); do
		scrape "$1" >"$T/s.prom"
		grep -qxF 'postfix_config_warnings{config_directory="/etc/postfix"} 1' "$T/s.prom" ||
			fail "scrape $i: postfix_config_warnings does not count the warning: $(grep postfix_config "$T/s.prom")"
	done
}
expect_warned() {	# LOG N WHAT
	[ "$(warned "$1")" = "$2" ] || fail "$3: $(warned "$1") warn lines, want $2: $(grep -F smtpd_banner "$1")"
}

# ---- 1. once per version of the file
ROOT=$T/root
cp -r "$FIX" "$ROOT"
MAIN=$ROOT/etc/postfix/main.cf
P1=$BASE
serve "$P1" "$T/a.log" --path.rootfs="$ROOT"
scrapes "$P1" 10
expect_warned "$T/a.log" 1 "10 scrapes"
grep -F "msg=\"$DUP\"" "$T/a.log" | grep -q "file=$MAIN line=6" || fail "warning lacks file:line: $(cat "$T/a.log")"
pass "10 scrapes: the duplicate parameter is logged once and counted every time"

sleep 0.05	# file times advance in clock ticks
touch "$MAIN"
scrapes "$P1" 3
expect_warned "$T/a.log" 2 "after touch"
pass "touching main.cf logs the warning again, once"

cp -p "$MAIN" "$T/main.ref"
sleep 0.05
cat "$T/main.ref" >"$MAIN"	# same inode, bytes and size ...
touch -r "$T/main.ref" "$MAIN"	# ... and the old mtime: only ctime differs
scrapes "$P1" 3
expect_warned "$T/a.log" 3 "rewritten with the same size and mtime"
pass "a rewrite that keeps size and mtime (cp -p, rsync -t) logs it again"

echo '# a comment' >>"$MAIN"
scrapes "$P1" 2
expect_warned "$T/a.log" 4 "after an edit"
pass "editing main.cf logs it again"

grep -v '^smtpd_banner' "$T/main.ref" >"$MAIN"
scrape "$P1" >"$T/s.prom"
grep -qxF 'postfix_config_warnings{config_directory="/etc/postfix"} 0' "$T/s.prom" || fail "warning not gone"
cp "$T/main.ref" "$MAIN"
scrapes "$P1" 2
expect_warned "$T/a.log" 5 "gone and back"
pass "a warning that went away and came back is logged again"

P2=$((BASE + 1))
serve "$P2" "$T/d.log" --path.rootfs="$ROOT" --log.level=debug
scrapes "$P2" 3
expect_warned "$T/d.log" 1 "debug level"
[ "$(grep 'level=debug ' "$T/d.log" | grep -cF "msg=\"$DUP\"")" = 2 ] ||
	fail "repeats not at debug level: $(grep -F smtpd_banner "$T/d.log")"
pass "--log.level=debug shows the repeats as debug lines"

# ---- 2. JSON lines stay valid JSON whatever the configuration holds
BAD=$T/r$(printf '\xff\xe9')oot
cp -r "$FIX" "$BAD"
printf 'smtpd_banner = caf\xe9 \x1b[31m\n' >>"$BAD/etc/postfix/main.cf"
printf 'bad\xff\xfe "quoted" \x01 \xc3\xa9 line\n' >>"$BAD/etc/postfix/master.cf"
P3=$((BASE + 2))
serve "$P3" "$T/j.log" --path.rootfs="$BAD" --log.format=json
scrape "$P3" >/dev/null
scrape "$P3" >/dev/null
kill -TERM "$BG_PID"
for _ in $(seq 50); do kill -0 "$BG_PID" 2>/dev/null || break; sleep 0.1; done
"$MTA_EXPORTER" --once --path.rootfs="$BAD" --log.format=json >/dev/null 2>"$T/once-j.log" || true
python3 - "$T/j.log" "$T/once-j.log" <<'PY' || fail "JSON log lines: see above"
import json, sys
serve_log, once_log = sys.argv[1], sys.argv[2]
def records(path):
    data = open(path, "rb").read()
    assert data.endswith(b"\n"), path + ": last record not terminated"
    out = []
    for n, raw in enumerate(data.split(b"\n")[:-1], 1):
        try:
            rec = json.loads(raw.decode("utf-8"))   # strict: invalid UTF-8 raises
        except (UnicodeDecodeError, ValueError) as e:
            sys.exit("%s line %d is not valid JSON (%s): %r" % (path, n, e, raw))
        assert isinstance(rec, dict), raw
        for k in ("ts", "level", "msg"):
            assert isinstance(rec.get(k), str), (k, raw)
        out.append(rec)
    return out
recs = records(serve_log)
once = records(once_log)
start = [r for r in recs if r["msg"] == "starting mta_exporter"]
assert len(start) == 1 and start[0]["version"] and start[0]["revision"], start
listening = [r for r in recs if r["msg"] == "listening"]
assert len(listening) == 1 and listening[0]["address"].startswith("127.0.0.1:"), listening
assert listening[0]["tls"] is False and listening[0]["basic_auth"] is False, listening
for rs in (recs, once):
    bad = [r for r in rs if "bad field count" in r["msg"]]
    assert len(bad) == 1, bad    # two scrapes, said once
    assert "\ufffd\ufffd" in bad[0]["msg"] and "\u00e9" in bad[0]["msg"], bad
    assert "\x01" in bad[0]["msg"] and '"quoted"' in bad[0]["msg"], bad
    assert "/r\ufffd\ufffdoot/" in bad[0]["file"], bad
print("%d + %d JSON records valid" % (len(recs), len(once)))
PY
pass "every JSON line is valid JSON (invalid UTF-8 as U+FFFD, booleans as true/false)"

# ---- 3. logfmt: one record per line, bytes shown as \xNN
"$MTA_EXPORTER" --once --path.rootfs="$BAD" >/dev/null 2>"$T/once-l.log" || true
python3 - "$T/once-l.log" <<'PY' || fail "logfmt lines"
import sys
data = open(sys.argv[1], "rb").read()
lines = data.split(b"\n")[:-1]
assert lines, "no log"
for l in lines:
    assert l.startswith(b"ts="), l
    assert all(b >= 0x20 for b in l), l    # no raw control byte splits a record
    l.decode("utf-8")                       # invalid bytes are escaped
bad = [l for l in lines if b"bad field count" in l]
assert len(bad) == 1, bad
assert b'bad\\xff\\xfe \\"quoted\\" \\x01 \xc3\xa9 line' in bad[0], bad[0]
assert b'/r\\xff\\xe9oot/' in bad[0], bad[0]
PY
pass "logfmt: one record per line, invalid bytes as \\xNN"
echo "all logging checks passed"
