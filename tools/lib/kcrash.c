// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kcrash.h"
#include "textfile.h"

/* How the kernel starts the first line of a crash (arch/x86/mm/fault.c,
 * arch/x86/kernel/dumpstack.c and traps.c, kernel/panic.c, the soft lockup
 * watchdog). */
static const char *const headlines[] = {
	"BUG: ",	   "Oops: ",	     "general protection fault", "kernel BUG at ",
	"Kernel panic - not syncing", "divide error: ", "invalid opcode: ",
	"watchdog: BUG: ", "Unable to handle kernel",
};

/* One console line without its printk time stamp "[  12.345678] ". */
static const char *line_text(const char *l, const char *end)
{
	const char *p = l;

	if (p < end && *p == '[') {
		const char *close = memchr(p, ']', end - p);

		if (close)
			p = close + 1;
		while (p < end && *p == ' ')
			p++;
	}
	return p;
}

static bool starts(const char *p, const char *end, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(end - p) >= n && !memcmp(p, s, n);
}

static bool is_headline(const char *p, const char *end)
{
	for (size_t i = 0; i < sizeof(headlines) / sizeof(headlines[0]); i++)
		if (starts(p, end, headlines[i]))
			return true;
	return false;
}

/* The word after "Comm: " in @p..@end ("CPU: 0 UID: 0 PID: 144 Comm:
 * kwatchdog Tainted: …"), into @out; false when the line has none. */
static bool comm_of(const char *p, const char *end, char *out, size_t outlen)
{
	const char *c = memmem(p, end - p, " Comm: ", 7), *w;

	if (!c)
		return false;
	c += 7;
	for (w = c; w < end && *w != ' '; w++)
		;
	snprintf(out, outlen, "%.*s", (int)(w - c), c);
	return true;
}

/* The end of the line that starts at @l (its '\r' or '\n'). */
static const char *line_end(const char *l, const char *end)
{
	const char *e = l;

	while (e < end && *e != '\n' && *e != '\r')
		e++;
	return e;
}

bool kcrash_find(const char *buf, size_t len, char *out, size_t outlen)
{
	const char *end = buf + len, *l, *e, *head = NULL, *head_end = NULL;
	char comm[64] = "", rip[128] = "";

	out[0] = '\0';
	for (l = buf; l < end; l = e + 1) {
		const char *p;

		e = line_end(l, end);
		p = line_text(l, e);
		if (!head) {
			if (is_headline(p, e)) {
				head = p;
				head_end = e;
			}
			continue;
		}
		if (!*comm && comm_of(p, e, comm, sizeof(comm)))
			continue;
		if (!*rip && starts(p, e, "RIP: "))
			snprintf(rip, sizeof(rip), "%.*s", (int)(e - p - 5), p + 5);
		if (*comm && *rip)
			break;
	}
	if (!head)
		return false;
	snprintf(out, outlen, "%.*s%s%s%s%s%s%s", (int)(head_end - head), head,
		 *comm || *rip ? " (" : "", *comm ? "task " : "", comm,
		 *comm && *rip ? ", " : "", *rip ? "RIP " : "", rip);
	if (*comm || *rip)
		snprintf(out + strlen(out), outlen - strlen(out), ")");
	return true;
}

void console_excerpt(const char *path, int lines, char *out, size_t outlen)
{
	size_t len;
	char *buf = file_read_all(path, &len);
	bool crash = buf && kcrash_find(buf, len, out, outlen);

	free(buf);
	if (!crash)
		file_tail(path, lines, out, outlen);
}
