/* SPDX-License-Identifier: GPL-2.0 */
/* virtio feature bits the lab reads and names, for every tool (the guest's
 * sysfs string, vqtrace's u64, QMP's lists). One table, one name each. */
#ifndef VQLAB_VIRTIO_FEATURES_H
#define VQLAB_VIRTIO_FEATURES_H
#include <stdbool.h>
#include <stdint.h>

#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32
#define VIRTIO_F_ACCESS_PLATFORM 33
#define VIRTIO_F_RING_PACKED 34
#define VIRTIO_F_IN_ORDER 35
#define VIRTIO_F_NOTIFICATION_DATA 38
#define VIRTIO_F_RING_RESET 40

/* "VIRTIO_F_IN_ORDER" for 35; NULL for a bit the table does not name. */
const char *feature_name(int bit);
/* The short key used in samples and reports ("in_order", "packed"); NULL
 * when the bit has none. */
const char *feature_key(int bit);
/* Bit @n of the guest's /sys/bus/virtio/devices/X/features text: one
 * '0'/'1' per bit, bit 0 first. -1 when the text is too short or NULL. */
int feature_bit_sysfs(const char *bits, int n);
/* Bit @n of a 64-bit feature word. */
static inline bool feature_bit_u64(uint64_t features, int n)
{
	return features >> n & 1;
}

#endif
