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

/* The change of @out->diff against @ref, a baseline mean. */
static void test_change(struct stats_welch *out, double ref)
{
	/* From a zero baseline any move is an infinite relative change. */
	if (ref != 0)
		out->change_pct = 100.0 * out->diff / fabs(ref);
	else
		out->change_pct = out->diff == 0 ? 0 : copysign(INFINITY, out->diff);
}

/* t, p and the interval of @out->diff from its squared standard error
 * @se2 and @df degrees of freedom. */
static void test_finish(struct stats_welch *out, double se2, double df, double conf)
{
	if (se2 == 0) {
		/* No spread: the difference is exact. */
		out->p = out->diff == 0 ? 1.0 : 0.0;
		out->diff_lo = out->diff_hi = out->diff;
		return;
	}
	out->df = df;
	out->t = out->diff / sqrt(se2);
	/* Two-sided: P(|T| > |t|) = 2 Q(|t|); Q is accurate far in the tail. */
	out->p = 2 * gsl_cdf_tdist_Q(fabs(out->t), out->df);
	if (out->p > 1)
		out->p = 1;
	{
		double half = gsl_cdf_tdist_Qinv((1 - conf) / 2, out->df) * sqrt(se2);

		out->diff_lo = out->diff - half;
		out->diff_hi = out->diff + half;
	}
}

static void test_init(struct stats_welch *out, double diff, double ref)
{
	out->t = out->df = out->p = NAN;
	out->diff_lo = out->diff_hi = NAN;
	out->diff = diff;
	test_change(out, ref);
}

int stats_welch(const struct stats_summary *a, const struct stats_summary *b, double conf,
		struct stats_welch *out)
{
	double va, vb, se2;

	test_init(out, b->mean - a->mean, a->mean);
	if (a->n < 2 || b->n < 2 || !isfinite(a->sd) || !isfinite(b->sd))
		return -EDOM;
	va = a->sd * a->sd / a->n;
	vb = b->sd * b->sd / b->n;
	se2 = va + vb;
	test_finish(out, se2,
		    se2 == 0 ? NAN : se2 * se2 / (va * va / (a->n - 1) + vb * vb / (b->n - 1)),
		    conf);
	return 0;
}

int stats_paired(const double *a, const double *b, size_t n, double conf, struct stats_welch *out)
{
	double *d = n ? malloc(n * sizeof(*d)) : NULL;
	double md, sd, ma;
	size_t i;

	test_init(out, NAN, NAN);
	if (n < 2 || !d) {
		free(d);
		return -EDOM;
	}
	for (i = 0; i < n; i++) {
		if (!isfinite(a[i]) || !isfinite(b[i])) {
			free(d);
			return -EDOM;
		}
		d[i] = b[i] - a[i];
	}
	md = gsl_stats_mean(d, 1, n);
	sd = gsl_stats_sd_m(d, 1, n, md);
	ma = gsl_stats_mean(a, 1, n);
	free(d);
	test_init(out, md, ma);
	test_finish(out, sd * sd / n, (double)n - 1, conf);
	return 0;
}

int stats_strata(const struct stats_summary *a, const struct stats_summary *b, size_t k,
		 double conf, struct stats_welch *out)
{
	double sw = 0, swd = 0, swa = 0, ss = 0, df = 0;
	size_t i;

	test_init(out, NAN, NAN);
	for (i = 0; i < k; i++) {
		double na = (double)a[i].n, nb = (double)b[i].n, w;

		if (!a[i].n || !b[i].n)
			continue;
		w = na * nb / (na + nb);
		sw += w;
		swd += w * (b[i].mean - a[i].mean);
		swa += w * a[i].mean;
		/* sd is NaN for one value: it adds no spread and no df. */
		if (a[i].n > 1)
			ss += (na - 1) * a[i].sd * a[i].sd;
		if (b[i].n > 1)
			ss += (nb - 1) * b[i].sd * b[i].sd;
		df += na + nb - 2;
	}
	if (!(sw > 0))
		return -EDOM;
	test_init(out, swd / sw, swa / sw);
	if (df < 1)
		return -EDOM;
	test_finish(out, ss / df / sw, df, conf);
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
