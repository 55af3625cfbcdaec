# SPDX-License-Identifier: GPL-2.0
# Shared helpers of the tests/vqreport*.sh scripts (sourced, not a test).
top=${VQLAB_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
O=${O:-$top/build}
V=$O/vqreport
gen=$top/tests/data/gen-run.sh
[ -x "$V" ] || { echo "skip: $V not built (make)"; exit 77; }
command -v python3 >/dev/null || { echo "skip: python3 needed to check JSON"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

ok() { printf 'ok    %s\n' "$1"; }
bad() { printf 'FAIL  %s\n' "$1"; failures=$((failures + 1)); }

# expect_rc DESC RC CMD...: run CMD (output in $tmp/out, $tmp/err), check its exit code.
expect_rc() {
	local desc=$1 want=$2 rc
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" = "$want" ]; then
		ok "$desc (exit $rc)"
	else
		bad "$desc: exit $rc, expected $want"
		sed 's/^/      out: /' "$tmp/out" | head -20
		sed 's/^/      err: /' "$tmp/err" | head -20
	fi
}

# jcheck DESC PYTHON-EXPR: strict JSON in $tmp/out (NaN/Infinity rejected),
# then EXPR evaluated with the document as d must be true.
jcheck() {
	local desc=$1 expr=$2
	if python3 - "$tmp/out" "$expr" <<'PY'
import json, sys
def no_const(c):
    raise ValueError("non-standard JSON constant " + c)
with open(sys.argv[1]) as f:
    text = f.read()
d = json.loads(text, parse_constant=no_const)
verdicts = [m["verdict"] for c in d.get("comparisons", []) for m in c["metrics"]]
if not eval(sys.argv[2]):
    print("      expression false: " + sys.argv[2])
    print("      json: " + text[:600])
    sys.exit(1)
PY
	then ok "$desc"; else bad "$desc"; fi
}

# grep_out DESC PATTERN [FILE]: extended regex must match (default: stdout).
grep_out() {
	if grep -Eq -- "$2" "${3:-$tmp/out}"; then ok "$1"; else
		bad "$1: /$2/ not in ${3:-stdout}"; sed 's/^/      /' "${3:-$tmp/out}" | head -20
	fi
}

finish() {
	echo "$failures failure(s)"
	[ "$failures" -eq 0 ]
}
