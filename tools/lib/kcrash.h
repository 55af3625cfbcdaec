/* SPDX-License-Identifier: GPL-2.0 */
/* The guest kernel's console: what a crash says about itself. A sample that
 * hangs or ends after an oops or a panic is recorded with the oops's own
 * headline, task and RIP, not with the register lines it happened to end on. */
#ifndef VQLAB_KCRASH_H
#define VQLAB_KCRASH_H
#include <stdbool.h>
#include <stddef.h>

/* The first crash in console text @buf (@len bytes): "BUG: kernel NULL pointer
 * dereference, address: 0000000000000059 (task kwatchdog, RIP
 * 0010:clocksource_select+0x1c/0x50)" into @out. false, @out empty: none. */
bool kcrash_find(const char *buf, size_t len, char *out, size_t outlen);
/* For a failed sample's reason: the console's first crash as above, else its
 * last @lines lines ('|' between them); "" when the file cannot be read. */
void console_excerpt(const char *path, int lines, char *out, size_t outlen);

#endif
