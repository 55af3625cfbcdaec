/* SPDX-License-Identifier: GPL-2.0 */
/* vqlab watch DOMAIN [INTERVAL [COUNT]]: the device side of every virtio ring
 * of a running libvirt QEMU domain, per interval, read-only (through QMP). */
#ifndef VQLAB_WATCH_H
#define VQLAB_WATCH_H

#include <jansson.h>

struct qmp_device;
struct qmp_snapshot;

int watch_cmd(int argc, char **argv);
/* One device between snapshots @a and @b, as `vqlab -j watch` prints it
 * (vqlab live shows its queues beside the driver's). */
json_t *watch_device_json(const struct qmp_device *dev, const struct qmp_snapshot *a,
			  const struct qmp_snapshot *b);

#endif
