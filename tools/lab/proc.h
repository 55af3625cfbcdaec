/* SPDX-License-Identifier: GPL-2.0 */
/* Run a program (argv, never a shell) and collect what it prints. */
#ifndef VQLAB_PROC_H
#define VQLAB_PROC_H
#include <stddef.h>

/* Runs argv[0] (PATH lookup) with stdin from /dev/null; stdout and stderr go
 * into @out (NUL-terminated, trailing newlines removed; may be NULL).
 * Returns the exit status (0..255), 128+signal, or -errno if it could not run. */
int proc_run(const char *const argv[], char *out, size_t outlen);

#endif
