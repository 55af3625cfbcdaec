// SPDX-License-Identifier: GPL-2.0
/* A crash's cause out of a guest console (lib/kcrash.c): an oops in a kernel
 * thread, in the form Debian sid 7.2's printed it in a CI run (the registers
 * after it were all that run's failure reason kept), a panic, a plain boot,
 * and the file-level excerpt that falls back to the console's last lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kcrash.h"
#include "test.h"

static const char oops[] =
	"[    0.000000] Linux version 7.2.13+deb14-cloud-amd64\r\n"
	"VQLAB-READY 1.95\r\n"
	"[913378.724101] BUG: kernel NULL pointer dereference, address: 0000000000000059\r\n"
	"[913378.724180] #PF: supervisor read access in kernel mode\r\n"
	"[913378.724201] #PF: error_code(0x0000) - not-present page\r\n"
	"[913378.724220] PGD 0 P4D 0 \r\n"
	"[913378.724240] Oops: Oops: 0000 [#1] SMP NOPTI\r\n"
	"[913378.724260] CPU: 0 UID: 0 PID: 144 Comm: kwatchdog Tainted: G            E       7.2.13+deb14-cloud-amd64 #1 PREEMPT(lazy)  Debian 7.2.13-1 \r\n"
	"[913378.724280] Tainted: [E]=UNSIGNED_MODULE\r\n"
	"[913378.724300] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS rel-1.16.3 04/01/2014\r\n"
	"[913378.724320] RIP: 0010:clocksource_select_fallback+0x1c/0x50\r\n"
	"[913378.724340] Code: 90 90 90 90 0f 1f 44 00 00 48 8b 05 00 00 00 00\r\n"
	"[913378.724366] RSP: 0018:ffffc9000048fe58 EFLAGS: 00010246\r\n"
	"[913378.724366] FS:  0000000000000000(0000) GS:ffff8880ba65b000(0000) knlGS:0000000000000000\r\n"
	"[913378.724366] CS:  0010 DS: 0000 ES: 0000 CR0: 0000000080050033\r\n"
	"[913378.724366] CR2: 0000000000000059 CR3: 000000000322a000 CR4: 00000000000006f0\r\n"
	"[913378.724366] note: kwatchdog[144] exited with irqs disabled\r\n";

static const char panic_text[] =
	"[    1.021000] Run /nonexistent as init process\n"
	"[    1.022000] Kernel panic - not syncing: Requested init /nonexistent failed (error -2).\n"
	"[    1.023000] CPU: 0 UID: 0 PID: 1 Comm: swapper/0 Not tainted 7.2.13 #1\n"
	"[    1.024000] Call Trace:\n";

static const char plain[] = "[    0.000000] Linux version 7.2.13\n"
			    "VQLAB-READY 1.95\n"
			    "a BUG: in a line that does not start with it\n"
			    "vqlab: job net-tx\n";

int main(void)
{
	char out[512], path[] = "/tmp/vqlab-kcrash-XXXXXX";
	FILE *f;
	int fd;

	CHECK(kcrash_find(oops, sizeof(oops) - 1, out, sizeof(out)));
	CHECK(!strcmp(out, "BUG: kernel NULL pointer dereference, address: 0000000000000059 "
			   "(task kwatchdog, RIP 0010:clocksource_select_fallback+0x1c/0x50)"));
	CHECK(kcrash_find(panic_text, sizeof(panic_text) - 1, out, sizeof(out)));
	CHECK(!strcmp(out, "Kernel panic - not syncing: Requested init /nonexistent failed "
			   "(error -2). (task swapper/0)"));
	CHECK(!kcrash_find(plain, sizeof(plain) - 1, out, sizeof(out)) && !*out);
	/* a console cut off after its headline */
	CHECK(kcrash_find(oops, strstr(oops, "#PF") - oops, out, sizeof(out)));
	CHECK(!strcmp(out, "BUG: kernel NULL pointer dereference, address: 0000000000000059"));
	/* a small buffer is cut, not overrun */
	CHECK(kcrash_find(oops, sizeof(oops) - 1, out, 16) && !strcmp(out, "BUG: kernel NUL"));

	/* the file: the crash when there is one, else the last lines */
	fd = mkstemp(path);
	CHECK(fd >= 0 && (f = fdopen(fd, "w")) != NULL);
	fputs(plain, f);
	fclose(f);
	console_excerpt(path, 2, out, sizeof(out));
	CHECK(!strcmp(out, "a BUG: in a line that does not start with it|vqlab: job net-tx"));
	f = fopen(path, "a");
	CHECK(f != NULL);
	fputs(oops, f);
	fclose(f);
	console_excerpt(path, 2, out, sizeof(out));
	CHECK(!strncmp(out, "BUG: kernel NULL pointer dereference", 36));
	unlink(path);
	console_excerpt(path, 2, out, sizeof(out));
	CHECK(!*out);
	TEST_DONE();
}
