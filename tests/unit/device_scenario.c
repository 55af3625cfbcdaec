// SPDX-License-Identifier: GPL-2.0
/* The device side's scenario settings (lab/scenario.c): the qemu axis's
 * forms and the stall setting, parsed strictly with file:line errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "scenario.h"
#include "test.h"

static char jobs[] = "/tmp/vqlab-test-devjobs-XXXXXX";

static int load(const char *text, struct scenario *sc, char *err, size_t len)
{
	struct errbuf e = { "" };
	int rc = scenario_load_text("t.ini", text, jobs, sc, &e);

	snprintf(err, len, "%s", e.msg);
	if (rc)
		scenario_free(sc);
	return rc;
}

static void test_qemu_axis(void)
{
	struct scenario sc;
	struct cell *cells = NULL;
	char err[512];
	int n;

	CHECK(load("[axes]\nworkload = net-tx\n", &sc, err, sizeof(err)) == 0);
	CHECK(sc.axis_line[AX_QEMU] == 0);
	n = scenario_expand(&sc, &cells);
	CHECK(n == 1 && !strcmp(cells[0].val[AX_QEMU], "system"));	/* the default */
	free(cells);
	scenario_free(&sc);

	CHECK(load("[axes]\nworkload = net-tx\nqemu = system, build:10.0.2+p1, file:/opt/q\n",
		   &sc, err, sizeof(err)) == 0);
	CHECK(sc.nvals[AX_QEMU] == 3 && sc.axis_line[AX_QEMU] == 3);
	CHECK(!strcmp(sc.vals[AX_QEMU][1], "build:10.0.2+p1"));
	scenario_free(&sc);

	CHECK(load("[axes]\nqemu = build:\n", &sc, err, sizeof(err)) != 0);
	CHECK(strstr(err, "t.ini:2: qemu: 'build:' is not a QEMU spec") != NULL);
	CHECK(strstr(err, "accepted: system, build:<name>, file:<absolute path>") != NULL);
	CHECK(load("[axes]\nqemu = build:../x\n", &sc, err, sizeof(err)) != 0);
	CHECK(load("[axes]\nqemu = file:relative/q\n", &sc, err, sizeof(err)) != 0);
	CHECK(load("[axes]\nqemu = System\n", &sc, err, sizeof(err)) != 0);
}

static void test_stall_setting(void)
{
	struct scenario sc;
	char err[512];

	CHECK(load("[scenario]\nname = a\n", &sc, err, sizeof(err)) == 0);
	CHECK(sc.stall == DEVICE_STALL_S && DEVICE_STALL_S == 20);
	scenario_free(&sc);
	CHECK(load("[scenario]\nstall = 10\n", &sc, err, sizeof(err)) == 0);
	CHECK(sc.stall == 10);
	scenario_free(&sc);
	CHECK(load("[scenario]\nstall = 0\n", &sc, err, sizeof(err)) == 0);
	CHECK(sc.stall == 0);	/* off */
	scenario_free(&sc);
	CHECK(load("[scenario]\nstall = 1\n", &sc, err, sizeof(err)) != 0);
	CHECK(strstr(err, "t.ini:2: stall:") != NULL);
	CHECK(load("[scenario]\nstall = 20x\n", &sc, err, sizeof(err)) != 0);
	CHECK(load("[scenario]\nstall = -5\n", &sc, err, sizeof(err)) != 0);
	CHECK(load("[scenario]\nstall =\n", &sc, err, sizeof(err)) != 0);
}

int main(void)
{
	char path[sizeof(jobs) + 16];
	FILE *f;

	if (!mkdtemp(jobs))
		return 1;
	snprintf(path, sizeof(path), "%s/net-tx.sh", jobs);
	f = fopen(path, "w");
	if (f)
		fclose(f);
	test_qemu_axis();
	test_stall_setting();
	unlink(path);
	rmdir(jobs);
	TEST_DONE();
}
