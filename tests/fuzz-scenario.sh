# SPDX-License-Identifier: GPL-2.0
# Fuzz the scenario parser with libFuzzer (+ ASan/UBSan) for a bounded time,
# seeded with the shipped scenarios. FUZZ_SECONDS=600 for a longer session.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
O=${O:-$top/build}
command -v clang >/dev/null || { echo "clang is not installed"; exit 77; }
out=$O/fuzz
mkdir -p "$out/corpus"
cp "$top"/scenarios/*.ini "$out/corpus/"
clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-D_GNU_SOURCE -I"$top/tools/lab" -I"$top/tools/lib" \
	"$top/tests/fuzz/scenario.c" "$top/tools/lab/scenario.c" "$top/tools/lib/parse.c" \
	"$top"/tools/lab/{kernel,proc}.c "$top"/tools/lib/{msg,dirs}.c \
	-linih -ljansson -o "$out/scenario-fuzz" || exit 1
VQLAB_JOBS=$top/guest/jobs "$out/scenario-fuzz" -max_total_time="${FUZZ_SECONDS:-30}" \
	-max_len=4096 -timeout=5 -artifact_prefix="$out/" "$out/corpus" 2>"$out/fuzz.log"
rc=$?
tail -n 3 "$out/fuzz.log"
[ $rc = 0 ] || { grep -m1 -A15 'ERROR' "$out/fuzz.log"; exit 1; }
echo "fuzzed $(grep -o 'Done [0-9]* runs' "$out/fuzz.log")"
