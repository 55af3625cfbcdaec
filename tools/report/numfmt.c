// SPDX-License-Identifier: GPL-2.0
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "compare.h"
#include "numfmt.h"
#include "verdict.h"

#define DASH "\u2013"

const char *fmt_num(char *buf, double v)
{
	double a = fabs(v);

	if (isnan(v))
		snprintf(buf, NUMFMT_LEN, DASH);
	else if (isinf(v))
		snprintf(buf, NUMFMT_LEN, "%sinf", v < 0 ? "-" : "");
	else if (a >= 1e9 || (a < 1e-3 && a > 0))
		snprintf(buf, NUMFMT_LEN, "%.3e", v);
	else if (a >= 1000)
		snprintf(buf, NUMFMT_LEN, "%.0f", v);
	else
		snprintf(buf, NUMFMT_LEN, "%.4g", v);
	return buf;
}

/* What a figure that could not be computed (NaN) reads as. */
static const char *dash_if_nan(char *buf, double v)
{
	if (isnan(v))
		snprintf(buf, NUMFMT_LEN, DASH);
	return buf;
}

const char *fmt_pct(char *buf, double v)
{
	if (isinf(v))
		snprintf(buf, NUMFMT_LEN, "%sinf%%", v < 0 ? "-" : "+");
	else
		snprintf(buf, NUMFMT_LEN, "%+.2f%%", v);
	return dash_if_nan(buf, v);
}

const char *fmt_p(char *buf, double v)
{
	/* A p-value this small says no more than "far below alpha". */
	if (v < 1e-4)
		strcpy(buf, "<0.0001");
	else
		snprintf(buf, NUMFMT_LEN, "%.4f", v);
	return dash_if_nan(buf, v);
}

const char *fmt_mean_ci(char *buf, const json_t *s)
{
	double mean = json_num_get(s, "mean"), lo = json_num_get(s, "ci_lo");
	double hi = json_num_get(s, "ci_hi");
	char m[NUMFMT_LEN], h[NUMFMT_LEN];

	if (isnan(mean))
		snprintf(buf, NUMFMT_LEN, DASH);
	else if (isnan(lo))
		snprintf(buf, NUMFMT_LEN, "%s", fmt_num(m, mean));
	else
		snprintf(buf, NUMFMT_LEN, "%s \u00b1 %s", fmt_num(m, mean),
			 fmt_num(h, (hi - lo) / 2));
	return buf;
}

const char *verdict_words(const char *key)
{
	int v = verdict_from_key(key);

	if (!key)
		return DASH;
	/* The text a table cell has room to explain. */
	if (v == VERDICT_CHANGED)
		return "significant change (no direction)";
	return v < 0 ? key : verdict_text(v);
}
