/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The command-line scaffolding every tool shares: usage errors that point at
 * --help (exit 2), getopt's two error cases, and bpftool's table of
 * { "verb", do_verb } with unambiguous prefixes.
 */
#ifndef VQLAB_CLI_H
#define VQLAB_CLI_H
#include <stddef.h>

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

/* p_err(@fmt...) plus "Try '@tool --help'." on stderr; returns EXIT_USAGE. */
int cli_usage_error(const char *tool, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* For getopt_long's ':' (missing value) and '?' (unknown option) results,
 * with opterr = 0 and an optstring starting with ':'. Returns EXIT_USAGE. */
int cli_getopt_error(const char *tool, int c, char **argv);
/* --duration's value: seconds > 0 and at most 1e7 (may end in ms, s, m).
 * 0, or EXIT_USAGE with the error printed. */
int cli_duration_arg(const char *tool, const char *arg, double *out);

struct cli_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
};

/* The command @word names, exactly or by an unambiguous prefix. NULL, with
 * the error printed (naming every command), when none or several match. */
const struct cli_cmd *cli_cmd_find(const char *tool, const struct cli_cmd *cmds, size_t n,
				   const char *word);

#endif
