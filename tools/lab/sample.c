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
	const char *keys[] = { "kernel_release", "spectre_v2", "cmdline", "cpus" };
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

json_t *sample_json(const char *run_id, const struct cell *c, int rep, int attempt,
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
