// SPDX-License-Identifier: GPL-2.0
/* vqblkload: random block I/O at a fixed queue depth, for the virtio-blk
 * workloads of the lab guest. O_DIRECT, so every I/O is one request on the
 * ring (no page cache, no readahead, no merging of neighbours by the cache);
 * Linux AIO through the raw syscalls, so the guest needs no libaio and the
 * queue depth is real: IODEPTH requests are in flight at every moment. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/aio_abi.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <jansson.h>
#include "jsonfile.h"
#include "cli.h"
#include "cli_opts.h"
#include "clock.h"
#include "log2hist.h"
#include "msg.h"
#include "parse.h"

#define TOOL "vqblkload"
#define SCHEMA 1
#define MAX_IODEPTH 1024
#define MAX_BS (1U << 20)
#define LAT_SLOTS 32

static const char usage_head[] =
	"Usage: vqblkload [--rw randread|randwrite] [--bs BYTES] [--iodepth N]\n"
	"                 [--duration S] [--ios N] [--size BYTES] [--seed N] DEVICE\n"
	"\n"
	"Random direct I/O (O_DIRECT, Linux AIO) on DEVICE (a block device or a\n"
	"file) with IODEPTH requests in flight at every moment, for S seconds or until\n"
	"SIGINT/SIGTERM. Prints one JSON object: ios, errors, bytes, seconds, iops,\n"
	"MBps (10^6 bytes/s) and the completion latency as a log2 histogram in us.\n"
	"randwrite OVERWRITES the device: use it on a scratch disk only.\n"
	"\n"
	"Options:\n";

enum { OPT_SEED = 256 };

/* The parser's table and the help's "Options:" lines. */
static const struct cli_opt options[] = {
	{ 'r', "rw", "MODE", "randread (default) or randwrite" },
	{ 'b', "bs", "BYTES", "I/O size, a multiple of 512 up to 1 MiB (default 4096)" },
	{ 'q', "iodepth", "N", "requests in flight, 1..1024 (default 1)" },
	{ 'D', "duration", "S", "seconds (may end in ms, s, m; default 10)" },
	{ 'n', "ios", "N", "stop after N I/Os, if that comes before S seconds" },
	{ 's', "size", "BYTES", "use only the first BYTES of DEVICE (default: all of it)" },
	{ OPT_SEED, "seed", "N",
	  "seed of the offset generator (default 1): the same seed\n"
	  "gives the same offsets in the same order" },
	{ 'h', "help", NULL, "this text" },
};

static const char usage_tail[] =
	"\n"
	"BYTES may end in k, m or g (KiB, MiB, GiB).\n"
	"I/Os still in flight at the end are waited for and counted; seconds runs\n"
	"until the last of them completed.\n"
	"\n"
	"Exit status: 0 ok, 1 runtime error (cannot open DEVICE, an I/O failed),\n"
	"2 usage error.\n"
	"\n"
	"EXAMPLES:\n"
	"    vqblkload --duration 5 /dev/vda                     # QD1 4 KiB random reads\n"
	"    vqblkload --iodepth 32 --duration 10 /dev/vda       # QD32\n"
	"    vqblkload --bs 64k --ios 1000 --seed 7 /dev/vda      # 1000 reads, same offsets each time\n"
	"    vqblkload --rw randwrite --iodepth 8 -D 5 /dev/vdb  # overwrites /dev/vdb!\n";

struct options {
	bool help, write;
	unsigned int bs, iodepth;
	double duration;
	uint64_t ios, size, seed; /* ios 0: no limit */
	const char *path;
};

struct slot {
	struct iocb cb;
	void *buf;
	double t_submit;
};

struct stats {
	uint64_t ios, errors, bytes, lat_sum_us, lat_max_us;
	uint64_t lat[LAT_SLOTS];
	int first_error; /* -errno or short count marker */
};

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	exiting = 1;
}

/* "4096", "4k", "1M", "2g" (powers of 1024) -> bytes. 0 or -EINVAL/-ERANGE. */
static int parse_bytes(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	static const char units[] = "kmg";
	size_t len = strlen(s);
	const char *u = len > 1 ? strchr(units, s[len - 1] | 0x20) : NULL;
	char num[32];
	uint64_t v;
	int err, shift;

	if (!u || !*u)
		return parse_u64(s, min, max, out);
	if (len >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, len - 1);
	num[len - 1] = '\0';
	err = parse_u64(num, 0, UINT64_MAX, &v);
	if (err)
		return err;
	shift = 10 * (int)(u - units + 1);
	if (v > max >> shift || v << shift < min)
		return -ERANGE;
	*out = v << shift;
	return 0;
}

/* One option @c with its value @arg. 0, EXIT_USAGE (printed) or
 * CLI_OPTS_HELP. */
static int parse_option(int c, const char *arg, void *ctx)
{
	struct options *o = ctx;
	uint64_t v;

	switch (c) {
	case 'h':
		o->help = true;
		return CLI_OPTS_HELP;
	case 'r':
		if (strcmp(arg, "randread") && strcmp(arg, "randwrite"))
			return cli_usage_error(TOOL, "--rw: '%s' is not one of randread, randwrite",
					       arg);
		o->write = !strcmp(arg, "randwrite");
		return 0;
	case 'b':
		if (parse_bytes(arg, 512, MAX_BS, &v) || v % 512)
			return cli_usage_error(
				TOOL, "--bs: '%s' is not a multiple of 512 in 512..1m", arg);
		o->bs = (unsigned int)v;
		return 0;
	case 'q':
		if (parse_u64(arg, 1, MAX_IODEPTH, &v))
			return cli_usage_error(TOOL, "--iodepth: '%s' is not a number in 1..1024",
					       arg);
		o->iodepth = (unsigned int)v;
		return 0;
	case 'D':
		return cli_duration_arg(TOOL, arg, &o->duration);
	case 'n':
		if (parse_u64(arg, 1, UINT64_MAX, &o->ios))
			return cli_usage_error(TOOL, "--ios: '%s' is not a number >= 1", arg);
		return 0;
	case 's':
		if (parse_bytes(arg, 512, UINT64_MAX, &o->size))
			return cli_usage_error(
				TOOL, "--size: '%s' is not a number of bytes >= 512 (e.g. 64m)",
				arg);
		return 0;
	case OPT_SEED:
		if (parse_u64(arg, 0, UINT64_MAX, &o->seed))
			return cli_usage_error(TOOL, "--seed: '%s' is not a number >= 0", arg);
		return 0;
	}
	return EXIT_USAGE;
}

/* 0 (o->help: --help asked), or EXIT_USAGE (message printed). */
static int parse_args(int argc, char **argv, struct options *o)
{
	int ret;

	*o = (struct options){ .bs = 4096, .iodepth = 1, .duration = 10, .seed = 1 };
	ret = cli_opts_parse(TOOL, argc, argv, options, CLI_NOPTS(options), parse_option, o);
	if (ret)
		return ret == CLI_OPTS_HELP ? 0 : ret;
	return cli_one_operand(TOOL, argc, argv, "DEVICE", &o->path);
}

/* ---- Linux AIO, raw syscalls (no libaio in the guest) ---- */

static int io_setup(unsigned int nr, aio_context_t *ctx)
{
	return syscall(SYS_io_setup, nr, ctx) ? -errno : 0;
}

static int io_destroy(aio_context_t ctx)
{
	return syscall(SYS_io_destroy, ctx) ? -errno : 0;
}

/* Number submitted, or -errno. */
static int io_submit(aio_context_t ctx, long n, struct iocb **cbs)
{
	long r = syscall(SYS_io_submit, ctx, n, cbs);

	return r < 0 ? -errno : (int)r;
}

static int io_getevents(aio_context_t ctx, long min, long max, struct io_event *ev,
			struct timespec *timeout)
{
	long r = syscall(SYS_io_getevents, ctx, min, max, ev, timeout);

	return r < 0 ? -errno : (int)r;
}

/* xorshift64*: uniform enough for offsets, and reproducible from --seed. */
static uint64_t rnd_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

static int device_size(int fd, uint64_t *size)
{
	struct stat st;

	if (fstat(fd, &st))
		return -errno;
	if (S_ISBLK(st.st_mode))
		return ioctl(fd, BLKGETSIZE64, size) ? -errno : 0;
	if (S_ISREG(st.st_mode)) {
		*size = (uint64_t)st.st_size;
		return 0;
	}
	return -ENOTBLK;
}

static void slot_prepare(struct slot *s, int fd, const struct options *o, uint64_t blocks,
			 uint64_t *rnd)
{
	memset(&s->cb, 0, sizeof(s->cb));
	s->cb.aio_data = (uint64_t)(uintptr_t)s;
	s->cb.aio_lio_opcode = o->write ? IOCB_CMD_PWRITE : IOCB_CMD_PREAD;
	s->cb.aio_fildes = (uint32_t)fd;
	s->cb.aio_buf = (uint64_t)(uintptr_t)s->buf;
	s->cb.aio_nbytes = o->bs;
	s->cb.aio_offset = (int64_t)((rnd_next(rnd) % blocks) * o->bs);
}

static void complete(struct stats *st, const struct io_event *ev, unsigned int bs, double t)
{
	struct slot *s = (struct slot *)(uintptr_t)ev->data;
	uint64_t us = (uint64_t)((t - s->t_submit) * 1e6);
	int slot = log2hist_slot(us);

	if (ev->res != (int64_t)bs) {
		st->errors++;
		if (!st->first_error)
			st->first_error = ev->res < 0 ? (int)ev->res : -EIO;
		return;
	}
	st->ios++;
	st->bytes += bs;
	st->lat_sum_us += us;
	if (us > st->lat_max_us)
		st->lat_max_us = us;
	st->lat[slot < LAT_SLOTS ? slot : LAT_SLOTS - 1]++;
}

static json_t *result_json(const struct options *o, uint64_t size, const struct stats *st,
			   double seconds)
{
	json_t *r = json_object(), *lat = json_object();

	json_object_set_new(r, "schema", json_integer(SCHEMA));
	json_object_set_new(r, "device", json_string(o->path));
	json_object_set_new(r, "rw", json_string(o->write ? "randwrite" : "randread"));
	json_object_set_new(r, "bs", json_integer(o->bs));
	json_object_set_new(r, "iodepth", json_integer(o->iodepth));
	json_object_set_new(r, "size", json_integer((json_int_t)size));
	json_object_set_new(r, "ios", json_integer((json_int_t)st->ios));
	json_object_set_new(r, "errors", json_integer((json_int_t)st->errors));
	json_object_set_new(r, "bytes", json_integer((json_int_t)st->bytes));
	json_object_set_new(r, "seconds", json_real(seconds));
	json_object_set_new(r, "iops", json_real(seconds > 0 ? st->ios / seconds : 0));
	json_object_set_new(r, "MBps", json_real(seconds > 0 ? st->bytes / 1e6 / seconds : 0));
	json_object_set_new(lat, "mean", json_real(st->ios ? (double)st->lat_sum_us / st->ios : 0));
	json_object_set_new(lat, "max", json_integer((json_int_t)st->lat_max_us));
	json_object_set_new(lat, "log2", log2hist_json(st->lat, LAT_SLOTS));
	json_object_set_new(r, "lat_us", lat);
	return r;
}

/* A run: the device, the request slots and the AIO context. */
struct load {
	struct options o;
	int fd;
	uint64_t size, blocks, rnd, issued;
	struct slot *slots, **freelist; /* freelist: the nfree slots not in flight */
	struct io_event *events;
	unsigned int nfree, inflight;
	aio_context_t ctx;
	struct stats st;
	double t0, t_end;
};

/* Open the device and size the run. 0 or -errno (printed). */
static int load_open(struct load *l)
{
	const struct options *o = &l->o;
	int err;

	l->fd = open(o->path, (o->write ? O_WRONLY : O_RDONLY) | O_DIRECT | O_CLOEXEC);
	if (l->fd < 0) {
		err = -errno;
		p_err("%s: %s%s", o->path, strerror(-err),
		      err == -EINVAL ? " (this file system has no O_DIRECT?)" : "");
		return err;
	}
	err = device_size(l->fd, &l->size);
	if (err) {
		p_err("%s: cannot tell its size: %s", o->path, strerror(-err));
		return err;
	}
	if (o->size) {
		if (o->size > l->size) {
			p_err("--size %llu is larger than %s (%llu bytes)",
			      (unsigned long long)o->size, o->path, (unsigned long long)l->size);
			return -EINVAL;
		}
		l->size = o->size;
	}
	l->blocks = l->size / o->bs;
	if (!l->blocks) {
		p_err("%s holds %llu bytes, less than one block of %u", o->path,
		      (unsigned long long)l->size, o->bs);
		return -EINVAL;
	}
	return 0;
}

/* IODEPTH slots with their buffers, and the AIO context. 0 or -errno (printed). */
static int load_alloc(struct load *l)
{
	unsigned int i, n = l->o.iodepth;
	int err;

	l->slots = calloc(n, sizeof(*l->slots));
	l->freelist = calloc(n, sizeof(*l->freelist));
	l->events = calloc(n, sizeof(*l->events));
	if (!l->slots || !l->freelist || !l->events) {
		p_err("out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		/* 4 KiB alignment satisfies O_DIRECT on every logical block size. */
		if (posix_memalign(&l->slots[i].buf, 4096, l->o.bs)) {
			p_err("out of memory");
			return -ENOMEM;
		}
		memset(l->slots[i].buf, 0xa5 ^ (int)i, l->o.bs);
		l->freelist[l->nfree++] = &l->slots[i];
	}
	err = io_setup(n, &l->ctx);
	if (err)
		p_err("io_setup(%u): %s%s", n, strerror(-err),
		      err == -EAGAIN ? " (fs.aio-max-nr too small?)" : "");
	return err;
}

static void load_free(struct load *l)
{
	unsigned int i;

	if (l->ctx)
		io_destroy(l->ctx); /* waits for anything still in flight */
	for (i = 0; l->slots && i < l->o.iodepth; i++)
		free(l->slots[i].buf);
	free(l->slots);
	free(l->freelist);
	free(l->events);
	if (l->fd >= 0)
		close(l->fd);
}

/* Submit a request on every free slot (up to --ios), stamped @t. */
static void load_submit(struct load *l, double t)
{
	struct iocb *cbs[MAX_IODEPTH];
	unsigned int want = l->nfree, i;
	int n;

	if (l->o.ios && l->o.ios - l->issued < want)
		want = (unsigned int)(l->o.ios - l->issued);
	for (i = 0; i < want; i++) {
		slot_prepare(l->freelist[i], l->fd, &l->o, l->blocks, &l->rnd);
		l->freelist[i]->t_submit = t;
		cbs[i] = &l->freelist[i]->cb;
	}
	n = io_submit(l->ctx, want, cbs);
	if (n < 0 && n != -EAGAIN) {
		p_err("io_submit: %s", strerror(-n));
		exiting = 1;
		l->st.first_error = n;
		l->st.errors++;
	}
	if (n <= 0)
		return;
	/* Submitted from the front; the rest wait for the next round. */
	memmove(l->freelist, l->freelist + n, (l->nfree - n) * sizeof(*l->freelist));
	l->nfree -= n;
	l->inflight += n;
	l->issued += n;
}

/* Wait for completions: while @submitting, until the deadline or 0.2 s
 * (signals); when draining, 10 s, after which a request is a hung device.
 * 0 or -errno (printed). */
static int load_reap(struct load *l, bool submitting, double deadline, double t)
{
	struct timespec ts = { .tv_sec = 10 };
	unsigned int i;
	int n;

	if (submitting) {
		double left = deadline - t;

		ts.tv_sec = 0;
		ts.tv_nsec = (long)((left > 0.2 ? 0.2 : left) * 1e9);
	}
	n = io_getevents(l->ctx, 1, l->o.iodepth, l->events, &ts);
	if (n == -EINTR)
		return 0;
	if (n < 0) {
		p_err("io_getevents: %s", strerror(-n));
		return n;
	}
	if (!n && !submitting) {
		p_err("%u I/Os did not complete within 10 s", l->inflight);
		return -ETIMEDOUT;
	}
	t = now_s();
	for (i = 0; i < (unsigned int)n; i++) {
		complete(&l->st, &l->events[i], l->o.bs, t);
		l->freelist[l->nfree++] = (struct slot *)(uintptr_t)l->events[i].data;
	}
	l->inflight -= n;
	if (n)
		l->t_end = t;
	return 0;
}

/* IODEPTH requests in flight until the deadline, --ios or a signal, then
 * the rest drained. 0 or -errno (printed). */
static int load_run(struct load *l)
{
	double deadline;
	int err;

	l->rnd = l->o.seed ? l->o.seed : 0x9e3779b97f4a7c15ULL; /* xorshift state must not be 0 */
	l->t0 = l->t_end = now_s();
	deadline = l->t0 + l->o.duration;
	for (;;) {
		double t = now_s();
		bool submitting = !exiting && t < deadline && (!l->o.ios || l->issued < l->o.ios);

		if (submitting && l->nfree)
			load_submit(l, t);
		if (!l->inflight) {
			if (!submitting)
				return 0;
			continue; /* -EAGAIN with nothing in flight: try again */
		}
		err = load_reap(l, submitting, deadline, t);
		if (err)
			return err;
	}
}

/* Print the result; 0, or -EIO when an I/O failed or none completed. */
static int load_report(struct load *l)
{
	const struct stats *st = &l->st;
	json_t *result = result_json(&l->o, l->size, st, l->t_end - l->t0);

	json_dumpf(result, stdout, JSON_COMPACT);
	fputc('\n', stdout);
	fflush(stdout);
	json_decref(result);
	if (st->errors) {
		p_err("%llu of %llu I/Os failed, the first with: %s",
		      (unsigned long long)st->errors, (unsigned long long)(st->errors + st->ios),
		      strerror(-st->first_error));
		return -EIO;
	}
	if (!st->ios) {
		p_err("no I/O completed");
		return -EIO;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct load l = { .fd = -1 };
	int ret = EXIT_RUNTIME, err;

	json_seed_local(); /* no /dev/urandom read in the guest */
	err = parse_args(argc, argv, &l.o);
	if (err)
		return err;
	if (l.o.help) {
		cli_help_print(stdout, usage_head, options, CLI_NOPTS(options), 22, usage_tail);
		return 0;
	}
	if (load_open(&l) || load_alloc(&l))
		goto cleanup;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (load_run(&l) || load_report(&l))
		goto cleanup;
	ret = 0;
cleanup:
	load_free(&l);
	return ret;
}
