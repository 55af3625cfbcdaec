// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include "stats.h"

void stats_summarize(const double *x, size_t n, double conf, struct stats_summary *out)
{
	double *v = NULL;
	size_t i, k = 0;

	out->n = 0;
	out->mean = out->sd = out->cv_pct = NAN;
	out->ci_lo = out->ci_hi = out->min = out->max = NAN;
	if (n)
		v = malloc(n * sizeof(*v));
	if (!v)
		return;
	for (i = 0; i < n; i++)
		if (isfinite(x[i]))
			v[k++] = x[i];
	out->n = k;
	if (!k)
		goto cleanup;
	out->mean = gsl_stats_mean(v, 1, k);
	gsl_stats_minmax(&out->min, &out->max, v, 1, k);
	if (k < 2)
		goto cleanup;
	/* gsl_stats_sd_m: two-pass, unbiased (n - 1) estimator. */
	out->sd = gsl_stats_sd_m(v, 1, k, out->mean);
	if (out->mean != 0)
		out->cv_pct = 100.0 * out->sd / fabs(out->mean);
	{
		double half = gsl_cdf_tdist_Qinv((1 - conf) / 2, k - 1) * out->sd / sqrt(k);

		out->ci_lo = out->mean - half;
		out->ci_hi = out->mean + half;
	}
cleanup:
	free(v);
}

int stats_welch(const struct stats_summary *a, const struct stats_summary *b, double conf,
		struct stats_welch *out)
{
	double va, vb, se2;

	out->t = out->df = out->p = NAN;
	out->diff_lo = out->diff_hi = NAN;
	out->diff = b->mean - a->mean;
	/* From a zero baseline any move is an infinite relative change. */
	if (a->mean != 0)
		out->change_pct = 100.0 * out->diff / fabs(a->mean);
	else
		out->change_pct = out->diff == 0 ? 0 : copysign(INFINITY, out->diff);
	if (a->n < 2 || b->n < 2 || !isfinite(a->sd) || !isfinite(b->sd))
		return -EDOM;
	va = a->sd * a->sd / a->n;
	vb = b->sd * b->sd / b->n;
	se2 = va + vb;
	if (se2 == 0) {
		/* No spread on either side: the difference is exact. */
		out->p = out->diff == 0 ? 1.0 : 0.0;
		out->diff_lo = out->diff_hi = out->diff;
		return 0;
	}
	out->t = out->diff / sqrt(se2);
	out->df = se2 * se2 / (va * va / (a->n - 1) + vb * vb / (b->n - 1));
	/* Two-sided: P(|T| > |t|) = 2 Q(|t|); Q is accurate far in the tail. */
	out->p = 2 * gsl_cdf_tdist_Q(fabs(out->t), out->df);
	if (out->p > 1)
		out->p = 1;
	{
		double half = gsl_cdf_tdist_Qinv((1 - conf) / 2, out->df) * sqrt(se2);

		out->diff_lo = out->diff - half;
		out->diff_hi = out->diff + half;
	}
	return 0;
}

double stats_fisher_more_failures(unsigned int fa, unsigned int na, unsigned int fb,
				  unsigned int nb)
{
	unsigned int fail = fa + fb, ok = na + nb - fail;

	if (!fb || fa > na || fb > nb)
		return 1;
	/* Q(k) = P(X > k), so P(X >= fb) = Q(fb - 1). */
	return gsl_cdf_hypergeometric_Q(fb - 1, fail, ok, nb);
}

enum verdict stats_verdict(const struct stats_welch *w, int better, double alpha,
			   double threshold_pct)
{
	if (isnan(w->p))
		return VERDICT_INSUFFICIENT;
	if (!(w->p < alpha) || !(fabs(w->change_pct) > threshold_pct))
		return VERDICT_NONE;
	if (!better)
		return VERDICT_CHANGED;
	return (w->diff > 0) == (better > 0) ? VERDICT_IMPROVEMENT : VERDICT_REGRESSION;
}

unsigned int stats_reps_needed(double change_pct, double cv_pct, double alpha, double power,
			       unsigned int max)
{
	double d = fabs(change_pct);

	if (!isfinite(d) || !isfinite(cv_pct) || d == 0 || cv_pct < 0)
		return 0;
	for (unsigned int n = 2; n <= max; n++) {
		double df = 2.0 * n - 2;
		double z = gsl_cdf_tdist_Pinv(1 - alpha / 2, df) + gsl_cdf_tdist_Pinv(power, df);

		if (z * cv_pct * sqrt(2.0 / n) <= d)
			return n;
	}
	return 0;
}

double stats_log2_quantile(const double *counts, size_t n, double q)
{
	double total = 0, acc = 0;
	size_t i;

	for (i = 0; i < n; i++)
		total += counts[i] > 0 ? counts[i] : 0;
	if (!(total > 0))
		return NAN;
	for (i = 0; i < n; i++) {
		double c = counts[i] > 0 ? counts[i] : 0;
		double lo = i ? ldexp(1, (int)i) : 0, hi = ldexp(1, (int)i + 1);

		if (c > 0 && acc + c >= q * total)
			return lo + (hi - lo) * (q * total - acc) / c;
		acc += c;
	}
	return ldexp(1, (int)n);
}
