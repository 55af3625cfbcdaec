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
#include "log2hist.h"
#include "parse.h"

#define SCHEMA 1
#define MAX_IODEPTH 1024
#define MAX_BS (1U << 20)
#define LAT_SLOTS 32

static const char usage_text[] =
	"Usage: vqblkload [--rw randread|randwrite] [--bs BYTES] [--iodepth N]\n"
	"                 [--duration S] [--ios N] [--size BYTES] [--seed N] DEVICE\n"
	"\n"
	"Random direct I/O (O_DIRECT, Linux AIO) on DEVICE (a block device or a\n"
	"file) with IODEPTH requests in flight at every moment, for S seconds or until\n"
	"SIGINT/SIGTERM. Prints one JSON object: ios, errors, bytes, seconds, iops,\n"
	"MBps (10^6 bytes/s) and the completion latency as a log2 histogram in us.\n"
	"randwrite OVERWRITES the device: use it on a scratch disk only.\n"
	"\n"
	"Options:\n"
	"  -r, --rw MODE       randread (default) or randwrite\n"
	"  -b, --bs BYTES      I/O size, a multiple of 512 up to 1 MiB (default 4096)\n"
	"  -q, --iodepth N     requests in flight, 1..1024 (default 1)\n"
	"  -D, --duration S    seconds (may end in ms, s, m; default 10)\n"
	"  -n, --ios N         stop after N I/Os, if that comes before S seconds\n"
	"  -s, --size BYTES    use only the first BYTES of DEVICE (default: all of it)\n"
	"      --seed N        seed of the offset generator (default 1): the same seed\n"
	"                      gives the same offsets in the same order\n"
	"  -h, --help          this text\n"
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
	bool write;
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

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "Error: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'vqblkload --help'.\n");
	return 2;
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

/* 0, 2 (usage error, message printed), or 3 (--help printed). */
static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "rw", required_argument, NULL, 'r' },
		{ "bs", required_argument, NULL, 'b' },
		{ "iodepth", required_argument, NULL, 'q' },
		{ "duration", required_argument, NULL, 'D' },
		{ "ios", required_argument, NULL, 'n' },
		{ "size", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	uint64_t v;
	int c;

	*o = (struct options){ .bs = 4096, .iodepth = 1, .duration = 10, .seed = 1 };
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:b:q:D:n:s:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (!strcmp(optarg, "randread"))
				o->write = false;
			else if (!strcmp(optarg, "randwrite"))
				o->write = true;
			else
				return usage_error("--rw: '%s' is not one of randread, randwrite",
						   optarg);
			break;
		case 'b':
			if (parse_bytes(optarg, 512, MAX_BS, &v) || v % 512)
				return usage_error("--bs: '%s' is not a multiple of 512 in 512..1m",
						   optarg);
			o->bs = (unsigned int)v;
			break;
		case 'q':
			if (parse_u64(optarg, 1, MAX_IODEPTH, &v))
				return usage_error("--iodepth: '%s' is not a number in 1..1024", optarg);
			o->iodepth = (unsigned int)v;
			break;
		case 'D':
			if (parse_duration(optarg, &o->duration) || o->duration <= 0 ||
			    o->duration > 1e7)
				return usage_error("--duration: '%s' is not a duration > 0 (e.g. 10, 500ms, 2m)",
						   optarg);
			break;
		case 'n':
			if (parse_u64(optarg, 1, UINT64_MAX, &o->ios))
				return usage_error("--ios: '%s' is not a number >= 1", optarg);
			break;
		case 's':
			if (parse_bytes(optarg, 512, UINT64_MAX, &v))
				return usage_error("--size: '%s' is not a number of bytes >= 512 (e.g. 64m)",
						   optarg);
			o->size = v;
			break;
		case 'S':
			if (parse_u64(optarg, 0, UINT64_MAX, &v))
				return usage_error("--seed: '%s' is not a number >= 0", optarg);
			o->seed = v;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 3;
		case ':':
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error("%s", "no DEVICE given");
	o->path = argv[optind++];
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	return 0;
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

int main(int argc, char **argv)
{
	struct slot *slots = NULL, **freelist = NULL;
	struct io_event *events = NULL;
	struct stats st = { 0 };
	struct options o;
	aio_context_t ctx = 0;
	uint64_t size = 0, blocks, rnd, issued = 0;
	unsigned int nfree = 0, inflight = 0, i;
	double t0, deadline, t_end;
	int fd = -1, ret = 1, err;
	json_t *result;

	err = parse_args(argc, argv, &o);
	if (err == 3)
		return 0;
	if (err)
		return err;

	fd = open(o.path, (o.write ? O_WRONLY : O_RDONLY) | O_DIRECT | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "Error: %s: %s%s\n", o.path, strerror(errno),
			errno == EINVAL ? " (this file system has no O_DIRECT?)" : "");
		goto cleanup;
	}
	err = device_size(fd, &size);
	if (err) {
		fprintf(stderr, "Error: %s: cannot tell its size: %s\n", o.path, strerror(-err));
		goto cleanup;
	}
	if (o.size) {
		if (o.size > size) {
			fprintf(stderr, "Error: --size %llu is larger than %s (%llu bytes)\n",
				(unsigned long long)o.size, o.path, (unsigned long long)size);
			goto cleanup;
		}
		size = o.size;
	}
	blocks = size / o.bs;
	if (!blocks) {
		fprintf(stderr, "Error: %s holds %llu bytes, less than one block of %u\n", o.path,
			(unsigned long long)size, o.bs);
		goto cleanup;
	}

	slots = calloc(o.iodepth, sizeof(*slots));
	freelist = calloc(o.iodepth, sizeof(*freelist));
	events = calloc(o.iodepth, sizeof(*events));
	if (!slots || !freelist || !events) {
		fprintf(stderr, "Error: out of memory\n");
		goto cleanup;
	}
	for (i = 0; i < o.iodepth; i++) {
		/* 4 KiB alignment satisfies O_DIRECT on every logical block size. */
		err = posix_memalign(&slots[i].buf, 4096, o.bs);
		if (err) {
			fprintf(stderr, "Error: out of memory\n");
			goto cleanup;
		}
		memset(slots[i].buf, 0xa5 ^ (int)i, o.bs);
		freelist[nfree++] = &slots[i];
	}
	err = io_setup(o.iodepth, &ctx);
	if (err) {
		fprintf(stderr, "Error: io_setup(%u): %s%s\n", o.iodepth, strerror(-err),
			err == -EAGAIN ? " (fs.aio-max-nr too small?)" : "");
		goto cleanup;
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	rnd = o.seed ? o.seed : 0x9e3779b97f4a7c15ULL; /* xorshift state must not be 0 */
	t0 = now_s();
	deadline = t0 + o.duration;
	t_end = t0;
	for (;;) {
		double t = now_s();
		bool submitting = !exiting && t < deadline && (!o.ios || issued < o.ios);
		struct timespec ts;
		int n;

		if (submitting && nfree) {
			struct iocb *cbs[MAX_IODEPTH];
			unsigned int want = nfree;

			if (o.ios && o.ios - issued < want)
				want = (unsigned int)(o.ios - issued);
			for (i = 0; i < want; i++) {
				slot_prepare(freelist[i], fd, &o, blocks, &rnd);
				freelist[i]->t_submit = t;
				cbs[i] = &freelist[i]->cb;
			}
			n = io_submit(ctx, want, cbs);
			if (n < 0 && n != -EAGAIN) {
				fprintf(stderr, "Error: io_submit: %s\n", strerror(-n));
				exiting = 1;
				st.first_error = n;
				st.errors++;
				n = 0;
			}
			/* Submitted from the front; the rest wait for the next round. */
			if (n > 0) {
				memmove(freelist, freelist + n, (nfree - n) * sizeof(*freelist));
				nfree -= n;
				inflight += n;
				issued += n;
			}
		}
		if (!inflight) {
			if (!submitting)
				break;
			continue; /* -EAGAIN with nothing in flight: try again */
		}
		/* Wake up for the deadline and signals; when draining, a request
		 * that takes 10 s is a hung device. */
		if (submitting) {
			double left = deadline - t;

			if (left > 0.2)
				left = 0.2;
			ts.tv_sec = 0;
			ts.tv_nsec = (long)(left * 1e9);
		} else {
			ts.tv_sec = 10;
			ts.tv_nsec = 0;
		}
		n = io_getevents(ctx, 1, o.iodepth, events, &ts);
		if (n == -EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "Error: io_getevents: %s\n", strerror(-n));
			goto cleanup;
		}
		if (!n && !submitting) {
			fprintf(stderr, "Error: %u I/Os did not complete within 10 s\n", inflight);
			goto cleanup;
		}
		t = now_s();
		for (i = 0; i < (unsigned int)n; i++) {
			complete(&st, &events[i], o.bs, t);
			freelist[nfree++] = (struct slot *)(uintptr_t)events[i].data;
		}
		inflight -= n;
		if (n)
			t_end = t;
	}

	result = result_json(&o, size, &st, t_end - t0);
	json_dumpf(result, stdout, JSON_COMPACT);
	fputc('\n', stdout);
	fflush(stdout);
	json_decref(result);
	if (st.errors) {
		fprintf(stderr, "Error: %llu of %llu I/Os failed, the first with: %s\n",
			(unsigned long long)st.errors, (unsigned long long)(st.errors + st.ios),
			strerror(-st.first_error));
		goto cleanup;
	}
	if (!st.ios) {
		fprintf(stderr, "Error: no I/O completed\n");
		goto cleanup;
	}
	ret = 0;
cleanup:
	if (ctx)
		io_destroy(ctx); /* waits for anything still in flight */
	if (slots)
		for (i = 0; i < o.iodepth; i++)
			free(slots[i].buf);
	free(slots);
	free(freelist);
	free(events);
	if (fd >= 0)
		close(fd);
	return ret;
}
