// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "textfile.h"

char *file_read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0;

	*len = 0;
	if (!f)
		return NULL;
	for (;;) {
		if (cap - *len < 4096) {
			char *nb = realloc(buf, cap + 65536);

			if (!nb)
				break;
			buf = nb;
			cap += 65536;
		}
		size_t n = fread(buf + *len, 1, cap - *len - 1, f);

		if (!n)
			break;
		*len += n;
	}
	fclose(f);
	if (buf)
		buf[*len] = '\0';
	return buf;
}

/* The last @lines lines of a file, newlines folded into " | ". */
void file_tail(const char *path, int lines, char *out, size_t outlen)
{
	size_t len;
	char *buf = file_read_all(path, &len), *p;
	int seen = 0;

	out[0] = '\0';
	if (!buf)
		return;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	for (p = buf + len; p > buf; p--)
		if (p[-1] == '\n' && ++seen == lines)
			break;
	snprintf(out, outlen, "%s", p);
	for (char *c = out; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = '|';
	free(buf);
}

int file_write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -errno;
	fputs(text, f);
	return fclose(f) ? -errno : 0;
}
