// SPDX-License-Identifier: GPL-2.0
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include "bootimage.h"
#include "dirs.h"
#include "domain.h"
#include "kernel.h"
#include "textfile.h"

/* The setup header's fields we read (Documentation/arch/x86/boot.rst). */
#define BZ_SETUP_SECTS 0x1f1
#define BZ_HEADER 0x202 /* "HdrS" */
#define BZ_VERSION 0x206
#define BZ_PAYLOAD_OFFSET 0x248 /* protocol 2.08+ */
#define BZ_PAYLOAD_LENGTH 0x24c
#define BZ_MIN_VERSION 0x0208

/* The Xen ELF note the kernel's PVH entry point is announced by. */
#define XEN_ELFNOTE_PHYS32_ENTRY 18

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static const char *payload_format(const uint8_t *p, size_t len)
{
	static const struct {
		const char *name;
		const char *magic;
		size_t len;
	} formats[] = {
		{ "zstd", "\x28\xb5\x2f\xfd", 4 },
		{ "gzip", "\x1f\x8b", 2 },
		{ "xz",
		  "\xfd"
		  "7zXZ\0",
		  6 },
	};

	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (len >= formats[i].len && !memcmp(p, formats[i].magic, formats[i].len))
			return formats[i].name;
	return NULL;
}

int bzimage_payload(const uint8_t *img, size_t len, struct bzimage_payload *p, struct errbuf *e)
{
	size_t pm;
	unsigned int sects;

	memset(p, 0, sizeof(*p));
	if (len < BZ_PAYLOAD_LENGTH + 4 || memcmp(img + BZ_HEADER, "HdrS", 4))
		return err_set(e, -EINVAL, "not a bzImage (no HdrS setup header)");
	if ((img[BZ_VERSION] | img[BZ_VERSION + 1] << 8) < BZ_MIN_VERSION)
		return err_set(e, -EINVAL, "boot protocol %u.%02u names no payload (2.08+)",
			       img[BZ_VERSION + 1], img[BZ_VERSION]);
	sects = img[BZ_SETUP_SECTS] ? img[BZ_SETUP_SECTS] : 4;
	pm = (size_t)(sects + 1) * 512;
	p->offset = pm + le32(img + BZ_PAYLOAD_OFFSET);
	p->length = le32(img + BZ_PAYLOAD_LENGTH);
	if (p->length < 8 || p->offset > len || p->length > len - p->offset)
		return err_set(e, -EINVAL, "payload (%zu bytes at %zu) outside the %zu-byte image",
			       p->length, p->offset, len);
	/* the build appends the decompressed size (gzip's own trailer says it too) */
	p->out_len = le32(img + p->offset + p->length - 4);
	p->format = payload_format(img + p->offset, p->length);
	return 0;
}

static int inflate_gzip(const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen,
			struct errbuf *e)
{
	z_stream z = {
		.next_in = (Bytef *)in, .avail_in = inlen, .next_out = out, .avail_out = outlen
	};
	int rc;

	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return err_set(e, -ENOMEM, "gzip: inflateInit2 failed");
	rc = inflate(&z, Z_FINISH);
	inflateEnd(&z);
	if (rc != Z_STREAM_END || z.total_out != outlen)
		return err_set(e, -EINVAL, "gzip: %s (%lu of %zu bytes)",
			       z.msg ? z.msg : "truncated", z.total_out, outlen);
	return 0;
}

static int unxz(const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen, struct errbuf *e)
{
	uint64_t memlimit = UINT64_MAX;
	size_t in_pos = 0, out_pos = 0;
	lzma_ret rc = lzma_stream_buffer_decode(&memlimit, 0, NULL, in, &in_pos, inlen, out,
						&out_pos, outlen);

	if (rc != LZMA_OK || out_pos != outlen)
		return err_set(e, -EINVAL, "xz: error %d (%zu of %zu bytes)", rc, out_pos, outlen);
	return 0;
}

static int unzstd(const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen, struct errbuf *e)
{
	size_t n = ZSTD_decompress(out, outlen, in, inlen);

	if (ZSTD_isError(n) || n != outlen)
		return err_set(e, -EINVAL, "zstd: %s (%zu bytes)",
			       ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short output", outlen);
	return 0;
}

int bzimage_decompress(const uint8_t *img, const struct bzimage_payload *p, uint8_t **out,
		       struct errbuf *e)
{
	const uint8_t *in = img + p->offset;
	size_t inlen = p->length - 4; /* without the appended size */
	int ret;

	*out = NULL;
	if (!p->format)
		return err_set(e, -ENOTSUP, "payload compression not one of zstd, gzip, xz");
	*out = malloc(p->out_len ? p->out_len : 1);
	if (!*out)
		return err_set(e, -ENOMEM, "%u bytes for the kernel", p->out_len);
	if (!strcmp(p->format, "zstd"))
		ret = unzstd(in, inlen, *out, p->out_len, e);
	else if (!strcmp(p->format, "gzip"))
		ret = inflate_gzip(in, p->length, *out, p->out_len, e);
	else
		ret = unxz(in, inlen, *out, p->out_len, e);
	if (ret) {
		free(*out);
		*out = NULL;
	}
	return ret;
}

/* Walks one PT_NOTE segment's notes for the Xen PHYS32_ENTRY note. */
static int notes_have_pvh(const uint8_t *n, size_t len)
{
	size_t off = 0;

	while (len - off >= sizeof(Elf64_Nhdr)) {
		const Elf64_Nhdr *h = (const Elf64_Nhdr *)(n + off);
		size_t name = (h->n_namesz + 3) & ~3u, desc = (h->n_descsz + 3) & ~3u;

		off += sizeof(*h);
		if (name > len - off || desc > len - off - name)
			return 0;
		if (h->n_type == XEN_ELFNOTE_PHYS32_ENTRY && h->n_namesz == 4 &&
		    !memcmp(n + off, "Xen", 4))
			return 1;
		off += name + desc;
	}
	return 0;
}

int elf_has_pvh_entry(const uint8_t *elf, size_t len)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)elf;

	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_machine != EM_X86_64 ||
	    eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff > len ||
	    (size_t)eh->e_phnum * sizeof(Elf64_Phdr) > len - eh->e_phoff)
		return 0;
	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(elf + eh->e_phoff) + i;

		if (ph->p_type == PT_NOTE && ph->p_offset <= len &&
		    ph->p_filesz <= len - ph->p_offset &&
		    notes_have_pvh(elf + ph->p_offset, ph->p_filesz))
			return 1;
	}
	return 0;
}

/* @buf to @path through a temporary name, readable by libvirt's QEMU user. */
static int write_whole(const char *path, const uint8_t *buf, size_t len, struct errbuf *e)
{
	char tmp[4096];
	int fd, ret = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return err_set(e, -errno, "%s: %s", tmp, strerror(errno));
	for (size_t done = 0; done < len && !ret;) {
		ssize_t n = write(fd, buf + done, len - done);

		if (n < 0 && errno != EINTR)
			ret = err_set(e, -errno, "%s: %s", tmp, strerror(errno));
		else if (n > 0)
			done += n;
	}
	if (close(fd) && !ret)
		ret = err_set(e, -errno, "%s: %s", tmp, strerror(errno));
	if (!ret && rename(tmp, path))
		ret = err_set(e, -errno, "%s: %s", path, strerror(errno));
	if (ret)
		unlink(tmp);
	return ret;
}

int bootimage_elf(const char *vmlinuz, const char *out, char *format, bool *pvh, struct errbuf *e)
{
	struct bzimage_payload p;
	uint8_t *img, *elf = NULL;
	size_t len;
	int ret;

	strcpy(format, "-");
	*pvh = false;
	img = (uint8_t *)file_read_all(vmlinuz, &len);
	if (!img)
		return err_set(e, -errno ?: -EIO, "%s: %s", vmlinuz, strerror(errno ?: EIO));
	ret = bzimage_payload(img, len, &p, e);
	if (!ret && p.format)
		snprintf(format, 8, "%s", p.format);
	if (!ret)
		ret = bzimage_decompress(img, &p, &elf, e);
	if (!ret)
		*pvh = elf_has_pvh_entry(elf, p.out_len);
	if (!ret)
		ret = write_whole(out, elf, p.out_len, e);
	if (ret == -EINVAL)
		ret = -ENOTSUP; /* not a bzImage we can read */
	free(elf);
	free(img);
	return ret;
}

int bootimage_extract(const char *vmlinuz, const char *out, char *format, struct errbuf *e)
{
	bool pvh;
	int ret = bootimage_elf(vmlinuz, out, format, &pvh, e);

	if (ret || pvh)
		return ret;
	unlink(out);
	return err_set(e, -ENOTSUP, "the kernel has no PVH entry (CONFIG_PVH)");
}

/* ---- the image a run's guests boot ---- */

/* "pvh" unless VQLAB_BOOT=bzimage asks for the kernel's own decompressor. */
static int kernel_boot_pvh_wanted(void)
{
	const char *want = getenv("VQLAB_BOOT");

	return !want || strcmp(want, "bzimage");
}

static void kernel_boot_record(struct kernel *k, const char *protocol, const char *format,
			       const char *reason)
{
	const char *bios = domain_bios();

	json_object_set_new(k->info, "boot",
			    json_pack("{s:s, s:s, s:s, s:s, s:s*}", "protocol", protocol, "image",
				      k->boot, "compression", format, "firmware",
				      bios ? bios : "seabios", "reason", reason));
}

int bootimage_prepare(const struct lab_paths *p, struct kernel *k, const char *run_id, int idx,
		      struct errbuf *e)
{
	char vmlinuz[PATH_MAX + 16], format[8] = "-";
	struct errbuf why = { "" };
	int ret;

	snprintf(vmlinuz, sizeof(vmlinuz), "%s/vmlinuz", k->dir);
	snprintf(k->boot, sizeof(k->boot), "%s", vmlinuz);
	k->vmlinux[0] = '\0';
	if (!kernel_boot_pvh_wanted()) {
		kernel_boot_record(k, "bzimage", format, "VQLAB_BOOT=bzimage");
		return 0;
	}
	/* beside the run's initramfs, where libvirt's QEMU user may read it */
	snprintf(k->vmlinux, sizeof(k->vmlinux), "%s/initramfs", p->cache);
	mkdir_p(k->vmlinux, 0755);
	snprintf(k->vmlinux, sizeof(k->vmlinux), "%s/initramfs/%s-k%d.vmlinux", p->cache, run_id,
		 idx);
	ret = bootimage_extract(vmlinuz, k->vmlinux, format, &why);
	if (ret == -ENOTSUP) {
		k->vmlinux[0] = '\0';
		kernel_boot_record(k, "bzimage", format, why.msg);
		return 0;
	}
	if (ret) {
		k->vmlinux[0] = '\0';
		return err_set(e, ret, "kernel %s: %s", k->spec, why.msg);
	}
	snprintf(k->boot, sizeof(k->boot), "%s", k->vmlinux);
	kernel_boot_record(k, "pvh", format, NULL);
	return 0;
}
