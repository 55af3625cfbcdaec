// SPDX-License-Identifier: GPL-2.0
/* The boot image: a bzImage's payload is found from its setup header,
 * decompressed whatever the kernel's build chose (zstd, gzip, xz), and
 * booted through PVH only when the ELF inside has the PVH entry note; any
 * other kernel is booted as it is (-ENOTSUP), never refused. The real Debian
 * kernels are checked by tests/integration/smoke.sh (run.json's boot). */
#include <elf.h>
#include <errno.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include "bootimage.h"
#include "test.h"

/* A small x86-64 ELF with one PT_NOTE segment holding a Xen note of @type. */
static size_t make_elf(uint8_t *buf, size_t cap, unsigned int type)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	Elf64_Phdr *ph = (Elf64_Phdr *)(buf + sizeof(*eh));
	uint8_t *note = buf + sizeof(*eh) + sizeof(*ph);
	Elf64_Nhdr nh = { .n_namesz = 4, .n_descsz = 8, .n_type = type };
	size_t nlen = sizeof(nh) + 4 + 8;

	memset(buf, 0, cap);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_machine = EM_X86_64;
	eh->e_phoff = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 1;
	ph->p_type = PT_NOTE;
	ph->p_offset = note - buf;
	ph->p_filesz = nlen;
	memcpy(note, &nh, sizeof(nh));
	memcpy(note + sizeof(nh), "Xen", 4);
	/* filler after the note, so that compression has something to do */
	for (size_t i = note - buf + nlen; i < cap; i++)
		buf[i] = (uint8_t)(i * 7 / 13);
	return cap;
}

static size_t compress_as(const char *fmt, const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	if (!strcmp(fmt, "zstd"))
		return ZSTD_compress(out, cap, in, len, 3);
	if (!strcmp(fmt, "xz")) {
		size_t pos = 0;

		return lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, in, len, out, &pos,
					       cap) == LZMA_OK ?
			       pos :
			       0;
	}
	z_stream z = { .next_in = (Bytef *)in, .avail_in = len, .next_out = out, .avail_out = cap };

	deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
	deflate(&z, Z_FINISH);
	deflateEnd(&z);
	return z.total_out;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v, p[1] = v >> 8, p[2] = v >> 16, p[3] = v >> 24;
}

/* A bzImage: 2 setup sectors, then 0x80 bytes of "decompressor", then the
 * payload with the decompressed size appended, as the kernel's build does. */
static size_t make_bzimage(uint8_t *img, size_t cap, const uint8_t *pay, size_t plen,
			   uint32_t out_len)
{
	size_t pm = 3 * 512, off = 0x80;

	memset(img, 0, cap);
	img[0x1f1] = 2;
	memcpy(img + 0x202, "HdrS", 4);
	img[0x206] = 0x0f, img[0x207] = 0x02; /* protocol 2.15 */
	put32(img + 0x248, off);
	put32(img + 0x24c, plen + 4);
	memcpy(img + pm + off, pay, plen);
	put32(img + pm + off + plen, out_len);
	return pm + off + plen + 4 + 64; /* trailing bytes after the payload */
}

static void check_format(const char *fmt, const uint8_t *elf, size_t elen)
{
	static uint8_t pay[1 << 16], img[1 << 17];
	struct bzimage_payload p;
	struct errbuf e;
	uint8_t *out;
	size_t plen = compress_as(fmt, elf, elen, pay, sizeof(pay));
	size_t ilen = make_bzimage(img, sizeof(img), pay, plen, elen);

	CHECK(plen > 0 && plen < elen);
	CHECK(bzimage_payload(img, ilen, &p, &e) == 0);
	CHECK(p.format && !strcmp(p.format, fmt));
	CHECK(p.out_len == elen && p.offset == 3 * 512 + 0x80 && p.length == plen + 4);
	CHECK(bzimage_decompress(img, &p, &out, &e) == 0);
	CHECK(out && !memcmp(out, elf, elen));
	free(out);
	/* a corrupt stream is an error with the decompressor's reason */
	img[p.offset + plen / 2] ^= 0xff;
	img[p.offset + plen / 2 + 1] ^= 0x55;
	CHECK(bzimage_decompress(img, &p, &out, &e) < 0 && out == NULL);
	CHECK(strstr(e.msg, fmt) == e.msg);
}

/* @path: a zstd bzImage of an ELF whose Xen note is @note_type, in @img. */
static size_t write_kernel(const char *path, unsigned int note_type, uint8_t *img, size_t cap)
{
	static uint8_t elf[8192], pay[1 << 14];
	size_t plen, ilen;
	FILE *f;

	make_elf(elf, sizeof(elf), note_type);
	plen = compress_as("zstd", elf, sizeof(elf), pay, sizeof(pay));
	ilen = make_bzimage(img, cap, pay, plen, sizeof(elf));
	f = fopen(path, "w");
	fwrite(img, 1, ilen, f);
	fclose(f);
	return ilen;
}

static void check_extract(void)
{
	static uint8_t img[1 << 15];
	char dir[] = "/tmp/vqlab-bootimage-XXXXXX", in[64], out[64], fmt[8];
	struct errbuf e;
	size_t ilen;
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(in, sizeof(in), "%s/vmlinuz", dir);
	snprintf(out, sizeof(out), "%s/vmlinux", dir);

	/* a kernel with PVH: the ELF comes out whole */
	write_kernel(in, 18, img, sizeof(img));
	CHECK(bootimage_extract(in, out, fmt, &e) == 0 && !strcmp(fmt, "zstd"));
	CHECK(access(out, R_OK) == 0);

	/* without the PVH note: boot the bzImage, say why */
	unlink(out);
	ilen = write_kernel(in, 17, img, sizeof(img));
	CHECK(bootimage_extract(in, out, fmt, &e) == -ENOTSUP && strstr(e.msg, "PVH"));
	CHECK(access(out, F_OK) != 0);

	/* an lz4 kernel (magic 02 21 4c 18): not readable here, booted as it is */
	img[3 * 512 + 0x80] = 0x02, img[3 * 512 + 0x81] = 0x21;
	img[3 * 512 + 0x82] = 0x4c, img[3 * 512 + 0x83] = 0x18;
	f = fopen(in, "w");
	fwrite(img, 1, ilen, f);
	fclose(f);
	CHECK(bootimage_extract(in, out, fmt, &e) == -ENOTSUP && strstr(e.msg, "compression"));
	CHECK(!strcmp(fmt, "-"));

	/* a missing file is an error, not a fallback */
	CHECK(bootimage_extract("/nonexistent/vmlinuz", out, fmt, &e) == -ENOENT);
	unlink(in);
	rmdir(dir);
}

int main(void)
{
	static uint8_t elf[32768], img[4096];
	struct bzimage_payload p;
	struct errbuf e;

	make_elf(elf, sizeof(elf), 18);
	CHECK(elf_has_pvh_entry(elf, sizeof(elf)));
	make_elf(elf, sizeof(elf), 17); /* another Xen note: no PVH */
	CHECK(!elf_has_pvh_entry(elf, sizeof(elf)));
	elf[EI_CLASS] = ELFCLASS32;
	CHECK(!elf_has_pvh_entry(elf, sizeof(elf)));
	CHECK(!elf_has_pvh_entry(elf, 16)); /* shorter than a header */
	make_elf(elf, sizeof(elf), 18);
	((Elf64_Phdr *)(elf + sizeof(Elf64_Ehdr)))->p_filesz = 1u << 30; /* note past the end */
	CHECK(!elf_has_pvh_entry(elf, sizeof(elf)));

	make_elf(elf, sizeof(elf), 18);
	check_format("zstd", elf, sizeof(elf));
	check_format("gzip", elf, sizeof(elf));
	check_format("xz", elf, sizeof(elf));

	/* not a bzImage; a protocol that names no payload; a payload past the end */
	memset(img, 0, sizeof(img));
	CHECK(bzimage_payload(img, sizeof(img), &p, &e) == -EINVAL && strstr(e.msg, "HdrS"));
	memcpy(img + 0x202, "HdrS", 4);
	img[0x206] = 0x07, img[0x207] = 0x02;
	CHECK(bzimage_payload(img, sizeof(img), &p, &e) == -EINVAL && strstr(e.msg, "2.07"));
	img[0x206] = 0x0f;
	put32(img + 0x248, 0);
	put32(img + 0x24c, 1u << 20);
	CHECK(bzimage_payload(img, sizeof(img), &p, &e) == -EINVAL && strstr(e.msg, "outside"));

	check_extract();
	TEST_DONE();
}
