#!/usr/bin/env bash
# dashboards_schema.sh - the Grafana dashboards against Grafana's own schema
# types.  Grafana is not installable here, but the schema it validates
# dashboards with is published as TypeScript (npm @grafana/schema):
#   1. npm ci, into $MTA_BUILD_DIR/grafana-schema (never into the source
#      tree), the versions pinned in dashboards/tests/schema/package.json and
#      package-lock.json: @grafana/schema of the Grafana the demo stack runs
#      (11.1.0) and typescript;
#   2. dashboards/tests/dashboards_schema.py writes each dashboard as a
#      TypeScript object literal typed as Grafana's Dashboard, its panels
#      with their plugin's options and field config, its targets as
#      Prometheus queries;
#   3. tsc --noEmit must accept all of them;
#   4. and must refuse broken copies: an enum value Grafana does not know, an
#      unknown option, a wrong type, an unknown key in a target, a threshold
#      mode that does not exist, and a panel type without schema types (the
#      generator refuses it).
. "$(dirname "$0")/lib.sh"
: "${MTA_BUILD_DIR:?MTA_BUILD_DIR must point at the build tree (ctest sets it)}"

apt_need npm npm
SRC=$MTA_SOURCE_DIR
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
W=$MTA_BUILD_DIR/grafana-schema
mkdir -p "$W"

# ------------------------------------------------------------ 1. install
# Reinstall only when the pinned versions changed (the copy of the lock file
# in $W is the stamp), so a rerun costs no network.
if ! cmp -s "$SRC/dashboards/tests/schema/package-lock.json" "$W/package-lock.json" ||
	[ ! -x "$W/node_modules/.bin/tsc" ]; then
	cp "$SRC/dashboards/tests/schema/package.json" "$SRC/dashboards/tests/schema/package-lock.json" "$W/"
	# Node ships its own CA list; trust the system's too (Debian's
	# ca-certificates, which an operator's proxy CA is added to), as every
	# other download of the tests does.
	ca=/etc/ssl/certs/ca-certificates.crt
	[ -n "${NODE_EXTRA_CA_CERTS:-}" ] || [ ! -r "$ca" ] || export NODE_EXTRA_CA_CERTS=$ca
	(cd "$W" && npm ci --no-audit --no-fund --loglevel=error) >"$T/npm.log" 2>&1 ||
		fail "npm ci in $W: $(tail -20 "$T/npm.log")"
fi
cp "$SRC/dashboards/tests/schema/tsconfig.json" "$W/"
version=$(cd "$W" && node -p 'require("@grafana/schema/package.json").version')
[ "$version" = 11.1.0 ] || fail "@grafana/schema $version installed, 11.1.0 pinned"
pass "@grafana/schema $version and typescript $("$W/node_modules/.bin/tsc" --version | cut -d' ' -f2) installed in the build directory"

# ------------------------------------------------------------ 2, 3. the shipped dashboards
tsc_on() {	# tsc_on DASHBOARD_DIR: generate and type-check; tsc's output in $T/tsc.out
	rm -rf "$W/generated"
	"$PY" "$SRC/dashboards/tests/dashboards_schema.py" "$W/generated" "$1" >"$T/tsc.out" 2>&1 || return 2
	(cd "$W" && node_modules/.bin/tsc -p tsconfig.json) >"$T/tsc.out" 2>&1
}
tsc_on "$SRC/dashboards/grafana" || fail "the dashboards do not type-check against @grafana/schema:
$(head -40 "$T/tsc.out")"
n=$(ls "$W/generated"/*.ts | wc -l)
[ "$n" = "$(ls "$SRC"/dashboards/grafana/*.json | wc -l)" ] || fail "$n TypeScript files for the dashboards"
pass "$n dashboards type-check against Grafana's schema (tsc --noEmit)"

# ------------------------------------------------------------ 4. it can fail
"$PY" - "$SRC/dashboards/grafana/mta-host-detail.json" "$T/bad" <<'PY' || fail "making broken copies"
import copy, json, os, sys
d = json.load(open(sys.argv[1]))
def first(kind):
    return next(i for i, p in enumerate(d["panels"]) if p["type"] == kind)
st, tb, tl = first("stat"), first("table"), first("state-timeline")
def case(name, edit):
    c = copy.deepcopy(d)
    edit(c)
    os.makedirs(os.path.join(sys.argv[2], name))
    json.dump(c, open(os.path.join(sys.argv[2], name, "x.json"), "w"))
case("enum", lambda c: c["panels"][st]["options"].update(colorMode="bakground"))
case("unknown-option", lambda c: c["panels"][tb]["options"].update(showHeaders=True))
case("wrong-type", lambda c: c["panels"][st]["gridPos"].update(w="6"))
case("target-key", lambda c: c["panels"][st]["targets"][0].update(exprr="up"))
case("threshold-mode", lambda c: c["panels"][st]["fieldConfig"]["defaults"]["thresholds"].update(mode="relative"))
case("custom-field", lambda c: c["panels"][tl]["fieldConfig"]["defaults"]["custom"].update(fillOpacty=5))
case("panel-type", lambda c: c["panels"][st].update(type="piechart"))
PY
for c in "$T"/bad/*; do
	rc=0
	tsc_on "$c" || rc=$?
	[ "$rc" != 0 ] || fail "broken dashboard accepted: ${c##*/}"
	echo "    ${c##*/}: refused ($(grep -o 'error TS[0-9]*' "$T/tsc.out" | head -1 || true)$(grep -o 'have no schema types' "$T/tsc.out" || true))"
done
pass "tsc refuses each broken copy (enum, unknown option, wrong type, target key, threshold mode, custom field, panel type)"
