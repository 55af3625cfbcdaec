// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "negotiated.h"
#include "results.h"
#include "virtio_features.h"

/* Axes that switch a feature, with the values that ask for it and against
 * it. An axis value outside these words gives no expectation. */
static const struct {
	const char *axis;
	int bit;
	const char *on[3], *off[3];
} feature_axes[] = {
	{ "in_order", VIRTIO_F_IN_ORDER, { "on", "true", "yes" }, { "off", "false", "no" } },
	{ "ring", VIRTIO_F_RING_PACKED, { "packed" }, { "split" } },
	{ "packed", VIRTIO_F_RING_PACKED, { "on", "true", "yes" }, { "off", "false", "no" } },
};

#define NAXES (sizeof(feature_axes) / sizeof(feature_axes[0]))

/* Where a sample records negotiated features: @obj.@list[], one entry per
 * virtio device, each with a boolean named feature_key(bit) or else the
 * sysfs bit string "features". A new source is one more line here. */
static const struct {
	const char *name, *obj, *list;
} sources[] = {
	/* The guest's /sys/bus/virtio/devices/X/features (lab/sample.c). */
	{ "guest", SAMPLE_GUEST, "devices" },
	/* The device side, from QEMU over QMP, when the runner records it. */
	{ "device", "device", "devices" },
};

#define NSOURCES (sizeof(sources) / sizeof(sources[0]))

static int word_in(const char *v, const char *const *words)
{
	for (size_t i = 0; i < 3 && words[i]; i++)
		if (!strcmp(v, words[i]))
			return 1;
	return 0;
}

int negotiated_axis_feature(const char *axis, const char *value, int *expected)
{
	for (size_t i = 0; axis && value && i < NAXES; i++) {
		if (strcmp(axis, feature_axes[i].axis))
			continue;
		if (word_in(value, feature_axes[i].on))
			*expected = 1;
		else if (word_in(value, feature_axes[i].off))
			*expected = 0;
		else
			return -1;
		return feature_axes[i].bit;
	}
	return -1;
}

/* One device entry: 1 the bit is negotiated, 0 not, -1 the entry says
 * nothing about it. */
static int device_has(const json_t *d, int bit)
{
	const char *key = feature_key(bit);
	const json_t *b = key ? json_object_get(d, key) : NULL;

	if (json_is_boolean(b))
		return json_is_true(b);
	return feature_bit_sysfs(json_string_value(json_object_get(d, "features")), bit);
}

/* One sample, one source: 1 when every device that says shows the bit, 0
 * when one does not, -1 when no device says. vqlab sets in_order and packed
 * on every virtio device it creates (lab/domain.c; no balloon, no other
 * virtio device), so the feature is active only when all negotiated it. */
static int sample_has(const json_t *facts, size_t src, int bit)
{
	const json_t *list = json_object_get(json_object_get(facts, sources[src].obj),
					     sources[src].list),
		     *d;
	int seen = 0, all = 1;
	size_t i;

	json_array_foreach(list, i, d) {
		int h = device_has(d, bit);

		if (h < 0)
			continue;
		seen = 1;
		all &= h;
	}
	return seen ? all : -1;
}

static const char *state_of(size_t known, size_t yes)
{
	return !known ? "unknown" : yes == known ? "all" : !yes ? "none" : "some";
}

json_t *negotiated_summary(const struct run_cell *c, int bit)
{
	size_t src_n[NSOURCES] = { 0 }, src_yes[NSOURCES] = { 0 };
	size_t i, s, known = 0, yes = 0;
	json_t *facts, *srcs = json_object(), *o;

	json_array_foreach(c->facts, i, facts) {
		int any = 0, all = 1;

		for (s = 0; s < NSOURCES; s++) {
			int h = sample_has(facts, s, bit);

			if (h < 0)
				continue;
			any = 1;
			all &= h;
			src_n[s]++;
			src_yes[s] += h;
		}
		known += any;
		yes += any && all;
	}
	for (s = 0; s < NSOURCES; s++)
		if (src_n[s])
			json_object_set_new(srcs, sources[s].name,
					    json_pack("{s:I, s:I}", "samples", (json_int_t)src_n[s],
						      "negotiated", (json_int_t)src_yes[s]));
	o = json_pack("{s:s?, s:i, s:I, s:I, s:I, s:s, s:o}", "feature", feature_name(bit), "bit",
		      bit, "samples", (json_int_t)json_array_size(c->facts), "known",
		      (json_int_t)known, "negotiated", (json_int_t)yes, "state",
		      state_of(known, yes), "sources", srcs);
	return o;
}

json_t *negotiated_side(const struct run_cell *c, int bit, int expected)
{
	json_t *o = negotiated_summary(c, bit);
	const char *st = json_string_value(json_object_get(o, "state"));

	json_object_set_new(o, "expected", json_boolean(expected));
	json_object_set_new(o, "as_expected",
			    !strcmp(st, "unknown") ?
				    json_null() :
				    json_boolean(!strcmp(st, expected ? "all" : "none")));
	return o;
}

int negotiated_mismatch(const json_t *side)
{
	return json_is_false(json_object_get(side, "as_expected"));
}

char *negotiated_label(const char *value, const json_t *side)
{
	const char *st = json_string_value(json_object_get(side, "state"));
	char *s = NULL;
	int r;

	if (!negotiated_mismatch(side))
		return strdup(value);
	if (!strcmp(st, "some"))
		r = asprintf(&s, "%s (negotiated in %lld/%lld)", value,
			     (long long)json_integer_value(json_object_get(side, "negotiated")),
			     (long long)json_integer_value(json_object_get(side, "known")));
	else
		r = asprintf(&s, "%s (%snegotiated)", value, !strcmp(st, "none") ? "not " : "");
	return r < 0 ? NULL : s;
}

json_t *negotiated_cell(const struct run_cell *c)
{
	static const int bits[] = { VIRTIO_F_IN_ORDER, VIRTIO_F_RING_PACKED };
	json_t *o = json_object();

	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		json_t *s = negotiated_summary(c, bits[i]);

		if (json_integer_value(json_object_get(s, "known")))
			json_object_set_new(o, feature_key(bits[i]), s);
		else
			json_decref(s);
	}
	return o;
}
