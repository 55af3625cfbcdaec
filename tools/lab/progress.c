// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "msg.h"
#include "progress.h"

void fmt_secs(char *buf, size_t len, double s)
{
	if (s >= 3600)
		snprintf(buf, len, "%dh%02dm", (int)s / 3600, (int)s % 3600 / 60);
	else if (s >= 60)
		snprintf(buf, len, "%dm%02ds", (int)s / 60, (int)s % 60);
	else
		snprintf(buf, len, "%ds", (int)s);
}

void progress_init(struct progress *p, int total)
{
	memset(p, 0, sizeof(*p));
	p->total = total;
	p->tty = isatty(STDERR_FILENO) && !msg_json();
}

void progress_show(struct progress *p, const char *what)
{
	int n = p->ok + p->failed, width = 24, fill = p->total ? n * width / p->total : 0;
	char eta[32] = "?", bar[32];

	if (n)
		fmt_secs(eta, sizeof(eta), p->wall_sum / n * (p->total - n));
	if (!p->tty) {
		p_info("[%d/%d] %s (failed so far: %d, ETA %s)", n + 1, p->total, what, p->failed,
		       eta);
		return;
	}
	memset(bar, '#', fill);
	memset(bar + fill, '.', width - fill);
	bar[width] = '\0';
	fprintf(stderr, "\r\033[K[%s] %d/%d done, %d failed, ETA %s  %s", bar, n, p->total,
		p->failed, eta, what);
	fflush(stderr);
}

void progress_note(struct progress *p, const char *fmt, ...)
{
	va_list ap;

	if (p->tty)
		fprintf(stderr, "\r\033[K");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void progress_end(struct progress *p)
{
	if (p->tty)
		fprintf(stderr, "\r\033[K");
}
