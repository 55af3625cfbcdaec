// SPDX-License-Identifier: GPL-2.0
#include <stddef.h>
#include <string.h>
#include "virtio_features.h"

static const struct {
	int bit;
	const char *name, *key;
} features[] = {
	{ VIRTIO_F_INDIRECT_DESC, "VIRTIO_RING_F_INDIRECT_DESC", "indirect_desc" },
	{ VIRTIO_F_EVENT_IDX, "VIRTIO_RING_F_EVENT_IDX", "event_idx" },
	{ VIRTIO_F_VERSION_1, "VIRTIO_F_VERSION_1", "version_1" },
	{ VIRTIO_F_ACCESS_PLATFORM, "VIRTIO_F_ACCESS_PLATFORM", "access_platform" },
	{ VIRTIO_F_RING_PACKED, "VIRTIO_F_RING_PACKED", "packed" },
	{ VIRTIO_F_IN_ORDER, "VIRTIO_F_IN_ORDER", "in_order" },
	{ VIRTIO_F_NOTIFICATION_DATA, "VIRTIO_F_NOTIFICATION_DATA", "notification_data" },
	{ VIRTIO_F_RING_RESET, "VIRTIO_F_RING_RESET", "ring_reset" },
};

const char *feature_name(int bit)
{
	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++)
		if (features[i].bit == bit)
			return features[i].name;
	return NULL;
}

const char *feature_key(int bit)
{
	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++)
		if (features[i].bit == bit)
			return features[i].key;
	return NULL;
}

int feature_bit_sysfs(const char *bits, int n)
{
	if (!bits || n < 0 || strlen(bits) <= (size_t)n)
		return -1;
	return bits[n] == '1';
}
