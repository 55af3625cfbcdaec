/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tool's options as one table, on the model of bcc's argp tables: getopt's
 * long-option table and optstring, and the "Options:" lines of --help, all
 * come from it, so the parser and the help text cannot drift apart.
 */
#ifndef VQLAB_CLI_OPTS_H
#define VQLAB_CLI_OPTS_H
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

#define CLI_OPTS_MAX 32
/* How many entries a table of struct cli_opt has. */
#define CLI_NOPTS(opts) (sizeof(opts) / sizeof((opts)[0]))

struct cli_opt {
	int key; /* the short letter, or a value >= 256 for a long-only option */
	const char *name; /* the long name, without "--" */
	const char *arg; /* the value's name in --help ("S"); NULL: no value */
	const char *help; /* one or more lines, separated by '\n'; NULL: not listed */
};

/* What an option's callback returns for --help: the parse stops there. */
#define CLI_OPTS_HELP 3

/* What getopt_long needs, built from a table of struct cli_opt. */
struct cli_getopt {
	struct option longopts[CLI_OPTS_MAX + 1];
	/* ':' first (missing values reported as ':'), then "x" or "x:" each */
	char optstring[1 + 2 * CLI_OPTS_MAX + 1];
};

/* Fill @g from @opts[0..n). 0, or -E2BIG beyond CLI_OPTS_MAX options. */
int cli_getopt_init(struct cli_getopt *g, const struct cli_opt *opts, size_t n);

/* Parse the options of @argv from optind on with @opts (getopt_long, opterr
 * off): each option goes to @fn(c, its value or NULL, @ctx), which returns 0
 * to go on, or else stops the parse with its value (EXIT_USAGE after
 * printing why, CLI_OPTS_HELP). An unknown option or a missing value is a
 * usage error, printed (cli_getopt_error). 0 leaves optind at the first
 * operand. */
int cli_opts_parse(const char *tool, int argc, char **argv, const struct cli_opt *opts, size_t n,
		   int (*fn)(int c, const char *arg, void *ctx), void *ctx);

/* One "  -x, --name ARG   help" entry per option, the help at column
 * @col and its further lines indented to it ("      --name" for a
 * long-only option). */
void cli_opts_print(FILE *f, const struct cli_opt *opts, size_t n, int col);

/* A tool's --help: @head, the "Options:" lines of @opts[0..n) at column
 * @col (cli_opts_print), then @tail. */
void cli_help_print(FILE *f, const char *head, const struct cli_opt *opts, size_t n, int col,
		    const char *tail);

/* After the options, the one operand @name (e.g. "DEVICE") into *@out. 0, or
 * EXIT_USAGE (printed) when it is missing or followed by more. */
int cli_one_operand(const char *tool, int argc, char **argv, const char *name, const char **out);

#endif
