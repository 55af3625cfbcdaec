// SPDX-License-Identifier: GPL-2.0
#include <stddef.h>
#include <string.h>
#include "verdict.h"

static const struct {
	const char *key, *text;
} names[] = {
	[VERDICT_NONE] = { "none", "no significant change" },
	[VERDICT_IMPROVEMENT] = { "improvement", "improvement" },
	[VERDICT_REGRESSION] = { "regression", "regression" },
	[VERDICT_CHANGED] = { "changed", "significant change" },
	[VERDICT_INSUFFICIENT] = { "insufficient", "insufficient data" },
	[VERDICT_NOT_NEGOTIATED] = { "not_negotiated", "no verdict: feature not negotiated" },
	[VERDICT_CROSS_HOST] = { "cross_host", "no verdict: measured on different hosts" },
};

#define NVERDICTS (sizeof(names) / sizeof(names[0]))

const char *verdict_key(enum verdict v)
{
	return (size_t)v < NVERDICTS ? names[v].key : names[VERDICT_INSUFFICIENT].key;
}

const char *verdict_text(enum verdict v)
{
	return (size_t)v < NVERDICTS ? names[v].text : names[VERDICT_INSUFFICIENT].text;
}

int verdict_from_key(const char *key)
{
	for (size_t i = 0; key && i < NVERDICTS; i++)
		if (!strcmp(names[i].key, key))
			return (int)i;
	return -1;
}

bool verdict_key_is_directed(const char *key)
{
	int v = verdict_from_key(key);

	return v == VERDICT_IMPROVEMENT || v == VERDICT_REGRESSION;
}
