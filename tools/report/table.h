/* SPDX-License-Identifier: GPL-2.0 */
/* A table of text cells, printed aligned for a terminal, as Markdown or as
 * HTML, so that every report format shows the same rows. */
#ifndef VQREPORT_TABLE_H
#define VQREPORT_TABLE_H
#include <stdio.h>

struct table {
	size_t ncols, nrows, cap;
	char **cell; /* nrows * ncols, row 0 is the header */
	unsigned int right; /* bit i set: column i is right-aligned */
};

struct table *table_new(size_t ncols, unsigned int right_aligned);
/* Append a row of ncols strings (copied; NULL prints as empty). */
int table_add(struct table *t, const char *const *cols);
/* Like table_add, with printf-formatted cells separated by '\t' in @fmt. */
int table_addf(struct table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void table_print_text(const struct table *t, FILE *f, int indent);
void table_print_md(const struct table *t, FILE *f);
void table_print_html(const struct table *t, FILE *f);
void table_free(struct table *t);

/* Write @s escaped for HTML text and attributes. */
void html_escape(FILE *f, const char *s);
/* Write @s escaped for a Markdown table cell. */
void md_escape(FILE *f, const char *s);

#endif
