// SPDX-License-Identifier: GPL-2.0
/* The driver's interval line: see drvline.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "drvline.h"

static int count_text(uint64_t v, char *buf, size_t len)
{
	if (v == DRVLINE_NONE)
		return snprintf(buf, len, "-");
	return snprintf(buf, len, "%" PRIu64, v);
}

static int queue_text(const struct drvline_queue *q, char *buf, size_t len)
{
	char k[24], i[24];

	count_text(q->kicks, k, sizeof(k));
	count_text(q->irqs, i, sizeof(i));
	return snprintf(buf, len, " %s=%" PRIu64 "/%" PRIu64 "/%s/%s/%" PRId64, q->name, q->adds,
			q->gets, k, i, q->in_flight);
}

int drvline_format(const struct drvline *l, char *buf, size_t len)
{
	int n = snprintf(buf, len, DRVLINE_TAG "t=%.3f dt=%.3f", l->t, l->dt), m;

	if (n < 0 || (size_t)n + 2 > len)
		return -ENOSPC;
	for (int i = 0; i < l->n; i++) {
		m = queue_text(&l->q[i], buf + n, len - n);
		if (m < 0 || (size_t)(n + m) + 2 > len) {
			buf[n] = '\0';
			break;
		}
		n += m;
	}
	buf[n++] = '\n';
	buf[n] = '\0';
	return n;
}

/* "123" or "-" (DRVLINE_NONE) up to @stop; 0 or -EINVAL. */
static int count_parse(const char *s, const char **end, char stop, uint64_t *v)
{
	char *e;

	if (*s == '-' && s[1] == stop) {
		*v = DRVLINE_NONE;
		*end = s + 1;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &e, 10);
	if (errno || *e != stop)
		return -EINVAL;
	*end = e;
	return 0;
}

/* "name=a/g/k/i/f" (@s, NUL-terminated token) into @q. */
static int queue_parse(const char *s, struct drvline_queue *q)
{
	const char *eq = strchr(s, '='), *p;
	uint64_t *v[4] = { &q->adds, &q->gets, &q->kicks, &q->irqs };
	char *e;

	if (!eq || eq == s || (size_t)(eq - s) >= sizeof(q->name))
		return -EINVAL;
	snprintf(q->name, sizeof(q->name), "%.*s", (int)(eq - s), s);
	p = eq + 1;
	for (int i = 0; i < 4; i++) {
		if (count_parse(p, &p, '/', v[i]))
			return -EINVAL;
		p++;
	}
	if (!*p)
		return -EINVAL;
	errno = 0;
	q->in_flight = strtoll(p, &e, 10);
	return errno || *e ? -EINVAL : 0;
}

int drvline_parse(const char *line, size_t len, struct drvline *l)
{
	char buf[DRVLINE_LEN], *save = NULL, *tok, *e;
	size_t tag = strlen(DRVLINE_TAG);

	if (len >= sizeof(buf) || len < tag || memcmp(line, DRVLINE_TAG, tag))
		return -EINVAL;
	memcpy(buf, line, len);
	buf[len] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	memset(l, 0, sizeof(*l));
	tok = strtok_r(buf + tag, " ", &save);
	if (!tok || strncmp(tok, "t=", 2))
		return -EINVAL;
	l->t = strtod(tok + 2, &e);
	if (*e)
		return -EINVAL;
	tok = strtok_r(NULL, " ", &save);
	if (!tok || strncmp(tok, "dt=", 3))
		return -EINVAL;
	l->dt = strtod(tok + 3, &e);
	if (*e || l->dt < 0)
		return -EINVAL;
	while ((tok = strtok_r(NULL, " ", &save))) {
		if (l->n == DRVLINE_MAX_QUEUES || queue_parse(tok, &l->q[l->n]))
			return -EINVAL;
		l->n++;
	}
	return 0;
}
