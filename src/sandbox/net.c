#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox/net.h"
#include "sandbox/ns.h"
#include "sandbox/report.h"
#include "sandbox/sandbox.h"
#include "sandbox/sbplan.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/pathfind.h"
#include "util/strv.h"
#include "util/vars.h"

/* how long a helper may take to configure the namespace */
#define NET_READY_MS 10000
/* the helper's fds: the one it tells it is ready on, and the namespace */
#define NET_READY_FD 3
#define NET_NS_FD 4

static const struct {
	const char *name;
	const char *package;	/* Debian's */
} helpers[] = {
	{ "pasta", "passt" },
	{ "slirp4netns", "slirp4netns" },
};

/* the helper to run: *i indexes helpers[], *path is its executable */
static int
pick(size_t *i, char **path, struct err **errp)
{
	const char *want = getenv("DF2NINJA_NET_HELPER");
	size_t n = countof(helpers);

	*path = NULL;
	for (*i = 0; *i < n; (*i)++) {
		if (want && want[0] && strcmp(want, helpers[*i].name) != 0)
			continue;
		*path = pathfind(helpers[*i].name);
		if (*path)
			return 0;
		if (want && want[0])
			return err_make(errp, 0, "--network isolated: DF2NINJA_NET_HELPER is %s, "
					"which is not installed (Debian's package %s)",
					want, helpers[*i].package);
	}
	if (want && want[0])
		return err_make(errp, 0, "DF2NINJA_NET_HELPER '%s': use pasta or slirp4netns",
				want);
	return err_make(errp, 0, "--network isolated needs pasta or slirp4netns: install "
			"Debian's package passt or slirp4netns");
}

/* the helper's command line */
static void
helper_argv(size_t i, const char *path, struct strv *argv)
{
	strv_add(argv, path);
	if (i == 0) {
		strv_add(argv, "--config-net");
		/* a child of ours, to be killed and reaped: no daemon */
		strv_add(argv, "--foreground");
		strv_add(argv, "--quiet");
		/* written once the namespace is configured */
		strv_push(argv, xasprintf("--pid=/proc/self/fd/%d", NET_READY_FD));
		/* the gateway is not the host's loopback, and no port is
		 * forwarded in (-t, -u) or out to the host's loopback (-T, -U) */
		strv_add(argv, "--no-map-gw");
		strv_add(argv, "--tcp-ports=none");
		strv_add(argv, "--udp-ports=none");
		strv_add(argv, "--tcp-ns=none");
		strv_add(argv, "--udp-ns=none");
		strv_add(argv, "--dns-forward=" SANDBOX_ISOLATED_DNS);
		/*
		 * started as root, pasta 2023.03 (Debian 12) becomes nobody,
		 * who cannot join the namespace (setns needs CAP_SYS_ADMIN over
		 * it). As root it still drops every capability but the two it
		 * needs, loads its seccomp filter and leaves the filesystem;
		 * and with its euid unchanged it keeps PR_SET_PDEATHSIG.
		 */
		if (geteuid() == 0)
			strv_add(argv, "--runas=0:0");
		/* not /proc/PID/ns/net: pasta drops capabilities first, and
		 * then may not open the namespace of a process that has them */
		strv_push(argv, xasprintf("--netns=/proc/self/fd/%d", NET_NS_FD));
	} else {
		/* its defaults: 10.0.2.100/24, gateway 10.0.2.2, DNS 10.0.2.3 */
		strv_add(argv, "--configure");
		strv_add(argv, "--mtu=65520");
		strv_add(argv, "--disable-host-loopback");
		strv_add(argv, "--enable-sandbox");
		strv_add(argv, "--enable-seccomp");
		strv_push(argv, xasprintf("--ready-fd=%d", NET_READY_FD));
		strv_add(argv, "--netns-type=path");
		strv_push(argv, xasprintf("/proc/self/fd/%d", NET_NS_FD));
		strv_add(argv, "tap0");
	}
}

/* fd moved above the helper's fds, so the child's dup2s cannot clobber it */
static int
fd_high(int fd)
{
	int h, e;

	if (fd < 0 || fd > NET_NS_FD)
		return fd;
	h = fcntl(fd, F_DUPFD_CLOEXEC, NET_NS_FD + 1);
	e = errno;
	close(fd);
	errno = e;
	return h;
}

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* what the child needs, prepared before fork */
struct spawn {
	const char *path;
	char *const *argv;
	pid_t parent;
	int null_fd, log_fd, ready_fd, ns_fd, err_fd;
};

/* the helper: only async-signal-safe calls from fork to exec */
static void __attribute__((noreturn))
child(const struct spawn *sp)
{
	int e;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		goto fail;
	/* the parent died before PDEATHSIG was armed */
	if (getppid() != sp->parent)
		_exit(1);
	setsid();
	if (dup2(sp->null_fd, 0) < 0 || dup2(sp->log_fd, 1) < 0 || dup2(sp->log_fd, 2) < 0 ||
	    dup2(sp->ready_fd, NET_READY_FD) < 0 || dup2(sp->ns_fd, NET_NS_FD) < 0)
		goto fail;
	/* err_fd too: its EOF tells the parent that exec worked */
	close_range(NET_NS_FD + 1, ~0U, CLOSE_RANGE_CLOEXEC);
	ns_reset_signals();
	execv(sp->path, sp->argv);
fail:
	e = errno;
	if (write(sp->err_fd, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

static long
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

/*
 * the last line the helper printed, to say why it failed; pasta also
 * complains on every line that it has no syslog to write to
 */
static char *
last_words(int log_fd)
{
	char buf[4096], *line = NULL;
	ssize_t n;

	n = pread(log_fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	for (char *s = buf, *e; *s; s = e + (*e != '\0')) {
		e = strchrnul(s, '\n');
		if (e > s && strncmp(s, "Failed to send ", 15) != 0) {
			free(line);
			line = xstrndup(s, (size_t)(e - s));
		}
	}
	return line;
}

/* wait until the helper writes to ready_fd: 0, or -1 with *errp */
static int
wait_ready(struct net_helper *h, int ready_fd, int log_fd, struct err **errp)
{
	struct pollfd pfd = { .fd = ready_fd, .events = POLLIN };
	long end = now_ms() + NET_READY_MS, left;
	autofree char *why = NULL;
	char c[32];
	ssize_t n;
	int r, ws;

	for (;;) {
		left = end - now_ms();
		r = poll(&pfd, 1, left > 0 ? (int)left : 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return err_make(errp, errno, "waiting for %s", h->name);
		if (r == 0)
			return err_make(errp, 0, "%s did not configure the step's network within %d s",
					h->name, NET_READY_MS / 1000);
		n = read(ready_fd, c, sizeof(c));
		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0)
			return 0;
		if (n < 0)
			return err_make(errp, errno, "waiting for %s", h->name);
		break;
	}
	/* EOF: it exited */
	while (waitpid(h->pid, &ws, 0) < 0 && errno == EINTR)
		;
	h->pid = -1;
	why = last_words(log_fd);
	if (WIFSIGNALED(ws))
		return err_make(errp, 0, "%s was killed by signal %d%s%s", h->name, WTERMSIG(ws),
				why ? ": " : "", why ? why : "");
	return err_make(errp, 0, "%s failed (exit status %d)%s%s", h->name,
			WIFEXITED(ws) ? WEXITSTATUS(ws) : 1, why ? ": " : "", why ? why : "");
}

/*
 * start the helper for the network namespace of process pid and wait
 * until it has configured it; on failure no helper is left running
 */
static int
net_start(pid_t pid, struct net_helper *h, struct err **errp)
{
	struct strv argv = STRV_INIT;
	autofree char *path = NULL, *ns = NULL;
	struct spawn sp;
	int ready[2] = { -1, -1 }, fail_fds[2] = { -1, -1 };
	int null_fd = -1, log_fd = -1, ns_fd = -1, e = 0, r = -1;
	size_t i;
	ssize_t n;

	h->pid = -1;
	h->name = NULL;
	if (pick(&i, &path, errp) < 0)
		return -1;
	h->name = helpers[i].name;
	helper_argv(i, path, &argv);

	ns = xasprintf("/proc/%d/ns/net", (int)pid);
	ns_fd = fd_high(open(ns, O_RDONLY | O_CLOEXEC));
	if (ns_fd < 0) {
		err_make(errp, errno, "cannot open '%s'", ns);
		goto out;
	}
	null_fd = fd_high(open("/dev/null", O_RDWR | O_CLOEXEC));
	log_fd = fd_high(memfd_create("df2ninja-net", MFD_CLOEXEC));
	if (null_fd < 0 || log_fd < 0) {
		err_make(errp, errno, "starting %s", h->name);
		goto out;
	}
	if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(fail_fds, O_CLOEXEC) < 0) {
		err_make(errp, errno, "starting %s: creating a pipe", h->name);
		goto out;
	}
	for (int k = 0; k < 2; k++) {
		ready[k] = fd_high(ready[k]);
		fail_fds[k] = fd_high(fail_fds[k]);
		if (ready[k] < 0 || fail_fds[k] < 0) {
			err_make(errp, errno, "starting %s: creating a pipe", h->name);
			goto out;
		}
	}
	sp.path = path;
	sp.argv = argv.v;
	sp.parent = getpid();
	sp.null_fd = null_fd;
	sp.log_fd = log_fd;
	sp.ready_fd = ready[1];
	sp.ns_fd = ns_fd;
	sp.err_fd = fail_fds[1];

	h->pid = fork();
	if (h->pid < 0) {
		err_make(errp, errno, "starting %s", h->name);
		goto out;
	}
	if (h->pid == 0)
		child(&sp);
	close_fd(&ready[1]);
	close_fd(&fail_fds[1]);
	do
		n = read(fail_fds[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(e)) {
		while (waitpid(h->pid, NULL, 0) < 0 && errno == EINTR)
			;
		h->pid = -1;
		err_make(errp, e, "cannot run '%s'", path);
		goto out;
	}
	if (wait_ready(h, ready[0], log_fd, errp) < 0) {
		net_stop(h);
		goto out;
	}
	r = 0;
out:
	close_fd(&ns_fd);
	close_fd(&null_fd);
	close_fd(&log_fd);
	close_fd(&ready[0]);
	close_fd(&ready[1]);
	close_fd(&fail_fds[0]);
	close_fd(&fail_fds[1]);
	strv_fini(&argv);
	if (r < 0)
		err_wrap(errp, "--network isolated");
	return r;
}

int
net_attach(const struct sb_plan *p, pid_t pid, struct net_helper *h, int net_w,
	   struct err **errp)
{
	struct sb_report rerr, rstat;
	struct err *nerr = NULL;

	if (net_start(pid, h, &nerr) == 0) {
		if (write(net_w, "", 1) == 1)
			return 0;
		err_make(&nerr, errno, "starting the container");
		net_stop(h);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	/* the init failed first (its namespace was gone): that is the error */
	report_collect(p->report_fd, &rerr, &rstat);
	if (rerr.kind) {
		err_free(nerr);
		return report_to_err(&rerr, p, errp);
	}
	if (errp)
		*errp = nerr;
	else
		err_free(nerr);
	return -1;
}

void
net_stop(struct net_helper *h)
{
	if (h->pid <= 0)
		return;
	kill(h->pid, SIGKILL);
	while (waitpid(h->pid, NULL, 0) < 0 && errno == EINTR)
		;
	h->pid = -1;
}
