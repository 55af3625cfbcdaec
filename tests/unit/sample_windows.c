// SPDX-License-Identifier: GPL-2.0
/*
 * Several measured windows per boot (scenario "windows"): the sample is the
 * boot. Its metrics are the means over its windows, its trace the whole
 * boot's (the last window's report carries it), its status ok only when
 * every window was, and "windows" keeps each window's own figures. With one
 * window the sample is as it always was.
 */
#include <errno.h>
#include <math.h>
#include <string.h>
#include "guest.h"
#include "results.h"
#include "sample.h"
#include "scenario.h"
#include "test.h"

static struct cell cell = { .id = "c0" };

static const char *const axis_vals[NR_AXES];

/* One window's result as guest_run gives it: tx_pps @pps, boot_s on the first. */
static void window(struct guest_result *r, int i, double pps, bool ok, bool last)
{
	json_t *m = json_object();

	memset(r, 0, sizeof(*r));
	r->ok = ok;
	r->wall_s = i ? 5.4 : 9.0;
	r->boot_s = i ? 0 : 2.5;
	if (!ok)
		err_set(&r->reason, -ETIMEDOUT, "timeout after 185 s");
	metric_set(m, "tx_pps", pps, "packets/s", BETTER_HIGHER);
	r->report = json_pack("{s:s, s:o, s:{s:i}}", SAMPLE_STATUS, ok ? STATUS_OK : STATUS_FAILED,
			      SAMPLE_METRICS, m, SAMPLE_TRACE, "window", i + 1);
	if (last)
		json_object_set_new(r->report, SAMPLE_TRACE_BOOT,
				    json_pack("{s:s}", "boot", "all"));
	r->host_metrics = json_object();
	metric_set(r->host_metrics, "xdp_packets", 1000 * (i + 1), "packets", BETTER_HIGHER);
}

static double value(const json_t *s, const char *name)
{
	return json_number_value(json_object_get(
		json_object_get(json_object_get(s, SAMPLE_METRICS), name), METRIC_VALUE));
}

static void free_all(struct guest_result *r, int n)
{
	for (int i = 0; i < n; i++) {
		json_decref(r[i].report);
		json_decref(r[i].host_metrics);
	}
}

static void check_three_ok(void)
{
	struct guest_result r[3];
	json_t *s, *w;

	for (int i = 0; i < 3; i++)
		window(&r[i], i, 100 + 10 * i, true, i == 2);
	r[0].read_late = true;
	s = sample_json("run", &cell, 0, 0, "tcg", "t", r, 3, 3);
	CHECK(!strcmp(json_string_value(json_object_get(s, SAMPLE_STATUS)), STATUS_OK));
	CHECK(fabs(value(s, "tx_pps") - 110) < 1e-9);
	CHECK(fabs(value(s, "xdp_packets") - 2000) < 1e-9); /* the host's, per window */
	CHECK(fabs(value(s, "boot_s") - 2.5) < 1e-9); /* the first window's alone */
	CHECK(fabs(json_number_value(json_object_get(s, SAMPLE_WALL_S)) - 19.8) < 1e-9);
	CHECK(!strcmp(
		json_string_value(json_object_get(json_object_get(s, SAMPLE_TRACE), "boot")) ?: "",
		"all"));
	w = json_object_get(s, SAMPLE_WINDOWS);
	CHECK(json_array_size(w) == 3);
	CHECK(json_integer_value(json_object_get(json_array_get(w, 1), SAMPLE_WINDOW)) == 2);
	CHECK(json_integer_value(json_object_get(
		      json_object_get(json_array_get(w, 1), SAMPLE_TRACE), "window")) == 2);
	CHECK(fabs(value(json_array_get(w, 2), "tx_pps") - 120) < 1e-9);
	CHECK(!json_object_get(json_object_get(json_array_get(w, 1), SAMPLE_METRICS), "boot_s"));
	CHECK(json_is_true(json_object_get(json_array_get(w, 0), SAMPLE_WINDOW_READ_LATE)));
	CHECK(!json_object_get(json_array_get(w, 1), SAMPLE_WINDOW_READ_LATE));
	json_decref(s);
	free_all(r, 3);
}

/* The boot ended at its second window of three: failed, with that window's reason. */
static void check_failed_window(void)
{
	struct guest_result r[3];
	json_t *s;

	window(&r[0], 0, 100, true, false);
	window(&r[1], 1, 0, false, false);
	s = sample_json("run", &cell, 0, 1, "tcg", "t", r, 2, 3);
	CHECK(!strcmp(json_string_value(json_object_get(s, SAMPLE_STATUS)), STATUS_FAILED));
	CHECK(!strcmp(json_string_value(json_object_get(s, SAMPLE_REASON)) ?: "",
		      "window 2 of 3: timeout after 185 s"));
	CHECK(json_array_size(json_object_get(s, SAMPLE_WINDOWS)) == 2);
	json_decref(s);
	/* every window that came was ok, but not all came (an interrupted boot) */
	r[1].ok = true;
	s = sample_json("run", &cell, 0, 1, "tcg", "t", r, 2, 3);
	CHECK(!strcmp(json_string_value(json_object_get(s, SAMPLE_STATUS)), STATUS_FAILED));
	json_decref(s);
	free_all(r, 2);
}

/* One window: no "windows" list, the figures as the window gave them. */
static void check_one(void)
{
	struct guest_result r[1];
	json_t *s;

	window(&r[0], 0, 100, true, false);
	s = sample_json("run", &cell, 0, 0, "tcg", "t", r, 1, 1);
	CHECK(!json_object_get(s, SAMPLE_WINDOWS));
	CHECK(fabs(value(s, "tx_pps") - 100) < 1e-9);
	CHECK(json_integer_value(json_object_get(json_object_get(s, SAMPLE_TRACE), "window")) == 1);
	json_decref(s);
	free_all(r, 1);
}

int main(void)
{
	for (int i = 0; i < NR_AXES; i++)
		cell.val[i] = axis_vals[i] ? axis_vals[i] : "x";
	check_three_ok();
	check_failed_window();
	check_one();
	TEST_DONE();
}
