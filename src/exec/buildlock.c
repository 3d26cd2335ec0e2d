#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "exec/buildlock.h"
#include "run/procinfo.h"
#include "run/proto.h"
#include "util/alloc.h"
#include "util/notify.h"

/*
 * Two files in the build dir:
 * - lock.active: every exec running holds a shared flock on it, so an
 *   exclusive one succeeds only when no step runs;
 * - lock: its flock guards the hand-over for a moment, and it holds the
 *   owner, the build whose execs may run now: "pid start-time", the
 *   start time telling a reused pid apart.
 * A build killed with its steps leaves nothing to clean: flocks go with
 * the processes, and an owner with no exec running is free to replace.
 */

/* "pid start-time", padded: a line of this many bytes, newline included */
#define OWNER_WIDTH 40

/* a step server's worker runs the step for a client: that client's
 * parent and its connection (the worker's own parent is the server) */
static pid_t client_parent;
static int client_fd = -1;
static atomic_bool client_done;

void
buildlock_serve_client(int fd, pid_t parent)
{
	client_fd = fd;
	client_parent = parent;
}

void
buildlock_client_done(void)
{
	atomic_store(&client_done, true);
}

pid_t
buildlock_parent(void)
{
	return client_fd >= 0 ? client_parent : getppid();
}

/*
 * the build this exec belongs to: its parent (a worker's: its client's),
 * or that shell's parent when the parent is the `sh -c` that ninja or
 * make started it with (dash does not always exec the command)
 */
static pid_t
build_pid(void)
{
	/* once: the lock and the watch on the build both need it */
	static pid_t pid;

	if (pid == 0)
		pid = proc_build_pid(buildlock_parent());
	return pid;
}

/*
 * padded to one width, so that a new owner overwrites the old in place:
 * truncating a file makes ext4 write it out at its close (auto_da_alloc),
 * a disk write on every step's start
 */
static void
build_identity(char *buf, size_t size)
{
	pid_t pid = build_pid();
	char id[OWNER_WIDTH];

	snprintf(id, sizeof(id), "%d %llu", (int)pid, proc_stat_field(pid, 22));
	snprintf(buf, size, "%-*s\n", OWNER_WIDTH - 1, id);
}

/* a message from the client: a signal it was sent is raised here; its
 * end (or a broken one) is a SIGTERM, as its death is to a child */
static bool
client_says(void)
{
	struct run_msg m;
	ssize_t n = recv(client_fd, &m, sizeof(m), MSG_DONTWAIT);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n == (ssize_t)sizeof(m) && m.type == RUN_SIGNAL &&
	    (m.value == SIGINT || m.value == SIGTERM || m.value == SIGHUP ||
	     m.value == SIGQUIT)) {
		kill(getpid(), m.value);
		return true;
	}
	if (n == (ssize_t)sizeof(m))
		return true;	/* nothing else is sent: ignored */
	if (!atomic_load(&client_done))
		kill(getpid(), SIGTERM);
	return false;
}

/* the watcher: when the build's pidfd turns readable, the build is gone;
 * in a step server's worker, the client's connection too */
static void *
watch(void *arg)
{
	struct pollfd p[2] = {
		{ .fd = (int)(intptr_t)arg, .events = POLLIN },
		{ .fd = client_fd, .events = POLLIN },
	};

	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents && !client_says())
			return NULL;
		if (p[0].revents)
			break;
	}
	kill(getpid(), SIGTERM);
	return NULL;
}

int
buildlock_die_with_build(void)
{
	pid_t parent = buildlock_parent(), build;
	sigset_t all, old;
	pthread_t t;
	int fd = -1, r;

	/* a worker's parent is the server, which may end before the step:
	 * the client's connection stands for the parent */
	if (client_fd < 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0)
			return -1;
		/* it died before the signal was armed */
		if (getppid() != parent) {
			errno = ESRCH;
			return -1;
		}
	}
	build = build_pid();
	if (build != parent && build > 1) {
		/* ninja or make above a `sh -c` */
		fd = (int)syscall(SYS_pidfd_open, build, 0);
		if (fd < 0 && errno == ESRCH)
			return -1;
	}
	if (fd < 0 && client_fd < 0)
		return 0;
	/* watched from a thread, which takes no signal, so that SIGTERM
	 * reaches the step as on Ctrl-C */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&t, NULL, watch, (void *)(intptr_t)fd);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		if (fd >= 0)
			close(fd);
		errno = r;
		return -1;
	}
	pthread_detach(t);
	return 0;
}

static int
lock_wait(int fd, int op)
{
	return (int)TEMP_FAILURE_RETRY_INT(flock(fd, op));
}

static void
owner_get(int fd, char *buf, size_t size)
{
	ssize_t n = pread(fd, buf, size - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
}

/* written only when it changes: a build's steps one after the other
 * find themselves the owner */
static int
owner_set(int fd, const char *me)
{
	char owner[OWNER_WIDTH + 1];
	size_t n = strlen(me);

	owner_get(fd, owner, sizeof(owner));
	if (strcmp(owner, me) == 0)
		return 0;
	if (pwrite(fd, me, n, 0) != (ssize_t)n)
		return -1;
	return 0;
}

static int
lock_open(const char *path, const char *active_path, int *fdp, int *activep,
	  struct err **errp)
{
	*fdp = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (*fdp < 0)
		return err_make(errp, errno, "opening the build lock '%s'", path);
	*activep = open(active_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (*activep < 0) {
		err_make(errp, errno, "opening the build lock '%s'", active_path);
		close(*fdp);
		*fdp = -1;
		return -1;
	}
	return 0;
}

static bool
is_unlinked(int fd)
{
	struct stat sb;

	return fstat(fd, &sb) == 0 && sb.st_nlink == 0;
}

int
buildlock_take(const char *builddir, struct err **errp)
{
	autofree char *path = xasprintf("%s/lock", builddir);
	autofree char *active_path = xasprintf("%s/lock.active", builddir);
	char me[OWNER_WIDTH + 1], owner[OWNER_WIDTH + 1];
	bool said = false;
	int fd = -1, active = -1, e;

	build_identity(me, sizeof(me));
	for (;;) {
		if (fd < 0 && lock_open(path, active_path, &fd, &active, errp) < 0)
			return -1;
		if (lock_wait(fd, LOCK_EX) < 0)
			goto fail_errno;
		/* `df2ninja clean` removed them while this waited: the lock
		 * is the files at those paths now (or none, the dir gone) */
		if (is_unlinked(fd) || is_unlinked(active)) {
			close(fd);
			close(active);
			fd = active = -1;
			continue;
		}
		if (flock(active, LOCK_EX | LOCK_NB) == 0) {
			/* no step runs: this build takes over. No one else can
			 * take lock.active exclusively meanwhile: that needs lock */
			if (owner_set(fd, me) < 0 || lock_wait(active, LOCK_SH) < 0)
				goto fail_errno;
			break;
		}
		if (errno != EWOULDBLOCK)
			goto fail_errno;
		owner_get(fd, owner, sizeof(owner));
		if (strcmp(owner, me) == 0) {
			if (lock_wait(active, LOCK_SH) < 0)
				goto fail_errno;
			break;
		}
		/* another build's steps run: wait until none does */
		flock(fd, LOCK_UN);
		if (!said) {
			notify(NOTIFY_WAIT, "waiting for another build in %s (pid %.*s) "
			       "to finish its steps", builddir, (int)strcspn(owner, " \n"), owner);
			said = true;
		}
		if (lock_wait(active, LOCK_EX) < 0)
			goto fail_errno;
		flock(active, LOCK_UN);
	}
	flock(fd, LOCK_UN);
	close(fd);
	return active;
fail_errno:
	err_make(errp, errno, "locking the build dir '%s'", builddir);
	e = errno;
	close(fd);
	if (active >= 0)
		close(active);
	errno = e;
	return -1;
}
