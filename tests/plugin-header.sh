#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The plugin is built against the header of the QEMU that is installed: the
# fetched header's recorded version is the installed package version, its
# plugin API is >= 3, and the built plugin exports what QEMU looks up. No boot.
set -euo pipefail
top=${VQLAB_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
O=${O:-$top/build}
inc=${QEMU_PLUGIN_INC:-$O/qemu-plugin}
[ -f "$O/vqicount.so" ] || { echo "skip: $O/vqicount.so is not built (make plugin)"; exit 77; }
fails=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# Usage errors exit 2 with a usage line.
for cmd in scripts/fetch-qemu-plugin-header.sh plugin/guest-syms.sh; do
	rc=0
	out=$("$top/$cmd" 2>&1) || rc=$?
	[ $rc = 2 ] && grep -q usage <<<"$out" && echo "ok: $cmd without arguments: exit 2, usage" ||
		bad "$cmd without arguments: exit $rc: $out"
done
# A report without a kallsyms frame, and one with a damaged frame, are refused.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'VQLAB-READY 1.0\n' >"$tmp/none.log"
printf 'VQLAB-KALLSYMS 40 00000000\nffffffff81000000 T _text\nffffffff81000010 T x\n\nVQLAB-END\n' >"$tmp/crc.log"
for f in none crc; do
	if "$top/plugin/guest-syms.sh" "$tmp/$f.log" "$tmp/out" 2>"$tmp/err"; then
		bad "guest-syms.sh accepted $f.log"
	else
		echo "ok: guest-syms.sh refused $f.log: $(cat "$tmp/err")"
	fi
done

# Up to date: must neither download nor touch the header.
before=$(stat -c %Y "$inc/qemu-plugin.h")
"$top/scripts/fetch-qemu-plugin-header.sh" "$inc"
[ "$(stat -c %Y "$inc/qemu-plugin.h")" = "$before" ] && echo "ok: header left alone when up to date" ||
	bad "header rewritten although up to date"

want=$(dpkg-query -W -f='${Version}' qemu-system-x86)
got=$(cat "$inc/qemu-plugin.version")
[ "$got" = "$want" ] && echo "ok: header from QEMU $got" || bad "header from QEMU $got, installed $want"
api=$(sed -n 's/^#define QEMU_PLUGIN_VERSION \([0-9]*\).*/\1/p' "$inc/qemu-plugin.h")
[ "${api:-0}" -ge 3 ] && echo "ok: plugin API $api" || bad "plugin API '${api}' < 3"

syms=$(nm -D --defined-only "$O/vqicount.so")
for s in qemu_plugin_version qemu_plugin_install; do
	grep -qw "$s" <<<"$syms" && echo "ok: exports $s" || bad "$O/vqicount.so does not export $s"
done
[ $fails -eq 0 ]
