/* SPDX-License-Identifier: GPL-2.0 */
/* libvirt domain XML for one lab guest. */
#ifndef VQLAB_DOMAIN_H
#define VQLAB_DOMAIN_H
#include <stdbool.h>

struct domain_spec {
	const char *name;
	bool kvm; /* domain type kvm, else qemu (TCG) */
	unsigned int vcpus;
	unsigned int memory_mib;
	const char *kernel, *initrd, *cmdline;
	const char *console_log; /* ttyS0 */
	bool console_pty; /* ttyS0 on a PTY (virDomainOpenConsole),
					 * still logged to console_log */
	const char *report_log; /* ttyS1: the framed report channel */
	const char *tap; /* pre-created tap, managed='no' */
	/* With tap NULL: a vhost-user NIC; QEMU connects (client) to this
	 * socket, where testpmd listens; guest memory becomes a shared memfd. */
	const char *vhost_user_socket;
	const char *mac;
	bool packed, in_order;
	unsigned int rx_queue_size, tx_queue_size;
	const char *disk; /* raw image for a virtio-blk disk, or NULL */
	unsigned int blk_queue_size;
	const char *const *qemu_args; /* extra QEMU arguments, NULL-terminated */
	bool icount_clock; /* clock=icount: guest time = instructions (below) */
	const char *bios; /* firmware ROM (-bios), NULL: QEMU's SeaBIOS */
	const char *emulator; /* the QEMU binary, or NULL: libvirt's default */
};

/* Kernel arguments every lab guest boots with, and the hand-booted guests of
 * the tests too (`vqlab kernel args` prints them). nokaslr keeps the kernel's
 * addresses those of its kallsyms (vqicount, docs/icount.md). The rest each
 * cut guest instructions from the boot under TCG, measured in
 * docs/performance.md, or keep a loaded host out of the guest. The system
 * certificates are only there to check module signatures (the lab's modules
 * then load unverified, which taints the kernel with 'E'); cryptomgr's
 * self-tests, IPv6 (/init turns it off anyway) and the probing of serial ports
 * beyond ttyS0 (console) and ttyS1 (report) serve no lab guest.
 * no_timer_check skips the IO-APIC timer test, which counts ticks in host time
 * and fails under a loaded host ("MP-BIOS bug: 8254 timer not connected"); a
 * blk-randread guest that printed it never reached /init in 184 s.
 * tsc=reliable turns off the clocksource watchdog's check of the TSC. Under
 * TCG the guest's TSC is the host's (QEMU keeps it monotonic) and its
 * watchdog (HPET, ACPI PM timer) is a device read that waits for QEMU: on a
 * loaded host the watchdog sees an "excessive read-back delay" and marks the
 * TSC unstable. The guest then changes clocksource mid-sample (to the HPET,
 * whose every read goes through QEMU, changing the rates measured), and Debian
 * sid 7.2's kwatchdog thread oopsed doing so in CI (an icount sample hung,
 * CR2 0x59). Samples record the guest's clocksource (docs/results.md). */
#define DOMAIN_BOOT_ARGS                                                          \
	"nokaslr initcall_blacklist=load_system_certificate_list,init_encrypted " \
	"cryptomgr.notests ipv6.disable=1 8250.nr_uarts=2 no_timer_check tsc=reliable"

/* clock = icount (docs/clock.md): QEMU's -icount option, and the virtio-net
 * device on a tap set to send the guest's packets from a timer on the
 * virtual clock (libvirt's txmode, QEMU's tx=timer) and to take the guest's
 * kicks in the vCPU's own thread (ioeventfd off). Both ends of the TX ring
 * then move at instruction counts that the guest alone decides, so a rate in
 * guest time no longer depends on when QEMU's main loop got to the ring. */
#define DOMAIN_ICOUNT_OPTS "shift=0"
#define DOMAIN_ICOUNT_NET_TXMODE "timer"
#define DOMAIN_ICOUNT_NET_IOEVENTFD "off"

/* The alias through which <qemu:override> finds the NIC (libvirt wants "ua-"). */
#define DOMAIN_NET_ALIAS "ua-net0"
#define DOMAIN_DISK_ALIAS "ua-disk0"

/* QEMU's qboot ROM when VQLAB_BIOS=qboot and it is installed, else NULL
 * (SeaBIOS). Opt-in: measured under TCG it saves ~0.1 s of QEMU CPU time per
 * boot, within the noise of a loaded host (docs/performance.md). */
const char *domain_bios(void);

/* Returns a malloc'd XML document, or NULL + errno. Every value is escaped by
 * libxml2's writer. */
char *domain_xml(const struct domain_spec *s);

#endif
