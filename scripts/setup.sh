#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Idempotent set-up of a Debian 12 host for vqlab: packages (QEMU and libvirt
# from bookworm-backports, because VIRTIO_F_IN_ORDER needs QEMU >= 9.1),
# services, the default scenario's guest kernel, and a record of the exact
# versions installed.
# VQLAB_CACHE=DIR (absolute; default /var/cache/vqlab) holds every vqlab cache:
# kernels, kernel sources and builds, ccache, initramfs images, plugin files
# and the QEMU source the plugin header comes from. An empty DIR proves that
# nothing depends on what an earlier run left behind.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
log() { printf 'setup: %s\n' "$*"; }

[ "$(id -u)" = 0 ] || { echo "Error: setup must run as root" >&2; exit 1; }

export DEBIAN_FRONTEND=noninteractive

bp=/etc/apt/sources.list.d/vqlab-bookworm-backports.sources
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	log "adding bookworm-backports (QEMU >= 9.1 and libvirt >= 8.2 live there)"
	cat >"$bp" <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	apt-get update -qq
fi

# Packages from the stable suite.
base_pkgs=(
	build-essential pkg-config clang llvm lld
	libbpf-dev bpftool libelf-dev zlib1g-dev libzstd-dev liblzma-dev
	libjansson-dev libinih-dev libgsl-dev libxml2-dev
	gnuplot-nox busybox-static kmod cpio xz-utils zstd
	iproute2 ethtool curl dpkg-dev
	chromium fonts-dejavu-core
	libglib2.0-dev jq
	libclang-rt-14-dev # libFuzzer, for tests/fuzz-scenario.sh
	dpdk-dev # dpdk-testpmd, the vhost-user backend (the dpdk package has none)
	ccache flex bison bc libssl-dev dwarves
)
# Packages that must come from bookworm-backports.
bp_pkgs=(qemu-system-x86 qemu-utils libvirt-daemon-system libvirt-clients libvirt-dev)

need=()
for p in "${base_pkgs[@]}" "${bp_pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
	log "installing: ${need[*]}"
	[ -n "$(find /var/lib/apt/lists -name '*bookworm-backports*Packages*' 2>/dev/null | head -1)" ] || apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${base_pkgs[@]}" >/dev/null
	apt-get install -y -qq --no-install-recommends -t bookworm-backports "${bp_pkgs[@]}" >/dev/null
fi

qemu_ver=$(qemu-system-x86_64 --version | sed -n 's/.*version \([0-9.]*\).*/\1/p')
case "$qemu_ver" in
	[0-8].* | 9.0*) echo "Error: QEMU $qemu_ver is too old (VIRTIO_F_IN_ORDER needs >= 9.1)" >&2; exit 1 ;;
esac

# libvirtd talks to QEMU through virtlogd; start both when nothing runs them.
start_daemon() {
	local d=$1
	pgrep -x "$d" >/dev/null && return 0
	if [ -d /run/systemd/system ]; then
		systemctl start "$d" || true
	fi
	pgrep -x "$d" >/dev/null || "$d" -d
	log "started $d"
}
start_daemon virtlogd
start_daemon libvirtd
for _ in $(seq 50); do
	virsh -c qemu:///system version >/dev/null 2>&1 && break
	sleep 0.2
done
virsh -c qemu:///system version >/dev/null || { echo "Error: libvirtd does not answer on qemu:///system" >&2; exit 1; }

# The cache. libvirt's QEMU runs as an unprivileged user (libvirt-qemu on
# Debian) and reads kernels, initramfs images and the plugin from here, so the
# folder must be searchable by others (mktemp -d makes it 0700).
cache=${VQLAB_CACHE:-/var/cache/vqlab}
case $cache in
/*) ;;
*) echo "Error: VQLAB_CACHE='$cache' is not an absolute path (tests change folders)" >&2; exit 1 ;;
esac
mkdir -p "$cache"
if (((8#$(stat -c %a "$cache") & 8#005) != 8#005)); then
	chmod o+rx "$cache"
	log "made $cache readable by libvirt's QEMU (chmod o+rx)"
fi
qemu_user=$(sed -n 's/^[[:space:]]*user[[:space:]]*=[[:space:]]*"\(.*\)".*/\1/p' /etc/libvirt/qemu.conf 2>/dev/null | tail -1)
qemu_user=${qemu_user:-libvirt-qemu}
if [[ $qemu_user != +0 ]] && id "$qemu_user" >/dev/null 2>&1 &&
	! runuser -u "$qemu_user" -- test -x "$cache"; then
	echo "Error: libvirt's QEMU (user $qemu_user) cannot reach $cache: a parent folder is not searchable (chmod o+x)" >&2
	exit 1
fi

# The default scenario's guest kernel (Debian's 7.x cloud kernel from sid),
# fetched with a private apt configuration; other kernels come on demand
# (tests fetch what they boot: tests/vqtrace-guest.sh also needs 6.12).
"$top/scripts/fetch-kernel.sh" sid "$cache/kernels" >/dev/null ||
	{ echo "Error: cannot fetch Debian sid's cloud kernel" >&2; exit 1; }

# Exact versions, for provenance (vqlab copies this into every run.json).
mkdir -p "$top/build"
dpkg-query -W -f='${Package}\t${Version}\n' "${base_pkgs[@]}" "${bp_pkgs[@]}" >"$top/build/host-packages.tsv"
log "ok: QEMU $qemu_ver, $(virsh -c qemu:///system version 2>/dev/null | sed -n 's/^Using library: libvirt //p' | head -1)"
