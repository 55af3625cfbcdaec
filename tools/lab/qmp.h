/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device side of a running libvirt QEMU domain's virtio rings, read through
 * QMP (virDomainQemuMonitorCommand): its virtio devices (x-query-virtio), what
 * each negotiated (x-query-virtio-status) and, per queue, the device's ring
 * indices (x-query-virtio-queue-status). Names follow QEMU's qapi/virtio.json
 * (QEMU >= 7.2; checked against 10.0.2).
 *
 * Three layers, each usable alone:
 *  - parsers of QMP replies (pure: no libvirt, unit-tested on real replies);
 *  - counters: QEMU's 16-bit indices extended to 64 bits across reads, and the
 *    rates between two snapshots (pure);
 *  - the libvirt side: open a domain, refresh its devices, read a snapshot.
 *
 * Read-only: only queries are sent. A device whose rings vhost runs (or may
 * run) is never asked for queue status, because QEMU answers that with vhost's
 * GET_VRING_BASE, which stops a vhost-user ring: see qmp_device_counted().
 */
#ifndef VQLAB_QMP_H
#define VQLAB_QMP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include <libvirt/libvirt.h>
#include "msg.h"

#define QMP_PATH_LEN 256
#define QMP_NAME_LEN 64

/* VIRTIO_CONFIG_S_* (virtio spec 2.1): the device status bits */
#define QMP_STATUS_ACKNOWLEDGE 1
#define QMP_STATUS_DRIVER 2
#define QMP_STATUS_DRIVER_OK 4
#define QMP_STATUS_FEATURES_OK 8
#define QMP_STATUS_NEEDS_RESET 64
#define QMP_STATUS_FAILED 128

/* ---- parsed replies ------------------------------------------------------ */

/* One entry of x-query-virtio. */
struct qmp_virtio_dev {
	char path[QMP_PATH_LEN]; /* canonical QOM path: the other queries' argument */
	char name[QMP_NAME_LEN]; /* "virtio-blk" */
};

/* One VirtioDeviceFeatures: QEMU prints each known bit as "NAME: text". */
struct qmp_features {
	uint64_t bits; /* the bits virtio_features.h names, found by NAME */
	json_t *names; /* every NAME QEMU printed (transports, then device) */
	uint64_t unknown; /* unknown-dev-features: bits QEMU could not name */
};

/* x-query-virtio-status */
struct qmp_dev_status {
	char name[QMP_NAME_LEN];
	unsigned int device_id; /* 1 net, 2 block, ... */
	unsigned int num_vqs; /* queues QEMU created */
	unsigned int status; /* QMP_STATUS_* bits */
	bool vhost_started; /* vhost (kernel or user) runs the rings */
	struct qmp_features host; /* offered by the device */
	struct qmp_features guest; /* negotiated with the driver */
	struct qmp_features backend;
};

/* x-query-virtio-queue-status */
struct qmp_queue_status {
	unsigned int index;
	uint32_t inuse; /* popped by the device, not yet returned */
	uint32_t ring_size; /* vring-num */
	uint64_t desc_addr; /* vring-desc: changes when the driver sets the ring up */
	uint16_t last_avail_idx; /* next avail entry the device will pop */
	uint16_t shadow_avail_idx; /* the driver's avail idx, as last read */
	uint16_t used_idx; /* next used entry the device will fill */
	uint16_t signalled_used; /* used_idx at the last notify decision */
	bool has_last_avail_idx, has_shadow_avail_idx;
};

/* The "return" member of a QMP reply (new reference). A QMP error reply gives
 * -EIO (-ENOTSUP for CommandNotFound) with QEMU's description in @e. */
int qmp_reply_return(const char *reply, json_t **ret, struct errbuf *e);
/* x-query-virtio's return: a malloc'd array of *n devices. */
int qmp_parse_virtio_list(const json_t *ret, struct qmp_virtio_dev **devs, size_t *n,
			  struct errbuf *e);
/* x-query-virtio-status's return; free with qmp_dev_status_clear(). */
int qmp_parse_dev_status(const json_t *ret, struct qmp_dev_status *s, struct errbuf *e);
void qmp_dev_status_clear(struct qmp_dev_status *s);
int qmp_parse_queue_status(const json_t *ret, struct qmp_queue_status *q, struct errbuf *e);

/* The device's short name in its QOM path: "ua-vqdisk" for
 * /machine/peripheral/ua-vqdisk/virtio-backend, "device[1]" for an
 * anonymous one. */
const char *qmp_device_id(const char *path, char *buf, size_t len);
/* Queue @q's name as the Linux driver gives it (input.0, output.0, control,
 * req.0), so that device and driver views line up; "vq<q>" otherwise. */
const char *qmp_queue_name(const struct qmp_dev_status *s, unsigned int q, char *buf, size_t len);
/* The status as one word: the furthest point the driver reached ("driver_ok"),
 * "failed" or "needs_reset" when set, "reset" when 0. */
const char *qmp_status_word(unsigned int status);

/* ---- counters ------------------------------------------------------------ */

/* One queue, extended from QEMU's 16-bit indices to 64-bit counts by reading
 * it more often than an index can move by its modulus. */
struct vq_counters {
	bool valid; /* read at least once */
	uint64_t pops; /* last-avail-idx steps: buffers the device popped */
	uint64_t used; /* used-idx steps: buffers it returned */
	uint64_t signals; /* signalled-used steps */
	uint16_t last_avail_idx, used_idx, signalled_used; /* as last read */
	uint64_t desc_addr;
	uint32_t inuse, ring_size;
	unsigned int setups; /* times the ring moved (driver set it up again) */
};

/* Fold in one read. Split rings' indices run modulo 2^16; packed rings' modulo
 * the ring size (QMP gives no wrap counter). A new ring address means the
 * driver set the ring up again: counting restarts from its indices. */
void vq_counters_update(struct vq_counters *c, const struct qmp_queue_status *q, bool packed);
/* The queue was not read for a while (its device was reset or not ready): the
 * next read starts from its indices instead of counting the gap. */
void vq_counters_rebase(struct vq_counters *c);

/* What happened to one queue between two snapshots. */
struct vq_rates {
	double secs;
	uint64_t pops, used, signals;
	double pops_s, used_s, signals_s;
	uint32_t inuse, ring_size;
	bool stalled; /* buffers in the device, none returned, same ring */
};

/* @a earlier than @b, @secs apart. -EINVAL when either was never read or
 * @secs is not positive. */
int vq_rates_between(const struct vq_counters *a, const struct vq_counters *b, double secs,
		     struct vq_rates *r);

/* ---- a running domain ---------------------------------------------------- */

struct qmp_device {
	struct qmp_virtio_dev id;
	struct qmp_dev_status st; /* as last read */
	bool seen_vhost; /* vhost ran its rings at some read */
	size_t first, nq; /* its queues in a snapshot: q[first .. first + nq) */
};

struct qmp_domain {
	virDomainPtr dom;
	char name[QMP_NAME_LEN * 2];
	struct qmp_device *dev;
	size_t ndev, nq; /* nq: queues of every device */
};

/* Whether a device's queues may be read, and if not, why (NULL: they may).
 * Only once its driver is up (DRIVER_OK) with no vhost: vhost starts when
 * DRIVER_OK is set, under the same lock as QMP, so a status read that shows
 * DRIVER_OK without vhost means vhost did not start. A vhost backend is also
 * seen in its backend features (virtio-net fills them from vhost only), and a
 * device once seen with vhost is never read (a vhost-user backend that
 * reconnects starts vhost again). The status is read again before each read
 * of the queues. Packed rings are read (inuse, stalls) but give no counts. */
const char *qmp_device_unread_why(const struct qmp_device *d);
bool qmp_device_counted(const struct qmp_device *d);
bool qmp_device_packed(const struct qmp_device *d);
/* Take a status just read (ownership moves to @d). */
void qmp_device_set_status(struct qmp_device *d, struct qmp_dev_status *st);

/* qemu:///system, libvirt's own error printing off (errors come back in @e). */
virConnectPtr qmp_connect(struct errbuf *e);
/* Find @name (a name, UUID or id), check that it runs and speaks QMP, list
 * its virtio devices and read their status. -ENOENT: no such domain,
 * -ESRCH: not running, -ENOTSUP: no QMP or no x-query-virtio. */
int qmp_domain_open(virConnectPtr conn, const char *name, struct qmp_domain *d, struct errbuf *e);
void qmp_domain_close(struct qmp_domain *d);

struct qmp_snapshot {
	double t; /* now_s() after the read */
	size_t nq;
	struct vq_counters *q;
};

int qmp_snapshot_init(const struct qmp_domain *d, struct qmp_snapshot *s);
/* Read every device's status, then the queues of those that may be read,
 * and fold them into @s. */
int qmp_snapshot_read(struct qmp_domain *d, struct qmp_snapshot *s, struct errbuf *e);
void qmp_snapshot_copy(struct qmp_snapshot *dst, const struct qmp_snapshot *src);
void qmp_snapshot_free(struct qmp_snapshot *s);

#endif
