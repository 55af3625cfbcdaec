// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "proc.h"

extern char **environ;

void proc_child_default_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGALRM, SIGPIPE };
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_DFL);
}

bool proc_pid_gone(long pid)
{
	return pid > 0 && kill(pid, 0) && errno == ESRCH;
}

int proc_run(const char *const argv[], char *out, size_t outlen)
{
	posix_spawn_file_actions_t fa;
	int pfd[2], status, err;
	size_t n = 0;
	char sink[512];
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 2);
	err = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (err) {
		close(pfd[0]);
		return -err;
	}
	for (;;) {
		char *dst = out && n + 1 < outlen ? out + n : sink;
		size_t room = out && n + 1 < outlen ? outlen - n - 1 : sizeof(sink);
		ssize_t r = read(pfd[0], dst, room);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (dst != sink)
			n += r;
	}
	close(pfd[0]);
	if (out && outlen) {
		out[n] = '\0';
		while (n && out[n - 1] == '\n')
			out[--n] = '\0';
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
