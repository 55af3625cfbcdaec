/* SPDX-License-Identifier: GPL-2.0 */
/* The image a lab guest boots: the kernel's own ELF (vmlinux), taken out of
 * its bzImage once per run and entered through PVH, so that the guest does
 * not decompress itself under TCG (docs/performance.md: ~1.5-2 s a boot). */
#ifndef VQLAB_BOOTIMAGE_H
#define VQLAB_BOOTIMAGE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "msg.h"

struct kernel;
struct lab_paths;

/* Where a bzImage keeps its compressed kernel (Documentation/arch/x86/boot.rst). */
struct bzimage_payload {
	size_t offset, length; /* in the file; length includes the 4-byte size */
	uint32_t out_len; /* the decompressed size the kernel's build appended */
	const char *format; /* "zstd", "gzip", "xz", or NULL: one we cannot read */
};

/* Finds the payload of the bzImage @img (@len bytes). 0, or -EINVAL with
 * what is wrong in @e (not a bzImage, boot protocol before 2.08, payload
 * outside the file). An unknown compression is not an error: format NULL. */
int bzimage_payload(const uint8_t *img, size_t len, struct bzimage_payload *p, struct errbuf *e);

/* Decompresses @p's payload of @img into a malloc'ed buffer of p->out_len
 * bytes (*@out). 0, or -errno with the decompressor's complaint in @e. */
int bzimage_decompress(const uint8_t *img, const struct bzimage_payload *p, uint8_t **out,
		       struct errbuf *e);

/* True if @elf (@len bytes) is a 64-bit x86 ELF with a PVH entry point (the
 * Xen note PHYS32_ENTRY), which QEMU's -kernel boots directly. */
int elf_has_pvh_entry(const uint8_t *elf, size_t len);

/* Writes the kernel's ELF inside the bzImage @vmlinuz to @out, names its
 * compression in @format (at least 8 bytes) and says whether it has a PVH
 * entry (@pvh). 0; -ENOTSUP when it is not a bzImage this reads; or -errno,
 * with the reason in @e. */
int bootimage_elf(const char *vmlinuz, const char *out, char *format, bool *pvh, struct errbuf *e);

/* Writes the PVH-bootable vmlinux inside the bzImage @vmlinuz to @out and
 * names its compression in @format (at least 8 bytes). 0; -ENOTSUP when the
 * kernel cannot be booted that way (compression we cannot read, no PVH
 * entry: the caller boots @vmlinuz); or -errno, all with the reason in @e. */
int bootimage_extract(const char *vmlinuz, const char *out, char *format, struct errbuf *e);

/* Choose what @k's guests boot (k->boot) for run @run_id: the vmlinux inside
 * its vmlinuz, entered through PVH (bootimage.h), or the vmlinuz itself when
 * that cannot be (recorded with the reason in k->info's "boot") or when
 * VQLAB_BOOT=bzimage. 0, or -errno with a one-line message in @e. */
int bootimage_prepare(const struct lab_paths *p, struct kernel *k, const char *run_id, int idx,
		      struct errbuf *e);

#endif
