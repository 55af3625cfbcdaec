// SPDX-License-Identifier: GPL-2.0
/* A comparison along a feature axis (in_order, ring=packed) reads what the
 * samples negotiated: run folders where the axis and the negotiated bits
 * disagree get no verdict, say so first, and are labelled by what was
 * negotiated; runs without the bits keep their verdicts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "compare.h"
#include "negotiated.h"
#include "pivot.h"
#include "runset.h"
#include "verdict.h"
#include "test.h"

#define REPS 4

static char dir[] = "/tmp/vqreport-negotiated-XXXXXX";
static const struct compare_opts copts = { .alpha = 0.05, .threshold_pct = 3, .conf = 0.95 };

/* What a sample of the "on" side (@on) in rep @rep recorded: a devices
 * array, or NULL for none. */
typedef json_t *(*devs_fn)(int on, int rep);

/* One run: cells @axis=@v0 (base) and @axis=@v1 (+10% pps), REPS reps each,
 * with the guest and device sources given; @extra axes in every cell. */
static void write_run(const char *axis, const char *v0, const char *v1, devs_fn guest,
		      devs_fn device, const char *extra_axis, const char *extra_val)
{
	char path[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/samples.jsonl", dir);
	f = fopen(path, "w");
	for (int rep = 0; rep < REPS; rep++)
		for (int on = 0; on < 2; on++) {
			json_t *s = json_pack(
				"{s:i, s:s, s:i, s:{s:s, s:s}, s:s, s:{s:{s:f, s:s, s:s}}}",
				"schema", 1, "cell", on ? "c1" : "c0", "rep", rep, "axes",
				axis, on ? v1 : v0, "workload", "net-tx", "status", "ok",
				"metrics", "tx_pps", "value", (on ? 1100.0 : 1000.0) + rep,
				"unit", "packets/s", "better", "higher");
			json_t *g = guest ? guest(on, rep) : NULL;
			json_t *d = device ? device(on, rep) : NULL;
			char *line;

			if (extra_axis)
				json_object_set_new(json_object_get(s, "axes"), extra_axis,
						    json_string(extra_val));
			if (g)
				json_object_set_new(s, "guest", json_pack("{s:o}", "devices", g));
			if (d)
				json_object_set_new(s, "device", json_pack("{s:o}", "devices", d));
			line = json_dumps(s, JSON_COMPACT);
			fprintf(f, "%s\n", line);
			free(line);
			json_decref(s);
		}
	fclose(f);
}

static json_t *compare(const char *axis, const char *base)
{
	struct runset r;
	struct errbuf err;
	json_t *m = NULL;

	if (run_load(dir, &r, &err)) {
		fprintf(stderr, "run_load: %s\n", err.msg);
		return NULL;
	}
	m = model_compare_axis(&r, axis, base, &copts, &err);
	run_free(&r);
	return m;
}

static const char *verdict0(const json_t *m)
{
	return json_string_value(json_object_get(
		json_array_get(json_object_get(json_array_get(json_object_get(m, "comparisons"), 0),
					       "metrics"),
			       0),
		"verdict"));
}

static const json_t *side(const json_t *m, const char *which)
{
	return json_object_get(json_array_get(json_object_get(m, "comparisons"), 0), which);
}

static const char *nstate(const json_t *m, const char *which)
{
	return json_string_value(
		json_object_get(json_object_get(side(m, which), "negotiated"), "state"));
}

static json_t *dev(int in_order)
{
	return json_pack("[{s:s, s:b, s:b}]", "name", "virtio0", "in_order", in_order, "packed", 0);
}

static json_t *never(int on, int rep)
{
	(void)on, (void)rep;
	return dev(0);
}

static json_t *first_rep_only(int on, int rep)
{
	return dev(on && rep == 0);
}

static json_t *as_asked(int on, int rep)
{
	(void)rep;
	return dev(on);
}

static json_t *always(int on, int rep)
{
	(void)on, (void)rep;
	return dev(1);
}

/* Debian 6.12 and in_order = off, on: bit 35 never negotiated. */
static void test_never(void)
{
	json_t *m, *groups;
	const char *w;

	write_run("in_order", "off", "on", never, NULL, NULL, NULL);
	m = compare("in_order", "off");
	CHECK(m != NULL);
	CHECK(!strcmp(verdict0(m), "not_negotiated"));
	CHECK(json_integer_value(json_object_get(json_object_get(m, "counts"),
						 "not_negotiated")) == 1);
	CHECK(json_integer_value(json_object_get(json_object_get(m, "counts"), "improvement")) ==
	      0);
	CHECK(!strcmp(nstate(m, "candidate"), "none"));
	CHECK(!strcmp(nstate(m, "baseline"), "none"));
	CHECK(!strcmp(json_string_value(json_object_get(side(m, "candidate"), "label")),
		      "on (not negotiated)"));
	CHECK(json_array_size(json_object_get(m, "not_negotiated")) == 1);
	CHECK(!strcmp(json_string_value(json_object_get(
			      json_array_get(json_object_get(m, "not_negotiated"), 0), "side")),
		      "candidate"));
	/* Said first: the first warning. */
	w = json_string_value(json_array_get(json_object_get(m, "warnings"), 0));
	CHECK(w && strstr(w, "in_order=on") && strstr(w, "VIRTIO_F_IN_ORDER (bit 35)") &&
	      strstr(w, "0 of 4 samples") && strstr(w, "no verdict"));
	/* The pivot's column is named by what was negotiated. */
	groups = pivot_build(m);
	CHECK(!strcmp(json_string_value(json_array_get(
			      json_object_get(json_array_get(groups, 0), "columns"), 0)),
		      "on (not negotiated)"));
	json_decref(groups);
	json_decref(m);
}

static void test_some(void)
{
	json_t *m;

	write_run("in_order", "off", "on", first_rep_only, NULL, NULL, NULL);
	m = compare("in_order", "off");
	CHECK(m && !strcmp(verdict0(m), "not_negotiated"));
	CHECK(m && !strcmp(nstate(m, "candidate"), "some"));
	CHECK(m && !strcmp(json_string_value(json_object_get(side(m, "candidate"), "label")),
			   "on (negotiated in 1/4)"));
	json_decref(m);
}

/* As asked, or not recorded at all (older runs): the verdict stands. */
static void test_as_asked_and_unknown(void)
{
	json_t *m;

	write_run("in_order", "off", "on", as_asked, NULL, NULL, NULL);
	m = compare("in_order", "off");
	CHECK(m && !strcmp(verdict0(m), "improvement"));
	CHECK(m && !strcmp(nstate(m, "candidate"), "all"));
	CHECK(m && json_is_true(json_object_get(json_object_get(side(m, "candidate"),
								"negotiated"),
						"as_expected")));
	CHECK(m && !json_array_size(json_object_get(m, "not_negotiated")));
	CHECK(m && !strcmp(json_string_value(json_object_get(side(m, "candidate"), "label")),
			   "on"));
	json_decref(m);
	write_run("in_order", "off", "on", NULL, NULL, NULL, NULL);
	m = compare("in_order", "off");
	CHECK(m && !strcmp(verdict0(m), "improvement"));
	CHECK(m && !strcmp(nstate(m, "candidate"), "unknown"));
	CHECK(m && json_is_null(json_object_get(json_object_get(side(m, "candidate"),
								"negotiated"),
						"as_expected")));
	json_decref(m);
}

/* The "off" side negotiated the feature: no verdict either. */
static void test_off_negotiated(void)
{
	json_t *m;

	write_run("in_order", "off", "on", always, NULL, NULL, NULL);
	m = compare("in_order", "off");
	CHECK(m && !strcmp(verdict0(m), "not_negotiated"));
	CHECK(m && !strcmp(json_string_value(json_object_get(
				   json_array_get(json_object_get(m, "not_negotiated"), 0),
				   "side")),
			   "baseline"));
	json_decref(m);
}

/* ring=packed read from the sysfs bit string (bit 34) when no boolean. */
static json_t *sysfs_no_packed(int on, int rep)
{
	char bits[65];

	(void)on, (void)rep;
	memset(bits, '0', 64);
	bits[64] = 0;
	return json_pack("[{s:s, s:s}]", "name", "virtio0", "features", bits);
}

static json_t *sysfs_packed_on(int on, int rep)
{
	char bits[65];

	(void)rep;
	memset(bits, '0', 64);
	bits[64] = 0;
	bits[34] = on ? '1' : '0';
	return json_pack("[{s:s, s:s}]", "name", "virtio0", "features", bits);
}

static void test_packed(void)
{
	json_t *m;

	write_run("ring", "split", "packed", sysfs_no_packed, NULL, NULL, NULL);
	m = compare("ring", "split");
	CHECK(m && !strcmp(verdict0(m), "not_negotiated"));
	CHECK(m && json_integer_value(json_object_get(
			   json_object_get(side(m, "candidate"), "negotiated"), "bit")) == 34);
	CHECK(m && !strcmp(json_string_value(json_object_get(side(m, "candidate"), "label")),
			   "packed (not negotiated)"));
	json_decref(m);
	write_run("ring", "split", "packed", sysfs_packed_on, NULL, NULL, NULL);
	m = compare("ring", "split");
	CHECK(m && !strcmp(verdict0(m), "improvement"));
	json_decref(m);
}

/* A second source (device side, QMP): the guest says yes, the device no. */
static void test_device_source(void)
{
	json_t *m, *src;

	write_run("in_order", "off", "on", as_asked, never, NULL, NULL);
	m = compare("in_order", "off");
	CHECK(m && !strcmp(verdict0(m), "not_negotiated"));
	src = json_object_get(json_object_get(side(m, "candidate"), "negotiated"), "sources");
	CHECK(json_integer_value(json_object_get(json_object_get(src, "guest"), "negotiated")) ==
	      REPS);
	CHECK(json_integer_value(json_object_get(json_object_get(src, "device"), "negotiated")) ==
	      0);
	json_decref(m);
}

/* A kernel comparison with in_order=on where one kernel lacks the feature:
 * the verdict stands (the kernels differ) and in_order is labelled. */
static json_t *kernel_b_only(int on, int rep)
{
	(void)rep;
	return dev(on);
}

static void test_other_axis(void)
{
	json_t *m, *item;

	write_run("kernel", "a", "b", kernel_b_only, NULL, "in_order", "on");
	m = compare("kernel", "a");
	item = json_array_get(json_object_get(m, "comparisons"), 0);
	CHECK(m && !strcmp(verdict0(m), "improvement"));
	CHECK(!strcmp(json_string_value(json_object_get(json_object_get(item, "axes"),
							"in_order")),
		      "on (negotiated on one side only)"));
	CHECK(json_array_size(json_object_get(item, "negotiation_notes")) == 1);
	json_decref(m);
}

/* Two runs with the same axes, in_order=on negotiated in one only. */
static void test_runs(void)
{
	struct runset ra, rb;
	struct errbuf err;
	json_t *m, *item, *x;
	size_t i;
	int seen = 0;

	write_run("in_order", "off", "on", as_asked, NULL, NULL, NULL);
	CHECK(run_load(dir, &ra, &err) == 0);
	write_run("in_order", "off", "on", never, NULL, NULL, NULL);
	CHECK(run_load(dir, &rb, &err) == 0);
	m = model_compare_runs(&ra, &rb, &copts);
	json_array_foreach(json_object_get(m, "comparisons"), i, item) {
		x = json_object_get(json_object_get(item, "axes"), "in_order");
		if (strcmp(json_string_value(json_object_get(json_object_get(item, "candidate"),
							     "cell")),
			   "c1"))
			continue;
		seen = 1;
		CHECK(!strcmp(json_string_value(x), "on (negotiated on one side only)"));
		CHECK(json_array_size(json_object_get(item, "negotiation_notes")) == 1);
	}
	CHECK(seen);
	/* The loaded cells keep their axes. */
	CHECK(!strcmp(json_string_value(json_object_get(rb.cells[1].axes, "in_order")), "on"));
	json_decref(m);
	run_free(&ra);
	run_free(&rb);
}

static void test_verdict_names(void)
{
	CHECK(!strcmp(verdict_key(VERDICT_NOT_NEGOTIATED), "not_negotiated"));
	CHECK(verdict_from_key("not_negotiated") == VERDICT_NOT_NEGOTIATED);
	CHECK(!verdict_key_is_directed("not_negotiated"));
	CHECK(strstr(verdict_text(VERDICT_NOT_NEGOTIATED), "not negotiated") != NULL);
}

int main(void)
{
	char path[300];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_verdict_names();
	test_never();
	test_some();
	test_as_asked_and_unknown();
	test_off_negotiated();
	test_packed();
	test_device_source();
	test_other_axis();
	test_runs();
	snprintf(path, sizeof(path), "%s/samples.jsonl", dir);
	unlink(path);
	rmdir(dir);
	TEST_DONE();
}
