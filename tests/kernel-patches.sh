#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Fast checks of kernel-patches/ that CI can afford (no kernel build):
#  - kernel-patches/base pins a package, version, suite and sha256;
#  - the series lists existing patches, each once, and every patch file is listed;
#  - each patch has From:, Subject:, a body that says why, an "Upstream:" line,
#    a Signed-off-by: and a diff;
#  - config fragments only set CONFIG_* options;
#  - the whole series applies, in order, to the pristine files it touches
#    (git apply) of the pinned base source package, which is downloaded into
#    the cache first when it is not there (scripts/kernel-build.sh --fetch):
#    a fresh machine checks this too, it does not skip.
set -u
top=${VQLAB_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
kp=$top/kernel-patches
cache=${VQLAB_CACHE:-/var/cache/vqlab}
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# shellcheck source=../kernel-patches/base
. "$kp/base" || { echo "FAIL: cannot read kernel-patches/base"; exit 1; }
for v in base_package base_version base_suite base_sha256; do
	[ -n "${!v:-}" ] || bad "kernel-patches/base does not set $v"
done
[[ ${base_sha256:-} =~ ^[0-9a-f]{64}$ ]] || bad "base_sha256 is not a sha256"

mapfile -t series < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$kp/series")
[ ${#series[@]} -gt 0 ] || bad "kernel-patches/series is empty"
dups=$(printf '%s\n' "${series[@]}" | sort | uniq -d)
[ -z "$dups" ] || bad "series lists twice: $dups"
for f in "$kp"/*.patch; do
	[ -e "$f" ] || continue
	printf '%s\n' "${series[@]}" | grep -qxF "$(basename "$f")" || bad "$(basename "$f") is not in the series"
done

n=0
for p in "${series[@]}"; do
	n=$((n + 1))
	f=$kp/$p
	[ -f "$f" ] || { bad "series names $p, which does not exist"; continue; }
	grep -q '^From: ' "$f" || bad "$p: no From: line"
	grep -q '^Subject: ' "$f" || bad "$p: no Subject: line"
	grep -q '^Signed-off-by: ' "$f" || bad "$p: no Signed-off-by: line"
	grep -Eq '^Upstream: (commit [0-9a-f]{12,40} \(".*"\)|.{20,})$' "$f" || bad "$p: no 'Upstream:' reference"
	grep -q '^diff --git ' "$f" || bad "$p: no diff"
	# The body: the lines between the header's blank line and the '---' line.
	body=$(awk 'h && /^---$/ {exit} h {print} /^$/ && !h {h=1}' "$f" |
		grep -v -e '^Upstream:' -e '^Signed-off-by:' -e '^[[:space:]]*$' | wc -l)
	[ "$body" -ge 2 ] || bad "$p: the body does not say why (only $body lines)"
	[[ $p =~ ^[0-9]{4}-.*\.patch$ ]] || bad "$p: not named NNNN-subject.patch"
done
echo "series: $n patches checked"

for c in "$kp"/configs/*.config; do
	if grep -Ev '^(#.*|CONFIG_[A-Z0-9_]+=(y|n|m|[0-9]+|".*")|)$' "$c" | grep -q .; then
		bad "$(basename "$c"): lines that are not CONFIG_*=value"
	fi
done

[ $fail = 0 ] || exit 1

deb=$(VQLAB_CACHE=$cache "$top/scripts/kernel-build.sh" --fetch) && [ -f "$deb" ] ||
	{ echo "FAIL: cannot fetch $base_package $base_version into $cache/src (scripts/kernel-build.sh --fetch)"; exit 1; }
# Extract the pristine version of every file the series touches.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mapfile -t files < <(cd "$kp" && sed -n 's|^+++ b/||p' "${series[@]}" | sort -u)
dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$base_package.tar.xz" |
	tar -xJ -C "$tmp" "${files[@]/#/$base_package/}" || { echo "FAIL: cannot extract ${files[*]} from $deb"; exit 1; }
# git apply --check of several patches checks each against the original
# files, so apply them for real, in order, to the throw-away copy.
for p in "${series[@]}"; do
	(cd "$tmp/$base_package" && git apply "$kp/$p") ||
		{ echo "FAIL: $p does not apply to $base_package $base_version + the patches before it"; exit 1; }
done
echo "series applies to $base_package $base_version"
