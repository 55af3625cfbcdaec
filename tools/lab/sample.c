// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "sample.h"



/* sysfs prints feature bits as a string of '0'/'1', bit 0 first. */
static int feature_bit(const char *bits, int n)
{
	return bits && (int)strlen(bits) > n && bits[n] == '1';
}

#define VIRTIO_F_RING_PACKED 34
#define VIRTIO_F_IN_ORDER 35

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

		json_object_set_new(nd, "packed", json_boolean(feature_bit(bits, VIRTIO_F_RING_PACKED)));
		json_object_set_new(nd, "in_order", json_boolean(feature_bit(bits, VIRTIO_F_IN_ORDER)));
		json_array_append_new(devs, nd);
	}
	json_object_set_new(g, "devices", devs);
	return g;
}


/* The TX queue of the first network device, as vqtrace names it. */
static json_t *trace_queue(json_t *sample, const char *name)
{
	json_t *q;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(sample, "trace"), "queues"), i, q) {
		const char *n = json_string_value(json_object_get(q, "name"));

		if (n && !strcmp(n, name))
			return q;
	}
	return NULL;
}

static void fmt_num(char *buf, size_t len, double v, const char *fmt)
{
	if (v < 0)
		snprintf(buf, len, "–");
	else
		snprintf(buf, len, fmt, v);
}

int results_write_markdown(const char *run_dir, json_t *run, json_t *samples)
{
	char path[4096], tmp[4200];
	json_t *s;
	size_t i;
	FILE *f;

	snprintf(path, sizeof(path), "%s/report.md", run_dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fprintf(f, "# vqlab run %s\n\n", json_string_value(json_object_get(run, "id")));
	fprintf(f, "Scenario `%s`, accelerator **%s**, QEMU %s, libvirt %s, started %s.\n\n",
		json_string_value(json_object_get(json_object_get(run, "scenario"), "file")),
		json_string_value(json_object_get(run, "accel")),
		json_string_value(json_object_get(json_object_get(run, "versions"), "qemu")),
		json_string_value(json_object_get(json_object_get(run, "versions"), "libvirt")),
		json_string_value(json_object_get(run, "started")));
	if (!strcmp(json_string_value(json_object_get(run, "accel")) ?: "", "tcg"))
		fprintf(f, "Guests ran under TCG (software emulation): the rates compare "
			   "configurations with each other; they are not hardware packet rates.\n\n");
	fprintf(f, "| cell | rep | kernel | ring | in_order | workload | status | TX pps | XDP pps | "
		   "negotiated in_order | negotiated packed | TX adds | TX gets |\n");
	fprintf(f, "|---|---|---|---|---|---|---|--:|--:|---|---|--:|--:|\n");
	json_array_foreach(samples, i, s) {
		json_t *axes = json_object_get(s, "axes"), *dev0, *q;
		char pps[32], xpps[32], adds[32] = "–", gets[32] = "–", status[200];
		const char *st = json_string_value(json_object_get(s, "status"));

		dev0 = json_array_get(json_object_get(json_object_get(s, "guest"), "devices"), 0);
		fmt_num(pps, sizeof(pps), metric_value(s, "tx_pps"), "%.0f");
		fmt_num(xpps, sizeof(xpps), metric_value(s, "xdp_pps"), "%.0f");
		q = trace_queue(s, "output.0");
		if (q) {
			snprintf(adds, sizeof(adds), "%" JSON_INTEGER_FORMAT,
				 json_integer_value(json_object_get(q, "adds")));
			snprintf(gets, sizeof(gets), "%" JSON_INTEGER_FORMAT,
				 json_integer_value(json_object_get(q, "gets")));
		}
		if (st && !strcmp(st, "ok"))
			snprintf(status, sizeof(status), "ok");
		else
			snprintf(status, sizeof(status), "%s: %.150s", st ?: "?",
				 json_string_value(json_object_get(s, "reason")) ?: "");
		for (char *c = status; *c; c++)
			if (*c == '|' || *c == '\n')
				*c = ' ';
		fprintf(f, "| %s | %" JSON_INTEGER_FORMAT " | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			json_string_value(json_object_get(s, "cell")),
			json_integer_value(json_object_get(s, "rep")),
			json_string_value(json_object_get(axes, "kernel")),
			json_string_value(json_object_get(axes, "ring")),
			json_string_value(json_object_get(axes, "in_order")),
			json_string_value(json_object_get(axes, "workload")), status, pps, xpps,
			dev0 ? (json_is_true(json_object_get(dev0, "in_order")) ? "yes" : "no") : "–",
			dev0 ? (json_is_true(json_object_get(dev0, "packed")) ? "yes" : "no") : "–",
			adds, gets);
	}
	fprintf(f, "\nRaw data: `samples.jsonl` (one line per sample), `run.json`, "
		   "`cells/<cell>/<rep>/` (console, report channel, domain XML, QEMU log).\n");
	if (fclose(f))
		return -errno;
	return rename(tmp, path) ? -errno : 0;
}
