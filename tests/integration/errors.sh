# SPDX-License-Identifier: GPL-2.0
# Bad input: each a one-line "Error: …", a non-zero exit, and nothing started.
. "$(dirname "$0")/lib.bash"

expect() { # expect EXIT PATTERN CMD...
	local want=$1 pat=$2 rc
	shift 2
	"$@" >"$work/out" 2>"$work/err"
	rc=$?
	[ "$rc" = "$want" ] || fail "$* exited $rc, want $want: $(cat "$work/err")"
	grep -q -- "$pat" "$work/err" || fail "$*: stderr lacks '$pat': $(cat "$work/err")"
	[ "$(grep -c '^Error: ' "$work/err")" = 1 ] || fail "$*: want one Error line: $(cat "$work/err")"
	ok "$(head -c 150 "$work/err")"
}

# Kernel specs are checked by plan, with file:line and the accepted values.
printf '[scenario]\nduration = 2\n[axes]\nkernel = file:/nonexistent/kernel\n' >"$work/nokernel.ini"
expect 2 "$work/nokernel.ini:4: kernel: no vmlinuz in '/nonexistent/kernel' (accepted: file:<dir>" \
	"$VQLAB" run "$work/nokernel.ini" -o "$work"
printf '[axes]\nkernel = debian:sid, debian:woody\n' >"$work/nosuite.ini"
expect 2 "$work/nosuite.ini:2: kernel: unknown Debian suite in 'debian:woody' (accepted: .*bookworm-backports" \
	"$VQLAB" plan "$work/nosuite.ini"
# plan accepts exactly the suites scripts/fetch-kernel.sh fetches from
c_suites=$(sed -n 's/.*<suite> one of \([^)]*\)).*/\1/p' "$work/err" | tr -d ' ' | tr ',' '\n' | sort)
sh_suites=$(sed -n 's/^[[:space:]]*\(bookworm |[^)]*\)).*/\1/p' "$top/scripts/fetch-kernel.sh" | tr -d ' ' | tr '|' '\n' | sort)
[ -n "$c_suites" ] && [ "$c_suites" = "$sh_suites" ] ||
	fail "plan's suites ($(echo $c_suites)) differ from fetch-kernel.sh's ($(echo $sh_suites))"
ok "plan and fetch-kernel.sh accept the same suites: $(echo $c_suites)"
printf '[axes]\nkernel = build:no-such-build\n' >"$work/nobuild.ini"
expect 2 "$work/nobuild.ini:2: kernel: no build 'no-such-build' in .*/kernels/build (accepted: " \
	"$VQLAB" plan "$work/nobuild.ini"

printf '[scenario]\nduration = 2\n' >"$work/plain.ini"
VQLAB_LIBVIRT_URI='qemu:///system?socket=/nonexistent/libvirt-sock' \
	expect 1 "cannot connect to libvirtd at qemu:///system?socket=/nonexistent/libvirt-sock" \
	"$VQLAB" run "$work/plain.ini" -o "$work"

printf '[scenario]\nduration = 2\n\n[axes]\nring = split\nqueue = 256\n' >"$work/badkey.ini"
expect 2 "$work/badkey.ini:6: unknown axis 'queue' in \[axes\] (accepted: kernel, ring" \
	"$VQLAB" run "$work/badkey.ini" -o "$work"

printf '[axes]\ntx_queue_size = 1024\n' >"$work/allskip.ini"
expect 1 "every cell of the matrix is skipped" "$VQLAB" run "$work/allskip.ini" -o "$work"
grep -q "tx_queue_size=256 only" "$work/err" || fail "skipped cell has no reason"

expect 2 "unknown command 'frobnicate'" "$VQLAB" frobnicate
expect 2 "run takes one scenario file" "$VQLAB" run
expect 2 "repeat: '0' is not a whole number" "$VQLAB" run --repeat 0 "$work/plain.ini"
"$VQLAB" --help | grep -q '^EXAMPLES:' || fail "--help has no EXAMPLES"
# Under -j the error is JSON on stdout.
"$VQLAB" -j run "$work/badkey.ini" -o "$work" 2>/dev/null | jq -e '.error | test("unknown axis")' >/dev/null ||
	fail "-j error is not JSON"
ok "-j errors are JSON"
[ -z "$(ls "$work" | grep -v '\.ini$\|^out$\|^err$')" ] || fail "a failed start wrote a run folder: $(ls "$work")"
# plan -j carries everything the text shows: the text, rebuilt from the JSON
# alone, is the text (a matrix with skipped cells, and one with icount).
plan_text() { # the text of `vqlab plan`, from `vqlab -j plan`
	jq -r 'def pad5: if length < 5 then . + ("     "[:5 - length]) else . end;
	"scenario \(.scenario) (\(.file)): \(.runnable) cells x \(.repeat) repetitions = \(.samples) samples, \(.skipped) skipped",
	"fixed:" + ([.fixed | to_entries[] | " \(.key)=\(.value)"] | join("")),
	"duration \(.duration_s)s, warm-up \(.warmup_s)s, timeout \(.timeout_s)s, seed \(.seed)" +
		(if .icount then ", instruction counts (icount) on" else "" end),
	(.cells[] | select(.skipped == null) | "  \(.cell | pad5) \(.description)"),
	(if .skipped > 0 then "skipped:" else empty end),
	(.cells[] | select(.skipped != null) | "  \(.cell | pad5) \(.description): \(.skipped)"),
	"estimated wall time: \(.estimated) (\(.samples) samples x ~\(.sample_estimate_s | round) s each under TCG)"'
}
for sc in queue-size retpoline; do
	"$VQLAB" plan "$top/scenarios/$sc.ini" >"$work/plan.txt" || fail "plan $sc exited $?"
	"$VQLAB" -j plan "$top/scenarios/$sc.ini" >"$work/plan.json" || fail "plan -j $sc exited $?"
	plan_text <"$work/plan.json" | diff "$work/plan.txt" - || fail "plan -j $sc lacks what its text shows"
	jq -e '(.skipped == ([.cells[] | select(.skipped != null)] | length)) and
		(.varying == [.cells[0].varying | keys_unsorted[]]) and
		all(.cells[]; .description == ([.varying | to_entries[] | "\(.key)=\(.value)"] | join(" "))) and
		((.estimated_s - .sample_estimate_s * .samples) | fabs < 0.01)' "$work/plan.json" >/dev/null ||
		fail "plan -j $sc: counts, varying axes or descriptions disagree"
	ok "plan -j $sc: every field of the text ($(wc -l <"$work/plan.txt") lines)"
done
# kernel list: every folder it names holds that kernel (the default
# scenario's kernel is in the cache by now).
"$VQLAB" -j kernel list >"$work/klist.json" || fail "kernel list exited $?"
jq -e 'length > 0' "$work/klist.json" >/dev/null || fail "kernel list: empty"
jq -r '.[].dir' "$work/klist.json" | while read -r d; do
	[ -f "$d/kernel.json" ] && [ -f "$d/vmlinuz" ] || echo "$d"
done | grep . && fail "kernel list -j names folders without a kernel"
ok "kernel list -j: each dir holds kernel.json and vmlinuz"
check_no_leftovers "bad input"
