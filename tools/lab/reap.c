// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "clock.h"
#include "phase.h"
#include "reap.h"
#include "textfile.h"

int qemu_pidfd(const char *name)
{
	char path[PATH_MAX], *text;
	size_t len;
	long pid = 0;
	int fd;

	snprintf(path, sizeof(path), "/run/libvirt/qemu/%s.pid", name);
	text = file_read_all(path, &len);
	if (!text)
		return -errno;
	if (sscanf(text, "%ld", &pid) != 1 || pid <= 0)
		pid = 0;
	free(text);
	if (!pid)
		return -EINVAL;
	fd = syscall(SYS_pidfd_open, (pid_t)pid, 0);
	return fd < 0 ? -errno : fd;
}

bool qemu_exit_wait(int pidfd, double timeout_s)
{
	double until = now_s() + timeout_s;
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	if (pidfd < 0)
		return false;
	for (;;) {
		double left = until - now_s();
		int n = poll(&p, 1, left > 0 ? (int)(left * 1000) : 0);

		if (n > 0)
			return true;
		if (n == 0 || errno != EINTR)
			return false;
	}
}

void qemu_log_keep(const char *name, const char *dir)
{
	char src[PATH_MAX], dst[PATH_MAX + 16];
	size_t len;
	char *buf;

	snprintf(src, sizeof(src), "/var/log/libvirt/qemu/%s.log", name);
	snprintf(dst, sizeof(dst), "%s/qemu.log", dir);
	buf = file_read_all(src, &len);
	if (buf) { /* append: called again after libvirt logs the shutdown */
		FILE *f = fopen(dst, "ae");

		if (f) {
			fwrite(buf, 1, len, f);
			fclose(f);
		}
		free(buf);
		unlink(src);
	}
}

struct guest_reaper {
	pthread_t th;
	virDomainPtr dom;
	char name[128], dir[PATH_MAX];
};

/* How long libvirt may take to end a domain whose QEMU has exited before
 * the thread asks it to, and how often the thread looks. */
#define REAP_WAIT_S 15
#define REAP_LOOK_S 0.02

/* libvirt removes the domain's pid file when it has ended it. Looking at
 * the file, not asking libvirt: a call on the domain waits for its end,
 * and holds up the next guest's start meanwhile (docs/performance.md). */
static bool libvirt_ended(const char *name)
{
	char path[PATH_MAX];
	double until = now_s() + REAP_WAIT_S;

	snprintf(path, sizeof(path), "/run/libvirt/qemu/%s.pid", name);
	while (!access(path, F_OK)) {
		if (now_s() > until)
			return false;
		sleep_s(REAP_LOOK_S);
	}
	return true;
}

static void *reap_main(void *arg)
{
	struct guest_reaper *rp = arg;

	if (!libvirt_ended(rp->name) && virDomainIsActive(rp->dom) == 1)
		virDomainDestroy(rp->dom);
	virDomainFree(rp->dom);
	phase_mark("reaper: libvirt ended the domain");
	qemu_log_keep(rp->name, rp->dir);
	return NULL;
}

int guest_reap_start(struct guest_reaper **slot, virDomainPtr dom, const char *name,
		     const char *dir)
{
	struct guest_reaper *rp;
	sigset_t all, old;
	int err;

	guest_reap_wait(slot);
	rp = calloc(1, sizeof(*rp));
	if (!rp)
		return -ENOMEM;
	rp->dom = dom;
	snprintf(rp->name, sizeof(rp->name), "%s", name);
	snprintf(rp->dir, sizeof(rp->dir), "%s", dir);
	/* signals stay with the main thread, whose waits they must cut short */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&rp->th, NULL, reap_main, rp);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		free(rp);
		return -err;
	}
	*slot = rp;
	return 0;
}

void guest_reap_wait(struct guest_reaper **slot)
{
	if (!*slot)
		return;
	pthread_join((*slot)->th, NULL);
	free(*slot);
	*slot = NULL;
}
