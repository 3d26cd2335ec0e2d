#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec/agentrelay.h"
#include "util/err.h"

static int
fill_addr(struct sockaddr_un *sa, const char *path, struct err **errp)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return err_make(errp, ENAMETOOLONG, "socket path '%s'", path);
	strcpy(sa->sun_path, path);
	return 0;
}

/* copy each way until either side ends (the agent protocol is request
 * and reply); async-signal-safe calls only: the executor may have threads */
static void
pump(int a, int b)
{
	struct pollfd p[2] = { { a, POLLIN, 0 }, { b, POLLIN, 0 } };
	char buf[16384];

	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		for (int i = 0; i < 2; i++) {
			ssize_t n, off = 0;

			if (!p[i].revents)
				continue;
			n = read(p[i].fd, buf, sizeof(buf));
			if (n <= 0)
				return;
			while (off < n) {
				ssize_t w = write(p[1 - i].fd, buf + off, (size_t)(n - off));

				if (w < 0 && errno == EINTR)
					continue;
				if (w <= 0)
					return;
				off += w;
			}
		}
	}
}

/* connections relayed at once: more wait for one to end (each is a
 * process of the host's, outside the step's pid limit) */
enum { RELAY_MAX_CONNS = 16 };

static void __attribute__((noreturn))
relay(int lfd, const struct sockaddr_un *up)
{
	pid_t self = getpid();
	int nconn = 0;

	/* nothing of the executor's (the store's lock, the log, cache locks)
	 * stays open here, nor in the connections */
	if (dup2(lfd, 3) < 0)
		_exit(1);
	lfd = 3;
	close_range(4, ~0U, 0);
	for (;;) {
		int c, u;

		while (nconn > 0 && waitpid(-1, NULL, nconn >= RELAY_MAX_CONNS ? 0 : WNOHANG) > 0)
			nconn--;
		c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			_exit(1);
		}
		if (fork() == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != self)	/* the relay died first */
				_exit(0);
			close(lfd);
			u = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
			if (u >= 0 && connect(u, (const struct sockaddr *)up, sizeof(*up)) == 0)
				pump(c, u);
			_exit(0);
		}
		nconn++;
		close(c);
	}
}

int
agentrelay_start(const char *path, const char *upstream, uid_t uid, gid_t gid,
		 mode_t mode, pid_t *pid, struct err **errp)
{
	struct sockaddr_un sa, up;
	pid_t parent;
	int lfd;

	*pid = -1;
	if (fill_addr(&sa, path, errp) < 0 || fill_addr(&up, upstream, errp) < 0)
		return -1;
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		return err_make(errp, errno, "cannot make a socket");
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 16) < 0) {
		err_make(errp, errno, "cannot listen on '%s'", path);
		close(lfd);
		return -1;
	}
	if (lchown(path, uid, gid) < 0 || chmod(path, mode) < 0) {
		err_make(errp, errno, "cannot set the owner %ld:%ld and mode %04o of '%s'",
			 (long)uid, (long)gid, (unsigned)mode, path);
		close(lfd);
		return -1;
	}
	parent = getpid();
	*pid = fork();
	if (*pid < 0) {
		err_make(errp, errno, "cannot start the relay of '%s'", upstream);
		close(lfd);
		return -1;
	}
	if (*pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)	/* the executor died first */
			_exit(0);
		relay(lfd, &up);
	}
	close(lfd);
	return 0;
}

void
agentrelay_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}
