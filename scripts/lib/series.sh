# SPDX-License-Identifier: GPL-2.0
# Sourced by scripts/kernel-build.sh and scripts/qemu-build.sh: move an
# unpacked source tree to a prefix of a quilt-style series.
#
# series_move_to SRC PATCHDIR N WHAT
#   The caller's array `series` lists the patch files of PATCHDIR in order and
#   its function `log` prints progress. SRC/.vqlab-applied/ holds a copy of
#   each applied patch (NNN-<patch>), so that the tree's state never depends on
#   PATCHDIR's current content and an edited patch can still be reverted.
#   Patches past the common prefix are reverted, then 1..N applied; a patch
#   that does not apply is an error naming WHAT (the base it was written for).
series_move_to() {
	local src=$1 pdir=$2 n=$3 what=$4 keep=0 i want
	local -a applied=()

	mapfile -t applied < <(cd "$src/.vqlab-applied" && ls | sort)
	while [ $keep -lt ${#applied[@]} ] && [ $keep -lt "$n" ]; do
		want=$(printf '%03d-%s' $((keep + 1)) "${series[$keep]}")
		[ "${applied[$keep]}" = "$want" ] && cmp -s "$src/.vqlab-applied/$want" "$pdir/${series[$keep]}" || break
		keep=$((keep + 1))
	done
	for ((i = ${#applied[@]} - 1; i >= keep; i--)); do
		log "reverting ${applied[$i]}"
		(cd "$src" && git apply -R -p1 --whitespace=nowarn "$src/.vqlab-applied/${applied[$i]}")
		rm "$src/.vqlab-applied/${applied[$i]}"
	done
	for ((i = keep; i < n; i++)); do
		log "applying ${series[$i]}"
		(cd "$src" && git apply -p1 --whitespace=nowarn "$pdir/${series[$i]}") || {
			echo "Error: ${series[$i]} does not apply on $what + the patches before it" >&2
			exit 1
		}
		cp "$pdir/${series[$i]}" "$src/.vqlab-applied/$(printf '%03d-%s' $((i + 1)) "${series[$i]}")"
	done
}
