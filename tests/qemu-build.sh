#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The device side's QEMU, really built (or reused from the cache) with the
# whole of qemu-patches/series applied:
#  - every patch of the series has a Subject, an Upstream: line and a sign-off;
#  - `vqlab qemu build` prints build:NAME and the binary; the binary runs
#    -version and reports the base's version (10.0.2);
#  - it finds Debian's firmware from the cache folder (starts a PC machine);
#  - the patch is in the binary (0001's new guest-error text), the symbols are
#    there for uprobes (perf probe -F; the inlined virtqueue_ordered_fill by
#    DWARF) and the USDT notes for perf (readelf -n);
#  - `vqlab qemu list -j` lists the build with its provenance: base sha256 as
#    pinned, series point, each patch's sha256 as on disk, configure line;
#  - a second build is a cache hit; --upto 99 is a usage error (exit 2).
# On a fresh machine the first run builds QEMU (ccache cold): about 10 min of
# CPU, 11-33 min of wall time on 2 shared cores (qemu-patches/README.md). Needs root (build packages, /var/cache/vqlab) or a writable
# VQLAB_CACHE with the packages installed; exit 77 otherwise.
set -u
top=${VQLAB_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
O=${O:-$top/build}
qp=$top/qemu-patches
cache=${VQLAB_CACHE:-/var/cache/vqlab}
vqlab=$O/vqlab
fail=0
bad() { echo "FAIL: $*"; fail=1; }

[ -x "$vqlab" ] || { echo "no $vqlab (run make)"; exit 77; }
mkdir -p "$cache" 2>/dev/null && [ -w "$cache" ] || { echo "cannot write $cache (root, or VQLAB_CACHE)"; exit 77; }
"$vqlab" qemu help >/dev/null 2>&1 || { echo "FAIL: vqlab has no 'qemu' command"; exit 1; }

# The series' own form, before spending minutes on a build.
# shellcheck source=../qemu-patches/base
. "$qp/base"
mapfile -t series < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$qp/series")
[ ${#series[@]} -gt 0 ] || bad "qemu-patches/series is empty"
for p in "${series[@]}"; do
	f=$qp/$p
	[ -f "$f" ] || { bad "series names $p, which does not exist"; continue; }
	grep -q '^Subject: ' "$f" || bad "$p: no Subject:"
	grep -Eq '^Upstream: (commit [0-9a-f]{12}|not found)' "$f" || bad "$p: no Upstream: line"
	grep -q '^Signed-off-by: ' "$f" || bad "$p: no Signed-off-by:"
	grep -q '^diff --git ' "$f" || bad "$p: no diff"
done
[ $fail = 0 ] || exit 1

n=${#series[@]}
name=$base_version+p$n
start=$SECONDS
out=$("$vqlab" qemu build 2>"$O/qemu-build.err") || { cat "$O/qemu-build.err"; bad "vqlab qemu build failed"; exit 1; }
echo "vqlab qemu build: $((SECONDS - start)) s"
spec=$(sed -n 1p <<<"$out")
bin=$(sed -n 2p <<<"$out")
[ "$spec" = "build:$name" ] || bad "build printed '$spec', expected build:$name"
[ -x "$bin" ] || { bad "'$bin' is not executable"; exit 1; }

ver=$("$bin" -version | head -1)
case $ver in *"version $base_version"*) ;; *) bad "$bin -version: '$ver' (expected $base_version)" ;; esac

# Not relocatable: from the cache folder it still finds Debian's firmware, so
# a PC machine gets past loading SeaBIOS (-S: then waits; timeout ends it).
"$bin" -L help | grep -qx /usr/share/seabios || bad "$bin -L help lacks /usr/share/seabios"
timeout 5 "$bin" -machine pc -accel tcg -display none -nic none -monitor none -S \
	>"$O/qemu-build.err" 2>&1
rc=$?
[ $rc = 124 ] || bad "$bin did not start a PC machine (exit $rc): $(head -c 300 "$O/qemu-build.err")"

# 0001 adds the "bad ndescs" guest error: its text is only in a patched binary.
grep -q 'bad ndescs %u in used_elems' "$bin" || bad "$bin lacks 0001's code"
if command -v perf >/dev/null; then
	funcs=$(perf probe -x "$bin" -F 2>/dev/null)
	for f in virtqueue_pop virtqueue_fill virtqueue_flush virtio_notify; do
		grep -qx "$f" <<<"$funcs" || bad "perf probe -F: no symbol $f"
	done
	# gcc inlines it into virtqueue_fill (no symbol of its own): perf reaches
	# it through the debug info.
	grep -qx virtqueue_ordered_fill <<<"$funcs" ||
		perf probe -x "$bin" -V virtqueue_ordered_fill >/dev/null 2>&1 ||
		bad "perf probe cannot place a probe on virtqueue_ordered_fill"
fi
notes=$(readelf -n "$bin")
grep -q 'NT_STAPSDT' <<<"$notes" || bad "no USDT (stapsdt) notes"
for t in virtqueue_pop virtqueue_fill virtqueue_flush virtio_notify virtio_queue_notify; do
	grep -Eq "Name: $t\$" <<<"$notes" || bad "no USDT trace point $t"
done

# Provenance, as `vqlab qemu list -j` shows it.
list=$("$vqlab" qemu list -j) || bad "vqlab qemu list -j failed"
b=$(jq -c --arg n "$name" '.[] | select(.name == $n)' <<<"$list")
[ -n "$b" ] || { bad "qemu list -j does not list $name: $list"; exit 1; }
[ "$(jq -r .base.sha256 <<<"$b")" = "$base_sha256" ] || bad "base.sha256 differs from the pin"
[ "$(jq -r .series.point <<<"$b")" = "$n" ] || bad "series.point is not $n"
[ "$(jq -r .qemu_version <<<"$b")" = "$base_version" ] || bad "qemu_version is not $base_version"
[ "$(jq -r .path <<<"$b")" = "$bin" ] || bad "path differs from what build printed"
for i in "${!series[@]}"; do
	want=$(sha256sum <"$qp/${series[$i]}" | cut -c1-64)
	got=$(jq -r --argjson i "$i" '.series.patches[$i].sha256' <<<"$b")
	[ "$got" = "$want" ] || bad "patch $((i + 1)): sha256 $got, file has $want"
done
jq -e '.configure | index("--enable-trace-backends=dtrace")' <<<"$b" >/dev/null ||
	bad "configure line lacks dtrace"
jq -e '.built_at and .build_seconds >= 0 and (.key | length == 16)' <<<"$b" >/dev/null ||
	bad "no built_at, build_seconds or key"

# The same build again: a cache hit, quick.
j=$("$vqlab" qemu build -j 2>/dev/null) || bad "second build failed"
[ "$(jq -r .cached <<<"$j")" = true ] || bad "second build was not a cache hit: $j"

# A point past the series is a usage error, under -j too.
"$vqlab" qemu build --upto 99 2>"$O/qemu-build.err"
rc=$?
[ $rc = 2 ] || bad "--upto 99: exit $rc, expected 2"
grep -q 'the series has' "$O/qemu-build.err" || bad "--upto 99: no reason given"
j=$("$vqlab" qemu build --upto 99 -j 2>/dev/null)
[ $? = 2 ] && jq -e .error <<<"$j" >/dev/null || bad "--upto 99 -j: no {\"error\"} or exit != 2"

[ $fail = 0 ] && echo "ok: build:$name ($bin)"
exit $fail
