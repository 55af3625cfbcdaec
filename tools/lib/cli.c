// SPDX-License-Identifier: GPL-2.0
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "msg.h"
#include "parse.h"

int cli_usage_error(const char *tool, const char *fmt, ...)
{
	char buf[ERRBUF_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	p_err("%s", buf);
	fprintf(stderr, "Try '%s --help'.\n", tool);
	return EXIT_USAGE;
}

int cli_getopt_error(const char *tool, int c, char **argv)
{
	const char *opt = argv[optind - 1];

	if (c == ':')
		return cli_usage_error(tool, "option '%s' needs a value", opt);
	if (optopt && optopt < 256 && opt[0] == '-' && opt[1] != '-')
		return cli_usage_error(tool, "unknown option '-%c'", optopt);
	return cli_usage_error(tool, "unknown option '%s'", opt);
}

static void cmd_names(const struct cli_cmd *cmds, size_t n, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%s", i ? ", " : "", cmds[i].name);
}

const struct cli_cmd *cli_cmd_find(const char *tool, const struct cli_cmd *cmds, size_t n,
				   const char *word)
{
	const struct cli_cmd *found = NULL;
	size_t len = strlen(word);
	int matches = 0;
	char names[512];

	for (size_t i = 0; i < n; i++) {
		if (!strcmp(cmds[i].name, word))
			return &cmds[i];
		if (len && !strncmp(cmds[i].name, word, len)) {
			found = &cmds[i];
			matches++;
		}
	}
	if (matches == 1)
		return found;
	cmd_names(cmds, n, names, sizeof(names));
	p_err("%s command '%s' (commands: %s)", matches ? "ambiguous" : "unknown", word, names);
	(void)tool;
	return NULL;
}

int cli_duration_arg(const char *tool, const char *arg, double *out)
{
	if (parse_duration(arg, out) || *out <= 0 || *out > 1e7)
		return cli_usage_error(tool,
				       "--duration: '%s' is not a duration > 0 "
				       "(e.g. 10, 500ms, 2m)",
				       arg);
	return 0;
}
