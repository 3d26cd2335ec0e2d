#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/confine.h"
#include "sandbox/mount.h"
#include "sandbox/ns.h"
#include "sandbox/report.h"
#include "sandbox/rootfs.h"
#include "sandbox/sandbox.h"
#include "sandbox/sbplan.h"
#include "sandbox/userns.h"
#include "util/alloc.h"

/*
 * everything from the clone on runs in a copy of a process that may have
 * had other threads, so glibc's locks may be held: only system calls
 * (raw ones for set*id, whose glibc wrappers signal the threads that
 * are gone) and async-signal-safe functions from here to execve.
 */

/* struct clone_args up to CLONE_ARGS_SIZE_VER0 */
struct clone3_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls;
};

/* fork-like clone with flags (no CLONE_VM): 0 in the child */
static pid_t
raw_clone(unsigned long flags, int *pidfd)
{
	struct clone3_args a = {
		.flags = flags | (pidfd ? CLONE_PIDFD : 0),
		.pidfd = (uintptr_t)pidfd,
		.exit_signal = SIGCHLD,
	};
	long pid;

	pid = syscall(SYS_clone3, &a, sizeof(a));
	if (pid >= 0 || errno != ENOSYS)
		return (pid_t)pid;
	/* clone3 may be filtered: Docker's seccomp profile answers ENOSYS */
#if defined(__s390__) || defined(__CRIS__)
	pid = syscall(SYS_clone, 0L, flags | SIGCHLD);
#else
	pid = syscall(SYS_clone, flags | SIGCHLD, 0L);
#endif
	/* and pidfd_open too (valgrind): the caller then waits by SIGCHLD */
	if (pid > 0 && pidfd)
		*pidfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
	return (pid_t)pid;
}

/* close every fd from lo up except keep[0..n) (ascending; -1 ignored) */
static void
close_from(int lo, const int *keep, int n)
{
	for (int i = 0; i < n; i++) {
		if (keep[i] < lo)
			continue;
		if (keep[i] > lo)
			close_range((unsigned)lo, (unsigned)keep[i] - 1, 0);
		lo = keep[i] + 1;
	}
	close_range((unsigned)lo, ~0U, 0);
}

/* mark every fd from lo up close-on-exec */
static void
cloexec_from(int lo)
{
	char buf[4096] __attribute__((aligned(8)));
	struct dirent64 *e;
	long n;
	int d, fd;

	if (close_range((unsigned)lo, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return;
	/* before Linux 5.11 */
	d = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d < 0)
		return;
	while ((n = syscall(SYS_getdents64, d, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n; off += e->d_reclen) {
			e = (struct dirent64 *)(void *)(buf + off);
			fd = 0;
			for (const char *c = e->d_name; *c >= '0' && *c <= '9'; c++)
				fd = fd * 10 + (*c - '0');
			if (e->d_name[0] != '.' && fd >= lo && fd != d)
				fcntl(fd, F_SETFD, FD_CLOEXEC);
		}
	}
	close(d);
}

static int
lo_up(void)
{
	struct ifreq ifr;
	int s, r = -1, e;

	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, "lo", 3);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		r = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	e = errno;
	close(s);
	errno = e;
	return r;
}

static void __attribute__((noreturn))
die(const struct sb_plan *p, struct sb_report *r, int status)
{
	report_send(p->report_fd, r);
	_exit(status);
}

static void __attribute__((noreturn))
fail(const struct sb_plan *p, int step, int arg, int status)
{
	struct sb_report r;

	memset(&r, 0, sizeof(r));
	report_fail(&r, step, arg, errno);
	die(p, &r, status);
}

void
ns_reset_signals(void)
{
	struct sigaction dfl;
	sigset_t none;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* the command, pid 2: credentials, stdio, a clean signal state, exec */
static void __attribute__((noreturn))
cmd_main(const struct sb_plan *p)
{
	static char *const no_env[] = { NULL };
	const struct sandbox_spec *s = p->spec;
	char *const *envp = s->envp ? s->envp : no_env;
	int fd, denied = -1;

	if (chdir(p->cwd) < 0)
		fail(p, STEP_CHDIR, 0, 1);
	if (!s->is_interactive) {
		fd = open("/dev/null", O_RDONLY);
		if (fd < 0 || (fd != 0 && (dup2(fd, 0) < 0 || close(fd) < 0)) ||
		    dup2(p->out_fd, 1) < 0 || dup2(p->out_fd, 2) < 0)
			fail(p, STEP_STDIO, 0, 1);
	}
	/* with only root mapped, setgroups is denied for good (user_namespaces(7)) */
	if (!(userns_is_single() && s->ngroups == 0) &&
	    syscall(SYS_setgroups, s->ngroups, s->groups) < 0)
		fail(p, STEP_SETGROUPS, 0, 1);
	if (syscall(SYS_setresgid, s->gid, s->gid, s->gid) < 0)
		fail(p, STEP_SETGID, 0, 1);
	if (syscall(SYS_setresuid, s->uid, s->uid, s->uid) < 0)
		fail(p, STEP_SETUID, 0, 1);
	/* a change of ids marks the mm as suid_dumpable says, and this one
	 * is init's until the execve (cmd_spawn) */
	prctl(PR_SET_DUMPABLE, 0);
	umask(022);
	ns_reset_signals();
	cloexec_from(3);

	/* execvpe would search the caller's PATH, not the command's */
	for (size_t i = 0; i < p->nexec; i++) {
		execve(p->exec_paths[i], s->argv, envp);
		if (errno == ENOENT && access(p->exec_paths[i], F_OK) == 0) {
			errno = ENOENT;
			fail(p, STEP_EXEC_INTERP, (int)i, 127);
		}
		if (errno == EACCES)
			denied = (int)i;
		else if (errno != ENOENT && errno != ENOTDIR)
			fail(p, STEP_EXEC, (int)i, 126);
	}
	if (denied >= 0) {
		errno = EACCES;
		fail(p, STEP_EXEC, denied, 126);
	}
	errno = ENOENT;
	fail(p, STEP_EXEC, -1, 127);
}

/*
 * kill and reap every other process of the namespace (all are this init's
 * children once orphaned, and kill(-1) from the init reaches all but
 * itself); whether none is left: then nothing writes to the rootfs any
 * more. A process it may not signal, or one that is not its child (none
 * joins the namespace from outside), leaves that to the kernel: this
 * init's exit kills them all.
 */
static bool
end_all(void)
{
	pid_t w;

	for (int round = 0; round < 3; round++) {
		kill(-1, SIGKILL);
		while ((w = waitpid(-1, NULL, 0)) > 0 || (w < 0 && errno == EINTR))
			;
		if (kill(-1, 0) < 0 && errno == ESRCH)
			return true;
	}
	return false;
}

static int
cmd_entry(void *p)
{
	cmd_main(p);
}

/*
 * start the command the way posix_spawn does: it shares init's memory
 * until its execve (CLONE_VM), init waiting meanwhile (CLONE_VFORK), so
 * that no copy of the executor's address space is made. Credentials,
 * fds, cwd, umask and signal actions stay its own (no CLONE_FS,
 * CLONE_FILES or CLONE_SIGHAND); cmd_main writes nothing init reads but
 * errno and the mm's dumpable flag (kept off), on a stack of its own in
 * this frame.
 */
static pid_t
cmd_spawn(struct sb_plan *p)
{
	char stack[64 * 1024] __attribute__((aligned(16)));

	return clone(cmd_entry, stack + sizeof(stack), CLONE_VM | CLONE_VFORK | SIGCHLD, p);
}

/* pid 1: reap everything, pass signals on, leave with the command */
static void __attribute__((noreturn))
init_loop(const struct sb_plan *p, pid_t cmd, const sigset_t *set)
{
	struct sb_report r;
	siginfo_t si;
	pid_t w;
	int sig, ws;

	memset(&r, 0, sizeof(r));
	r.kind = REPORT_STATUS;
	for (;;) {
		sig = sigwaitinfo(set, &si);
		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			/* a terminal signals the command's process group itself */
			if (si.si_code != SI_KERNEL)
				kill(cmd, sig);
			continue;
		}
		while ((w = waitpid(-1, &ws, WNOHANG)) > 0) {
			if (w != cmd)
				continue;
			/* exiting kills every process left in the namespace;
			 * killed first, the parent may read the rootfs while
			 * the exit unmounts it */
			r.wstatus = ws;
			r.is_settled = end_all();
			die(p, &r, WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws));
		}
	}
}

static void __attribute__((noreturn))
init_main(struct sb_plan *p)
{
	static const int forwarded[] = { NS_FORWARDED };
	const struct sandbox_spec *s = p->spec;
	struct sb_report r;
	struct pollfd pfd = { .fd = p->report_fd, .events = POLLOUT };
	struct sigaction dfl;
	int keep[3] = { p->out_fd, p->report_fd, p->net_fd }, rootfd = -1, step, t;
	sigset_t set;
	pid_t cmd;
	ssize_t n;
	char go;

	memset(&r, 0, sizeof(r));
	for (int i = 1; i < 3; i++)
		for (int j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
			t = keep[j];
			keep[j] = keep[j - 1];
			keep[j - 1] = t;
		}
	close_from(3, keep, 3);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		fail(p, STEP_INIT, 0, 1);
	/* the parent died before PDEATHSIG was armed: nobody reads the pipe */
	if (poll(&pfd, 1, 0) < 0 || (pfd.revents & POLLERR))
		_exit(1);
	prctl(PR_SET_NAME, "df2ninja-init");
	/* the command may not ptrace its init or open its /proc files */
	prctl(PR_SET_DUMPABLE, 0);

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (size_t i = 0; i < countof(forwarded); i++)
		sigaddset(&set, forwarded[i]);
	sigprocmask(SIG_BLOCK, &set, NULL);
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &dfl, NULL);
	if (!s->is_interactive)
		setsid();
	umask(0);

	if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0)
		fail(p, STEP_HOSTNAME, 0, 1);
	if ((s->is_network_none || s->is_network_isolated) && lo_up() < 0)
		fail(p, STEP_LOOPBACK, 0, 1);
	/* nothing below may propagate to the host */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		fail(p, STEP_PRIVATE, 0, 1);
	if (rootfs_mount(p, &rootfd, &r) < 0 || mount_setup(p, rootfd, &r) < 0)
		die(p, &r, 1);
	/* while CAP_SYS_RESOURCE may raise a hard limit */
	for (size_t i = 0; i < s->nrlimits; i++) {
		struct rlimit rl = { s->rlimits[i].soft, s->rlimits[i].hard };

		if (setrlimit(s->rlimits[i].resource, &rl) < 0)
			fail(p, STEP_RLIMIT, (int)i, 1);
	}
	/* the init too: the command could otherwise reach it (/proc/1) */
	if (!s->is_insecure && confine_apply(p->caps, &step) < 0)
		fail(p, STEP_CONFINE, step, 1);
	/* the parent attaches the network helper meanwhile; on EOF it failed
	 * and says why itself */
	if (s->is_network_isolated) {
		while ((n = read(p->net_fd, &go, 1)) < 0 && errno == EINTR)
			;
		if (n != 1)
			_exit(1);
		close(p->net_fd);
	}

	cmd = cmd_spawn(p);
	if (cmd < 0)
		fail(p, STEP_FORK, 0, 1);
	close_from(0, &p->report_fd, 1);
	init_loop(p, cmd, &set);
}

pid_t
ns_spawn(struct sb_plan *p, int *pidfd)
{
	unsigned long flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC;
	pid_t pid;

	if (p->spec->is_network_none || p->spec->is_network_isolated)
		flags |= CLONE_NEWNET;
	*pidfd = -1;
	pid = raw_clone(flags, pidfd);
	if (pid == 0)
		init_main(p);
	return pid;
}
