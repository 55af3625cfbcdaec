#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vqtrace on the host: --help, usage errors (exit 2), and the runtime errors
# (exit 1, one clear line; {"error":…} on stdout under -j): no BTF, no virtio
# device, and BPF tracing not permitted (this lab's host forbids fentry/fexit;
# on a host that allows them, a short trace must give a valid summary).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
O=${O:-$top/build}
vqt=$O/vqtrace
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
[ -x "$vqt" ] || { echo "FAIL: $vqt is not built (make)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

expect() { # EXIT_CODE STDERR_REGEX ARGS... (runs vqtrace, checks both)
	local want=$1 re=$2 rc
	shift 2
	"$vqt" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne "$want" ]; then
		fail "vqtrace $*: exit $rc, wanted $want ($(head -c 300 "$tmp/err"))"
	elif ! grep -Eq -e "$re" "$tmp/err"; then
		fail "vqtrace $*: stderr does not match /$re/: $(head -c 300 "$tmp/err")"
	else
		ok "vqtrace $*: exit $want"
	fi
}

"$vqt" --help >"$tmp/help" 2>&1 && grep -q '^EXAMPLES:' "$tmp/help" && grep -q -- '--duration' "$tmp/help" &&
	ok "--help: exit 0, has EXAMPLES" || fail "--help"
"$vqt" -h >/dev/null 2>&1 || fail "-h: nonzero exit"

# Usage errors: exit 2, one "Error:" line naming what was wrong.
expect 2 "unknown option '--bogus'" --bogus
expect 2 "unknown option '-x'" -x
expect 2 "needs a value" --duration
expect 2 "--duration: 'abc'" --duration abc
expect 2 "--duration: '0'" --duration 0
expect 2 "--duration: '-1'" --duration -1
expect 2 "INTERVAL: '0'" 0
expect 2 "INTERVAL: '1x'" 1x
expect 2 "COUNT: '0'" 1 0
expect 2 "COUNT: '2.5'" 1 2.5
expect 2 "unexpected argument 'extra'" 1 2 extra
expect 2 "cannot be used with --duration" --duration 5 1
expect 2 "--dev: 'virtioX'" --dev virtioX
expect 2 "--dev: '-3'" -d -3
expect 2 "--vq: ''" --vq ''

# Runtime errors: exit 1.
VQTRACE_BTF=/nonexistent "$vqt" --duration 1 -j >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && grep -q '^Error: this kernel has no BTF (/nonexistent' "$tmp/err" &&
	jq -e '.error | test("no BTF")' "$tmp/out" >/dev/null &&
	ok "no BTF: exit 1, clear error, {\"error\"} under -j" ||
	fail "no BTF: exit $rc: $(cat "$tmp/err" "$tmp/out")"

"$vqt" --core-btf "$tmp/none.btf" --duration 1 -j >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && grep -q "^Error: --core-btf $tmp/none.btf: No such file" "$tmp/err" &&
	jq -e '.error | test("--core-btf")' "$tmp/out" >/dev/null &&
	ok "--core-btf with no such file: exit 1, names the file" ||
	fail "--core-btf missing file: exit $rc: $(cat "$tmp/err" "$tmp/out")"

mkdir "$tmp/novirtio"
VQTRACE_VIRTIO_DEVICES=$tmp/novirtio "$vqt" --duration 1 >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && grep -q '^Error: no virtio device' "$tmp/err" && [ ! -s "$tmp/out" ] &&
	ok "no virtio device: exit 1, clear error" || fail "no virtio device: exit $rc: $(cat "$tmp/err")"

if [ "$(id -u)" != 0 ]; then
	echo "not root: the tracing-permission check needs root"
else
	"$vqt" --duration 1 -j >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if grep -q 'not permitted by this kernel' "$tmp/err"; then
		[ $rc -eq 1 ] && [ "$(grep -c '^Error:' "$tmp/err")" -eq 1 ] &&
			jq -e '.error | test("BPF tracing is not permitted")' "$tmp/out" >/dev/null &&
			! grep -q '^Tracing' "$tmp/err" &&
			ok "tracing not permitted (this host): exit 1, one clear error, {\"error\"} on stdout" ||
			fail "tracing not permitted: exit $rc: $(cat "$tmp/err" "$tmp/out")"
	elif [ $rc -eq 0 ]; then
		grep -q '^Tracing' "$tmp/err" && jq -e '.schema == 1 and (.queues | type == "array")' "$tmp/out" >/dev/null &&
			ok "tracing permitted on this host: a valid summary" || fail "summary: $(cat "$tmp/out")"
	else
		fail "vqtrace --duration 1 -j: exit $rc: $(cat "$tmp/err")"
	fi
fi
[ $failures -eq 0 ]
