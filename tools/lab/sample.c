// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "sample.h"



/* sysfs prints feature bits as a string of '0'/'1', bit 0 first. */
static int feature_bit(const char *bits, int n)
{
	return bits && (int)strlen(bits) > n && bits[n] == '1';
}

#define VIRTIO_F_RING_PACKED 34
#define VIRTIO_F_IN_ORDER 35

json_t *guest_info(json_t *report)
{
	json_t *g = json_object(), *devs = json_array(), *d;
	const char *keys[] = { "kernel_release", "spectre_v2", "cmdline", "cpus" };
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(report, keys[i]);

		if (v)
			json_object_set(g, keys[i], v);
	}
	json_array_foreach(json_object_get(report, "devices"), i, d) {
		const char *bits = json_string_value(json_object_get(d, "features"));
		json_t *nd = json_deep_copy(d);

		json_object_set_new(nd, "packed", json_boolean(feature_bit(bits, VIRTIO_F_RING_PACKED)));
		json_object_set_new(nd, "in_order", json_boolean(feature_bit(bits, VIRTIO_F_IN_ORDER)));
		json_array_append_new(devs, nd);
	}
	json_object_set_new(g, "devices", devs);
	return g;
}
