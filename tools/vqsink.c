// SPDX-License-Identifier: GPL-2.0
/* vqsink: count and drop every packet that reaches one interface, with the
 * lab's XDP sink (bpf/xdpsink.bpf.c). In a guest this is the receive end of
 * the net-rx workload: packets go through the virtio-net RX ring and die in
 * XDP before the network stack, so the ring, not the stack, sets the rate.
 * Lifecycle: open -> load -> attach (native, else generic) -> wait -> read
 * the per-CPU counters -> detach. */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <jansson.h>
#include "cli.h"
#include "cli_opts.h"
#include "clock.h"
#include "msg.h"
#include "parse.h"
#include "xdpsink.h"
#include "xdpsink.skel.h"

#define TOOL "vqsink"
#define SCHEMA 1

enum mode { MODE_AUTO, MODE_NATIVE, MODE_GENERIC };

static const char usage_head[] =
	"Usage: vqsink [--duration S] [--mode auto|native|generic] [-v] IFNAME\n"
	"\n"
	"Attaches an XDP program to IFNAME that counts and drops every received\n"
	"packet, for S seconds or until SIGINT/SIGTERM, then detaches it and prints\n"
	"one JSON object: ifname, mode, packets, bytes (as XDP saw them: without\n"
	"FCS), seconds. Says 'Sinking ...' on stderr once the program is attached.\n"
	"Refuses an interface that already has an XDP program.\n"
	"\n"
	"Options:\n";

/* The parser's table and the help's "Options:" lines. */
static const struct cli_opt options[] = {
	{ 'D', "duration", "S", "seconds (may end in ms, s, m; default: until a signal)" },
	{ 'm', "mode", "MODE",
	  "auto (default: native, else generic), native (driver\n"
	  "XDP only) or generic (skb XDP only)" },
	{ 'v', "verbose", NULL, "libbpf's log, and why native mode was not used" },
	{ 'h', "help", NULL, "this text" },
};

static const char usage_tail[] =
	"\n"
	"virtio_net's native XDP wants a TX queue per CPU for XDP_TX; a guest with\n"
	"fewer queues may still refuse it (or need offloads off): auto then falls\n"
	"back to generic mode, and the JSON says which mode counted.\n"
	"\n"
	"Exit status: 0 ok, 1 runtime error (no such interface, XDP refused), 2 usage\n"
	"error.\n"
	"\n"
	"EXAMPLES:\n"
	"    vqsink eth0                          # until Ctrl-C\n"
	"    vqsink --duration 7 eth0             # what the net-rx job runs\n"
	"    vqsink --mode generic -D 5 eth0      # skb mode only\n";

struct options {
	double duration; /* 0: until a signal */
	enum mode mode;
	bool help, verbose;
	const char *ifname;
};

static volatile sig_atomic_t exiting;
static bool verbose;

static void on_signal(int sig)
{
	exiting = 1;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (!verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

/* --mode's words, in enum mode's order. */
static const char *const mode_names[] = { "auto", "native", "generic" };

/* One option @c with its value @arg. 0, EXIT_USAGE (printed) or
 * CLI_OPTS_HELP. */
static int parse_option(int c, const char *arg, void *ctx)
{
	struct options *o = ctx;

	switch (c) {
	case 'h':
		o->help = true;
		return CLI_OPTS_HELP;
	case 'D':
		return cli_duration_arg(TOOL, arg, &o->duration);
	case 'm':
		for (size_t i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++) {
			if (!strcmp(arg, mode_names[i])) {
				o->mode = (enum mode)i;
				return 0;
			}
		}
		return cli_usage_error(TOOL, "--mode: '%s' is not one of auto, native, generic",
				       arg);
	case 'v':
		o->verbose = true;
		return 0;
	}
	return EXIT_USAGE;
}

/* 0 (o->help: --help asked), or EXIT_USAGE (message printed). */
static int parse_args(int argc, char **argv, struct options *o)
{
	int ret;

	*o = (struct options){ .mode = MODE_AUTO };
	ret = cli_opts_parse(TOOL, argc, argv, options, CLI_NOPTS(options), parse_option, o);
	if (!ret)
		ret = cli_one_operand(TOOL, argc, argv, "IFNAME", &o->ifname);
	if (ret)
		return ret == CLI_OPTS_HELP ? 0 : ret;
	if (strlen(o->ifname) >= IF_NAMESIZE)
		return cli_usage_error(TOOL, "IFNAME: '%s' is longer than an interface name can be",
				       o->ifname);
	return 0;
}

/* Attach in the mode asked for; in auto mode native first, then generic.
 * UPDATE_IF_NOEXIST: never replace someone else's program. 0 or -errno;
 * *flags holds the mode that worked. */
static int sink_attach(int ifindex, int prog_fd, enum mode mode, __u32 *flags)
{
	int err = -EINVAL;

	if (mode != MODE_GENERIC) {
		*flags = XDP_FLAGS_DRV_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST;
		err = bpf_xdp_attach(ifindex, prog_fd, *flags, NULL);
		if (!err || mode == MODE_NATIVE || err == -EBUSY || err == -EEXIST)
			return err;
		if (verbose)
			p_info("vqsink: native XDP refused (%s), trying generic", strerror(-err));
	}
	*flags = XDP_FLAGS_SKB_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST;
	return bpf_xdp_attach(ifindex, prog_fd, *flags, NULL);
}

/* Sum of the per-CPU counters. 0 or -errno. */
static int sink_read(struct xdpsink_bpf *skel, __u64 *packets, __u64 *bytes)
{
	int ncpu = libbpf_num_possible_cpus(), err, i;
	struct xdpsink_count *v;
	__u32 key = 0;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	err = bpf_map__lookup_elem(skel->maps.counts, &key, sizeof(key), v, sizeof(*v) * ncpu, 0);
	*packets = *bytes = 0;
	for (i = 0; !err && i < ncpu; i++) {
		*packets += v[i].packets;
		*bytes += v[i].bytes;
	}
	free(v);
	return err;
}

/* Until the deadline (@duration s; 0: none) or a signal. The seconds waited. */
static double sink_wait(double duration)
{
	double t0 = now_s(), deadline = t0 + duration;

	while (!exiting) {
		double step = duration ? deadline - now_s() : 0.2;

		if (duration && step <= 0)
			break;
		sleep_s(step > 0.2 ? 0.2 : step); /* wake up for the deadline and signals */
	}
	return now_s() - t0;
}

static void result_print(const struct options *o, __u32 flags, __u64 packets, __u64 bytes,
			 double seconds)
{
	json_t *result = json_object();

	json_object_set_new(result, "schema", json_integer(SCHEMA));
	json_object_set_new(result, "ifname", json_string(o->ifname));
	json_object_set_new(result, "mode",
			    json_string(flags & XDP_FLAGS_SKB_MODE ? "generic" : "native"));
	json_object_set_new(result, "packets", json_integer((json_int_t)packets));
	json_object_set_new(result, "bytes", json_integer((json_int_t)bytes));
	json_object_set_new(result, "seconds", json_real(seconds));
	json_dumpf(result, stdout, JSON_COMPACT);
	fputc('\n', stdout);
	fflush(stdout);
	json_decref(result);
}

int main(int argc, char **argv)
{
	struct xdpsink_bpf *skel = NULL;
	struct options o;
	__u64 packets, bytes;
	__u32 flags = 0;
	bool attached = false;
	double seconds;
	int ifindex, ret = EXIT_RUNTIME, err;

	err = parse_args(argc, argv, &o);
	if (err)
		return err;
	if (o.help) {
		cli_help_print(stdout, usage_head, options, CLI_NOPTS(options), 22, usage_tail);
		return 0;
	}
	verbose = o.verbose;
	libbpf_set_print(libbpf_print);

	ifindex = if_nametoindex(o.ifname);
	if (!ifindex) {
		p_err("no interface '%s': %s", o.ifname, strerror(errno));
		goto cleanup;
	}
	skel = xdpsink_bpf__open_and_load();
	if (!skel) {
		p_err("cannot load the XDP sink: %s (needs root and a kernel with XDP)",
		      strerror(errno));
		goto cleanup;
	}
	/* Before attaching: a signal between attach and the loop must still
	 * end in a detach. */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	err = sink_attach(ifindex, bpf_program__fd(skel->progs.xdp_sink), o.mode, &flags);
	if (err) {
		p_err("cannot attach XDP to %s: %s%s", o.ifname, strerror(-err),
		      err == -EBUSY || err == -EEXIST ? " (it already has an XDP program)" : "");
		goto cleanup;
	}
	attached = true;
	p_info("Sinking packets on %s (%s XDP)... Hit Ctrl-C to end.", o.ifname,
	       flags & XDP_FLAGS_SKB_MODE ? "generic" : "native");

	seconds = sink_wait(o.duration);
	/* Read before detaching: the counters live as long as the skeleton,
	 * and after the read nothing more is counted anyway. */
	err = sink_read(skel, &packets, &bytes);
	if (err) {
		p_err("cannot read the counters: %s", strerror(-err));
		goto cleanup;
	}
	result_print(&o, flags, packets, bytes, seconds);
	ret = 0;
cleanup:
	if (attached) {
		err = bpf_xdp_detach(ifindex, flags & ~XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
		if (err) {
			p_err("cannot detach XDP from %s: %s", o.ifname, strerror(-err));
			ret = EXIT_RUNTIME;
		}
	}
	xdpsink_bpf__destroy(skel);
	return ret;
}
