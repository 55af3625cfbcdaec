#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# fetch-kernel.sh SUITE CACHE_DIR
# Downloads Debian's newest linux-image-*-cloud-amd64 from SUITE with a private
# apt configuration (the system's suites stay untouched), unpacks it into
# CACHE_DIR/debian-<suite>/<version>/ and prints that folder. Idempotent.
set -euo pipefail
suite=${1:?usage: fetch-kernel.sh SUITE CACHE_DIR}
cache=${2:?usage: fetch-kernel.sh SUITE CACHE_DIR}
case "$suite" in
	bookworm | bookworm-backports | trixie | trixie-backports | sid | unstable | forky) ;;
	*) echo "Error: unknown Debian suite '$suite' (accepted: bookworm, bookworm-backports, trixie, trixie-backports, forky, sid)" >&2; exit 2 ;;
esac

apt_root="$cache/apt-$suite"
mkdir -p "$apt_root"/{lists/partial,archives/partial,etc/parts}
# Written only when they change: apt's cache of the index (below) is valid
# only as long as its sources are older than it.
src="deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite main"
[ "$(cat "$apt_root/etc/sources.list" 2>/dev/null)" = "$src" ] || echo "$src" >"$apt_root/etc/sources.list"
[ -f "$apt_root/etc/preferences" ] || : >"$apt_root/etc/preferences"
opts=(-o "Dir::Etc::SourceList=$apt_root/etc/sources.list" -o "Dir::Etc::SourceParts=$apt_root/etc/parts"
	-o "Dir::Etc::Preferences=$apt_root/etc/preferences" -o "Dir::Etc::PreferencesParts=$apt_root/etc/parts"
	-o "Dir::State::Lists=$apt_root/lists" -o "Dir::Cache=$apt_root"
	-o "Dir::State::status=/dev/null" -o "APT::Architecture=amd64" -o "APT::Sandbox::User=root" -q
	# apt's binary cache of the index, which images like Debian's docker ones
	# turn off (docker-clean): without it every apt-cache below re-reads the
	# whole Packages list, ~1 s each, on every run
	-o "Dir::Cache::pkgcache=$apt_root/pkgcache.bin" -o "Dir::Cache::srcpkgcache=$apt_root/srcpkgcache.bin")

# One fetch at a time per suite: concurrent runs share these apt lists.
exec 9>"$apt_root/.lock"
flock -w 600 9 || { echo "Error: another fetch of '$suite' holds $apt_root/.lock" >&2; exit 1; }

# Refresh the index at most once an hour, timed by a stamp of our own: apt
# gives the lists the archive's modification time, not the fetch's. When the
# archive cannot be read, a kernel fetched before still serves (and says so).
stamp=$apt_root/updated
if [ -z "$(find "$stamp" -mmin -60 2>/dev/null)" ]; then
	if apt-get "${opts[@]}" update >&2; then
		touch "$stamp"
	else
		if [ -f "$cache/debian-$suite/current/vmlinuz" ]; then
			echo "Warning: cannot read Debian suite '$suite' from the archive; using the kernel fetched before" >&2
			readlink -f "$cache/debian-$suite/current"
			exit 0
		fi
		echo "Error: cannot read Debian suite '$suite' from the archive" >&2
		exit 1
	fi
fi
# The meta-package names the current ABI's image package.
pkg=$(apt-cache "${opts[@]}" depends linux-image-cloud-amd64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\(-unsigned\)\?\)$/\1/p' | head -1)
[ -n "$pkg" ] || { echo "Error: no linux-image-cloud-amd64 in suite '$suite'" >&2; exit 1; }
ver=$(apt-cache "${opts[@]}" show "$pkg" | sed -n 's/^Version: //p' | head -1)
kver=${pkg#linux-image-}
kver=${kver%-unsigned}
dest="$cache/debian-$suite/$kver"
if [ ! -f "$dest/vmlinuz" ]; then
	tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	# Newer suites split the image into linux-{binary,modules,base}-KVER.
	parts=$(apt-cache "${opts[@]}" depends "$pkg" 2>/dev/null |
		sed -n "s/^ *Depends: \(linux-\(binary\|modules\|base\)-$kver\)\$/\1/p" | sort -u)
	(cd "$tmp" && apt-get "${opts[@]}" download "$pkg" $parts >&2)
	for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$tmp/root"; done
	mkdir -p "$tmp/out"
	# Older packages keep /boot/vmlinuz-KVER, newer ones /usr/lib/modules/KVER/vmlinuz.
	mods=$(find "$tmp/root" -maxdepth 4 -type d -path "*/lib/modules/$kver" | head -1)
	for f in vmlinuz config System.map; do
		src="$tmp/root/boot/$f-$kver"
		[ -f "$src" ] || src="$mods/$f"
		[ -f "$src" ] && cp "$src" "$tmp/out/$f"
	done
	[ -f "$tmp/out/vmlinuz" ] || { echo "Error: $pkg has no vmlinuz" >&2; exit 1; }
	rm -f "$mods/vmlinuz" "$mods/config" "$mods/System.map"
	mkdir -p "$tmp/out/lib/modules"
	mv "$mods" "$tmp/out/lib/modules/$kver"
	depmod -b "$tmp/out" "$kver"
	printf '{"spec":"debian:%s","package":"%s","package_version":"%s","kernel_release":"%s"}\n' \
		"$suite" "$pkg" "$ver" "$kver" >"$tmp/out/kernel.json"
	mkdir -p "$(dirname "$dest")"
	rm -rf "$dest"
	mv "$tmp/out" "$dest"
fi
ln -sfn "$kver" "$cache/debian-$suite/current"
echo "$dest"
