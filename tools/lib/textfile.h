/* SPDX-License-Identifier: GPL-2.0 */
/* Whole small text files: logs, consoles, reports. */
#ifndef VQLAB_TEXTFILE_H
#define VQLAB_TEXTFILE_H
#include <stddef.h>

/* The whole file, NUL-terminated, *len bytes; NULL when it cannot be read. */
char *file_read_all(const char *path, size_t *len);
/* The last @lines lines of a file, newlines folded into '|'; "" if unreadable. */
void file_tail(const char *path, int lines, char *out, size_t outlen);
/* Replace @path with @text. 0 or -errno. */
int file_write_text(const char *path, const char *text);

#endif
