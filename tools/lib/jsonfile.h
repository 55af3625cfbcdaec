/* SPDX-License-Identifier: GPL-2.0 */
/* Crash-safe JSON files: whole-file replace and whole-line append. */
#ifndef VQLAB_JSONFILE_H
#define VQLAB_JSONFILE_H
#include <jansson.h>

/* Write @obj to @path through a temp file + fsync + rename. 0 or -errno. */
int json_write_atomic(const char *path, json_t *obj);
/* Append @obj as one line to @path (O_APPEND, one write, fsync). 0 or -errno. */
int json_append_line(const char *path, json_t *obj);
/* Read a JSON-lines file: an array of the complete, parseable lines (a torn
 * last line is skipped). NULL + errno when the file cannot be read. */
json_t *json_read_lines(const char *path, int *skipped);
/* Seed jansson's hash tables from the clock and pid instead of /dev/urandom:
 * the lab's guests have no RNG device, and the first read before the
 * kernel's CRNG is ready makes it gather jitter entropy, ~1.1 s of a TCG
 * guest's time. The tables hold only the tool's own keys. Call first. */
void json_seed_local(void);

#endif
