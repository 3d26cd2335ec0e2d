#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/devsteps.h"
#include "sandbox/mount.h"
#include "sandbox/report.h"
#include "sandbox/rootfs.h"
#include "sandbox/sbplan.h"
#include "util/alloc.h"

static const char *const dev_nodes[][2] = {
	{ "null", "/dev/null" },
	{ "zero", "/dev/zero" },
	{ "full", "/dev/full" },
	{ "random", "/dev/random" },
	{ "urandom", "/dev/urandom" },
	{ "tty", "/dev/tty" },
};

_Static_assert(countof(dev_nodes) == DEV_PTS - DEV_NODES,
	       "dev_nodes matches enum dev_step");

static const char *const dev_links[][2] = {
	{ "fd", "/proc/self/fd" },
	{ "stdin", "/proc/self/fd/0" },
	{ "stdout", "/proc/self/fd/1" },
	{ "stderr", "/proc/self/fd/2" },
	{ "ptmx", "pts/ptmx" },
};
_Static_assert(countof(dev_links) == DEV_END - DEV_LINKS,
	       "dev_links matches enum dev_step");



/* a new mount of fstype with the key/value options opts (NULL-ended),
 * detached; returns its fd or -1 */
static int
fs_new(const char *fstype, const char *const *opts, unsigned attr)
{
	int fs, m = -1, e;

	fs = fsopen(fstype, FSOPEN_CLOEXEC);
	if (fs < 0)
		return -1;
	for (; opts && opts[0]; opts += 2)
		if (fsconfig(fs, FSCONFIG_SET_STRING, opts[0], opts[1], 0) < 0)
			goto out;
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
		m = fsmount(fs, FSMOUNT_CLOEXEC, attr);
out:
	e = errno;
	close(fs);
	errno = e;
	return m;
}

/* attach detached mount m on the inode of O_PATH fd at, or at name in
 * directory at; closes m */
static int
attach(int m, int at, const char *name)
{
	int r, e;

	r = move_mount(m, "", at, name,
		       MOVE_MOUNT_F_EMPTY_PATH | (*name ? 0 : MOVE_MOUNT_T_EMPTY_PATH));
	e = errno;
	close(m);
	errno = e;
	return r;
}

/* a detached copy of host path src with attr set */
static int
bind_new(const char *src, unsigned attr)
{
	struct mount_attr ma = { .attr_set = attr };
	int m, e;

	m = open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (m < 0 || !attr)
		return m;
	if (mount_setattr(m, "", AT_EMPTY_PATH | AT_RECURSIVE, &ma, sizeof(ma)) < 0) {
		e = errno;
		close(m);
		errno = e;
		return -1;
	}
	return m;
}

static int
dev_setup(int at, unsigned attr, struct sb_report *r)
{
	static const char *const tmpfs_opts[] = { "mode", "0755", "size", "65536k", NULL };
	static const char *const pts_opts[] = {
		"gid", "5", "mode", "0620", "ptmxmode", "0666", NULL,
	};
	static const char *const shm_opts[] = { "mode", "1777", "size", "65536k", NULL };
	const unsigned hard = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC;
	int dev, m, fd;

	dev = fs_new("tmpfs", tmpfs_opts, attr);
	if (dev < 0 || move_mount(dev, "", at, "", MOVE_MOUNT_F_EMPTY_PATH |
				  MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return report_fail(r, STEP_DEV, DEV_TMPFS, errno);
	/* dev now names the attached tmpfs */
	for (int i = 0; i < DEV_PTS - DEV_NODES; i++) {
		fd = openat(dev, dev_nodes[i][0], O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0);
		if (fd < 0)
			return report_fail(r, STEP_DEV, DEV_NODES + i, errno);
		close(fd);
		m = bind_new(dev_nodes[i][1], 0);
		if (m < 0 || attach(m, dev, dev_nodes[i][0]) < 0)
			return report_fail(r, STEP_DEV, DEV_NODES + i, errno);
	}
	if (mkdirat(dev, "pts", 0755) < 0)
		return report_fail(r, STEP_DEV, DEV_PTS, errno);
	m = fs_new("devpts", pts_opts, hard);
	/* rootless with only root mapped: there is no group tty (5) */
	if (m < 0 && errno == EINVAL)
		m = fs_new("devpts", pts_opts + 2, hard);
	if (m < 0 || attach(m, dev, "pts") < 0)
		return report_fail(r, STEP_DEV, DEV_PTS, errno);
	if (mkdirat(dev, "shm", 01777) < 0 ||
	    (m = fs_new("tmpfs", shm_opts, hard | MOUNT_ATTR_NODEV)) < 0 ||
	    attach(m, dev, "shm") < 0)
		return report_fail(r, STEP_DEV, DEV_SHM, errno);
	/* the POSIX message queues of the step's own ipc namespace, as in
	 * Docker's default container */
	if (mkdirat(dev, "mqueue", 0755) < 0 ||
	    (m = fs_new("mqueue", NULL, hard | MOUNT_ATTR_NODEV)) < 0 ||
	    attach(m, dev, "mqueue") < 0)
		return report_fail(r, STEP_DEV, DEV_MQUEUE, errno);
	for (int i = 0; i < DEV_END - DEV_LINKS; i++)
		if (symlinkat(dev_links[i][1], dev, dev_links[i][0]) < 0)
			return report_fail(r, STEP_DEV, DEV_LINKS + i, errno);
	close(dev);
	return 0;
}

/*
 * mkdir -p rel inside the root at rootfd, the last component a directory
 * or an empty file; every component is resolved inside the root, so a
 * symlink in the image cannot lead out of it. Returns an O_PATH fd of rel.
 */
static int
mkpath(int rootfd, const char *rel, bool is_dir)
{
	char path[PATH_MAX], *s = NULL, *name;
	size_t n = strlen(rel);
	int dir, fd;
	bool is_last;

	if (n >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(path, rel, n + 1);
	do {
		s = strchr(s ? s + 1 : path, '/');
		is_last = !s;
		if (s)
			*s = '\0';
		fd = rootfs_open(rootfd, path, O_PATH);
		if (fd < 0 && errno == ENOENT) {
			name = strrchr(path, '/');
			if (name)
				*name = '\0';
			dir = rootfs_open(rootfd, name ? path : "", O_PATH | O_DIRECTORY);
			if (name)
				*name++ = '/';
			else
				name = path;
			if (dir < 0)
				return -1;
			if (is_last && !is_dir)
				fd = openat(dir, name, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
			else if (mkdirat(dir, name, 0755) == 0 || errno == EEXIST)
				fd = rootfs_open(rootfd, path, O_PATH);
			close(dir);
			if (fd < 0)
				return -1;
		} else if (fd < 0) {
			return -1;
		}
		if (!is_last)
			close(fd);
		if (s)
			*s = '/';
	} while (!is_last);
	return fd;
}

/*
 * the first mask of each kind, kept to bind the later ones from once it
 * is attached (a detached mount can be copied only from Linux 6.15 on):
 * a bind costs a quarter of a new tmpfs
 */
struct shield {
	int empty_dir, null_file;	/* -1 until attached */
};

/* a detached mount to mask a directory or a file: a copy of first */
static int
mask_new(int first, bool is_dir, unsigned attr)
{
	static const char *const empty_opts[] = { "size", "0", "mode", "0555", NULL };

	if (first >= 0)
		return open_tree(first, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (is_dir)
		return fs_new("tmpfs", empty_opts, attr);
	/* a /dev/null that works, as runc binds it: reads give nothing,
	 * writes are dropped (not EACCES and EROFS) */
	return bind_new("/dev/null", attr & ~(MOUNT_ATTR_NODEV | MOUNT_ATTR_RDONLY));
}

static void
close_shield(struct shield *sh)
{
	if (sh->empty_dir >= 0)
		close(sh->empty_dir);
	if (sh->null_file >= 0)
		close(sh->null_file);
}

/*
 * hide or freeze path rel of the root at rootfd, which is on proc or
 * sysfs as mounted just before: a file gets /dev/null bound over it, a
 * directory an empty read-only tmpfs (SB_OP_MASK); SB_OP_RDONLY binds
 * rel on itself read-only. What this kernel lacks is left alone. Every
 * mask has the same attributes (plan.c), so copies keep them.
 */
static int
mount_shield(const struct sb_mount *m, int rootfd, const char *rel, struct shield *sh)
{
	struct mount_attr ma = { .attr_set = m->attr };
	struct stat st;
	int at, fd, e, *first;

	at = rootfs_open(rootfd, rel, O_PATH | O_NOFOLLOW);
	if (at < 0)
		return errno == ENOENT ? 0 : -1;
	if (fstat(at, &st) < 0)
		goto fail;
	if (m->op == SB_OP_RDONLY) {
		fd = open_tree(at, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
			       AT_EMPTY_PATH | AT_RECURSIVE);
		if (fd >= 0 && mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE,
					     &ma, sizeof(ma)) < 0) {
			e = errno;
			close(fd);
			errno = e;
			fd = -1;
		}
	} else {
		first = S_ISDIR(st.st_mode) ? &sh->empty_dir : &sh->null_file;
		fd = mask_new(*first, S_ISDIR(st.st_mode), m->attr);
		/* the copy stays attached where this one is attached; with no
		 * copy, the next mask is made anew */
		if (fd >= 0 && *first < 0)
			*first = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	}
	if (fd < 0 || attach(fd, at, "") < 0)
		goto fail;
	close(at);
	return 0;
fail:
	e = errno;
	close(at);
	errno = e;
	return -1;
}

static int
mount_one(const struct sb_mount *m, int at)
{
	const char *tmpfs_opts[] = { "mode", "1777", "size", m->size, NULL };
	int fd;

	if (!m->size[0])
		tmpfs_opts[2] = NULL;

	switch (m->op) {
	case SB_OP_PROC:
		fd = fs_new("proc", NULL, m->attr);
		break;
	case SB_OP_SYSFS:
		fd = fs_new("sysfs", NULL, m->attr);
		/* in a user namespace, a new sysfs needs a network namespace
		 * of its own: on the host's network, bind the host's */
		if (fd < 0 && errno == EPERM)
			fd = bind_new("/sys", m->attr);
		break;
	case SB_OP_BIND:
		fd = bind_new(m->src, m->attr);
		break;
	case SB_OP_TMPFS:
		fd = fs_new("tmpfs", tmpfs_opts, m->attr);
		break;
	case SB_OP_DEV:
	case SB_OP_MASK:
	case SB_OP_RDONLY:
	default:
		errno = EINVAL;
		return -1;
	}
	if (fd < 0)
		return -1;
	return attach(fd, at, "");
}

/*
 * pivot_root(".", ".") stacks the old root on the new one, so no
 * directory is needed for it; detaching "." then drops the whole host
 * tree from this namespace (pivot_root(2), "NOTES")
 */
static int
pivot(int rootfd)
{
	if (fchdir(rootfd) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 ||
	    umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		return -1;
	return 0;
}

int
mount_setup(struct sb_plan *p, int rootfd, struct sb_report *r)
{
	struct shield sh = { -1, -1 };
	int fd;

	for (size_t i = 0; i < p->nmount; i++) {
		const struct sb_mount *m = &p->mounts[i];
		struct sb_target *t = &p->targets[m->target];

		if (m->op == SB_OP_MASK || m->op == SB_OP_RDONLY) {
			if (mount_shield(m, rootfd, t->rel, &sh) < 0)
				return report_fail(r, STEP_MOUNT, (int)i, errno);
			continue;
		}
		if (t->is_covered) {
			t->fd = mkpath(rootfd, t->rel, t->is_dir);
			if (t->fd < 0)
				return report_fail(r, STEP_MOUNTPOINT, (int)m->target, errno);
		}
		if (m->op == SB_OP_DEV) {
			if (dev_setup(t->fd, m->attr, r) < 0)
				return -1;
		} else if (mount_one(m, t->fd) < 0) {
			return report_fail(r, STEP_MOUNT, (int)i, errno);
		}
	}
	if (*p->cwd_rel) {
		fd = mkpath(rootfd, p->cwd_rel, true);
		if (fd < 0)
			return report_fail(r, STEP_CWD, 0, errno);
		close(fd);
	}
	close_shield(&sh);
	if (pivot(rootfd) < 0)
		return report_fail(r, STEP_PIVOT, 0, errno);
	return 0;
}
