#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox/io.h"

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* write all of buf to fd, waiting when fd is non-blocking; 0 or an errno */
static int
write_all(int fd, const char *buf, size_t n)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	ssize_t w;

	while (n) {
		w = write(fd, buf, n);
		if (w < 0 && errno == EAGAIN) {
			poll(&pfd, 1, -1);
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/* copy one read's worth; returns what read returned */
static ssize_t
copy_once(int in, struct io_out *o)
{
	char buf[65536];
	ssize_t n;

	do
		n = read(in, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	for (int i = 0; i < 2 && n > 0; i++)
		if (o->fd[i] >= 0 && !o->errnum[i])
			o->errnum[i] = write_all(o->fd[i], buf, (size_t)n);
	return n;
}

/* forward what sigfd holds; returns whether anything was forwarded, and
 * in *is_chld whether SIGCHLD came */
static bool
forward(int sigfd, pid_t pid, const sigset_t *fwd, bool *is_chld)
{
	struct signalfd_siginfo si[8];
	bool any = false;
	ssize_t n;

	while ((n = read(sigfd, si, sizeof(si))) > 0) {
		for (size_t i = 0; i < (size_t)n / sizeof(si[0]); i++) {
			if (si[i].ssi_signo == SIGCHLD)
				*is_chld = true;
			if (!sigismember(fwd, (int)si[i].ssi_signo))
				continue;
			kill(pid, (int)si[i].ssi_signo);
			any = true;
		}
	}
	return any;
}

int
io_wait(pid_t pid, int pidfd, int sigfd, int out_r, const sigset_t *fwd,
	unsigned grace_ms, struct io_out *o, int *wstatus)
{
	long long deadline = -1;
	bool is_killed = false, is_chld;
	int timeout;
	pid_t w;

	for (;;) {
		struct pollfd pfd[4] = {
			{ .fd = pidfd, .events = POLLIN },
			{ .fd = sigfd, .events = POLLIN },
			{ .fd = out_r, .events = POLLIN },
			{ .fd = o->rep_r, .events = POLLIN },
		};

		timeout = -1;
		if (deadline >= 0 && !is_killed) {
			long long left = deadline - now_ms();

			timeout = left > 0 ? (int)left : 0;
		}
		if (poll(pfd, 4, timeout) < 0 && errno != EINTR)
			return -1;
		is_chld = false;
		if ((pfd[1].revents & POLLIN) && forward(sigfd, pid, fwd, &is_chld) &&
		    deadline < 0)
			deadline = now_ms() + grace_ms;
		if (pfd[2].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (copy_once(out_r, o) == 0)
				out_r = -1;
		}
		if (deadline >= 0 && !is_killed && now_ms() >= deadline) {
			/* the pid namespace dies with its init */
			kill(pid, SIGKILL);
			is_killed = true;
		}
		/* the command is done and nothing else runs: what the
		 * processes wrote is in the pipe, the init's exit (the
		 * unmounts) may go on meanwhile */
		if (pfd[3].revents) {
			int kind = report_take(o->rep_r, &o->err, &o->status);

			if (kind == REPORT_STATUS && o->status.is_settled) {
				o->is_settled = true;
				break;
			}
			/* EOF: the init has exited, the pidfd says so too */
			if (!kind)
				o->rep_r = -1;
		}
		/* without a pidfd, SIGCHLD comes through sigfd */
		if ((pfd[0].revents & POLLIN) || is_chld) {
			w = waitpid(pid, wstatus, pidfd >= 0 ? 0 : WNOHANG);
			if (w == pid)
				break;
			if (w < 0 && errno != EINTR)
				return -1;
		}
	}
	/*
	 * every process of the namespace is gone (with its init, or before
	 * its settled status), so what they wrote is in the pipe; stop at EAGAIN in case the pipe was handed to
	 * a process outside
	 */
	while (out_r >= 0 && copy_once(out_r, o) > 0)
		;
	return 0;
}
