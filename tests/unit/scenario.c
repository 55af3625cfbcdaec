// SPDX-License-Identifier: GPL-2.0
/* Scenario files: expansion, defaults, skipped cells, and one clear
 * "file:line: …" error for every kind of bad input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "scenario.h"
#include "test.h"

static char jobs[] = "/tmp/vqlab-test-jobs-XXXXXX";

static int load(const char *text, struct scenario *sc, struct errbuf *e)
{
	char *err = e->msg;
	char path[] = "/tmp/vqlab-test-XXXXXX.ini";
	int fd = mkstemps(path, 4), rc;

	if (write(fd, text, strlen(text)) < 0)
		return -1;
	close(fd);
	rc = scenario_load(path, jobs, sc, e);
	/* error messages start with the file name: make them comparable */
	if (rc && !strncmp(err, path, strlen(path)))
		memmove(err, err + strlen(path) - 1, strlen(err + strlen(path)) + 2), err[0] = 'F';
	unlink(path);
	return rc;
}

/* Expect a load error whose message (file name replaced by F) contains @want. */
static int bad(const char *text, const char *want)
{
	struct scenario sc;
	struct errbuf err;
	int rc = load(text, &sc, &err);
	int ok = rc != 0 && strstr(err.msg, want);

	if (!ok)
		fprintf(stderr, "  for %s\n  got rc=%d '%s'\n  want '%s'\n", text, rc, err.msg,
			want);
	scenario_free(&sc);
	return ok;
}

/* Kernel specs are checked by plan: a Debian suite fetch-kernel.sh knows, a
 * build in the cache (VQLAB_CACHE), a folder with a vmlinuz. */
static void check_kernel_specs(void)
{
	char cache[] = "/tmp/vqlab-test-cache-XXXXXX", path[512], text[1024], want[1024];
	struct scenario sc;
	struct errbuf err;

	CHECK(mkdtemp(cache) != NULL);
	setenv("VQLAB_CACHE", cache, 1);
	CHECK(bad("[axes]\nkernel = debian:sid, debian:woody\n",
		  "F:2: kernel: unknown Debian suite in 'debian:woody' (accepted: debian:<suite>, "
		  "<suite> one of bookworm, bookworm-backports, trixie, trixie-backports, forky, sid, "
		  "unstable)"));
	CHECK(bad("[axes]\nkernel = debian:\n", "F:2: kernel: unknown Debian suite in 'debian:'"));
	snprintf(want, sizeof(want), "F:3: kernel: no build 'p13' in %s/kernels/build (accepted: "
		 "none built yet; scripts/kernel-build.sh builds one)", cache);
	CHECK(bad("[axes]\n\nkernel = build:p13\n", want));
	/* a build in the cache: accepted, and named when another is asked for */
	snprintf(path, sizeof(path), "mkdir -p %s/kernels/build/p12 %s/kernels/build/p19 && "
		 "touch %s/kernels/build/p12/vmlinuz", cache, cache, cache);
	CHECK(system(path) == 0);
	snprintf(want, sizeof(want), "F:2: kernel: no build 'p13' in %s/kernels/build (accepted: "
		 "build:p12; scripts/kernel-build.sh builds one)", cache);
	CHECK(bad("[axes]\nkernel = build:p13\n", want));
	CHECK(bad("[axes]\nkernel = build:../p12\n", "F:2: kernel: 'build:../p12' is not build:<name>"));
	CHECK(bad("[axes]\nkernel = file:/nonexistent/k\n",
		  "F:2: kernel: no vmlinuz in '/nonexistent/k' (accepted: file:<dir> where "
		  "<dir>/vmlinuz exists)"));
	snprintf(text, sizeof(text), "[axes]\nkernel = debian:bookworm-backports, build:p12, "
		 "file:%s/kernels/build/p12\n", cache);
	CHECK(load(text, &sc, &err) == 0 && sc.nvals[AX_KERNEL] == 3);
	scenario_free(&sc);
	snprintf(path, sizeof(path), "rm -rf %s", cache);
	CHECK(system(path) == 0);
	unsetenv("VQLAB_CACHE");
}

/* clock: a [scenario] setting (every cell) or an axis (both in one run), never
 * both; wall by default; icount refuses KVM. */
static void check_clock(void)
{
	struct scenario sc;
	struct cell *cells;
	struct errbuf err;
	int n;

	CHECK(load("[axes]\nring = split\n", &sc, &err) == 0);
	CHECK(sc.nvals[AX_CLOCK] == 1 && !strcmp(sc.vals[AX_CLOCK][0], "wall"));
	CHECK(sc.clock_line == 0 && !strcmp(scenario_clock(&sc), "wall"));
	scenario_free(&sc);
	CHECK(load("[scenario]\nname = x\nclock = icount\n", &sc, &err) == 0);
	CHECK(sc.nvals[AX_CLOCK] == 1 && !strcmp(sc.vals[AX_CLOCK][0], "icount"));
	CHECK(sc.clock_line == 3 && !strcmp(scenario_clock(&sc), "icount"));
	scenario_free(&sc);
	CHECK(load("[axes]\nclock = wall, icount\naccel = tcg, kvm\n", &sc, &err) == 0);
	CHECK(!strcmp(scenario_clock(&sc), "axis"));
	n = scenario_expand(&sc, &cells);
	CHECK(n == 4);
	for (int i = 0; i < n; i++) {
		int want = !strcmp(cells[i].val[AX_CLOCK], "icount") &&
			   !strcmp(cells[i].val[AX_ACCEL], "kvm");

		CHECK(want == (strstr(cells[i].skip_reason, "clock=icount needs TCG") != NULL));
	}
	free(cells);
	scenario_free(&sc);
	CHECK(bad("[scenario]\nclock = tsc\n",
		  "F:2: clock: unknown value 'tsc' (accepted: wall,icount)"));
	CHECK(bad("[scenario]\nclock = icount, wall\n", "F:2: clock: unknown value"));
	CHECK(bad("[scenario]\nclock = icount\n\nclock = wall\n",
		  "F:4: clock is given twice (first on line 2)"));
	CHECK(bad("[axes]\nclock = wall, icount\n[scenario]\nclock = icount\n",
		  "F:4: clock is both a setting and an axis (axis on line 2)"));
	CHECK(bad("[scenario]\nclock = icount\n[axes]\nclock = wall\n",
		  "F:4: axis 'clock' is given twice (first on line 2)"));
	CHECK(bad("[axes]\nclock = wall, wall\n", "F:2: clock: value 'wall' is listed twice"));
}

/* windows: measured windows per boot, 1 by default; perf stat counts one. */
static void check_windows(void)
{
	struct scenario sc;
	struct errbuf err;

	CHECK(load("[axes]\nring = split\n", &sc, &err) == 0 && sc.windows == 1);
	scenario_free(&sc);
	CHECK(load("[scenario]\nwindows = 3\n", &sc, &err) == 0 && sc.windows == 3 &&
	      sc.windows_line == 2);
	scenario_free(&sc);
	CHECK(bad("[scenario]\nwindows = 0\n",
		  "F:2: windows: '0' is not a whole number from 1 to 100"));
	CHECK(bad("[scenario]\nwindows = 2.5\n", "F:2: windows: '2.5' is not a whole number"));
	CHECK(bad("[scenario]\nwindows = 3\ndevice_perf = on\n",
		  "F:2: windows = 3 needs device_perf = off: perf stat counts one window per boot"));
	CHECK(load("[scenario]\nwindows = 1\ndevice_perf = on\n", &sc, &err) == 0);
	scenario_free(&sc);
}

/* kernel_args: words after the lab's own, none of those the lab sets. */
static void check_kernel_args(void)
{
	struct scenario sc;
	struct errbuf err;

	CHECK(load("[axes]\nring = split\n", &sc, &err) == 0 && !sc.kernel_args);
	scenario_free(&sc);
	CHECK(load("[scenario]\nkernel_args = mitigations=off  virtio_net.napi_tx=0\n", &sc,
		   &err) == 0 &&
	      sc.kernel_args && !strcmp(sc.kernel_args, "mitigations=off  virtio_net.napi_tx=0"));
	scenario_free(&sc);
	CHECK(bad("[scenario]\nkernel_args = idle=poll vqlab.job=ping\n",
		  "F:2: kernel_args: 'vqlab.job=ping': the lab sets vqlab.* itself"));
	CHECK(bad("[scenario]\nkernel_args = console=ttyS1\n",
		  "F:2: kernel_args: 'console=ttyS1': the lab sets console=* itself"));
	CHECK(bad("[scenario]\nkernel_args = panic=0\n", "F:2: kernel_args: 'panic=0'"));
	CHECK(bad("[scenario]\nkernel_args = a=\"b c\"\n",
		  "F:2: kernel_args: 'a=\"b c\"': only printable characters without quotes"));
	CHECK(bad("[scenario]\nkernel_args = a\tb\n", "F:2: kernel_args: 'a\tb': only printable"));
}

int main(void)
{
	struct scenario sc;
	struct cell *cells;
	struct errbuf err;
	char path[256];
	int n, skipped = 0;

	mkdtemp(jobs);
	snprintf(path, sizeof(path), "%s/net-tx.sh", jobs);
	fclose(fopen(path, "w"));
	snprintf(path, sizeof(path), "%s/ping.sh", jobs);
	fclose(fopen(path, "w"));

	CHECK(load("; comment\n[scenario]\nname = t1\nrepeat = 3\nduration = 2s\nseed = 7\n"
		   "[axes]\nring = split, packed\nin_order = off,on\n"
		   "tx_queue_size = 256, 1024\nworkload = net-tx, ping\n", &sc, &err) == 0);
	CHECK(!strcmp(sc.name, "t1") && sc.repeat == 3 && sc.duration == 2 && sc.seed == 7);
	CHECK(sc.timeout == 182 && !sc.timeout_set);
	CHECK(sc.nvals[AX_KERNEL] == 1 && !strcmp(sc.vals[AX_KERNEL][0], "debian:sid"));
	n = scenario_expand(&sc, &cells);
	CHECK(n == 16);
	for (int i = 0; i < n; i++) {
		if (cells[i].skip_reason[0]) {
			skipped++;
			CHECK(!strcmp(cells[i].val[AX_TX_QUEUE_SIZE], "1024"));
			CHECK(strstr(cells[i].skip_reason, "tx_queue_size=256 only") != NULL);
		}
	}
	CHECK(skipped == 8);
	/* last axis varies fastest; cell ids are stable */
	CHECK(!strcmp(cells[0].id, "c0") && !strcmp(cells[1].val[AX_WORKLOAD], "ping"));
	free(cells);
	scenario_free(&sc);

	/* name defaults to the file's base name; perf probes are off unless asked */
	CHECK(load("[axes]\nring = packed\n", &sc, &err) == 0);
	CHECK(!strncmp(sc.name, "vqlab-test-", 11));
	CHECK(sc.device_perf == 0);
	scenario_free(&sc);
	CHECK(load("[scenario]\ndevice_perf = on\n[axes]\nring = packed\n", &sc, &err) == 0);
	CHECK(sc.device_perf == 1);
	scenario_free(&sc);
	CHECK(bad("[scenario]\ndevice_perf = yes\n",
		  "F:2: device_perf: unknown value 'yes' (accepted: off, on)"));

	CHECK(bad("[scenario]\nrepeat = 2\nfoo = 1\n", "F:3: unknown key 'foo' in [scenario] (accepted: name,"));
	CHECK(bad("[axes]\n\nrung = split\n", "F:3: unknown axis 'rung' in [axes] (accepted: kernel, ring, in_order,"));
	CHECK(bad("[axes]\nring = split, spiral\n", "F:2: ring: unknown value 'spiral' (accepted: split,packed)"));
	CHECK(bad("[axes]\nin_order = yes\n", "F:2: in_order: unknown value 'yes' (accepted: off,on)"));
	CHECK(bad("[axes]\ntrace = some\n", "F:2: trace: unknown value 'some' (accepted: full,core,off)"));
	CHECK(bad("[axes]\nrx_queue_size = 300\n", "F:2: rx_queue_size: 300 is not a power of two"));
	CHECK(bad("[axes]\nrx_queue_size = 4096\n", "F:2: rx_queue_size: '4096' is not a whole number from 256 to 1024"));
	CHECK(bad("[axes]\nworkload = net-rx\n", "F:2: workload: unknown workload 'net-rx' (accepted: "));
	CHECK(bad("[axes]\nkernel = ubuntu:22.04\n", "F:2: kernel: 'ubuntu:22.04' is not a kernel spec"));
	check_kernel_specs();
	CHECK(bad("[axes]\nring = split,,packed\n", "F:2: ring: empty value in list"));
	CHECK(bad("[axes]\nring = split, split\n", "F:2: ring: value 'split' is listed twice"));
	CHECK(bad("[axes]\nring = split\nring = packed\n", "F:3: axis 'ring' is given twice (first on line 2)"));
	CHECK(bad("[scenario]\nrepeat = 0\n", "F:2: repeat: '0' is not a whole number from 1 to 1000"));
	CHECK(bad("[scenario]\nduration = 5h\n", "F:2: duration: '5h' is not a duration"));
	CHECK(bad("[scenario]\nduration = 500ms\n", "F:2: duration: '500ms' is not a duration from 1s"));
	CHECK(bad("[scenario]\nname = a b\n", "F:2: name: 'a b' may hold only"));
	CHECK(bad("[matrix]\nring = split\n", "F:1: unknown section [matrix] (accepted: [scenario], [axes], [exclude])"));
	CHECK(bad("[axes]\nthis line has no equals sign\n", "F:2: syntax error"));
	CHECK(scenario_load("/nonexistent/x.ini", jobs, &sc, &err) < 0 &&
	      strstr(err.msg, "/nonexistent/x.ini: No such file"));
	scenario_free(&sc);

	CHECK(bad("[exclude]\nx = ring=split, rung=1\n", "F:2: exclude x: unknown axis 'rung' (accepted: kernel,"));
	CHECK(bad("[exclude]\nx = ring\n", "F:2: exclude x: 'ring' is not axis=value"));
	CHECK(bad("[exclude]\nx = ring=spiral\n", "F:2: ring: unknown value 'spiral'"));
	CHECK(bad("[exclude]\nx = ring=split, ring=packed\n", "F:2: exclude x: axis 'ring' named twice"));
	CHECK(bad("[scenario]\nwarmup = 11m\n", "F:2: warmup: '11m' is not a duration from 0s to 600s"));

	/* exclusion: packed+in_order=on left out, with the rule's line */
	CHECK(load("[scenario]\nwarmup = 2\n[axes]\nring = split, packed\nin_order = off, on\n"
		   "backend = tap, vhost-user\nworkload = net-tx, ping\n"
		   "[exclude]\nno-packed-io = ring=packed, in_order=on\n", &sc, &err) == 0);
	CHECK(sc.warmup == 2 && sc.timeout == 187 && sc.nexcludes == 1);
	n = scenario_expand(&sc, &cells);
	CHECK(n == 16);
	skipped = 0;
	for (int i = 0; i < n; i++) {
		struct cell *c = &cells[i];
		int want_ex = !strcmp(c->val[AX_RING], "packed") && !strcmp(c->val[AX_IN_ORDER], "on");

		CHECK((c->excluded_by == 9) == want_ex);
		if (want_ex)
			CHECK(strstr(c->skip_reason, "excluded by rule 'no-packed-io'") != NULL);
		if (!want_ex && !strcmp(c->val[AX_BACKEND], "vhost-user") &&
		    !strcmp(c->val[AX_WORKLOAD], "ping"))
			CHECK(strstr(c->skip_reason, "vhost-user carries net workloads only") != NULL);
		skipped += c->skip_reason[0] != 0;
	}
	CHECK(skipped == 4 + 3);
	free(cells);

	/* trace: full by default; with icount on, trace=off has nothing to divide by */
	scenario_free(&sc);
	CHECK(load("[scenario]\nicount = on\n[axes]\ntrace = full, core, off\n", &sc, &err) == 0);
	n = scenario_expand(&sc, &cells);
	CHECK(n == 3);
	for (int i = 0; i < n; i++)
		CHECK(!strcmp(cells[i].val[AX_TRACE], "off") ==
		      (strstr(cells[i].skip_reason, "trace=off gives none") != NULL));
	free(cells);
	scenario_free(&sc);
	CHECK(load("[axes]\nring = split\n", &sc, &err) == 0);
	n = scenario_expand(&sc, &cells);
	CHECK(n == 1 && !strcmp(cells[0].val[AX_TRACE], "full") && !cells[0].skip_reason[0]);
	free(cells);
	scenario_free(&sc);
	CHECK(load("[scenario]\nwarmup = 2\n[axes]\nring = split, packed\nin_order = off, on\n"
		   "backend = tap, vhost-user\nworkload = net-tx, ping\n"
		   "[exclude]\nno-packed-io = ring=packed, in_order=on\n", &sc, &err) == 0);

	/* the block order is a permutation, reproducible, and differs by block */
	{
		int a[16], b[16], c2[16], seen[16] = { 0 }, same = 1;

		scenario_block_order(&sc, 0, a, 16);
		scenario_block_order(&sc, 0, b, 16);
		scenario_block_order(&sc, 1, c2, 16);
		for (int i = 0; i < 16; i++) {
			CHECK(a[i] == b[i]);
			CHECK(a[i] >= 0 && a[i] < 16 && !seen[a[i]]++);
			same &= a[i] == c2[i];
		}
		CHECK(!same);
	}
	/* the stored text parses back to the same scenario (resume) */
	{
		struct scenario sc2;

		CHECK(scenario_load_text("run.json", sc.text, jobs, &sc2, &err) == 0);
		CHECK(sc2.nvals[AX_RING] == 2 && sc2.nexcludes == 1 && sc2.warmup == 2);
		scenario_free(&sc2);
		CHECK(scenario_load_text("run.json", "[axes]\nring = x\n", jobs, &sc2, &err) < 0 &&
		      strstr(err.msg, "run.json:2: ring"));
		scenario_free(&sc2);
	}
	scenario_free(&sc);

	CHECK(bad("[axes]\nrx_queue_size = 256, 512, 1024\ntx_queue_size = 256, 512, 1024\n"
		  "pkt_size = 60,61,62,63,64,65,66,67,68,69,70,71,72,73,74,75\n"
		  "vcpus = 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16\n"
		  "memory = 256,257,258,259,260,261,262,263,264,265,266,267,268,269,270,271\n",
		  "F: the axes make a matrix of 36864 cells (at most 10000)"));

	check_clock();
	check_windows();
	check_kernel_args();
	snprintf(path, sizeof(path), "rm -rf %s", jobs);
	CHECK(system(path) == 0);
	TEST_DONE();
}
