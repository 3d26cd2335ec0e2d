#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox/io.h"
#include "sandbox/net.h"
#include "sandbox/ns.h"
#include "sandbox/overlay.h"
#include "sandbox/report.h"
#include "sandbox/rootfs.h"
#include "sandbox/sandbox.h"
#include "sandbox/sbplan.h"
#include "util/alloc.h"
#include "util/err.h"

#define DEFAULT_GRACE_MS 2000

/* a CLOEXEC pipe whose ends are not 0, 1 or 2, which the child replaces */
static int
pipe_high(int fds[2], struct err **errp)
{
	int fd;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return err_make(errp, errno, "creating a pipe");
	for (int i = 0; i < 2; i++) {
		if (fds[i] > 2)
			continue;
		fd = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
		if (fd < 0)
			return err_make(errp, errno, "creating a pipe");
		close(fds[i]);
		fds[i] = fd;
	}
	return 0;
}

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int
exit_status(int ws)
{
	if (WIFEXITED(ws))
		return WEXITSTATUS(ws);
	if (WIFSIGNALED(ws))
		return 128 + WTERMSIG(ws);
	return 1;
}

/*
 * an interactive shell with job control gives the terminal to its jobs
 * and may exit without giving it back; take it back without being
 * stopped for it (SIGTTOU)
 */
static void
restore_foreground(pid_t fg)
{
	sigset_t ttou, old;

	if (fg <= 0 || tcgetpgrp(0) == fg)
		return;
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	pthread_sigmask(SIG_BLOCK, &ttou, &old);
	tcsetpgrp(0, fg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* the result of a run whose reports are collected */
static int
finish(const struct sb_plan *p, int ws, struct io_out *o, int *status,
       struct err **errp)
{
	struct sb_report *rerr = &o->err, *rstat = &o->status;

	/* what io_wait did not read: all of it, after the init's exit */
	if (!o->is_settled)
		while (report_take(p->report_fd, rerr, rstat))
			;
	if (rerr->kind) {
		report_to_err(rerr, p, errp);
		*status = errp && *errp ? (*errp)->status : 1;
		return -1;
	}
	if (rstat->kind) {
		*status = exit_status(rstat->wstatus);
	} else if (WIFSIGNALED(ws)) {
		*status = exit_status(ws);
	} else {
		*status = 1;
		return err_make(errp, 0, "the container's init exited with status %d before the command",
				exit_status(ws));
	}
	/* a full disk fails the command and the log alike: say both */
	for (int i = 0; i < 2; i++) {
		const char *what = i ? "writing the step log" : "copying the command's output";

		if (!o->errnum[i])
			continue;
		if (*status != 0)
			return err_make(errp, o->errnum[i], "exit status %d, and %s",
					*status, what);
		return err_make(errp, o->errnum[i], "%s", what);
	}
	return 0;
}

static int
run(const struct sandbox_spec *s, int *status, struct sandbox_exit *ex,
    struct err **errp)
{
	struct io_out o = { .fd = { -1, -1 }, .rep_r = -1 };
	sigset_t block, sigs, fwd, old, pending;
	int rep[2] = { -1, -1 }, out[2] = { -1, -1 }, net[2] = { -1, -1 };
	struct net_helper helper = { -1, NULL };
	int sigfd = -1, pidfd = -1, ws = 0, ret = -1;
	bool had_sigpipe, is_blocked = false;
	pid_t pid, fg = -1;
	struct sb_plan p;

	*status = 1;
	if (sbplan_init(&p, s, errp) < 0)
		goto out;
	if (pipe_high(rep, errp) < 0 || (!s->is_interactive && pipe_high(out, errp) < 0) ||
	    (s->is_network_isolated && pipe_high(net, errp) < 0))
		goto out;
	p.report_fd = rep[1];
	p.out_fd = out[1];
	p.net_fd = net[0];

	sigemptyset(&fwd);
	sigaddset(&fwd, SIGTERM);
	sigaddset(&fwd, SIGHUP);
	if (!s->is_interactive) {
		sigaddset(&fwd, SIGINT);
		sigaddset(&fwd, SIGQUIT);
	}
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGQUIT);
	block = sigs;
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGPIPE);
	sigpending(&pending);
	had_sigpipe = sigismember(&pending, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	is_blocked = true;
	sigfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0) {
		err_make(errp, errno, "creating a signalfd");
		goto out;
	}

	if (s->is_interactive && isatty(0))
		fg = tcgetpgrp(0);
	pid = ns_spawn(&p, &pidfd);
	if (pid < 0) {
		err_make(errp, errno, "starting the container");
		goto out;
	}
	if (pidfd < 0) {
		sigaddset(&sigs, SIGCHLD);
		signalfd(sigfd, &sigs, 0);
	}
	close_fd(&rep[1]);
	close_fd(&out[1]);
	close_fd(&net[0]);
	p.report_fd = rep[0];
	if (s->is_network_isolated && net_attach(&p, pid, &helper, net[1], errp) < 0)
		goto out;
	close_fd(&net[1]);
	if (out[0] >= 0)
		fcntl(out[0], F_SETFL, O_NONBLOCK);
	if (ex) {
		fcntl(rep[0], F_SETFL, O_NONBLOCK);
		o.rep_r = rep[0];
	}
	o.fd[0] = s->out_fd;
	o.fd[1] = s->log_fd;
	if (io_wait(pid, pidfd, sigfd, out[0], &fwd,
		    s->grace_ms ? s->grace_ms : DEFAULT_GRACE_MS, &o, &ws) < 0) {
		err_make(errp, errno, "waiting for the container");
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto out;
	}
	net_stop(&helper);
	restore_foreground(fg);
	ret = finish(&p, ws, &o, status, errp);
	if (o.is_settled) {
		/* its exit goes on: the caller reaps it */
		ex->pid = pid;
		ex->pidfd = steal_fd(&pidfd);
	}
out:
	net_stop(&helper);
	close_fd(&net[0]);
	close_fd(&net[1]);
	close_fd(&rep[0]);
	close_fd(&rep[1]);
	close_fd(&out[0]);
	close_fd(&out[1]);
	close_fd(&sigfd);
	close_fd(&pidfd);
	if (is_blocked) {
		/* a write to a closed out_fd raised SIGPIPE: it is ours to take */
		sigpending(&pending);
		if (!had_sigpipe && sigismember(&pending, SIGPIPE)) {
			sigset_t pipe;

			sigemptyset(&pipe);
			sigaddset(&pipe, SIGPIPE);
			sigtimedwait(&pipe, NULL, &(struct timespec){ 0, 0 });
		}
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	sbplan_fini(&p);
	return ret;
}

int
sandbox_run(const struct sandbox_spec *s, int *status, struct err **errp)
{
	return run(s, status, NULL, errp);
}

int
sandbox_run_settled(const struct sandbox_spec *s, int *status,
		    struct sandbox_exit *ex, struct err **errp)
{
	ex->pid = 0;
	ex->pidfd = -1;
	return run(s, status, ex, errp);
}

void
sandbox_exit_wait(struct sandbox_exit *ex)
{
	if (ex->pid <= 0)
		return;
	while (waitpid(ex->pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (ex->pidfd >= 0)
		close(ex->pidfd);
	ex->pid = 0;
	ex->pidfd = -1;
}

int
sandbox_enter_private_mountns(struct err **errp)
{
	/* COPY's rootfs and the flattening of deep stacks both mount in
	 * the executor: one namespace serves them */
	static bool is_private;

	if (is_private)
		return 0;
	if (unshare(CLONE_NEWNS) < 0)
		return err_make(errp, errno, "creating a mount namespace");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return err_make(errp, errno, "making mounts private");
	is_private = true;
	return 0;
}

/* a new tmpfs of mode at target (nodev, nosuid; noexec, rdonly as asked) */
static int
tmpfs_at(const char *target, const char *mode, unsigned attr)
{
	int fs, m = -1, e;

	fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fs >= 0 && fsconfig(fs, FSCONFIG_SET_STRING, "mode", mode, 0) == 0 &&
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
		m = fsmount(fs, FSMOUNT_CLOEXEC, attr | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID);
	if (m >= 0 && move_mount(m, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) == 0) {
		close(m);
		close(fs);
		return 0;
	}
	e = errno;
	if (m >= 0)
		close(m);
	if (fs >= 0)
		close(fs);
	errno = e;
	return -1;
}

/* an empty read-only directory at target: the view of an empty rootfs */
static int
mount_empty(const char *target, struct err **errp)
{
	if (tmpfs_at(target, "0755", MOUNT_ATTR_RDONLY) < 0)
		return err_make(errp, errno, "mounting an empty rootfs on '%s'", target);
	return 0;
}

int
sandbox_mount_private_tmpfs(const char *target, struct err **errp)
{
	if (sandbox_enter_private_mountns(errp) < 0)
		return -1;
	if (tmpfs_at(target, "0700", MOUNT_ATTR_NOEXEC) < 0)
		return err_make(errp, errno, "mounting a private tmpfs on '%s'", target);
	return 0;
}

int
sandbox_mount_overlay(const char *target, const char *const *lowers,
		      size_t nlower, const char *upper, const char *work,
		      struct err **errp)
{
	struct sb_report r;
	struct sb_plan p;
	int mfd = -1, staging = -1, cwd, rc;
	bool is_legacy = false;

	if (!nlower && !upper)
		return mount_empty(target, errp);
	if (!nlower) {
		if (mount(upper, target, NULL, MS_BIND, NULL) < 0)
			return err_make(errp, errno, "binding '%s' on '%s'", upper, target);
		return 0;
	}
	memset(&p, 0, sizeof(p));
	memset(&r, 0, sizeof(r));
	if (ovl_init(&p.ovl, lowers, nlower, upper, work, true, errp) < 0) {
		sbplan_fini(&p);
		return -1;
	}
	/* the mount(2) path works in a staging dir that becomes the cwd */
	cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	rc = rootfs_overlay(&p.ovl, false, &is_legacy, &staging, &mfd, &r);
	if (rootfs_staging_drop(&staging, &r) < 0)
		rc = -1;
	if (cwd >= 0) {
		if (is_legacy && fchdir(cwd) < 0 && rc == 0)
			rc = report_fail(&r, STEP_STAGING, 0, errno);
		close(cwd);
	}
	if (rc == 0) {
		if (move_mount(mfd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
			rc = report_fail(&r, STEP_OVERLAY, 0, errno);
		close(mfd);
	}
	if (rc < 0)
		report_to_err(&r, &p, errp);
	sbplan_fini(&p);
	return rc < 0 ? -1 : 0;
}

int
sandbox_pin_beneath(const char *dir, const char *rel, const char *staging,
		    struct err **errp)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	autoclose int dfd = -1, fd = -1, m = -1;

	/* opened in the namespace the clone is made in */
	if (sandbox_enter_private_mountns(errp) < 0)
		return -1;
	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return err_make(errp, errno, "cannot open '%s'", dir);
	fd = (int)syscall(SYS_openat2, dfd, rel, &how, sizeof(how));
	if (fd < 0)
		return err_make(errp, errno, "cannot open '%s' through no symlink", rel);
	m = open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (m < 0 || move_mount(m, "", AT_FDCWD, staging, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return err_make(errp, errno, "cannot bind '%s' on '%s'", rel, staging);
	return 0;
}

void
sandbox_unpin(const char *staging)
{
	umount2(staging, MNT_DETACH);
}
