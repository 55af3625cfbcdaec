#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# guest-syms.sh REPORT_LOG OUT
# Takes the VQLAB-KALLSYMS frame that the guest job `kallsyms` wrote to the
# report channel, checks its length and CRC-32, and writes the symbols (one
# "addr type name [module]" line each, duplicates dropped) to OUT for
# vqicount's syms= argument. Exit 1 when the frame is missing or damaged.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: guest-syms.sh REPORT_LOG OUT" >&2; exit 2; }
log=$1
out=$2
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
hdr=$(grep -a -m1 '^VQLAB-KALLSYMS ' "$log" || true)
[ -n "$hdr" ] || { echo "Error: $log has no VQLAB-KALLSYMS frame" >&2; exit 1; }
read -r _ len crc <<<"$hdr"
# The payload is the bytes between the header line and "\nVQLAB-END".
awk '/^VQLAB-KALLSYMS /{f=1; next} f && /^VQLAB-END$/{exit} f' "$log" | head -c "$len" >"$tmp"
[ "$(wc -c <"$tmp")" = "$len" ] || { echo "Error: $log: kallsyms frame is truncated" >&2; exit 1; }
got=$(busybox crc32 <"$tmp")
[ "$got" = "$crc" ] || { echo "Error: $log: kallsyms frame CRC $got, expected $crc" >&2; exit 1; }
sort -u "$tmp" >"$out.tmp" && mv "$out.tmp" "$out"
