#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# kernel-build.sh [--upto N|PATCH] [--config NAME] [--target FILE] [--jobs N] [--cache DIR]
# kernel-build.sh --source | --fetch
#
# Builds a lab guest kernel from Debian's pinned linux-source (kernel-patches/base)
# with the first N patches of kernel-patches/series applied (default: all).
#   - The source package is downloaded on demand with a private apt configuration
#     (the system's suites stay untouched) and unpacked once into CACHE/src/.
#   - The one source tree is moved to the wanted prefix by reverse-applying and
#     applying patches; a copy of every applied patch is kept so that an edited
#     patch can still be reverted.
#   - The build is out of tree, one object folder per config, with ccache: a
#     neighbouring prefix rebuilds incrementally.
#   - The result is cached in CACHE/kernels/build/NAME/ keyed by base version,
#     series-prefix hash and config hash, with the layout fetch-kernel.sh writes
#     (vmlinuz, config, System.map, kernel.json, lib/modules/REL/ if any).
# Prints the spec `build:NAME` on the first line and the folder on the second.
#
# --config NAME: fragments of kernel-patches/configs/ joined by '+', merged on
#   top of tinyconfig + kvm_guest.config (default: lab+retpoline-on).
# --target FILE: build only FILE (e.g. drivers/virtio/virtio_ring.o) at that
#   prefix; nothing is cached, the object folder is printed.
# --source: fetch and unpack the base only; print the source folder.
# --fetch: download and check the base package only (no unpacking: what
#   tests/kernel-patches.sh needs); print the .deb's path.
# Environment: VQLAB_CACHE (default /var/cache/vqlab; --cache overrides it),
#   NICE (default 19).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kp=$top/kernel-patches
cache=${VQLAB_CACHE:-/var/cache/vqlab}
upto=all config=lab+retpoline-on target= jobs=2 source_only=0 fetch_only=0
usage() {
	echo "usage: kernel-build.sh [--upto N|PATCH] [--config NAME] [--target FILE] [--jobs N] [--cache DIR] | --source | --fetch" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--upto) upto=${2:?$(usage)}; shift 2 ;;
	--config) config=${2:?$(usage)}; shift 2 ;;
	--target) target=${2:?$(usage)}; shift 2 ;;
	--jobs) jobs=${2:?$(usage)}; shift 2 ;;
	--cache) cache=${2:?$(usage)}; shift 2 ;;
	--source) source_only=1; shift ;;
	--fetch) fetch_only=1; shift ;;
	-h | --help) sed -n '3,28s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "Error: unknown argument '$1'" >&2; usage ;;
	esac
done
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "Error: --jobs '$jobs' is not a positive number" >&2; exit 2; }
log() { printf 'kernel-build: %s\n' "$*" >&2; }
. "$top/scripts/lib/series.sh"

# shellcheck source=../kernel-patches/base
. "$kp/base"
mapfile -t series < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$kp/series")
for p in "${series[@]}"; do
	[ -f "$kp/$p" ] || { echo "Error: kernel-patches/series names '$p', which does not exist" >&2; exit 1; }
done

# --upto: a number of patches, or a patch name (with or without .patch).
n=${#series[@]}
if [ "$upto" != all ]; then
	if [[ $upto =~ ^[0-9]+$ ]]; then
		[ "$upto" -le "$n" ] || { echo "Error: --upto $upto: the series has $n patches" >&2; exit 2; }
		n=$((10#$upto))
	else
		n=-1
		for i in "${!series[@]}"; do
			case ${series[$i]} in "$upto" | "$upto.patch" | [0-9][0-9][0-9][0-9]-"$upto".patch) n=$((i + 1)) ;; esac
		done
		[ $n -ge 0 ] || { echo "Error: --upto '$upto' is neither a number (0-${#series[@]}) nor a patch in kernel-patches/series" >&2; exit 2; }
	fi
fi
frags=()
IFS=+ read -ra names <<<"$config"
for c in "${names[@]}"; do
	[[ $c =~ ^[A-Za-z0-9_-]+$ ]] && [ -f "$kp/configs/$c.config" ] || {
		echo "Error: --config '$config': no fragment kernel-patches/configs/$c.config (have: $(cd "$kp/configs" && ls *.config | sed 's/\.config$//' | tr '\n' ' '))" >&2
		exit 2
	}
	frags+=("$kp/configs/$c.config")
done

mkdir -p "$cache/src" "$cache/obj" "$cache/kernels/build" "$cache/ccache"
# One build at a time per cache: they share the source tree.
exec 9>"$cache/src/.lock"
flock 9

# Fetch the pinned source package.
deb=$cache/src/${base_package}_${base_version/:/%3a}_all.deb
if [ ! -f "$deb" ]; then
	apt_root=$cache/src/apt-$base_suite
	mkdir -p "$apt_root"/{lists/partial,archives/partial,etc/parts}
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $base_suite main" >"$apt_root/etc/sources.list"
	: >"$apt_root/etc/preferences"
	opts=(-o "Dir::Etc::SourceList=$apt_root/etc/sources.list" -o "Dir::Etc::SourceParts=$apt_root/etc/parts"
		-o "Dir::Etc::Preferences=$apt_root/etc/preferences" -o "Dir::Etc::PreferencesParts=$apt_root/etc/parts"
		-o "Dir::State::Lists=$apt_root/lists" -o "Dir::Cache=$apt_root"
		-o "Dir::State::status=/dev/null" -o "APT::Architecture=amd64" -o "APT::Sandbox::User=root" -q)
	log "downloading $base_package=$base_version from $base_suite"
	apt-get "${opts[@]}" update >&2
	(cd "$cache/src" && apt-get "${opts[@]}" download "$base_package=$base_version" >&2) || {
		echo "Error: cannot download $base_package=$base_version from $base_suite (a newer upload replaces it in the archive: re-pin kernel-patches/base and refresh the series)" >&2
		exit 1
	}
fi
echo "$base_sha256  $deb" | sha256sum -c --quiet - >&2 || { echo "Error: $deb does not match base_sha256 in kernel-patches/base" >&2; exit 1; }
if [ $fetch_only = 1 ]; then
	echo "$deb"
	exit 0
fi

# Unpack once.
src=$cache/src/linux-$(printf '%s' "$base_version" | tr -c 'A-Za-z0-9.\n-' _)
if [ ! -f "$src/Makefile" ]; then
	log "unpacking $deb into $src"
	tmp=$(mktemp -d "$cache/src/.unpack.XXXXXX")
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$base_package.tar.xz" | tar -xJ -C "$tmp"
	rm -rf "$src"
	mv "$tmp/$base_package" "$src"
	rmdir "$tmp"
	mkdir -p "$src/.vqlab-applied"
fi
if [ $source_only = 1 ]; then
	echo "$src"
	exit 0
fi

series_move_to "$src" "$kp" "$n" "$base_package $base_version"

# Config: tinyconfig + kvm_guest.config + the fragments, generated in a scratch
# folder and copied into the object folder only when it changed (no needless
# rebuild). The config hash is the hash of the resulting .config.
arch=(ARCH=x86_64)
cfgname=${config//+/-}
obj=$cache/obj/$(basename "$src")-$cfgname
scratch=$cache/obj/.config-$cfgname.$$
rm -rf "$scratch"
mkdir -p "$scratch" "$obj"
make -s -C "$src" O="$scratch" "${arch[@]}" tinyconfig >/dev/null
KCONFIG_CONFIG=$scratch/.config "$src/scripts/kconfig/merge_config.sh" -m -O "$scratch" \
	"$scratch/.config" "$src/kernel/configs/kvm_guest.config" "${frags[@]}" >"$scratch/merge.log" 2>&1
make -s -C "$src" O="$scratch" "${arch[@]}" olddefconfig >/dev/null
# Every =y/=n a lab fragment asks for must survive Kconfig's dependencies.
for f in "${frags[@]}"; do
	while IFS='=' read -r k v; do
		got=$(grep -E "^$k=" "$scratch/.config" || true)
		if [ "$v" = n ]; then
			[ -z "$got" ] || { echo "Error: ${f#"$top"/} asks $k=n, Kconfig gives $got" >&2; exit 1; }
		else
			[ "$got" = "$k=$v" ] || { echo "Error: ${f#"$top"/} asks $k=$v, Kconfig gives '${got:-unset}' (a missing dependency?)" >&2; exit 1; }
		fi
	done < <(grep -E '^CONFIG_[A-Z0-9_]+=' "$f")
done
cmp -s "$scratch/.config" "$obj/.config" || cp "$scratch/.config" "$obj/.config"
rm -rf "$scratch"
cfg_hash=$(sha256sum <"$obj/.config" | cut -c1-64)

prefix_hash=$(for ((i = 0; i < n; i++)); do printf '%s %s\n' "${series[$i]}" "$(sha256sum <"$kp/${series[$i]}" | cut -c1-64)"; done | sha256sum | cut -c1-64)
key=$(printf '%s\n%s\n%s\n' "$base_version" "$prefix_hash" "$cfg_hash" | sha256sum | cut -c1-12)
top_patch=none
[ $n -gt 0 ] && top_patch=${series[$((n - 1))]}
pnum=$(printf 'p%02d' $n)
name=$(printf '%s' "$base_version" | tr -c 'A-Za-z0-9.\n' -)-$pnum-$cfgname-$key
dest=$cache/kernels/build/$name

export CCACHE_DIR=$cache/ccache CCACHE_BASEDIR=$cache
export KBUILD_BUILD_USER=vqlab KBUILD_BUILD_HOST=vqlab KBUILD_BUILD_TIMESTAMP="$base_version"
kmake=(nice -n "${NICE:-19}" make -C "$src" O="$obj" "${arch[@]}" CC="ccache gcc" -j"$jobs" LOCALVERSION=-vqlab-$pnum)
if [ -n "$target" ]; then
	log "building $target at $pnum ($top_patch), config $config"
	"${kmake[@]}" "$target" >&2
	echo "$obj/$target"
	exit 0
fi
if [ -f "$dest/vmlinuz" ]; then
	log "cached: $name"
	printf 'build:%s\n%s\n' "$name" "$dest"
	exit 0
fi

log "building $name ($pnum: $top_patch, config $config) in $obj"
start=$(date +%s)
"${kmake[@]}" bzImage >&2
modules=0
if grep -q '^CONFIG_MODULES=y' "$obj/.config"; then
	"${kmake[@]}" modules >&2
	modules=1
fi
secs=$(($(date +%s) - start))
rel=$(cat "$obj/include/config/kernel.release")
tmp=$(mktemp -d "$cache/kernels/build/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp" # libvirt's QEMU runs as another user and must read vmlinuz
cp "$obj/arch/x86/boot/bzImage" "$tmp/vmlinuz"
cp "$obj/.config" "$tmp/config"
cp "$obj/System.map" "$tmp/System.map"
if [ $modules = 1 ]; then
	"${kmake[@]}" INSTALL_MOD_PATH="$tmp" INSTALL_MOD_STRIP=1 modules_install >&2
	rm -f "$tmp/lib/modules/$rel/build" "$tmp/lib/modules/$rel/source"
	depmod -b "$tmp" "$rel"
fi
printf '{"spec":"build:%s","base_package":"%s","base_version":"%s","series_prefix":%d,"series_total":%d,"series_top":"%s","series_prefix_sha256":"%s","config":"%s","config_sha256":"%s","kernel_release":"%s","modules":%s,"build_seconds":%d}\n' \
	"$name" "$base_package" "$base_version" "$n" "${#series[@]}" "$top_patch" "$prefix_hash" "$config" "$cfg_hash" "$rel" \
	"$([ $modules = 1 ] && echo true || echo false)" "$secs" >"$tmp/kernel.json"
rm -rf "$dest"
mv "$tmp" "$dest"
trap - EXIT
log "built $name in ${secs} s"
printf 'build:%s\n%s\n' "$name" "$dest"
