#ifndef DF2NINJA_SANDBOX_H
#define DF2NINJA_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct err;

/*
 * sandbox: run one command in a container made of overlayfs layers, the
 * way a Dockerfile RUN step runs, with no daemon.
 *
 * The command gets new mount, pid, uts and ipc namespaces (and a network
 * namespace with only "lo" up when is_network_none, or one reaching out
 * through a helper when is_network_isolated), the layers mounted as
 * its root with pivot_root, a new /proc, a read-only /sys, a minimal /dev
 * (null zero full random urandom tty bound from the host, a private devpts
 * with /dev/ptmx, a 64M /dev/shm, fd stdin stdout stderr links), and the
 * caller's resolv.conf and hosts files bound read-only over /etc. Every
 * mount lives only in the child's mount namespace: nothing stays mounted
 * on the host when the step ends or is killed.
 *
 * /dev, /proc and /sys, when the rootfs lacks them and there is an upper
 * dir, are made through the overlay (root's, 0755), so that they land in
 * the layer as the ones runc makes for BuildKit do. Other mount points
 * never land in the layer, as BuildKit (0.11 on) removes its mount stubs
 * after the run: when the rootfs lacks one (no /etc/hosts, a RUN --mount
 * target), it is made in a "scaffold": a tmpfs private to the child,
 * stacked as the top-most lower layer for this run only, whose
 * directories copy the owner, mode and times of the rootfs directories
 * they stand in for. The upper dir therefore holds only what the command
 * itself changed (and the working directory, which Docker also creates,
 * and those /dev, /proc and /sys). The scaffold replaces a symlink found
 * where a mount point should be (Ubuntu's /etc/resolv.conf, as Docker
 * does) and a symlinked parent of a missing mount point.
 *
 * Needs CAP_SYS_ADMIN (root today; a user namespace later) and Linux 5.12
 * (new mount API, openat2, mount_setattr, clone3 or clone). Layers are
 * given to the kernel one by one ("lowerdir+", Linux 6.8), so only the
 * kernel's limit of 500 layers applies; older kernels get one mount(2)
 * option string, with layers named through short symlinks when their
 * paths would not fit in a page.
 */

/* the resolver an isolated step reaches (slirp4netns's own address for
 * it; pasta is told to forward it), answering as the host's first
 * nameserver does */
#define SANDBOX_ISOLATED_DNS "10.0.2.3"

enum sandbox_mount_kind {
	SANDBOX_MOUNT_BIND,	/* bind src (file or directory, recursively) */
	SANDBOX_MOUNT_TMPFS,	/* a new empty tmpfs, mode 1777; src unused */
};

/* an extra mount (RUN --mount), mounted after /proc, /sys, /dev, /etc */
struct sandbox_mount {
	enum sandbox_mount_kind kind;
	const char *src;	/* host path of a BIND; relative to the cwd */
	/*
	 * absolute path in the container, not "/" and not under /proc or
	 * /sys. A missing mount point is made in the scaffold (or, below an
	 * earlier mount, in that mount), as a directory, or as an empty file
	 * when src is not a directory.
	 */
	const char *dst;
	bool is_readonly;
	long long size;		/* a TMPFS's size limit in bytes; 0: none */
};

/* a resource limit of the command (setrlimit) */
struct sandbox_rlimit {
	int resource;		/* RLIMIT_* */
	unsigned long long soft, hard;	/* RLIM_INFINITY for none */
};

/*
 * one step. Host paths may be relative to the caller's cwd. Strings and
 * arrays are borrowed for the length of the call.
 */
struct sandbox_spec {
	/* overlay lower dirs, top-most first; none is an empty rootfs and
	 * then needs upperdir */
	const char *const *lowerdirs;
	size_t nlower;
	/* overlay upper and work dirs, on one filesystem; the command's
	 * changes land in upperdir. upperdir NULL: a read-only view of the
	 * lowers (workdir unused). */
	const char *upperdir;
	const char *workdir;

	/* the command, as for execve. argv[0] without a '/' is looked up in
	 * the PATH of envp (or Docker's default PATH when envp has none),
	 * inside the rootfs. envp NULL is an empty environment. */
	char *const *argv;
	char *const *envp;
	/* absolute working directory in the container, NULL for "/"; made
	 * (owned by root, mode 0755) if missing, as Docker does for WORKDIR */
	const char *cwd;
	/* credentials of the command; groups are its supplementary groups
	 * (none when ngroups is 0) */
	uid_t uid;
	gid_t gid;
	const gid_t *groups;
	size_t ngroups;

	/* uts hostname; NULL keeps the host's */
	const char *hostname;
	/* a new network namespace with only "lo" up (--network=none);
	 * false shares the host's network */
	bool is_network_none;
	/*
	 * a new network namespace with "lo" up and outbound access through
	 * pasta or slirp4netns (--network isolated, see sandbox/net.h): an
	 * interface with a default route, a resolver at SANDBOX_ISOLATED_DNS
	 * (resolv_conf should name it), and the host's loopback out of
	 * reach. The command starts once the helper has configured it.
	 */
	bool is_network_isolated;
	/*
	 * RUN --security=insecure: none of Docker's confinement below; the
	 * command keeps every capability. Otherwise, as Docker's default
	 * container: its capabilities (without CAP_NET_RAW on the host's
	 * network), its seccomp filter, /proc/sys, /proc/sysrq-trigger,
	 * /proc/irq, /proc/bus and /proc/fs read-only, /proc/kcore,
	 * /proc/keys, /proc/timer_list, /sys/firmware and the rest of its
	 * masked paths masked, and device nodes usable only in /dev (the
	 * root and every other mount are nodev).
	 */
	bool is_insecure;
	/* host files bound read-only onto /etc/resolv.conf and /etc/hosts
	 * (the caller writes them, as BuildKit does; it binds no
	 * /etc/hostname); NULL leaves the rootfs's own file */
	const char *resolv_conf;
	const char *hosts;
	const struct sandbox_mount *mounts;
	size_t nmounts;
	/* set before the capabilities are dropped (--ulimit) */
	const struct sandbox_rlimit *rlimits;
	size_t nrlimits;

	/*
	 * output. Unless is_interactive, the command's stdin is /dev/null and
	 * its stdout and stderr share one pipe; sandbox_run copies all of it,
	 * in order, to out_fd and (when >= 0) to log_fd. out_fd < 0 drops it.
	 * is_interactive: the command inherits the caller's fds 0, 1 and 2
	 * (and so its terminal) and stays in the caller's session;
	 * out_fd and log_fd are unused.
	 */
	int out_fd;
	int log_fd;
	bool is_interactive;

	/* after forwarding a signal, SIGKILL the container if it has not
	 * exited within grace_ms milliseconds (0: 2000) */
	unsigned grace_ms;
};

/*
 * run s->argv in the container described by s and wait for it.
 *
 * Returns 0 when the command ran; *status is its exit code, or 128+n when
 * it was killed by signal n. Returns -1 with *errp set when it could not
 * run: the message names the failing step ("mounting overlay: Invalid
 * argument", "exec 'make': No such file or directory") and *status and
 * (*errp)->status are 127 for a command not found, 126 for one that
 * cannot be executed, 1 otherwise. Also returns -1, after the command
 * ran and with *status set, when its output could not be written to
 * out_fd or log_fd; the output is copied whole to whichever fd still
 * works.
 *
 * Signals: while the command runs, SIGINT, SIGTERM, SIGHUP and SIGQUIT
 * (only SIGTERM and SIGHUP when is_interactive: the terminal sends the
 * others to the command itself) are taken from the calling thread and
 * forwarded to the container's init, which passes them on to the
 * command; when the container has not exited after grace_ms it is killed.
 * Other threads should block these signals. SIGCHLD and SIGPIPE are
 * blocked during the call and the caller's mask is restored; SIGCHLD must
 * not be ignored (SIG_IGN), or the status is lost. The container is
 * killed when the calling thread exits (PR_SET_PDEATHSIG), so call this
 * from a thread that outlives the step.
 *
 * Inside, pid 1 is a tiny init ("df2ninja-init") that reaps zombies,
 * forwards signals and exits when the command does, which kills whatever
 * the command left running. The command starts with umask 022, default
 * signal handlers, an empty signal mask and only fds 0, 1 and 2 open.
 * When sandbox_run returns, every process of the container is gone and
 * its mounts, the overlay included, are unmounted: the upper dir is
 * complete and can be read.
 */
int sandbox_run(const struct sandbox_spec *s, int *status, struct err **errp);

/* a container whose init may still be exiting (sandbox_run_settled) */
struct sandbox_exit {
	pid_t pid;		/* 0: none */
	int pidfd;
};

/*
 * sandbox_run, returning as soon as the command has exited and the init
 * has killed and reaped every other process of the container, before the
 * init's own exit tears the mounts down (the overlay's unmount syncs the
 * upper filesystem, a disk flush): nothing writes to the upper dir any
 * more, so it is complete and can be read while that goes on. *ex then
 * names the init (ex->pid 0 when it has exited already); it must be
 * reaped with sandbox_exit_wait before the upper or work dir is mounted
 * again, and before the caller exits.
 */
int sandbox_run_settled(const struct sandbox_spec *s, int *status,
			struct sandbox_exit *ex, struct err **errp);
void sandbox_exit_wait(struct sandbox_exit *ex);

/*
 * move the calling thread into a new mount namespace in which every mount
 * is private, so that mounts it makes never reach the host and vanish
 * when the process exits. For the executor before sandbox_mount_overlay.
 * Once per process: later calls do nothing.
 */
int sandbox_enter_private_mountns(struct err **errp);

/*
 * mount a new tmpfs, mode 0700, nodev, nosuid and noexec, on the
 * directory target, in the calling thread's private mount namespace
 * (entered first when needed): what is written there never reaches a
 * disk and goes away with the namespace, a sandbox run from this thread
 * sees it (to bind from it), the host does not.
 */
int sandbox_mount_private_tmpfs(const char *target, struct err **errp);

/*
 * bind rel, below the directory dir and reached through no symlink
 * (openat2 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), onto staging (a
 * directory, or an empty file for a file), in the calling thread's
 * private mount namespace (entered first when needed). The mount holds
 * the very directory that was checked: a path that someone swaps for a
 * symlink afterwards (a step writing the same cache at once) changes
 * nothing of what a sandbox binds from staging. Undone by
 * sandbox_unpin, or when the namespace goes.
 */
int sandbox_pin_beneath(const char *dir, const char *rel, const char *staging,
			struct err **errp);
void sandbox_unpin(const char *staging);

/*
 * mount an overlay of lowers (top-most first) with upper and work at
 * target, in the calling thread's mount namespace, which must be private
 * (sandbox_enter_private_mountns). upper NULL mounts a read-only view
 * (work unused). With no lowers, upper is bound at target directly, which
 * behaves the same; with neither, target gets an empty read-only
 * directory. Relative paths are taken from the cwd. Any number of layers
 * up to the kernel's 500 works, on any kernel this runs on.
 */
int sandbox_mount_overlay(const char *target, const char *const *lowers,
			  size_t nlower, const char *upper, const char *work,
			  struct err **errp);

#endif
