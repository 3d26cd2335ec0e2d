/*
 * df2ninja-run BUILDDIR PROGRAM [ARG...]
 *
 * What build.ninja runs a step with: it hands PROGRAM's command line to
 * the step server of this build (one per ninja or make, src/exec/
 * stepserver.c), which runs it in a process forked ahead of time, and
 * waits for its exit status; with no server, or one that declines, it
 * runs PROGRAM itself. A step then costs one exec of this small static
 * program instead of one of df2ninja, whose start (the dynamic loader,
 * glibc's probe of the CPU's caches) is most of a short step's own time.
 *
 * It is linked statically against musl when configure finds musl-gcc,
 * and needs nothing of df2ninja's libraries. DF2NINJA_SERVER=0 makes it
 * run PROGRAM directly.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run/procinfo.h"
#include "run/proto.h"

extern char **environ;

/*
 * the build this step belongs to, as the executor's build lock names it:
 * the parent, or the parent of the `sh -c` that ninja or make ran this
 * with; "pid.start-time", the start time telling a reused pid apart
 */
static int
build_key(char *buf, size_t size)
{
	pid_t pid = proc_build_pid(getppid());
	unsigned long long start = proc_stat_field(pid, 22);

	if (pid <= 1 || start == 0)
		return -1;
	snprintf(buf, size, "%d.%llu", (int)pid, start);
	return 0;
}

/* start a server for KEY, detached (a session of its own, fds on
 * /dev/null), and do not wait for it */
static void
start_server(const char *program, const char *dir, const char *key)
{
	pid_t pid = fork();

	if (pid < 0)
		return;
	if (pid == 0) {
		setsid();
		if (fork() == 0) {
			char *args[] = { (char *)program, "exec", "serve", "--dir",
					 (char *)dir, "--build", (char *)key, NULL };
			int null = open("/dev/null", O_RDWR | O_CLOEXEC);

			if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
			    dup2(null, 2) < 0)
				_exit(127);
			execv(program, args);
			_exit(127);
		}
		_exit(0);
	}
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* a connection to this build's server, or -1 (after starting one when
 * there is none) */
static int
connect_server(const char *builddir, const char *program)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char key[64], dir[4096];
	int dfd, fd, r;

	if (build_key(key, sizeof(key)) < 0 ||
	    (size_t)snprintf(dir, sizeof(dir), "%s/run", builddir) >= sizeof(dir))
		return -1;
	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 && errno == ENOENT && mkdir(dir, 0700) == 0)
		dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -1;
	/* through the dir's fd: a build dir's path may be longer than a
	 * socket address holds */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dfd, key);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		close(dfd);
		return -1;
	}
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(dfd);
	if (r == 0)
		return fd;
	/* none yet: this step runs directly, the next ones through it. A
	 * socket refusing connections is a server that died: not again */
	if (errno == ENOENT)
		start_server(program, dir, key);
	close(fd);
	return -1;
}

/* the request: argv, the environment's hash, the umask, the nice value,
 * the rlimits and the fds */
static int
send_request(int fd, char **argv)
{
	struct run_req req = { .magic = RUN_MAGIC, .version = RUN_VERSION };
	static char strings[RUN_REQ_MAX];
	size_t len = 0;
	int fds[RUN_NFDS + 1] = { 0, 1, 2, -1, -1 };
	union {
		char buf[CMSG_SPACE(sizeof(fds))];
		struct cmsghdr align;
	} u;
	struct iovec iov[2];
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2,
			      .msg_control = u.buf };
	struct cmsghdr *c;
	mode_t mask;
	int nfds = RUN_NFDS, r;

	for (req.argc = 0; argv[req.argc]; req.argc++) {
		size_t n = strlen(argv[req.argc]) + 1;

		if (req.argc == RUN_ARGC_MAX || len + n > sizeof(strings) - sizeof(req))
			return -1;
		memcpy(strings + len, argv[req.argc], n);
		len += n;
	}
	req.envhash = run_env_hash(environ);
	req.ppid = (int32_t)getppid();
	mask = umask(0);
	umask(mask);
	req.umask = (uint32_t)mask;
	errno = 0;
	req.nice = (int32_t)getpriority(PRIO_PROCESS, 0);
	if (errno)
		return -1;
	for (int i = 0; i < RUN_NLIMITS; i++) {
		struct rlimit rl;

		if (getrlimit(i, &rl) < 0)
			return -1;
		req.limits[i].cur = rl.rlim_cur;
		req.limits[i].max = rl.rlim_max;
	}
	fds[3] = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fds[3] < 0)
		return -1;
	/* the executor draws a long step's progress on the terminal */
	if (!isatty(1)) {
		fds[4] = open("/dev/tty", O_WRONLY | O_NOCTTY | O_CLOEXEC);
		if (fds[4] >= 0) {
			req.has_tty = 1;
			nfds++;
		}
	}
	iov[0] = (struct iovec){ &req, sizeof(req) };
	iov[1] = (struct iovec){ strings, len };
	msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
	r = sendmsg(fd, &msg, MSG_NOSIGNAL) < 0 ? -1 : 0;
	close(fds[3]);
	if (fds[4] >= 0)
		close(fds[4]);
	return r;
}

/* one message from the server: its type, or 0 at the end (or an error) */
static unsigned
receive(int fd, int *value)
{
	struct run_msg m;
	ssize_t n;

	do
		n = recv(fd, &m, sizeof(m), 0);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(m))
		return 0;
	*value = m.value;
	return m.type;
}

/* wait for the step's status, passing on the signals this is sent;
 * returns only when the server declined the request */
static void
run_remote(int fd, char **argv, const sigset_t *sigs)
{
	struct pollfd p[2];
	int value, forwarded = 0, sfd;

	if (send_request(fd, argv) < 0 || receive(fd, &value) != RUN_ACCEPT)
		return;
	sfd = signalfd(-1, sigs, SFD_CLOEXEC);
	if (sfd < 0) {
		/* the server runs it; the signals stay blocked: unseen */
		perror("df2ninja-run: signalfd");
	}
	p[0] = (struct pollfd){ .fd = fd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	for (;;) {
		if (poll(p, sfd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("df2ninja-run: poll");
			exit(1);
		}
		if (sfd >= 0 && (p[1].revents & POLLIN)) {
			struct signalfd_siginfo si;
			struct run_msg m = { RUN_SIGNAL, 0 };

			if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				m.value = (int32_t)si.ssi_signo;
				forwarded = m.value;
				send(fd, &m, sizeof(m), MSG_NOSIGNAL);
			}
		}
		if (p[0].revents) {
			switch (receive(fd, &value)) {
			case RUN_STATUS:
				exit(value & 0xff);
			case 0:
				if (forwarded)
					exit(128 + forwarded);
				fputs("df2ninja-run: the step's executor ended without an exit "
				      "status (killed?)\n", stderr);
				exit(1);
			default:
				break;
			}
		}
	}
}

int
main(int argc, char **argv)
{
	const char *off = getenv("DF2NINJA_SERVER");
	sigset_t sigs, old;
	int fd;

	if (argc < 3 || argv[1][0] == '\0') {
		fputs("usage: df2ninja-run BUILDDIR PROGRAM [ARG...]\n", stderr);
		return 2;
	}
	/* blocked from before the request, so that none is lost after it:
	 * the server's worker, not this, ends on them */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGQUIT);
	if (!(off && strcmp(off, "0") == 0)) {
		fd = connect_server(argv[1], argv[2]);
		if (fd >= 0) {
			sigprocmask(SIG_BLOCK, &sigs, &old);
			run_remote(fd, argv + 2, &sigs);
			sigprocmask(SIG_SETMASK, &old, NULL);
			close(fd);
		}
	}
	execv(argv[2], argv + 2);
	fprintf(stderr, "df2ninja-run: cannot run '%s': %s\n", argv[2], strerror(errno));
	return 127;
}
