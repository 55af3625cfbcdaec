// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include "parse.h"
#include "proc.h"
#include "sample.h"
#include "virtio_features.h"

/* The negotiated bits a report compares along an axis, read from the guest
 * sysfs feature text (one '0'/'1' per bit, bit 0 first). */
static void device_negotiated(json_t *dev, const char *bits)
{
	static const int shown[] = { VIRTIO_F_RING_PACKED, VIRTIO_F_IN_ORDER };

	for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++)
		json_object_set_new(dev, feature_key(shown[i]),
				    json_boolean(feature_bit_sysfs(bits, shown[i]) == 1));
}

json_t *guest_info(json_t *report)
{
	json_t *g = json_object(), *devs = json_array(), *d;
	const char *keys[] = { "kernel_release", "spectre_v2", GUEST_CLOCKSOURCE, "cmdline",
			       "cpus" };
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(report, keys[i]);

		if (v)
			json_object_set(g, keys[i], v);
	}
	json_array_foreach(json_object_get(report, "devices"), i, d) {
		const char *bits = json_string_value(json_object_get(d, "features"));
		json_t *nd = json_deep_copy(d);

		device_negotiated(nd, bits);
		json_array_append_new(devs, nd);
	}
	json_object_set_new(g, "devices", devs);
	return g;
}

json_t *axes_json(const struct cell *c, const char *accel)
{
	json_t *o = json_object();

	for (int i = 0; i < NR_AXES; i++) {
		uint64_t u;

		if (i == AX_ACCEL)
			continue;
		if (axis_defs[i].max && !parse_u64(c->val[i], 0, UINT64_MAX, &u))
			json_object_set_new(o, axis_defs[i].name, json_integer(u));
		else
			json_object_set_new(o, axis_defs[i].name, json_string(c->val[i]));
	}
	/* what ran, not what the scenario asked for ("auto") */
	json_object_set_new(o, axis_defs[AX_ACCEL].name, json_string(accel));
	return o;
}

/* This machine's name, as run.json's host.hostname and a sample's host. */
static void host_name(char *buf, size_t len)
{
	buf[0] = '\0';
	gethostname(buf, len - 1);
	buf[len - 1] = '\0';
}

json_t *host_json(void)
{
	struct utsname u;
	char host[256];
	long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);

	uname(&u);
	host_name(host, sizeof(host));
	return json_pack("{s:s, s:s, s:i, s:I}", RUN_HOST_HOSTNAME, host, RUN_HOST_KERNEL,
			 u.release, RUN_HOST_CPUS, (int)sysconf(_SC_NPROCESSORS_ONLN),
			 RUN_HOST_MEMORY_MIB, (json_int_t)((long long)pages * psz >> 20));
}

/* libvirt's version numbers: major * 1000000 + minor * 1000 + release. */
static json_t *version_string(unsigned long v)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%lu.%lu.%lu", v / 1000000, v / 1000 % 1000, v % 1000);
	return json_string(buf);
}

/* host-packages.tsv: "package<TAB>version" lines, written by the build. */
static json_t *host_packages(const struct lab_paths *p)
{
	char path[PATH_MAX + 32], line[256];
	json_t *pkgs = json_object();
	FILE *f;

	snprintf(path, sizeof(path), "%s/host-packages.tsv", p->bin);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		char *tab = strchr(line, '\t');

		if (!tab)
			continue;
		*tab++ = '\0';
		tab[strcspn(tab, "\n")] = '\0';
		json_object_set_new(pkgs, line, json_string(tab));
	}
	if (f)
		fclose(f);
	return pkgs;
}

json_t *versions_json(virConnectPtr conn, const struct lab_paths *p)
{
	const char *git[] = { "git", "-C", p->top, "describe", "--always", "--dirty", NULL };
	unsigned long hv = 0, lib = 0;
	json_t *v = json_object();
	char out[256] = "";

	virConnectGetVersion(conn, &hv);
	virConnectGetLibVersion(conn, &lib);
	json_object_set_new(v, RUN_VERSIONS_QEMU, version_string(hv));
	json_object_set_new(v, RUN_VERSIONS_LIBVIRT, version_string(lib));
	if (proc_run(git, out, sizeof(out)) == 0)
		json_object_set_new(v, RUN_VERSIONS_VQLAB, json_string(out));
	json_object_set_new(v, RUN_VERSIONS_PACKAGES, host_packages(p));
	return v;
}

/* The sample's metrics: boot time, the guest's, then the host's (which win
 * over the guest's, e.g. rx_pps over the host's exact send window). The guest
 * report's keys are its own (guest/init), not the sample's. */
static json_t *sample_metrics(const struct guest_result *r)
{
	json_t *m = json_object(), *val;
	const char *key;

	if (r->boot_s)
		metric_set(m, "boot_s", r->boot_s, "s", BETTER_LOWER);
	json_object_foreach(json_object_get(r->report, "metrics"), key, val)
		json_object_set(m, key, val);
	json_object_update(m, r->host_metrics);
	return m;
}

/* QEMU's side over QMP (what each device negotiated) and, when a ring
 * stalled, where (lab/device.h). */
static void sample_device(json_t *s, const struct guest_result *r)
{
	if (r->device)
		json_object_set(s, "device", r->device);
	if (r->stall)
		json_object_set(s, "stall", r->stall);
	if (r->devperf)
		json_object_set(s, SAMPLE_DEVPERF, r->devperf);
}

static json_t *sample_base(const char *run_id, const struct cell *c, int rep, int attempt,
			   const char *accel, const char *started, const struct guest_result *r)
{
	json_t *s = json_object(), *m = sample_metrics(r);
	char host[256];

	json_object_set_new(s, SAMPLE_SCHEMA, json_integer(RESULTS_SCHEMA));
	json_object_set_new(s, SAMPLE_RUN, json_string(run_id));
	json_object_set_new(s, SAMPLE_CELL, json_string(c->id));
	json_object_set_new(s, SAMPLE_REP, json_integer(rep));
	json_object_set_new(s, SAMPLE_ATTEMPT, json_integer(attempt));
	/* a resumed shard may run on another host than the one that started it */
	host_name(host, sizeof(host));
	json_object_set_new(s, SAMPLE_HOST, json_string(host));
	json_object_set_new(s, SAMPLE_AXES, axes_json(c, accel));
	json_object_set_new(s, SAMPLE_STATUS, json_string(r->ok ? STATUS_OK : STATUS_FAILED));
	json_object_set_new(s, SAMPLE_REASON, r->ok ? json_null() : json_string(r->reason.msg));
	json_object_set_new(s, SAMPLE_STARTED, json_string(started));
	json_object_set_new(s, SAMPLE_WALL_S, json_real(r->wall_s));
	if (r->report) {
		json_t *warm = json_object_get(r->report, "warmup_metrics");

		json_object_set_new(s, SAMPLE_GUEST, guest_info(r->report));
		json_object_set(s, SAMPLE_TRACE, json_object_get(r->report, "trace"));
		if (json_object_size(warm))
			json_object_set(s, SAMPLE_WARMUP_METRICS, warm);
	}
	json_object_set_new(s, SAMPLE_METRICS, m);
	sample_device(s, r);
	return s;
}

/* Several windows per boot: each metric's mean over the windows that have it
 * (boot_s: the first's alone). */
static json_t *windows_metrics(json_t *const *m, int n)
{
	json_t *out = json_object(), *mv, *o;
	const char *name;

	for (int i = 0; i < n; i++)
		json_object_foreach(m[i], name, mv) {
			double sum = 0;
			int cnt = 0;

			if (json_object_get(out, name) || !json_is_object(mv))
				continue;
			for (int k = 0; k < n; k++) {
				json_t *v =
					json_object_get(json_object_get(m[k], name), METRIC_VALUE);

				if (json_is_number(v)) {
					sum += json_number_value(v);
					cnt++;
				}
			}
			o = json_deep_copy(mv);
			if (cnt)
				json_object_set_new(o, METRIC_VALUE, json_real(sum / cnt));
			json_object_set_new(out, name, o);
		}
	return out;
}

/* Window @i's own figures, for the sample's "windows" list. */
static json_t *window_json(const struct guest_result *r, int i, json_t *metrics)
{
	json_t *o = json_pack("{s:i, s:s, s:f, s:O, s:O}", SAMPLE_WINDOW, i + 1, SAMPLE_STATUS,
			      r->ok ? STATUS_OK : STATUS_FAILED, SAMPLE_WALL_S, r->wall_s,
			      SAMPLE_METRICS, metrics, SAMPLE_TRACE,
			      json_object_get(r->report, SAMPLE_TRACE) ?: json_null());

	if (o && !r->ok)
		json_object_set_new(o, SAMPLE_REASON, json_string(r->reason.msg));
	if (o && r->read_late)
		json_object_set_new(o, SAMPLE_WINDOW_READ_LATE, json_true());
	return o;
}

/* The boot's sample from its @n windows' results (of @windows asked for). */
static void sample_windows(json_t *s, const struct guest_result *r, int n, unsigned int windows)
{
	json_t *list = json_array(), *m[SCENARIO_MAX_WINDOWS], *boot_trace;
	const struct guest_result *bad = NULL;
	double wall = 0;
	char why[ERRBUF_LEN + 32];

	for (int i = 0; i < n; i++) {
		m[i] = sample_metrics(&r[i]);
		json_array_append_new(list, window_json(&r[i], i, m[i]));
		wall += r[i].wall_s;
		if (!r[i].ok && !bad)
			bad = &r[i];
	}
	json_object_set_new(s, SAMPLE_METRICS, windows_metrics(m, n));
	for (int i = 0; i < n; i++)
		json_decref(m[i]);
	json_object_set_new(s, SAMPLE_WALL_S, json_real(wall));
	json_object_set_new(s, SAMPLE_STATUS,
			    json_string(!bad && n == (int)windows ? STATUS_OK : STATUS_FAILED));
	if (bad) {
		snprintf(why, sizeof(why), "window %d of %u: %s", (int)(bad - r) + 1, windows,
			 bad->reason.msg);
		json_object_set_new(s, SAMPLE_REASON, json_string(why));
	}
	/* the whole boot's trace, which the last window's report carries */
	boot_trace = json_object_get(r[n - 1].report, SAMPLE_TRACE_BOOT);
	if (json_is_object(boot_trace))
		json_object_set(s, SAMPLE_TRACE, boot_trace);
	json_object_set_new(s, SAMPLE_WINDOWS, list);
	sample_device(s, &r[n - 1]);
}

json_t *sample_json(const char *run_id, const struct cell *c, int rep, int attempt,
		    const char *accel, const char *started, const struct guest_result *r, int n,
		    unsigned int windows)
{
	json_t *s = sample_base(run_id, c, rep, attempt, accel, started, r);

	if (windows > 1 && n >= 1)
		sample_windows(s, r, n, windows);
	return s;
}
