// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "table.h"
#include "verdict.h"

struct table *table_new(size_t ncols, unsigned int right_aligned)
{
	struct table *t = calloc(1, sizeof(*t));

	if (t) {
		t->ncols = ncols;
		t->right = right_aligned;
	}
	return t;
}

int table_add(struct table *t, const char *const *cols)
{
	size_t i;

	if (t->nrows == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 8;
		char **n = realloc(t->cell, cap * t->ncols * sizeof(*n));

		if (!n)
			return -ENOMEM;
		t->cell = n;
		t->cap = cap;
	}
	for (i = 0; i < t->ncols; i++)
		t->cell[t->nrows * t->ncols + i] = strdup(cols[i] ? cols[i] : "");
	t->nrows++;
	return 0;
}

int table_addf(struct table *t, const char *fmt, ...)
{
	const char **cols = calloc(t->ncols, sizeof(*cols));
	char *s = NULL, *p;
	va_list ap;
	size_t i = 0;
	int ret = -ENOMEM;

	va_start(ap, fmt);
	if (!cols || vasprintf(&s, fmt, ap) < 0) {
		s = NULL;
		goto cleanup;
	}
	for (p = s; i < t->ncols; i++) {
		char *tab = p ? strchr(p, '\t') : NULL;

		cols[i] = p;
		if (tab) {
			*tab = '\0';
			p = tab + 1;
		} else {
			p = NULL;
		}
	}
	ret = table_add(t, cols);
cleanup:
	va_end(ap);
	free(s);
	free(cols);
	return ret;
}

/* Display width: count UTF-8 lead bytes, not continuation bytes. */
static size_t width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

void table_print_text(const struct table *t, FILE *f, int indent)
{
	size_t *w = calloc(t->ncols, sizeof(*w)), r, c;

	if (!w)
		return;
	for (r = 0; r < t->nrows; r++)
		for (c = 0; c < t->ncols; c++) {
			size_t x = width(t->cell[r * t->ncols + c]);

			if (x > w[c])
				w[c] = x;
		}
	for (r = 0; r < t->nrows; r++) {
		fprintf(f, "%*s", indent, "");
		for (c = 0; c < t->ncols; c++) {
			const char *s = t->cell[r * t->ncols + c];
			int pad = (int)(w[c] - width(s));
			int last = c + 1 == t->ncols;

			if (t->right & (1u << c))
				fprintf(f, "%*s%s", pad, "", s);
			else
				fprintf(f, "%s%*s", s, last ? 0 : pad, "");
			if (!last)
				fputs("  ", f);
		}
		fputc('\n', f);
	}
	free(w);
}

void md_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|' || *s == '\\' || *s == '*' || *s == '_' || *s == '`')
			fputc('\\', f);
		fputc(*s == '\n' ? ' ' : *s, f);
	}
}

void table_print_md(const struct table *t, FILE *f)
{
	size_t r, c;

	for (r = 0; r < t->nrows; r++) {
		fputs("|", f);
		for (c = 0; c < t->ncols; c++) {
			fputc(' ', f);
			md_escape(f, t->cell[r * t->ncols + c]);
			fputs(" |", f);
		}
		fputc('\n', f);
		if (r == 0) {
			fputs("|", f);
			for (c = 0; c < t->ncols; c++)
				fputs(t->right & (1u << c) ? "---:|" : "---|", f);
			fputc('\n', f);
		}
	}
}

/* The entity for a character HTML gives a meaning, or NULL. */
static const char *html_entity(char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#39;";
	default:
		return NULL;
	}
}

void html_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		const char *entity = html_entity(*s);

		if (entity)
			fputs(entity, f);
		else
			fputc(*s, f);
	}
}

void table_print_html(const struct table *t, FILE *f)
{
	size_t r, c;

	fputs("<table>\n", f);
	for (r = 0; r < t->nrows; r++) {
		fputs("<tr>", f);
		for (c = 0; c < t->ncols; c++) {
			const char *s = t->cell[r * t->ncols + c];
			const char *tag = r ? "td" : "th";
			/* Verdict cells get a class so that colour marks them. */
			int nn = r && s && !strcmp(s, verdict_text(VERDICT_NOT_NEGOTIATED));
			int marked = r && (verdict_key_is_directed(s) || nn);

			fprintf(f, "<%s%s>", tag, t->right & (1u << c) ? " class=\"num\"" : "");
			if (marked)
				fprintf(f, "<span class=\"%s\">",
					nn ? verdict_key(VERDICT_NOT_NEGOTIATED) : s);
			html_escape(f, s);
			if (marked)
				fputs("</span>", f);
			fprintf(f, "</%s>", tag);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

void table_free(struct table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cell[i]);
	free(t->cell);
	free(t);
}
