/* SPDX-License-Identifier: GPL-2.0 */
/* log2 for the histograms (slot i = [2^i, 2^(i+1)), slot 0 also holds 0),
 * run on every add, get and interrupt: a 256-entry table finishes what two
 * or three shifts start, where a shift-only log2 takes six steps. Plain C:
 * the BPF programs include it, and so does tests/unit/vqtrace_log2hist.c,
 * which checks it against tools/lib/log2hist.c. */
#ifndef VQT_LOG2_H
#define VQT_LOG2_H

#define VQT_R2(n) n, n
#define VQT_R4(n) VQT_R2(n), VQT_R2(n)
#define VQT_R8(n) VQT_R4(n), VQT_R4(n)
#define VQT_R16(n) VQT_R8(n), VQT_R8(n)
#define VQT_R32(n) VQT_R16(n), VQT_R16(n)
#define VQT_R64(n) VQT_R32(n), VQT_R32(n)
#define VQT_R128(n) VQT_R64(n), VQT_R64(n)

static const unsigned char vqt_log2_tab[256] = {
	0, 0, VQT_R2(1), VQT_R4(2), VQT_R8(3), VQT_R16(4), VQT_R32(5), VQT_R64(6), VQT_R128(7),
};

/* Slot of @v among @nslots, values past the last slot clamped into it. */
static inline __attribute__((always_inline)) unsigned int vqt_slot64(unsigned long long v,
								     unsigned int nslots)
{
	unsigned int r = 0;

	if (v >> 32) {
		v >>= 32;
		r = 32;
	}
	if (v >> 16) {
		v >>= 16;
		r += 16;
	}
	if (v >> 8) {
		v >>= 8;
		r += 8;
	}
	/* & 7: the verifier does not know the table's values, only that
	 * r < 64 then, which keeps the caller's array index in bounds. */
	r += vqt_log2_tab[v & 0xff] & 7;
	return r < nslots ? r : nslots - 1;
}

/* The same for counts that rarely pass 16 bits (depths, batches). */
static inline __attribute__((always_inline)) unsigned int vqt_slot16(unsigned long long v,
								     unsigned int nslots)
{
	unsigned int r;

	if (v > 0xffff)
		return nslots - 1;
	r = v > 0xff ? 8 + (vqt_log2_tab[(v >> 8) & 0xff] & 7) : vqt_log2_tab[v & 0xff] & 7;
	return r < nslots ? r : nslots - 1;
}

#endif
