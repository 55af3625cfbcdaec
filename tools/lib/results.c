// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include <time.h>
#include "results.h"

void iso_time_now(char buf[32])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void metric_set(json_t *metrics, const char *name, double v, const char *unit, const char *better)
{
	json_object_set_new(metrics, name,
			    json_pack("{s:f, s:s, s:s}", METRIC_VALUE, v, METRIC_UNIT, unit,
				      METRIC_BETTER, better));
}

double metric_value(json_t *obj, const char *name)
{
	json_t *m = json_object_get(json_object_get(obj, SAMPLE_METRICS), name);
	json_t *v = json_object_get(m, METRIC_VALUE);

	return json_is_number(v) ? json_number_value(v) : -1;
}

int metric_better_sign(const char *better)
{
	if (!better)
		return 0;
	return !strcmp(better, BETTER_HIGHER) ? 1 : !strcmp(better, BETTER_LOWER) ? -1 : 0;
}
