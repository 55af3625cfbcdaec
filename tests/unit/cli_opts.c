// SPDX-License-Identifier: GPL-2.0
/* cli_opts: getopt's table and the --help lines from one option table. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cli_opts.h"
#include "test.h"

static const struct cli_opt opts[] = {
	{ 'j', "json", NULL, "JSON output" },
	{ 'D', "duration", "S", "trace for S seconds\nthen print a summary" },
	{ 256, "no-plots", NULL, "tables only" },
	{ 'x', "a-very-long-option-name", "VALUE", "help on the next line" },
};

static void test_getopt(void)
{
	struct cli_getopt g;
	char *argv[] = { "t", "-j", "--duration", "5", "--no-plots", "-q", NULL };
	int c;

	CHECK(cli_getopt_init(&g, opts, 4) == 0);
	CHECK(!strcmp(g.optstring, ":jD:x:"));
	CHECK(g.longopts[1].has_arg == required_argument && g.longopts[1].val == 'D');
	CHECK(g.longopts[2].has_arg == no_argument && g.longopts[2].val == 256);
	CHECK(g.longopts[4].name == NULL);
	optind = 1;
	opterr = 0;
	CHECK(getopt_long(6, argv, g.optstring, g.longopts, NULL) == 'j');
	CHECK(getopt_long(6, argv, g.optstring, g.longopts, NULL) == 'D' && !strcmp(optarg, "5"));
	CHECK(getopt_long(6, argv, g.optstring, g.longopts, NULL) == 256);
	c = getopt_long(6, argv, g.optstring, g.longopts, NULL);
	CHECK(c == '?' && optopt == 'q');
	CHECK(cli_getopt_init(&g, opts, CLI_OPTS_MAX + 1) == -E2BIG);
}

static void test_print(void)
{
	static const char want[] =
		"  -j, --json          JSON output\n"
		"  -D, --duration S    trace for S seconds\n"
		"                      then print a summary\n"
		"      --no-plots      tables only\n"
		"  -x, --a-very-long-option-name VALUE\n"
		"                      help on the next line\n";
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cli_opts_print(f, opts, 4, 22);
	fclose(f);
	CHECK(buf && !strcmp(buf, want));
	if (buf && strcmp(buf, want))
		fprintf(stderr, "got:\n%s", buf);
	free(buf);
}

int main(void)
{
	test_getopt();
	test_print();
	TEST_DONE();
}
