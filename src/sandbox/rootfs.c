#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/lowerview.h"
#include "sandbox/overlay.h"
#include "sandbox/report.h"
#include "sandbox/rootfs.h"
#include "sandbox/sbplan.h"

int
rootfs_open(int rootfd, const char *rel, int flags)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};

	return (int)syscall(SYS_openat2, rootfd, *rel ? rel : ".", &how, sizeof(how));
}

/*
 * where the mount points and the dirs the scaffold copies are looked up:
 * a mount of the rootfs (mfd), or the lower dirs themselves (lv); both
 * unset when there are no lowers
 */
struct view {
	int mfd;
	struct lowerview *lv;
};

static bool
has_view(const struct view *v)
{
	return v->mfd >= 0 || v->lv;
}

/* open rel in v without following its last component: an fd, or -1 with
 * errno (LOWERVIEW_UNSURE from the lower dirs when they cannot tell) */
static int
view_open(const struct view *v, const char *rel, struct stat *st)
{
	int fd;

	if (v->lv)
		return lowerview_lookup(v->lv, rel, st);
	fd = rootfs_open(v->mfd, rel, O_PATH | O_NOFOLLOW);
	if (fd >= 0 && fstat(fd, st) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
view_lstat(const struct view *v, const char *rel, struct stat *st)
{
	int fd = view_open(v, rel, st);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/*
 * the staging tmpfs holds the scaffold, and on the mount(2) path the
 * overlay's mount point and the short names of its layers. It is
 * attached over "/": a lookup from the process root never steps onto
 * mounts stacked on the root itself (switch_root relies on the same), so
 * host paths still resolve, and older kernels stack only attached layers.
 * It becomes the cwd, so that layers in it are named relatively.
 */
static int
staging_open(int *staging, struct sb_report *r)
{
	int fs, m = -1, e;

	if (*staging >= 0)
		return 0;
	fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0)
		return report_fail(r, STEP_STAGING, 0, errno);
	if (fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0755", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0 ||
	    (m = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)) < 0 ||
	    move_mount(m, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) < 0 ||
	    fchdir(m) < 0) {
		e = errno;
		close(fs);
		return report_fail(r, STEP_STAGING, 0, e);
	}
	close(fs);
	*staging = m;
	return 0;
}

/*
 * make the missing mount point t (a name in the root) through the
 * overlay mfd, so that it lands in the upper dir and in the layer:
 * root's, 0755 whatever the umask, as runc makes /dev, /proc and /sys
 */
static int
upper_make(int mfd, const struct sb_target *t)
{
	if (mkdirat(mfd, t->rel, 0755) < 0)
		return -1;
	return fchmodat(mfd, t->rel, 0755, 0);
}

/*
 * 0: t is a mount point of the right type and t->fd is set, or t is to be
 * made in the upper dir (t->is_absent, on a view that cannot make it:
 * !can_make, always so for the lower dirs); 1: it needs the scaffold;
 * -1: error; LOWERVIEW_UNSURE: the lower dirs cannot tell
 */
static int
probe(const struct view *v, struct sb_target *t, bool can_make)
{
	struct stat st;
	int fd = view_open(v, t->rel, &st);

	t->is_absent = false;
	if (fd == LOWERVIEW_UNSURE)
		return fd;
	if (fd < 0 && errno == ENOENT && t->is_upper) {
		if (!can_make) {
			t->is_absent = true;
			return 0;
		}
		if (upper_make(v->mfd, t) < 0)
			return -1;
		fd = view_open(v, t->rel, &st);
	}
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? 1 : -1;
	/* a symlink would be followed by the mount: replace it */
	if (S_ISLNK(st.st_mode) || S_ISDIR(st.st_mode) != t->is_dir) {
		close(fd);
		return 1;
	}
	t->fd = fd;
	return 0;
}

/* probe every target not covered, making the is_upper ones when
 * can_make; returns how many are missing (the first in *first), -1, or
 * LOWERVIEW_UNSURE */
static int
probe_all(struct sb_plan *p, const struct view *v, bool can_make, size_t *first,
	  struct sb_report *r)
{
	int missing = 0, rc;

	for (size_t i = 0; i < p->ntarget; i++) {
		if (p->targets[i].is_covered)
			continue;
		rc = probe(v, &p->targets[i], can_make);
		if (rc == LOWERVIEW_UNSURE)
			return rc;
		if (rc < 0)
			return report_fail(r, STEP_PROBE, (int)i, errno);
		if (rc > 0 && !missing++)
			*first = i;
	}
	return missing;
}

static void
close_targets(struct sb_plan *p)
{
	for (size_t i = 0; i < p->ntarget; i++) {
		if (p->targets[i].fd >= 0)
			close(p->targets[i].fd);
		p->targets[i].fd = -1;
	}
}

/* does t go in the scaffold? v: as for scaffold_make */
static bool
needs_scaffold(const struct sb_target *t, const struct view *v)
{
	/* with no lowers there was no probe: an is_upper one is made later */
	if (t->is_covered || t->fd >= 0 || t->is_absent)
		return false;
	return has_view(v) || !t->is_upper;
}

/* give dirfd/name the owner and mode of st */
static int
mirror(int dirfd, const char *name, const struct stat *st)
{
	if (fchownat(dirfd, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	return fchmodat(dirfd, name, st->st_mode & 07777, 0);
}

/*
 * a scaffold directory copies the directory of the rootfs it stands in
 * for: being the top-most layer, it decides what the merged directory
 * looks like, and a copy-up into the upper dir takes its metadata
 */
static int
scaffold_dir(int scaf, const struct view *v, const char *rel)
{
	struct stat st;
	bool is_mirror = has_view(v) && view_lstat(v, rel, &st) == 0 && S_ISDIR(st.st_mode);

	if (mkdirat(scaf, rel, 0755) < 0)
		return errno == EEXIST ? 0 : -1;
	return is_mirror ? mirror(scaf, rel, &st) : 0;
}

static int
scaffold_add(int scaf, const struct view *v, const struct sb_target *t)
{
	char path[PATH_MAX], *s;
	size_t n = strlen(t->rel);
	int fd;

	if (n >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(path, t->rel, n + 1);
	for (s = strchr(path, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (scaffold_dir(scaf, v, path) < 0)
			return -1;
		*s = '/';
	}
	if (t->is_dir)
		return scaffold_dir(scaf, v, path);
	fd = openat(scaf, path, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* copy the times of the rootfs directories on the way to t */
static void
scaffold_times(int scaf, const struct view *v, const struct sb_target *t)
{
	char path[PATH_MAX], *s = NULL;
	size_t n = strlen(t->rel);
	struct stat st;

	if (n >= sizeof(path))
		return;
	memcpy(path, t->rel, n + 1);
	do {
		s = strchr(s ? s + 1 : path, '/');
		if (s)
			*s = '\0';
		if (view_lstat(v, path, &st) == 0 && S_ISDIR(st.st_mode))
			utimensat(scaf, path, (struct timespec[2]){ st.st_atim, st.st_mtim },
				  AT_SYMLINK_NOFOLLOW);
		if (s)
			*s = '/';
	} while (s);
}

/* fill the scaffold with every missing mount point; v is the rootfs
 * without it, unset when there are no lowers to copy from */
static int
scaffold_make(struct sb_plan *p, int staging, const struct view *v,
	      struct sb_report *r)
{
	struct stat st;
	int scaf;

	if (mkdirat(staging, "scaffold", 0755) < 0 ||
	    (scaf = openat(staging, "scaffold", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return report_fail(r, STEP_STAGING, 0, errno);
	for (size_t i = 0; i < p->ntarget; i++) {
		const struct sb_target *t = &p->targets[i];

		if (needs_scaffold(t, v) && scaffold_add(scaf, v, t) < 0)
			return report_fail(r, STEP_SCAFFOLD, (int)i, errno);
	}
	if (has_view(v)) {
		/* times last: making entries changed them */
		for (size_t i = 0; i < p->ntarget; i++)
			if (needs_scaffold(&p->targets[i], v))
				scaffold_times(scaf, v, &p->targets[i]);
		if (view_lstat(v, "", &st) < 0 || mirror(staging, "scaffold", &st) < 0 ||
		    utimensat(staging, "scaffold",
			      (struct timespec[2]){ st.st_atim, st.st_mtim }, 0) < 0)
			return report_fail(r, STEP_SCAFFOLD, -1, errno);
	}
	close(scaf);
	return 0;
}

int
rootfs_overlay(const struct sb_ovl *o, bool has_scaffold, bool *is_legacy,
	       int *staging, int *mfd, struct sb_report *r)
{
	int rc;

	if (!*is_legacy) {
		if (has_scaffold && staging_open(staging, r) < 0)
			return -1;
		rc = ovl_fsmount(o, has_scaffold, mfd, r);
		if (rc <= 0)
			return rc;
		*is_legacy = true;
	}
	if (staging_open(staging, r) < 0)
		return -1;
	if (o->is_short[has_scaffold] && ovl_make_links(o, *staging, r) < 0)
		return -1;
	if (mkdirat(*staging, "root", 0755) < 0 && errno != EEXIST)
		return report_fail(r, STEP_STAGING, 0, errno);
	if (ovl_mount_legacy(o, has_scaffold, "root", r) < 0)
		return -1;
	/* a detached copy, as fsmount gives, so that staging can go */
	*mfd = open_tree(AT_FDCWD, "root", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (*mfd < 0 || umount2("root", MNT_DETACH) < 0)
		return report_fail(r, STEP_OVERLAY, 0, errno);
	return 0;
}

int
rootfs_staging_drop(int *staging, struct sb_report *r)
{
	if (*staging < 0)
		return 0;
	/* the cwd is the root of staging (staging_open) */
	if (umount2(".", MNT_DETACH) < 0)
		return report_fail(r, STEP_STAGING, 0, errno);
	close(*staging);
	*staging = -1;
	return 0;
}

/*
 * build the scaffold from the lowers alone, when there is an upper dir:
 * looked up in the lower dirs themselves (lowerview.h) or, when they
 * cannot tell, in a read-only overlay of them (new mount API only). That
 * view makes no work dir, in which overlayfs creates and deletes a few
 * files at every mount (on ext4 without a journal each creation scans
 * the inodes freed in the last minutes), so the overlay with the upper
 * dir is mounted only once, already with the scaffold it needs. An upper
 * dir that hides a mount point is caught by the probe of that overlay.
 * *has_scaffold says whether it was made.
 */
static int
scaffold_from_lowers(struct sb_plan *p, int *staging, bool *has_scaffold,
		     struct sb_report *r)
{
	struct sb_ovl lowers = { .lowers = p->ovl.lowers, .nlower = p->ovl.nlower };
	struct lowerview lv;
	struct view v = { .mfd = -1, .lv = NULL };
	int missing = LOWERVIEW_UNSURE, rc;
	size_t first = 0;

	*has_scaffold = false;
	if (!p->ovl.upper || p->ovl.nlower == 0)
		return 0;
	if (lowerview_open(&lv, p->ovl.lowers, p->ovl.nlower) == 0) {
		v.lv = &lv;
		missing = probe_all(p, &v, false, &first, r);
		if (missing == LOWERVIEW_UNSURE) {
			close_targets(p);
			lowerview_close(&lv);
			v.lv = NULL;
		}
	}
	if (missing == LOWERVIEW_UNSURE) {
		rc = ovl_fsmount(&lowers, false, &v.mfd, r);
		if (rc != 0)
			return rc < 0 ? -1 : 0;	/* 1: mount(2) only; the plain path */
		missing = probe_all(p, &v, false, &first, r);
	}
	rc = missing < 0 ? -1 : 0;
	if (missing > 0) {
		rc = staging_open(staging, r);
		if (rc == 0)
			rc = scaffold_make(p, *staging, &v, r);
		*has_scaffold = rc == 0;
	}
	close_targets(p);
	if (v.lv)
		lowerview_close(&lv);
	if (v.mfd >= 0)
		close(v.mfd);
	return rc;
}

int
rootfs_mount(struct sb_plan *p, int *rootfd, struct sb_report *r)
{
	struct view v = { .mfd = -1, .lv = NULL };
	int staging = -1, missing;
	bool is_legacy = false, has_scaffold;
	size_t first = 0;

	if (scaffold_from_lowers(p, &staging, &has_scaffold, r) < 0)
		return -1;
	if (p->ovl.nlower > 0) {
		if (rootfs_overlay(&p->ovl, has_scaffold, &is_legacy, &staging, &v.mfd, r) < 0)
			return -1;
		missing = probe_all(p, &v, true, &first, r);
		if (missing < 0)
			return -1;
		if (missing == 0)
			goto attach;
		if (has_scaffold)
			return report_fail(r, STEP_PROBE, (int)first, ENOENT);
	}
	/* the common case (every mount point in the image) stops above */
	if (staging_open(&staging, r) < 0 || scaffold_make(p, staging, &v, r) < 0)
		return -1;
	close_targets(p);
	if (v.mfd >= 0)
		close(v.mfd);
	if (rootfs_overlay(&p->ovl, true, &is_legacy, &staging, &v.mfd, r) < 0)
		return -1;
	missing = probe_all(p, &v, true, &first, r);
	if (missing < 0)
		return -1;
	if (missing > 0)
		return report_fail(r, STEP_PROBE, (int)first, ENOENT);
attach:
	/*
	 * left over "/", staging would sit between the old root and the new
	 * one after pivot_root, and detaching "." would take it instead of
	 * the old root. The overlay holds its own copies of its layers, so
	 * staging can go now.
	 */
	if (rootfs_staging_drop(&staging, r) < 0)
		return -1;
	if (move_mount(v.mfd, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return report_fail(r, STEP_OVERLAY, 0, errno);
	*rootfd = v.mfd;
	return 0;
}
