// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include "cli.h"
#include "cli_opts.h"

int cli_getopt_init(struct cli_getopt *g, const struct cli_opt *opts, size_t n)
{
	char *s = g->optstring;

	if (n > CLI_OPTS_MAX)
		return -E2BIG;
	memset(g, 0, sizeof(*g));
	*s++ = ':';
	for (size_t i = 0; i < n; i++) {
		g->longopts[i] = (struct option){
			.name = opts[i].name,
			.has_arg = opts[i].arg ? required_argument : no_argument,
			.val = opts[i].key,
		};
		if (opts[i].key <= 0 || opts[i].key >= 256)
			continue;
		*s++ = (char)opts[i].key;
		if (opts[i].arg)
			*s++ = ':';
	}
	return 0;
}

int cli_opts_parse(const char *tool, int argc, char **argv, const struct cli_opt *opts, size_t n,
		   int (*fn)(int c, const char *arg, void *ctx), void *ctx)
{
	struct cli_getopt g;
	int c, ret;

	if (cli_getopt_init(&g, opts, n))
		return -E2BIG;
	opterr = 0;
	while ((c = getopt_long(argc, argv, g.optstring, g.longopts, NULL)) != -1) {
		if (c == ':' || c == '?')
			return cli_getopt_error(tool, c, argv);
		ret = fn(c, optarg, ctx);
		if (ret)
			return ret;
	}
	return 0;
}

/* "-x, --name ARG" or "    --name ARG". */
static int opt_words(char *buf, size_t len, const struct cli_opt *o)
{
	char shortopt[8] = "    ";

	if (o->key > 0 && o->key < 256)
		snprintf(shortopt, sizeof(shortopt), "-%c, ", o->key);
	return snprintf(buf, len, "%s--%s%s%s", shortopt, o->name, o->arg ? " " : "",
			o->arg ? o->arg : "");
}

void cli_opts_print(FILE *f, const struct cli_opt *opts, size_t n, int col)
{
	char words[128];

	for (size_t i = 0; i < n; i++) {
		const char *line = opts[i].help, *nl;
		int w;

		if (!line)
			continue;
		w = opt_words(words, sizeof(words), &opts[i]);
		/* Too long for the column: the help starts on the next line. */
		fprintf(f, "  %s%*s", words, 2 + w < col ? col - 2 - w : 0, "");
		if (2 + w >= col)
			fprintf(f, "\n%*s", col, "");
		for (; (nl = strchr(line, '\n')); line = nl + 1)
			fprintf(f, "%.*s\n%*s", (int)(nl - line), line, col, "");
		fprintf(f, "%s\n", line);
	}
}

void cli_help_print(FILE *f, const char *head, const struct cli_opt *opts, size_t n, int col,
		    const char *tail)
{
	fputs(head, f);
	cli_opts_print(f, opts, n, col);
	fputs(tail, f);
}

int cli_one_operand(const char *tool, int argc, char **argv, const char *name, const char **out)
{
	if (optind >= argc)
		return cli_usage_error(tool, "no %s given", name);
	if (optind + 1 < argc)
		return cli_usage_error(tool, "unexpected argument '%s'", argv[optind + 1]);
	*out = argv[optind++];
	return 0;
}
