/* SPDX-License-Identifier: GPL-2.0 */
/* Run a program (argv, never a shell) and collect what it prints. */
#ifndef VQLAB_PROC_H
#define VQLAB_PROC_H
#include <stdbool.h>
#include <stddef.h>

/* Runs argv[0] (PATH lookup) with stdin from /dev/null; stdout and stderr go
 * into @out (NUL-terminated, trailing newlines removed; may be NULL).
 * Returns the exit status (0..255), 128+signal, or -errno if it could not run. */
int proc_run(const char *const argv[], char *out, size_t outlen);

/* In a child forked by the runner, which blocks or catches signals: every
 * signal unblocked, and SIGINT, SIGTERM, SIGALRM and SIGPIPE back to their
 * default action, so that the child dies of them like any program. */
void proc_child_default_signals(void);

/* No process @pid exists any more (a run that left something behind). False
 * for pid <= 0 and when the answer is unknown. */
bool proc_pid_gone(long pid);

#endif
