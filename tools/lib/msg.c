// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <string.h>
#include "msg.h"

static bool json_mode, pretty_mode;
static char first_error[ERRBUF_LEN];

int err_set(struct errbuf *e, int ret, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return ret;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return ret;
}

int err_prefix(struct errbuf *e, int ret, const char *fmt, ...)
{
	char head[ERRBUF_LEN], tail[ERRBUF_LEN];
	va_list ap;

	if (!e)
		return ret;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	snprintf(tail, sizeof(tail), "%s", e->msg);
	snprintf(e->msg, sizeof(e->msg), "%s: %s", head, tail);
	return ret;
}

void msg_set_json(bool json, bool pretty)
{
	json_mode = json || pretty;
	pretty_mode = pretty;
}

bool msg_json(void)
{
	return json_mode;
}

const char *msg_first_error(void)
{
	return first_error;
}

void p_json(const json_t *o)
{
	size_t flags = pretty_mode ? JSON_INDENT(2) : JSON_COMPACT;

	json_dumpf(o, stdout, flags | JSON_REAL_PRECISION(15));
	fputc('\n', stdout);
	fflush(stdout);
}

/* Keep the first error, then say it: as a JSON line when @as_json, else on
 * stderr. */
static void p_err_va(bool as_json, const char *fmt, va_list ap)
{
	char buf[ERRBUF_LEN];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (!first_error[0])
		snprintf(first_error, sizeof(first_error), "%s", buf);
	if (as_json) {
		json_t *o = json_pack("{s:s}", "error", buf);

		p_json(o);
		json_decref(o);
	} else {
		fprintf(stderr, "Error: %s\n", buf);
	}
}

void p_err_text(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	p_err_va(false, fmt, ap);
	va_end(ap);
}

void p_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	p_err_va(json_mode, fmt, ap);
	va_end(ap);
}

static void p_stderr(const char *head, const char *fmt, va_list ap)
{
	fputs(head, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void p_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	p_stderr("", fmt, ap);
	va_end(ap);
}

void p_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	p_stderr("Warning: ", fmt, ap);
	va_end(ap);
}
