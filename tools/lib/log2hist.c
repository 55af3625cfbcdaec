// SPDX-License-Identifier: GPL-2.0
/* log2 histograms: see log2hist.h. */
#include "log2hist.h"

int log2hist_slot(uint64_t v)
{
	return v ? 63 - __builtin_clzll(v) : 0;
}

static int used_slots(const uint64_t *vals, int n)
{
	while (n > 0 && !vals[n - 1])
		n--;
	return n;
}

static void print_stars(FILE *f, uint64_t val, uint64_t max, int width)
{
	int stars = max ? (int)(val * width / max) : 0;
	int i;

	if (stars > width)
		stars = width;
	for (i = 0; i < stars; i++)
		fputc('*', f);
	for (; i < width; i++)
		fputc(' ', f);
	if (val > max)
		fputc('+', f);
}

void log2hist_print(FILE *f, const uint64_t *vals, int n, const char *unit)
{
	int used = used_slots(vals, n), width = 40, i;
	uint64_t max = 0;

	if (!used)
		return;
	for (i = 0; i < used; i++)
		if (vals[i] > max)
			max = vals[i];
	/* Wide values need a wider range column (as print_log2_hist does). */
	if (used <= 32)
		fprintf(f, "%*s%-*s : count    distribution\n", 10, "", 14, unit);
	else
		fprintf(f, "%*s%-*s : count    distribution\n", 15, "", 29, unit);
	for (i = 0; i < used; i++) {
		uint64_t low = (1ULL << i), high = (1ULL << (i + 1)) - 1;

		if (i == 0)
			low = 0;
		if (used <= 32)
			fprintf(f, "%10llu -> %-10llu : %-8llu |", (unsigned long long)low,
				(unsigned long long)high, (unsigned long long)vals[i]);
		else
			fprintf(f, "%20llu -> %-20llu : %-8llu |", (unsigned long long)low,
				(unsigned long long)high, (unsigned long long)vals[i]);
		print_stars(f, vals[i], max, width);
		fputs("|\n", f);
	}
}

json_t *log2hist_json(const uint64_t *vals, int n)
{
	int used = used_slots(vals, n), i;
	json_t *a = json_array();

	if (!a)
		return NULL;
	for (i = 0; i < used; i++) {
		if (json_array_append_new(a, json_integer((json_int_t)vals[i]))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}
