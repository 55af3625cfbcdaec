// SPDX-License-Identifier: GPL-2.0
/* The spread of a boot's windows beside the spread of the boots (windows.h),
 * on made-up boots whose figures are worked out by hand. */
#include <errno.h>
#include <math.h>
#include "runset.h"
#include "test.h"
#include "windows.h"

/* A boot's facts: its windows' tx_pps values (NAN: the window has none). */
static json_t *boot(const double *v, int n)
{
	json_t *w = json_array();

	for (int i = 0; i < n; i++) {
		json_t *m = json_object();

		if (!isnan(v[i]))
			json_object_set_new(m, "tx_pps",
					    json_pack("{s:f, s:s, s:s}", METRIC_VALUE, v[i],
						      METRIC_UNIT, "packets/s", METRIC_BETTER,
						      BETTER_HIGHER));
		json_array_append_new(w, m);
	}
	return json_pack("{s:o}", SAMPLE_WINDOWS, w);
}

static int near(double a, double b)
{
	return fabs(a - b) < 1e-3;
}

int main(void)
{
	const double b1[] = { 10, 12, 14 }, b2[] = { 20, 22, 24 }, gap[] = { 5, NAN, 5 },
		     one[] = { 99 };
	struct run_cell c = { .facts = json_array() };
	struct windows_spread w;
	json_t *j;

	CHECK(windows_spread(&c, "tx_pps", &w) == -ENODATA);
	json_array_append_new(c.facts, boot(b1, 3));
	CHECK(windows_spread(&c, "tx_pps", &w) == 0 && w.boots == 1);
	CHECK(isnan(w.between_cv_pct)); /* one boot: no spread of boot means */
	json_array_append_new(c.facts, boot(b2, 3));
	/* skipped: a window without the metric, a boot of one window, no windows */
	json_array_append_new(c.facts, boot(gap, 3));
	json_array_append_new(c.facts, boot(one, 1));
	json_array_append_new(c.facts, json_object());
	CHECK(windows_spread(&c, "tx_pps", &w) == 0);
	CHECK(w.boots == 2 && near(w.windows, 3) && near(w.mean, 17));
	/* within: each boot's sd is 2, of a mean of 17 */
	CHECK(near(w.within_cv_pct, 100 * 2 / 17.0));
	/* between: boot means 12 and 22, sd sqrt(50) */
	CHECK(near(w.between_cv_pct, 100 * sqrt(50) / 17));
	CHECK(near(w.independent_cv_pct, 100 * 2 / 17.0 / sqrt(3)));
	/* window 1 against the rest: (10 - 13) / 13 and (20 - 23) / 23 */
	CHECK(near(w.first_change_pct, 50 * (-3 / 13.0 - 3 / 23.0)));
	CHECK(windows_spread(&c, "rx_pps", &w) == -ENODATA);
	j = windows_spread_json(&c, "tx_pps");
	CHECK(j && json_integer_value(json_object_get(j, "boots")) == 2);
	CHECK(near(json_number_value(json_object_get(j, "mean")), 17));
	json_decref(j);
	CHECK(windows_spread_json(&c, NULL) == NULL);
	json_decref(c.facts);
	TEST_DONE();
}
