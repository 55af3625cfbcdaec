// SPDX-License-Identifier: GPL-2.0
/*
 * vqicount: a QEMU TCG plugin that counts, exactly, the guest instructions
 * executed inside chosen guest kernel functions (the virtio ring code), the
 * indirect calls/jumps executed there, the calls/jumps from there into the
 * retpoline and return thunks, and every execution of those thunks.
 *
 * TCG does not model branch prediction, so wall time under TCG says little
 * about retpoline; instruction counts are what TCG gives exactly.
 *
 * Arguments (QEMU: -plugin vqicount.so,syms=FILE,out=FILE,...):
 *   syms=FILE     guest symbols, /proc/kallsyms format ("addr type name [mod]"),
 *                 taken from the booted guest itself (boot with nokaslr)
 *   out=FILE      JSON written at exit (default: vqicount.json)
 *   group=NAME:PAT[:PAT...]   a range group; PAT is an fnmatch(3) pattern on
 *                 symbol names, or [module]. Repeatable; a function belongs to
 *                 the first group that matches. Default: ring_add, ring_get,
 *                 ring_kick, ring_cb, ring_other, thunk_indirect, thunk_return.
 *                 Groups named PREFIX_x are also summed into "PREFIX" (e.g. ring).
 *   ithunk=PAT[:PAT...]  names of the indirect-branch thunks (retpoline)
 *   rthunk=PAT[:PAT...]  names of the return thunks
 *   mark=SYMBOL   each execution of SYMBOL's first instruction closes a phase
 *                 (the guest calls it, e.g. `hostname` -> sethostname(2),
 *                 around its workload), so counts can be taken per phase
 *   functions=on|off     per-function counts in the JSON (default on)
 *
 * Counting: one 64-bit scoreboard slot per (vCPU, function, counter), bumped
 * by inline ops that TCG emits into the translated code (no helper call per
 * instruction). Instructions are decoded once, at translation.
 */
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>
#include <qemu-plugin.h>

/* Scoreboards and inline ops per vCPU are API 2; insn_data into a buffer is 3. */
#if !defined(QEMU_PLUGIN_VERSION) || QEMU_PLUGIN_VERSION < 3
#error "vqicount needs QEMU plugin API >= 3 (QEMU >= 9.0): wrong qemu-plugin.h?"
#endif

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define SCHEMA "vqicount/1"

/* Counters kept per function (range). */
enum fn_counter {
	FC_INSNS,	/* instructions executed in the range */
	FC_ENTRIES,	/* executions of its first instruction (calls, roughly) */
	FC_ICALL,	/* indirect calls: FF /2, FF /3 */
	FC_IJMP,	/* indirect jumps: FF /4, FF /5 */
	FC_ITHUNK_CALL, /* call rel32 to an indirect thunk (a retpolined call) */
	FC_ITHUNK_JMP,	/* jmp rel to an indirect thunk (a retpolined tail call) */
	FC_RTHUNK_JMP,	/* jmp rel to a return thunk (a "return" under rethunk) */
	FC_THUNK_JCC,	/* conditional jumps to a thunk, taken or not */
	FC_RET,		/* plain ret (C3, C2) */
	FC_N
};
static const char *const fc_names[FC_N] = {
	"insns", "entries", "indirect_calls", "indirect_jumps", "thunk_calls",
	"thunk_jumps", "return_thunk_jumps", "thunk_jcc", "returns",
};
/* Whole-guest counters, per TB (a TB left early by an exception counts whole). */
enum { GC_KERNEL, GC_USER, GC_MARKS, GC_N };
static const char *const gc_names[GC_N] = { "kernel_insns", "user_insns", "marks" };

enum thunk_kind { TK_NONE, TK_INDIRECT, TK_RETURN };

struct group {
	char *name;
	char **pats; /* NULL-terminated */
};

struct range {
	uint64_t start, end;
	char *name;	/* first name at this address (aliases joined by '=') */
	char *module;	/* NULL for the core kernel */
	int group;	/* index in groups, -1: none */
	enum thunk_kind thunk;
};

struct snapshot {
	char *label;
	uint64_t *v; /* [vcpus][nslots] */
	int vcpus;
};

static GPtrArray *groups;
static struct range *ranges;
static size_t nranges;
static char **ithunk_pats, **rthunk_pats;
static char *syms_path, *out_path, *mark_name;
static uint64_t mark_addr;
static bool want_functions = true;
static size_t nslots; /* GC_N + nranges * FC_N */
static struct qemu_plugin_scoreboard *sb;
static GMutex snap_lock;
static GPtrArray *snaps;
static int max_vcpus = 1;

/*
 * drivers/virtio/virtio_ring.c, split by the work each part does per buffer.
 * add/get/kick run a fixed number of times per packet; cb (callback
 * suppression and the interrupt handler) runs as often as interrupts land,
 * which depends on host timing: it is the part that does not repeat exactly.
 */
static const char *const default_groups[] = {
	"ring_add:virtqueue_add*:vring_map*:alloc_indirect_*",
	"ring_get:virtqueue_get_buf*:detach_buf_*:vring_unmap*:more_used_*:is_used_desc_packed:"
	"virtqueue_detach_unused_buf*",
	"ring_kick:virtqueue_kick*:virtqueue_notify:vring_notification_data",
	"ring_cb:virtqueue_enable_cb*:virtqueue_disable_cb*:virtqueue_poll*:vring_interrupt",
	"ring_other:virtqueue_*:vring_*:__virtqueue_*:*_in_order*:virtio_break_device",
	"thunk_indirect:__x86_indirect_*",
	"thunk_return:__x86_return_thunk:srso_*return_thunk*:retbleed_return_thunk:its_return_thunk",
	NULL
};

static uint64_t slot(size_t r, enum fn_counter c)
{
	return GC_N + r * FC_N + c;
}

static qemu_plugin_u64 u64_at(uint64_t s)
{
	return (qemu_plugin_u64){ sb, s * sizeof(uint64_t) };
}

static char **split_pats(const char *s)
{
	return g_strsplit(s, ":", -1);
}

static bool match_any(char *const *pats, const char *name, const char *module)
{
	for (; pats && *pats; pats++) {
		const char *p = *pats;
		size_t n = strlen(p);

		if (p[0] == '[' && n > 2 && p[n - 1] == ']') {
			if (module && strlen(module) == n - 2 && !strncmp(module, p + 1, n - 2))
				return true;
		} else if (!fnmatch(p, name, 0)) {
			return true;
		}
	}
	return false;
}

struct sym {
	uint64_t addr;
	char *name;
	char *module;
};

static int sym_cmp(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Reads kallsyms text symbols; a range runs to the next distinct address. */
static int symbols_load(const char *path)
{
	FILE *f = fopen(path, "r");
	GArray *syms = g_array_new(false, false, sizeof(struct sym));
	char line[512];
	unsigned lineno = 0;
	int ret = -1;

	if (!f) {
		fprintf(stderr, "vqicount: Error: %s: %s\n", path, strerror(errno));
		goto cleanup;
	}
	while (fgets(line, sizeof(line), f)) {
		char name[256], type, mod[128] = "";
		unsigned long long a;
		int n;

		lineno++;
		n = sscanf(line, "%llx %c %255s [%127[^]]]", &a, &type, name, mod);
		if (n < 3) {
			fprintf(stderr, "vqicount: Error: %s:%u: not a kallsyms line\n", path, lineno);
			goto cleanup;
		}
		if (!strchr("tTwW", type) || a == 0)
			continue;
		struct sym s = { a, g_strdup(name), mod[0] ? g_strdup(mod) : NULL };
		g_array_append_val(syms, s);
	}
	if (!syms->len) {
		fprintf(stderr, "vqicount: Error: %s: no text symbols\n", path);
		goto cleanup;
	}
	g_array_sort(syms, sym_cmp);

	ranges = g_new0(struct range, syms->len);
	for (size_t i = 0; i < syms->len;) {
		struct sym *s = &g_array_index(syms, struct sym, i);
		size_t j = i + 1;
		GString *names = g_string_new(s->name);
		int grp = -1;
		enum thunk_kind tk = TK_NONE;

		while (j < syms->len && g_array_index(syms, struct sym, j).addr == s->addr) {
			g_string_append_printf(names, "=%s", g_array_index(syms, struct sym, j).name);
			j++;
		}
		for (size_t k = i; k < j; k++) {
			struct sym *a = &g_array_index(syms, struct sym, k);

			for (guint g = 0; grp < 0 && g < groups->len; g++)
				if (match_any(((struct group *)groups->pdata[g])->pats, a->name, a->module))
					grp = g;
			if (tk == TK_NONE && match_any(ithunk_pats, a->name, a->module))
				tk = TK_INDIRECT;
			if (tk == TK_NONE && match_any(rthunk_pats, a->name, a->module))
				tk = TK_RETURN;
			if (mark_name && !strcmp(a->name, mark_name))
				mark_addr = a->addr;
		}
		/* The last symbol has no known end: it cannot be a range. */
		if (j < syms->len && (grp >= 0 || tk != TK_NONE)) {
			struct range *r = &ranges[nranges++];

			r->start = s->addr;
			r->end = g_array_index(syms, struct sym, j).addr;
			r->name = g_string_free(names, false);
			r->module = g_strdup(s->module);
			r->group = grp;
			r->thunk = tk;
		} else {
			g_string_free(names, true);
		}
		i = j;
	}
	if (mark_name && !mark_addr) {
		fprintf(stderr, "vqicount: Error: mark symbol '%s' is not in %s\n", mark_name, path);
		goto cleanup;
	}
	ret = 0;
cleanup:
	if (f)
		fclose(f);
	for (guint i = 0; i < syms->len; i++) {
		g_free(g_array_index(syms, struct sym, i).name);
		g_free(g_array_index(syms, struct sym, i).module);
	}
	g_array_free(syms, true);
	return ret;
}

static long range_find(uint64_t pc)
{
	size_t lo = 0, hi = nranges;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pc < ranges[mid].start)
			hi = mid;
		else if (pc >= ranges[mid].end)
			lo = mid + 1;
		else
			return mid;
	}
	return -1;
}

static enum thunk_kind thunk_at(uint64_t target)
{
	long r = range_find(target);

	/* Only a branch to a thunk's first byte is a thunk use. */
	return r >= 0 && ranges[r].start == target ? ranges[r].thunk : TK_NONE;
}

/*
 * The few x86-64 forms that matter here: skip legacy and REX prefixes, then
 * FF /2../5 (indirect call/jmp), E8/E9/EB/Jcc with a thunk as target, C3/C2.
 * Returns the counter to bump besides FC_INSNS, or FC_N for none.
 */
static enum fn_counter insn_classify(const uint8_t *b, size_t n, uint64_t pc)
{
	size_t i = 0;
	int64_t rel;
	bool cond = false;

	while (i < n && (b[i] == 0x66 || b[i] == 0x67 || b[i] == 0xf2 || b[i] == 0xf3 ||
			 b[i] == 0x2e || b[i] == 0x3e || b[i] == 0x26 || b[i] == 0x64 ||
			 b[i] == 0x65 || b[i] == 0x36 || b[i] == 0xf0))
		i++;
	if (i < n && (b[i] & 0xf0) == 0x40)
		i++;
	if (i >= n)
		return FC_N;
	switch (b[i]) {
	case 0xff:
		if (i + 1 >= n)
			return FC_N;
		switch ((b[i + 1] >> 3) & 7) {
		case 2:
		case 3:
			return FC_ICALL;
		case 4:
		case 5:
			return FC_IJMP;
		}
		return FC_N;
	case 0xc3:
	case 0xc2:
		return FC_RET;
	case 0xe8:
	case 0xe9:
		if (i + 5 > n)
			return FC_N;
		rel = (int32_t)((uint32_t)b[i + 1] | (uint32_t)b[i + 2] << 8 |
				(uint32_t)b[i + 3] << 16 | (uint32_t)b[i + 4] << 24);
		break;
	case 0xeb:
		if (i + 2 > n)
			return FC_N;
		rel = (int8_t)b[i + 1];
		break;
	case 0x0f:
		if (i + 6 > n || (b[i + 1] & 0xf0) != 0x80)
			return FC_N;
		rel = (int32_t)((uint32_t)b[i + 2] | (uint32_t)b[i + 3] << 8 |
				(uint32_t)b[i + 4] << 16 | (uint32_t)b[i + 5] << 24);
		cond = true;
		break;
	default:
		if ((b[i] & 0xf0) != 0x70 || i + 2 > n)
			return FC_N;
		rel = (int8_t)b[i + 1];
		cond = true;
		break;
	}
	/* rel is relative to the end of the instruction, which is n bytes long. */
	switch (thunk_at(pc + n + rel)) {
	case TK_INDIRECT:
		return cond ? FC_THUNK_JCC : b[i] == 0xe8 ? FC_ITHUNK_CALL : FC_ITHUNK_JMP;
	case TK_RETURN:
		return cond ? FC_THUNK_JCC : b[i] == 0xe8 ? FC_N : FC_RTHUNK_JMP;
	default:
		return FC_N;
	}
}

static void snapshot_take(const char *label)
{
	struct snapshot *s = g_new0(struct snapshot, 1);
	int nv = qemu_plugin_num_vcpus();

	if (nv < 1)
		nv = 1;
	s->label = g_strdup(label);
	s->vcpus = nv;
	s->v = g_new0(uint64_t, (size_t)nv * nslots);
	/* Other vCPUs keep running (MTTCG): their slots are read as they are now. */
	for (int c = 0; c < nv; c++)
		memcpy(s->v + (size_t)c * nslots, qemu_plugin_scoreboard_find(sb, c),
		       nslots * sizeof(uint64_t));
	g_mutex_lock(&snap_lock);
	g_ptr_array_add(snaps, s);
	g_mutex_unlock(&snap_lock);
}

static void on_mark(unsigned int vcpu, void *udata)
{
	char label[32];

	g_mutex_lock(&snap_lock);
	snprintf(label, sizeof(label), "mark %u", snaps->len);
	g_mutex_unlock(&snap_lock);
	/* The mark's own first instruction is already counted: take it inside phase. */
	snapshot_take(label);
}

static void on_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb);
	uint64_t pc0 = qemu_plugin_tb_vaddr(tb);

	qemu_plugin_register_vcpu_tb_exec_inline_per_vcpu(
		tb, QEMU_PLUGIN_INLINE_ADD_U64, u64_at(pc0 >> 63 ? GC_KERNEL : GC_USER), n);
	if (!(pc0 >> 63))
		return; /* every range is kernel text */

	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		uint64_t pc = qemu_plugin_insn_vaddr(insn);
		long r = range_find(pc);
		uint8_t b[16];
		size_t len;
		enum fn_counter c;

		if (pc == mark_addr && mark_addr) {
			qemu_plugin_register_vcpu_insn_exec_inline_per_vcpu(
				insn, QEMU_PLUGIN_INLINE_ADD_U64, u64_at(GC_MARKS), 1);
			qemu_plugin_register_vcpu_insn_exec_cb(insn, on_mark,
							       QEMU_PLUGIN_CB_NO_REGS, NULL);
		}
		if (r < 0)
			continue;
		qemu_plugin_register_vcpu_insn_exec_inline_per_vcpu(
			insn, QEMU_PLUGIN_INLINE_ADD_U64, u64_at(slot(r, FC_INSNS)), 1);
		if (pc == ranges[r].start)
			qemu_plugin_register_vcpu_insn_exec_inline_per_vcpu(
				insn, QEMU_PLUGIN_INLINE_ADD_U64, u64_at(slot(r, FC_ENTRIES)), 1);
		len = qemu_plugin_insn_data(insn, b, sizeof(b));
		c = insn_classify(b, len, pc);
		if (c != FC_N)
			qemu_plugin_register_vcpu_insn_exec_inline_per_vcpu(
				insn, QEMU_PLUGIN_INLINE_ADD_U64, u64_at(slot(r, c)), 1);
	}
}

/* Counts of snapshot b minus snapshot a (a may be NULL: zero). */
static json_t *phase_json(const struct snapshot *a, const struct snapshot *b, const char *from)
{
	int nv = b->vcpus;
	json_t *ph = json_object(), *jg = json_object(), *jf = json_object(), *jt = json_object();
	uint64_t *d = g_new0(uint64_t, (size_t)nv * nslots);

	for (int c = 0; c < nv; c++)
		for (size_t s = 0; s < nslots; s++) {
			uint64_t va = a && c < a->vcpus ? a->v[(size_t)c * nslots + s] : 0;

			d[(size_t)c * nslots + s] = b->v[(size_t)c * nslots + s] - va;
		}
#define SUM(s) ({ uint64_t t_ = 0; for (int c_ = 0; c_ < nv; c_++) t_ += d[(size_t)c_ * nslots + (s)]; t_; })
	json_object_set_new(ph, "from", json_string(from));
	json_object_set_new(ph, "to", json_string(b->label));
	for (int g = 0; g < GC_N; g++)
		json_object_set_new(jt, gc_names[g], json_integer(SUM(g)));
	json_object_set_new(ph, "totals", jt);

	for (guint g = 0; g < groups->len; g++) {
		json_t *o = json_object(), *pv = json_array();
		uint64_t sum[FC_N] = { 0 };
		unsigned fns = 0;

		for (int c = 0; c < nv; c++) {
			uint64_t t = 0;

			for (size_t r = 0; r < nranges; r++)
				if (ranges[r].group == (int)g)
					t += d[(size_t)c * nslots + slot(r, FC_INSNS)];
			json_array_append_new(pv, json_integer(t));
		}
		for (size_t r = 0; r < nranges; r++) {
			if (ranges[r].group != (int)g)
				continue;
			for (int k = 0; k < FC_N; k++)
				sum[k] += SUM(slot(r, k));
			if (SUM(slot(r, FC_INSNS)))
				fns++;
		}
		for (int k = 0; k < FC_N; k++)
			json_object_set_new(o, fc_names[k], json_integer(sum[k]));
		json_object_set_new(o, "functions_executed", json_integer(fns));
		json_object_set_new(o, "per_vcpu_insns", pv);
		json_object_set_new(jg, ((struct group *)groups->pdata[g])->name, o);
	}
	/* Aggregates: "ring_add" + "ring_get" + ... also appear as "ring". */
	for (guint g = 0; g < groups->len; g++) {
		const char *name = ((struct group *)groups->pdata[g])->name, *us = strchr(name, '_');
		char *agg;
		json_t *o, *src = json_object_get(jg, name);
		const char *k;
		json_t *v;

		if (!us || us == name)
			continue;
		agg = g_strndup(name, us - name);
		if (json_object_get(jg, agg) && !json_object_get(json_object_get(jg, agg), "of")) {
			g_free(agg); /* a real group already has that name */
			continue;
		}
		o = json_object_get(jg, agg);
		if (!o) {
			o = json_object();
			json_object_set_new(o, "of", json_array());
			json_object_set_new(jg, agg, o);
		}
		json_array_append_new(json_object_get(o, "of"), json_string(name));
		json_object_foreach(src, k, v) {
			json_t *cur = json_object_get(o, k);

			if (json_is_integer(v))
				json_object_set_new(o, k, json_integer(json_integer_value(v) +
					(cur ? json_integer_value(cur) : 0)));
			else if (json_is_array(v)) {
				if (!cur) {
					json_object_set_new(o, k, json_deep_copy(v));
				} else {
					for (size_t i = 0; i < json_array_size(v) && i < json_array_size(cur); i++)
						json_array_set_new(cur, i, json_integer(
							json_integer_value(json_array_get(cur, i)) +
							json_integer_value(json_array_get(v, i))));
				}
			}
		}
		g_free(agg);
	}
	json_object_set_new(ph, "groups", jg);

	if (want_functions) {
		for (size_t r = 0; r < nranges; r++) {
			json_t *o;

			if (!SUM(slot(r, FC_INSNS)))
				continue;
			o = json_object();
			json_object_set_new(o, "group", ranges[r].group >= 0 ?
				json_string(((struct group *)groups->pdata[ranges[r].group])->name) :
				json_null());
			for (int k = 0; k < FC_N; k++)
				if (SUM(slot(r, k)))
					json_object_set_new(o, fc_names[k], json_integer(SUM(slot(r, k))));
			json_object_set_new(jf, ranges[r].name, o);
		}
		json_object_set_new(ph, "functions", jf);
	} else {
		json_decref(jf);
	}
#undef SUM
	g_free(d);
	return ph;
}

static void plugin_exit(qemu_plugin_id_t id, void *p)
{
	json_t *root = json_object(), *jg = json_array(), *jp = json_array(), *units = json_object();
	struct snapshot *first = NULL, *last;
	char *tmp;

	snapshot_take("exit");
	last = snaps->pdata[snaps->len - 1];

	json_object_set_new(root, "schema", json_string(SCHEMA));
	json_object_set_new(root, "qemu_plugin_api", json_integer(QEMU_PLUGIN_VERSION));
	json_object_set_new(root, "symbols", json_string(syms_path));
	json_object_set_new(root, "ranges", json_integer(nranges));
	json_object_set_new(root, "vcpus", json_integer(last->vcpus));
	json_object_set_new(root, "mark", mark_name ? json_string(mark_name) : json_null());
	if (mark_name) {
		char a[24];

		snprintf(a, sizeof(a), "0x%" PRIx64, mark_addr);
		json_object_set_new(root, "mark_address", json_string(a));
	}
	for (guint g = 0; g < groups->len; g++) {
		struct group *gr = groups->pdata[g];
		json_t *o = json_object(), *pats = json_array();
		unsigned fns = 0;

		for (char **p = gr->pats; *p; p++)
			json_array_append_new(pats, json_string(*p));
		for (size_t r = 0; r < nranges; r++)
			fns += ranges[r].group == (int)g;
		json_object_set_new(o, "name", json_string(gr->name));
		json_object_set_new(o, "patterns", pats);
		json_object_set_new(o, "functions", json_integer(fns));
		json_array_append_new(jg, o);
	}
	json_object_set_new(root, "groups", jg);
	json_object_set_new(units, "insns", json_string("instructions"));
	json_object_set_new(units, "kernel_insns", json_string("instructions"));
	json_object_set_new(units, "user_insns", json_string("instructions"));
	json_object_set_new(units, "entries", json_string("executions of a function's first instruction"));
	json_object_set_new(units, "other", json_string("executed instructions of that kind"));
	json_object_set_new(root, "units", units);

	for (guint i = 0; i < snaps->len; i++) {
		struct snapshot *s = snaps->pdata[i];

		json_array_append_new(jp, phase_json(first, s, first ? first->label : "start"));
		first = s;
	}
	json_object_set_new(root, "phases", jp);
	json_object_set_new(root, "total", phase_json(NULL, last, "start"));

	tmp = g_strdup_printf("%s.tmp", out_path);
	if (json_dump_file(root, tmp, JSON_INDENT(1) | JSON_SORT_KEYS) || rename(tmp, out_path))
		fprintf(stderr, "vqicount: Error: cannot write %s: %s\n", out_path, strerror(errno));
	g_free(tmp);
	json_decref(root);
}

static int group_add(const char *spec)
{
	char **parts = split_pats(spec);
	struct group *g;

	if (!parts[0] || !parts[0][0] || !parts[1] || !parts[1][0]) {
		fprintf(stderr, "vqicount: Error: group '%s': expected NAME:PATTERN[:PATTERN...]\n", spec);
		g_strfreev(parts);
		return -1;
	}
	g = g_new0(struct group, 1);
	g->name = g_strdup(parts[0]);
	g->pats = g_strdupv(parts + 1);
	g_strfreev(parts);
	g_ptr_array_add(groups, g);
	return 0;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
					   int argc, char **argv)
{
	if (strcmp(info->target_name, "x86_64")) {
		fprintf(stderr, "vqicount: Error: guest is %s; only x86_64 is decoded\n", info->target_name);
		return -1;
	}
	groups = g_ptr_array_new();
	snaps = g_ptr_array_new();
	ithunk_pats = split_pats("__x86_indirect_*");
	rthunk_pats = split_pats("__x86_return_thunk:srso_*return_thunk*:retbleed_return_thunk:its_return_thunk");
	out_path = g_strdup("vqicount.json");
	for (int i = 0; i < argc; i++) {
		char *a = argv[i], *eq = strchr(a, '=');
		const char *v = eq ? eq + 1 : "";
		size_t kl = eq ? (size_t)(eq - a) : strlen(a);

#define KEY(k) (kl == strlen(k) && !strncmp(a, k, kl))
		if (KEY("syms")) {
			syms_path = g_strdup(v);
		} else if (KEY("out")) {
			g_free(out_path);
			out_path = g_strdup(v);
		} else if (KEY("group")) {
			if (group_add(v))
				return -1;
		} else if (KEY("ithunk")) {
			g_strfreev(ithunk_pats);
			ithunk_pats = split_pats(v);
		} else if (KEY("rthunk")) {
			g_strfreev(rthunk_pats);
			rthunk_pats = split_pats(v);
		} else if (KEY("mark")) {
			mark_name = g_strdup(v);
		} else if (KEY("functions")) {
			if (!qemu_plugin_bool_parse(a, v, &want_functions)) {
				fprintf(stderr, "vqicount: Error: functions=%s: expected on or off\n", v);
				return -1;
			}
		} else {
			fprintf(stderr, "vqicount: Error: unknown argument '%s' (accepted: syms, out, "
				"group, ithunk, rthunk, mark, functions)\n", a);
			return -1;
		}
#undef KEY
	}
	if (!syms_path) {
		fprintf(stderr, "vqicount: Error: syms=FILE is required (the guest's /proc/kallsyms)\n");
		return -1;
	}
	if (!groups->len)
		for (const char *const *d = default_groups; *d; d++)
			group_add(*d);
	if (symbols_load(syms_path))
		return -1;
	if (info->system_emulation)
		max_vcpus = info->system.max_vcpus;

	nslots = GC_N + nranges * FC_N;
	sb = qemu_plugin_scoreboard_new(nslots * sizeof(uint64_t));
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb_trans);
	qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
	return 0;
}
