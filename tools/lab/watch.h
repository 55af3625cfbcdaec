/* SPDX-License-Identifier: GPL-2.0 */
/* vqlab watch DOMAIN [INTERVAL [COUNT]]: the device side of every virtio ring
 * of a running libvirt QEMU domain, per interval, read-only (through QMP). */
#ifndef VQLAB_WATCH_H
#define VQLAB_WATCH_H

int watch_cmd(int argc, char **argv);

#endif
