#!/usr/bin/env bash
# postfix_tables.sh - the exporter's table readers against "postmap -q".
#
# For every table below (and for tables generated from a fixed seed), each
# key is looked up twice: by tests/tools/postfix_table_query, which reads
# the table with the exporter's parsers (the postmap source of hash: and
# btree:, texthash:, inline:, pcre: with PCRE2, regexp: with regcomp), and
# by Postfix's own "postmap -q" (hash: and btree: after "postmap" built
# the compiled map).  Found or not, and the value, must agree.  Postfix is
# installed by scripts/deps.sh test (postfix-pcre for pcre:); the daemon is
# never started.
. "$(dirname "$0")/lib.sh"

command -v postmap >/dev/null 2>&1 || "$MTA_SOURCE_DIR/scripts/deps.sh" test
command -v postmap >/dev/null 2>&1 || fail "postmap missing (scripts/deps.sh test installs postfix)"
# postmap reads a main.cf: an empty one of our own (defaults only)
PFC=$T/postfix
mkdir -p "$PFC"
: >"$PFC/main.cf"
postconf -c "$PFC" -m 2>/dev/null | grep -qx pcre || "$MTA_SOURCE_DIR/scripts/deps.sh" test
postconf -c "$PFC" -m 2>/dev/null | grep -qx pcre || fail "no pcre: table support (postfix-pcre)"
QUERY=${MTA_BUILD_DIR:-}/tests/postfix_table_query
[ -x "$QUERY" ] || fail "postfix_table_query not built ($QUERY)"
PY=$(command -v python3)

n_tables=0
n_lookups=0

# compare TYPE FILE|SPEC KEY...: both readers on every key.
compare() {
	local type=$1 name=$2 spec ours theirs key
	shift 2
	spec=$type:$name
	case $type in
	hash | btree) postmap -c "$PFC" "$spec" 2>"$T/postmap.err" || fail "postmap $spec: $(cat "$T/postmap.err")" ;;
	esac
	"$QUERY" "$spec" "$@" >"$T/ours" 2>"$T/ours.err" || fail "postfix_table_query $spec: $(cat "$T/ours.err")"
	: >"$T/theirs"
	: >"$T/theirs.err"
	for key in "$@"; do
		local v rc=0
		v=$(postmap -c "$PFC" -q "$key" "$spec" 2>>"$T/theirs.err") || rc=$?
		if [ "$rc" = 0 ]; then
			printf '%s\tfound\t%s\n' "$key" "$v" >>"$T/theirs"
		elif [ "$rc" = 1 ]; then
			printf '%s\tnotfound\n' "$key" >>"$T/theirs"
		else
			fail "postmap -q '$key' $spec: exit $rc: $(cat "$T/theirs.err")"
		fi
		n_lookups=$((n_lookups + 1))
	done
	! grep -q "fatal" "$T/theirs.err" 2>/dev/null || fail "postmap -q on $spec: $(grep fatal "$T/theirs.err" | head -1)"
	diff -u --label "postmap -q ($spec)" --label "exporter ($spec)" "$T/theirs" "$T/ours" >&2 ||
		fail "$spec: the exporter's reading differs from Postfix's (table: $(head -c 400 "$name" 2>/dev/null || echo "$name"))"
	n_tables=$((n_tables + 1))
}

# table NAME CONTENT: write $T/NAME (printf %b) and print its path.
table() {
	printf '%b' "$2" >"$T/$1"
	echo "$T/$1"
}

# ---- exact keys: the postmap source format ----
ACCESS=$(table access '# access(5): a client and sender table as people write it\nexample.com      OK\nspam.example     REJECT  go away  \nUpper.Example    DUNNO\n\n192.0.2          REJECT\ncontinued\n    554 five\n    lines\n"quoted key" OK\na\\\\ b RELAY\nnovalue\nexample.com      REJECT\n   # comment between lines\ntab\tvalue\twith\ttabs\nunknown  550 no reverse DNS\n')
KEYS=(example.com EXAMPLE.COM spam.example upper.example Upper.Example 192.0.2 continued
	'"quoted key"' 'quoted key' 'a\ b' novalue tab unknown missing.example '')
for type in hash btree texthash; do
	compare "$type" "$ACCESS" "${KEYS[@]}"
done

compare inline '{ unknown=OK, example.com=REJECT, { spaced.example = 550 text } }' \
	unknown UNKNOWN example.com spaced.example other
compare inline '{ a=1, a=2 }' a b

# ---- regular expressions ----
# A client table of the kind mail guides publish (dynamic-address names,
# a network pattern, a trusted domain), in both syntaxes.
CLIENT='# client_checks\n/^unknown$/                     550 no reverse DNS\n/(dsl|dialup|dynamic|pool)[.-]/ REJECT dynamic address\n/^192\\.168\\.1\\.[0-9]+$/        OK\n/\\.example\\.com$/              OK\n!/\\./                          REJECT not a FQDN\n'
CLIENT_KEYS=(unknown UNKNOWN dsl-1.pool.example.net 192.168.1.7 192.168.1.evil.example
	mx.example.com MX.EXAMPLE.COM localhost other.example.org badexample.com)
compare pcre "$(table client.pcre "$CLIENT")" "${CLIENT_KEYS[@]}"
compare regexp "$(table client.regexp "$CLIENT")" "${CLIENT_KEYS[@]}"

compare pcre "$(table sub.pcre '/^(.*)@(example\\.com)$/ 550 $1 at ${2} refused\n/^([^@]+)@/ REDIRECT $(1)@example.net $$5\n')" \
	user@example.com someone@else.example noat
compare regexp "$(table sub.regexp '/^(.*)@(example\\.com)$/ 550 $1 at ${2} refused\n/^([^@]+)@/ REDIRECT ${1}@example.net $$5\n')" \
	user@example.com someone@else.example noat

IFS_TABLE='/^a\\./ first\nif /\\.example\\.com$/\n/^b/ in block\nif !/^bb/\n/^b/ nested\nendif\n/^bb/ bb in block\nendif\n/^a/ never\n/./ catch all\n'
IF_KEYS=(a.example.com b.example.com bb.example.com b.example.org c)
compare pcre "$(table if.pcre "$IFS_TABLE")" "${IF_KEYS[@]}"
compare regexp "$(table if.regexp "$IFS_TABLE")" "${IF_KEYS[@]}"

# flags: i toggles case folding off; pcre x, regexp x (basic syntax)
compare pcre "$(table flags.pcre '/abc/i lower only\n/a b c/x spaced\n/^DEF$/ def any case\n')" ABC abc aBc DEF def
compare regexp "$(table flags.regexp '/abc/i lower only\n/^a+$/x basic syntax\n/^DEF$/ def any case\n')" ABC abc 'a+' aaa def
compare regexp "$(table re2.regexp '/example\\.com$/!/^dsl/ yes\n/./ no\n')" mx.example.com dsl.example.com mx.example.org

# rules Postfix skips, with what follows still read
compare pcre "$(table skipped.pcre '/(/ bad pattern\n/abc/q unknown flag\n/(a)bc/ $2 out of range\n!/(x)/ $1 negative\njunk line\n/abc later\n/abc/ later\n%a/b% slash\n|a\\|b| pipe\n')" abc a/b 'a|b'
compare pcre "$(table noendif.pcre 'endif\n/^x/ x first\nif /^a/\n/^ab/ ab\n')" x ab b

# ---- generated from a fixed seed: rules, flags, negation, IF blocks ----
"$PY" - "$T" <<'EOF'
import random, sys
rng = random.Random(15)
atoms = ["a", "b", "x", r"\.", "[0-9]", "[a-z]", ".", r"\d", "(ab|cd)", "mail", "example", "-"]
quant = ["", "", "+", "*", "?", "{2}"]
keys = ["mail.example.com", "abx", "a.b", "123", "x-1.pool.example", "MAIL", "", "ab.cd",
        "b9", "example", "unknown", "a--b", "cdab"]
def pattern():
    p = "".join(rng.choice(atoms) + rng.choice(quant) for _ in range(rng.randint(1, 4)))
    if rng.random() < 0.3: p = "^" + p
    if rng.random() < 0.3: p = p + "$"
    return p
for t in range(30):
    lines, depth = [], 0
    for _ in range(rng.randint(1, 8)):
        r = rng.random()
        if r < 0.12:
            lines.append("if %s/%s/" % ("!" if rng.random() < 0.3 else "", pattern())); depth += 1
        elif r < 0.2 and depth:
            lines.append("endif"); depth -= 1
        else:
            flags = rng.choice(["", "", "i", "x"])
            neg = "!" if rng.random() < 0.2 else ""
            lines.append("%s/%s/%s result%d" % (neg, pattern(), flags, len(lines)))
    open("%s/gen%d.table" % (sys.argv[1], t), "w").write("\n".join(lines) + "\n")
open("%s/gen.keys" % sys.argv[1], "w").write("\n".join(keys) + "\n")
EOF
mapfile -t GEN_KEYS <"$T/gen.keys"
for f in "$T"/gen*.table; do
	cp "$f" "$f.pcre"
	cp "$f" "$f.regexp"
	compare pcre "$f.pcre" "${GEN_KEYS[@]}"
	compare regexp "$f.regexp" "${GEN_KEYS[@]}"
done

[ "$n_tables" -ge 60 ] || fail "only $n_tables tables compared"
pass "$n_tables tables, $n_lookups lookups: the exporter reads them as postmap -q does"
