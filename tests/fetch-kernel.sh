#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# scripts/fetch-kernel.sh runs at the start of every vqlab run: once a suite's
# kernel is cached, a second fetch must neither ask the archive again within
# the hour nor rebuild apt's cache of the index (it did both on every run:
# the lists carry the archive's mtime, and sources.list was rewritten).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${VQLAB_CACHE:-/var/cache/vqlab}
kc=$cache/kernels
apt_root=$kc/apt-sid
fails=0
err=$(mktemp)
trap 'rm -f "$err"' EXIT
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

first=$("$top/scripts/fetch-kernel.sh" sid "$kc" 2>/dev/null) || { echo "FAIL: fetch-kernel.sh sid $kc"; exit 1; }
[ -f "$first/vmlinuz" ] && ok "fetched (or found) $first" || fail "no vmlinuz in '$first'"
[ -f "$apt_root/updated" ] || fail "no stamp $apt_root/updated after a fetch"

second=$("$top/scripts/fetch-kernel.sh" sid "$kc" 2>"$err")
[ "$second" = "$first" ] && ok "the second fetch names the same folder" || fail "second fetch: '$second'"
if grep -q 'InRelease\|^Get:' "$err"; then
	fail "the second fetch asked the archive again: $(head -c 300 "$err")"
else
	ok "the second fetch did not ask the archive (index fetched less than an hour ago)"
fi

[ -f "$apt_root/pkgcache.bin" ] || fail "apt keeps no cache of the index in $apt_root"
before=$(stat -c %Y.%s "$apt_root/pkgcache.bin" 2>/dev/null)
sleep 1.1
"$top/scripts/fetch-kernel.sh" sid "$kc" >/dev/null 2>&1 || fail "third fetch failed"
after=$(stat -c %Y.%s "$apt_root/pkgcache.bin" 2>/dev/null)
[ -n "$before" ] && [ "$before" = "$after" ] && ok "apt's cache of the index is reused, not rebuilt" ||
	fail "pkgcache.bin rebuilt by a fetch that changed nothing ($before -> $after)"

[ $fails = 0 ] || exit 1
