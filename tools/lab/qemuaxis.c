// SPDX-License-Identifier: GPL-2.0
/* The qemu axis (lab/qemu.h): plan checks every spec against the cache, the
 * run resolves each once, records where it came from in run.json, runs it
 * through <emulator> and checks that the vqicount plugin fits its API. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "plan.h"
#include "qemu.h"
#include "run.h"
#include "textfile.h"

/* The cache the specs resolve in: VQLAB_CACHE, as in vqlab and scripts/. */
static const char *qemu_cache(void)
{
	const char *c = getenv("VQLAB_CACHE");

	return c && *c ? c : "/var/cache/vqlab";
}

int plan_check_qemu(const struct scenario *sc, struct errbuf *e)
{
	for (int i = 0; i < sc->nvals[AX_QEMU]; i++) {
		struct qemu_binary q;
		struct errbuf qe = { "" };

		if (!qemu_spec_resolve(sc->vals[AX_QEMU][i], qemu_cache(), &q, &qe)) {
			qemu_binary_release(&q);
			continue;
		}
		return err_set(e, -EINVAL,
			       "%s:%d: qemu: %s (accepted: system, build:<name>, "
			       "file:<path>)",
			       sc->path, sc->axis_line[AX_QEMU], qe.msg);
	}
	return 0;
}

/* The qemu-plugin.h QEMU @q was built with, or NULL when unknown. */
static void plugin_header(const struct qemu_binary *q, const struct lab_paths *p, char *out,
			  size_t len)
{
	const char *h = json_string_value(json_object_get(q->provenance, "plugin_header"));
	char dir[PATH_MAX];

	out[0] = '\0';
	if (q->kind == QEMU_SYSTEM) {
		snprintf(out, len, "%s/qemu-plugin/qemu-plugin.h", p->bin);
	} else if (q->kind == QEMU_BUILD && h) {
		snprintf(dir, sizeof(dir), "%s", q->path);
		*strrchr(dir, '/') = '\0';
		snprintf(out, len, "%s/%s", dir, h);
	}
}

/* icount = on: vqicount.so was built against the system QEMU's header (the
 * Makefile's); another QEMU may load it only when its header is the same
 * file byte for byte (same plugin API). Recorded in @prov. */
static int plugin_check(const struct qemu_binary *q, const struct lab_paths *p, json_t *prov,
			struct errbuf *e)
{
	char mine[PATH_MAX + 32], theirs[PATH_MAX + 64];
	size_t la = 0, lb = 0;
	char *a, *b;
	bool same;

	snprintf(mine, sizeof(mine), "%s/qemu-plugin/qemu-plugin.h", p->bin);
	plugin_header(q, p, theirs, sizeof(theirs));
	a = file_read_all(mine, &la);
	b = theirs[0] ? file_read_all(theirs, &lb) : NULL;
	same = a && b && la == lb && !memcmp(a, b, la);
	free(a);
	free(b);
	if (!same)
		return err_set(e, -ENOTSUP,
			       "icount = on: the vqicount plugin was built against "
			       "%s, and QEMU %s's qemu-plugin.h (%s) is not the same",
			       mine, q->spec, theirs[0] ? theirs : "unknown");
	json_object_set_new(prov, "icount_plugin_header",
			    json_pack("{s:s, s:s}", "header", theirs, "plugin",
				      "vqicount.so reused: the same qemu-plugin.h"));
	return 0;
}

int qemu_axis_prepare(struct run *r, struct errbuf *e)
{
	const struct scenario *sc = &r->plan.sc;

	r->qemu_json = json_object();
	for (int i = 0; i < sc->nvals[AX_QEMU]; i++) {
		struct qemu_binary *q = &r->qemu[i];
		int ret = qemu_spec_resolve(sc->vals[AX_QEMU][i], r->paths->cache, q, e);

		if (ret)
			return err_prefix(e, ret, "qemu");
		json_object_set_new(q->provenance, "version", json_string(q->version));
		json_object_set_new(q->provenance, "series_point",
				    q->series_point < 0 ? json_null() :
							  json_integer(q->series_point));
		if (sc->icount && plugin_check(q, r->paths, q->provenance, e))
			return -ENOTSUP;
		p_info("qemu %s: %s (%s)", q->spec, q->path, q->version);
		json_object_set(r->qemu_json, q->spec, q->provenance);
	}
	return 0;
}

const char *run_emulator(const struct run *r, const char *spec)
{
	for (int i = 0; i < r->plan.sc.nvals[AX_QEMU]; i++)
		if (!strcmp(r->qemu[i].spec, spec))
			/* the system's: libvirt's own default, as before the axis */
			return r->qemu[i].kind == QEMU_SYSTEM ? NULL : r->qemu[i].path;
	return NULL;
}

void qemu_axis_release(struct run *r)
{
	for (int i = 0; i < AXIS_MAX_VALUES; i++)
		qemu_binary_release(&r->qemu[i]);
	json_decref(r->qemu_json);
	r->qemu_json = NULL;
}
