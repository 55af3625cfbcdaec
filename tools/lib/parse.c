// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <math.h>
#include "parse.h"

int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || isspace((unsigned char)*s) || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno || *end)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

static int parse_double_prefix(const char *s, double *v, char **end)
{
	if (!s || !*s || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	*v = strtod(s, end);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno || *end == s || !isfinite(*v))
		return -EINVAL;
	return 0;
}

int parse_double(const char *s, double min, double max, double *out)
{
	double v;
	char *end;
	int err = parse_double_prefix(s, &v, &end);

	if (err)
		return err;
	if (*end)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int parse_duration(const char *s, double *seconds)
{
	double v, mul;
	char *end;
	int err = parse_double_prefix(s, &v, &end);

	if (err)
		return err;
	if (!*end || !strcmp(end, "s"))
		mul = 1;
	else if (!strcmp(end, "ms"))
		mul = 1e-3;
	else if (!strcmp(end, "m"))
		mul = 60;
	else
		return -EINVAL;
	if (v < 0)
		return -ERANGE;
	*seconds = v * mul;
	return 0;
}
