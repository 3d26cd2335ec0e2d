#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec/buildlock.h"
#include "exec/livestat.h"
#include "exec/stepserver.h"
#include "run/procinfo.h"
#include "run/proto.h"
#include "util/alloc.h"

extern char **environ;

/* workers waiting in accept() */
#define SPARES 2
/* a server with no step for this long ends (a build that is not a ninja
 * or make, e.g. `ninja -t commands | sh`, may live for hours) */
#define IDLE_MS (60 * 1000)
/* workers that die without a request before the server gives up */
#define DEATHS_MAX 16

struct server {
	int dirfd;		/* DIR */
	const char *key;
	char *lock;		/* KEY.lock */
	int lockfd;		/* DIR/KEY.lock, flocked while it serves */
	int lfd;		/* the listening socket, DIR/KEY */
	int took[2];		/* a worker writes its pid there on a request */
	int pidfd;		/* the build */
	int sigfd;
	pid_t spares[SPARES];
	size_t nspares;
	uint64_t envhash;
	stepserver_entry_fn *entry;
};

/* the worker's connection, and whether the step's status went on it */
static int worker_fd = -1;
static pid_t worker_pid;

/* "pid.start-time" -> pid, when that process still runs with that start */
static int
open_build(const char *key, struct err **errp)
{
	unsigned long long start;
	char *end, *p;
	long pid;
	int pidfd;

	errno = 0;
	pid = strtol(key, &end, 10);
	if (errno || pid <= 1 || *end != '.' || !end[1])
		return err_make(errp, 0, "bad build key '%s'", key);
	start = strtoull(end + 1, &p, 10);
	if (errno || *p)
		return err_make(errp, 0, "bad build key '%s'", key);
	pidfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
	if (pidfd < 0)
		return err_make(errp, errno, "the build %ld", pid);
	/* the start time, read after the pidfd: the same process */
	if (proc_stat_field((pid_t)pid, 22) != start) {
		close(pidfd);
		return err_make(errp, 0, "the build %ld is gone", pid);
	}
	return pidfd;
}

/* the sockets and locks of servers that died with their build (a
 * server killed leaves its files; the next build's server removes them) */
static void
sweep(int dirfd)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *e;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		char key[64];
		int pidfd;

		if (n <= 5 || n - 5 >= sizeof(key) || strcmp(e->d_name + n - 5, ".lock") != 0)
			continue;
		memcpy(key, e->d_name, n - 5);
		key[n - 5] = '\0';
		pidfd = open_build(key, NULL);
		if (pidfd >= 0) {
			close(pidfd);
			continue;
		}
		unlinkat(dirfd, key, 0);
		unlinkat(dirfd, e->d_name, 0);
	}
	closedir(d);
}

static int
listen_on(struct server *s, struct err **errp)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	s->lockfd = openat(s->dirfd, s->lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (s->lockfd < 0)
		return err_make(errp, errno, "opening '%s'", s->lock);
	if (flock(s->lockfd, LOCK_EX | LOCK_NB) < 0)
		return errno == EWOULDBLOCK ? 1 : err_make(errp, errno, "locking '%s'", s->lock);
	/* a server of this build that died left it */
	if (unlinkat(s->dirfd, s->key, 0) < 0 && errno != ENOENT)
		return err_make(errp, errno, "removing the old socket '%s'", s->key);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", s->dirfd, s->key);
	s->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(s->lfd, 128) < 0)
		return err_make(errp, errno, "listening on '%s'", s->key);
	return 0;
}

static void
reply(int fd, enum run_msg_type type, int value)
{
	struct run_msg m = { type, value };

	send(fd, &m, sizeof(m), MSG_NOSIGNAL);
}

/* at the worker's exit, the status to its client, the output first */
static void
send_status(int status, void *arg)
{
	(void)arg;
	if (getpid() != worker_pid || worker_fd < 0)
		return;
	fflush(NULL);
	buildlock_client_done();
	reply(worker_fd, RUN_STATUS, status & 0xff);
}

bool
stepserver_done_early(void)
{
	sigset_t stop;
	int null;

	if (getpid() != worker_pid || worker_fd < 0)
		return false;
	fflush(NULL);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0)
		return false;
	if (dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0) {
		close(null);
		return false;
	}
	close(null);
	/* the step is done: the build's end (or a signal) no longer stops
	 * this process before it has reaped the sandbox */
	sigfillset(&stop);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	send_status(0, NULL);
	/* nothing more at the exit; the connection stays open until then,
	 * as the build lock's watcher polls it */
	worker_fd = -1;
	return true;
}

/* the same file as this running binary: a client asking for another
 * df2ninja (another version, or this one rebuilt since) runs it itself */
static bool
is_this_program(const char *path)
{
	struct stat a, b;

	return path[0] == '/' && stat(path, &a) == 0 && stat("/proc/self/exe", &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* argv from the request's strings, NULL unless they are argc of them */
static char **
request_argv(char *strings, size_t len, uint32_t argc)
{
	char **argv;
	size_t at = 0;

	if (argc < 3 || argc > RUN_ARGC_MAX || len == 0 || strings[len - 1] != '\0')
		return NULL;
	argv = xcalloc(argc + 1, sizeof(*argv));
	for (uint32_t i = 0; i < argc; i++) {
		if (at >= len) {
			free(argv);
			return NULL;
		}
		argv[i] = strings + at;
		at += strlen(strings + at) + 1;
	}
	if (at != len) {
		free(argv);
		return NULL;
	}
	return argv;
}

/* the fds passed with msg, when there are exactly n */
static bool
take_fds(struct msghdr *msg, int *fds, int n)
{
	struct cmsghdr *c = CMSG_FIRSTHDR(msg);
	int sent = 0, got = 0;

	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
		sent = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		/* fds holds RUN_NFDS + 1 */
		got = sent < RUN_NFDS + 1 ? sent : RUN_NFDS + 1;
		memcpy(fds, CMSG_DATA(c), sizeof(int) * (size_t)got);
	}
	if (sent == n && !(msg->msg_flags & MSG_CTRUNC))
		return true;
	for (int i = 0; i < got; i++)
		close(fds[i]);
	return false;
}

/*
 * the client's nice value and rlimits, which its step would have had
 * running itself (a make recipe may set them); false when one cannot be
 * taken (a hard limit above this process's), and the client then runs
 * the step itself
 */
static bool
take_limits(const struct run_req *req)
{
	errno = 0;
	if (getpriority(PRIO_PROCESS, 0) != req->nice &&
	    (errno || setpriority(PRIO_PROCESS, 0, req->nice) < 0))
		return false;
	for (int i = 0; i < RUN_NLIMITS; i++) {
		struct rlimit rl, want = { (rlim_t)req->limits[i].cur,
					   (rlim_t)req->limits[i].max };

		if (getrlimit(i, &rl) < 0)
			return false;
		if ((rl.rlim_cur != want.rlim_cur || rl.rlim_max != want.rlim_max) &&
		    setrlimit(i, &want) < 0)
			return false;
	}
	return true;
}

/* a worker with its request: run it, or decline it */
static void
serve_one(struct server *s, int c)
{
	static char buf[RUN_REQ_MAX];
	union {
		char buf[CMSG_SPACE(sizeof(int) * (RUN_NFDS + 1))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct run_req req;
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	int fds[RUN_NFDS + 1] = { -1, -1, -1, -1, -1 };
	char **argv;
	ssize_t n;

	do
		n = recvmsg(c, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < (ssize_t)sizeof(req))
		_exit(0);
	memcpy(&req, buf, sizeof(req));
	if (req.magic != RUN_MAGIC || req.version != RUN_VERSION ||
	    !take_fds(&msg, fds, RUN_NFDS + (req.has_tty ? 1 : 0)))
		goto decline;
	argv = request_argv(buf + sizeof(req), (size_t)n - sizeof(req), req.argc);
	if (!argv || getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0 ||
	    cred.uid != getuid() || cred.gid != getgid() || req.envhash != s->envhash ||
	    strcmp(argv[1], "exec") != 0 || strcmp(argv[2], "step") != 0 ||
	    !is_this_program(argv[0]))
		goto decline;
	if (!take_limits(&req) || dup2(fds[0], 0) < 0 || dup2(fds[1], 1) < 0 ||
	    dup2(fds[2], 2) < 0 || fchdir(fds[3]) < 0)
		goto decline;
	for (int i = 0; i < 4; i++)
		close(fds[i]);
	livestat_use_tty(req.has_tty ? fds[4] : -1);
	umask((mode_t)req.umask & 0777);
	worker_fd = c;
	worker_pid = getpid();
	buildlock_serve_client(c, (pid_t)req.ppid);
	if (on_exit(send_status, NULL) != 0)
		_exit(1);
	reply(c, RUN_ACCEPT, 0);
	/* argv[0] is the program: entry sees `exec step ...`, as main
	 * hands a command its words */
	exit(s->entry((int)req.argc - 1, argv + 1));
decline:
	reply(c, RUN_REFUSE, 0);
	_exit(0);
}

/* a worker: wait for a request, say so to the server, serve it */
static void
worker(struct server *s, pid_t server)
{
	sigset_t none;
	pid_t self = getpid();
	int c;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* idle, it goes with the server; busy, its step goes on */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != server)
		_exit(0);
	close(s->took[0]);
	close(s->pidfd);
	close(s->sigfd);
	close(s->lockfd);
	do
		c = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);
	while (c < 0 && (errno == EINTR || errno == ECONNABORTED));
	if (c < 0)
		_exit(0);	/* shut down: the server ends */
	prctl(PR_SET_PDEATHSIG, 0);
	if (write(s->took[1], &self, sizeof(self)) != (ssize_t)sizeof(self))
		_exit(0);
	close(s->took[1]);
	close(s->lfd);
	close(s->dirfd);
	serve_one(s, c);
}

static int
add_spare(struct server *s)
{
	pid_t self = getpid(), pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0)
		worker(s, self);
	s->spares[s->nspares++] = pid;
	return 0;
}

static void
drop_spare(struct server *s, pid_t pid)
{
	for (size_t i = 0; i < s->nspares; i++)
		if (s->spares[i] == pid) {
			s->spares[i] = s->spares[--s->nspares];
			return;
		}
}

/* reap the workers done; true when one died waiting for a request */
static bool
reap(struct server *s)
{
	bool died = false;
	pid_t pid;

	while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
		for (size_t i = 0; i < s->nspares; i++)
			if (s->spares[i] == pid) {
				drop_spare(s, pid);
				died = true;
				break;
			}
	return died;
}

static int
serve_loop(struct server *s)
{
	struct pollfd p[3] = {
		{ .fd = s->pidfd, .events = POLLIN },
		{ .fd = s->took[0], .events = POLLIN },
		{ .fd = s->sigfd, .events = POLLIN },
	};
	int deaths = 0;

	for (;;) {
		int r;

		while (s->nspares < SPARES)
			if (add_spare(s) < 0)
				return 0;
		r = poll(p, 3, IDLE_MS);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || p[0].revents)
			return 0;
		if (p[1].revents) {
			pid_t pid;

			if (read(s->took[0], &pid, sizeof(pid)) == (ssize_t)sizeof(pid))
				drop_spare(s, pid);
		}
		if (p[2].revents) {
			struct signalfd_siginfo si;

			if (read(s->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si) &&
			    si.ssi_signo != SIGCHLD)
				return 0;
			if (reap(s) && ++deaths > DEATHS_MAX)
				return 0;
		}
	}
}

int
stepserver_serve(const char *dir, const char *key, stepserver_entry_fn *entry,
		 struct err **errp)
{
	autofree char *lock = xasprintf("%s.lock", key);
	struct server s = { .key = key, .lock = lock, .lockfd = -1, .lfd = -1,
			    .took = { -1, -1 }, .pidfd = -1, .sigfd = -1, .entry = entry };
	sigset_t sigs;
	int r = -1;

	if (strchr(key, '/') || key[0] == '.')
		return err_make(errp, 0, "bad build key '%s'", key);
	s.pidfd = open_build(key, errp);
	if (s.pidfd < 0)
		return -1;
	s.dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (s.dirfd < 0) {
		err_make(errp, errno, "opening '%s'", dir);
		goto out;
	}
	sweep(s.dirfd);
	r = listen_on(&s, errp);
	if (r != 0) {
		r = r > 0 ? 0 : -1;	/* another server has it */
		goto out;
	}
	r = -1;
	s.envhash = run_env_hash(environ);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGCHLD);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	s.sigfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	if (s.sigfd < 0 || pipe2(s.took, O_CLOEXEC) < 0) {
		err_make(errp, errno, "step server");
		goto out;
	}
	r = serve_loop(&s);
	/* the socket goes first: a new client then runs its step itself */
	unlinkat(s.dirfd, key, 0);
	unlinkat(s.dirfd, lock, 0);
	/* wakes the workers still in accept(), which end; a request
	 * waiting unaccepted is refused, and its client runs it */
	shutdown(s.lfd, SHUT_RDWR);
out:
	if (s.lfd >= 0)
		close(s.lfd);
	if (s.lockfd >= 0)
		close(s.lockfd);
	if (s.dirfd >= 0)
		close(s.dirfd);
	if (s.pidfd >= 0)
		close(s.pidfd);
	return r;
}
