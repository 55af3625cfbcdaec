/* SPDX-License-Identifier: GPL-2.0 */
/* A sample's QEMU at its end: watched through a pidfd, and libvirt's
 * bookkeeping of a guest that has already exited left to a thread. */
#ifndef VQLAB_REAP_H
#define VQLAB_REAP_H
#include <stdbool.h>
#include <libvirt/libvirt.h>

/* A pidfd of domain @name's QEMU (libvirt's pid file), or -errno. Readable
 * once QEMU has exited, reaped or not. */
int qemu_pidfd(const char *name);
/* Wait up to @timeout_s for the QEMU of @pidfd to exit: true if it has. */
bool qemu_exit_wait(int pidfd, double timeout_s);

/* libvirt's log of domain @name, appended to @dir/qemu.log (then removed). */
void qemu_log_keep(const char *name, const char *dir);

/* libvirt ends a domain only once its QEMU is reaped, which the host's init
 * may do seconds later (docs/performance.md); until then every call on the
 * domain waits. Once QEMU has exited, a thread waits instead: it destroys
 * and frees @dom, then keeps its qemu.log in @dir. One at a time: a second
 * start first waits for the first. 0, or -errno (nothing was started: the
 * caller still owns @dom). */
struct guest_reaper;
int guest_reap_start(struct guest_reaper **slot, virDomainPtr dom, const char *name,
		     const char *dir);
/* Wait for the thread of *@slot, if any, to end. */
void guest_reap_wait(struct guest_reaper **slot);

#endif
