#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "sandbox/overlay.h"
#include "sandbox/report.h"
#include "sandbox/sbplan.h"
#include "sandbox/userns.h"
#include "util/alloc.h"

const char *const ovl_fixed[OVL_NFIXED][2] = {
	{ "redirect_dir", "off" },
	{ "index", "off" },
	{ "metacopy", "off" },
};

bool ovl_force_legacy;

bool
ovl_skip_fixed(size_t i)
{
	/* userxattr implies redirect_dir=nofollow (which makes no redirect
	 * either) and refuses any other value */
	return userns_is_rootless() && i == 0;
}

char *
ovl_utoa(unsigned long n, char *buf)
{
	char tmp[24];
	size_t i = 0, j = 0;

	do
		tmp[i++] = (char)('0' + n % 10);
	while ((n /= 10) && i < sizeof(tmp));
	while (i)
		buf[j++] = tmp[--i];
	buf[j] = '\0';
	return buf;
}

/* read the messages of fs context fs, keeping the last error
 * ("e overlayfs: ...") in r unless r is NULL */
static void
fs_log(int fs, struct sb_report *r)
{
	char msg[256];
	ssize_t n;

	while ((n = read(fs, msg, sizeof(msg) - 1)) > 0) {
		msg[n] = '\0';
		if (r && n > 2 && msg[0] == 'e' && msg[1] == ' ')
			report_detail(r, msg + 2);
	}
}

static int
set(int fs, const char *key, const char *value)
{
	return fsconfig(fs, FSCONFIG_SET_STRING, key, value, 0);
}

/*
 * set key to directory path. fsconfig takes strings of up to 255 bytes,
 * so a longer path goes by fd (Linux 6.13). Returns 0, -1 with errno and
 * r->detail set, or 1 when this kernel does not know the key (before
 * 6.8) or cannot take an fd for it.
 */
static int
set_dir(int fs, const char *key, const char *path, struct sb_report *r)
{
	int rc, e;

	if (strlen(path) < 256) {
		rc = set(fs, key, path);
	} else {
		autoclose int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);

		if (fd < 0)
			return -1;
		rc = fsconfig(fs, FSCONFIG_SET_FD, key, NULL, fd);
	}
	if (rc == 0)
		return 0;
	e = errno;
	fs_log(fs, r);
	if (e == EINVAL && (strstr(r->detail, "nknown parameter") ||
			    strstr(r->detail, "Bad value"))) {
		r->detail[0] = '\0';
		return 1;
	}
	errno = e;
	return -1;
}

static int
fail(int fs, struct sb_report *r, int step, int arg)
{
	int e = errno;

	fs_log(fs, r);
	return report_fail(r, step, arg, e);
}

/* overlayfs wants two lowers when there is no upper: a read-only bind of
 * the one lower is the same view */
static int
bind_ro(const char *dir, unsigned attr, int *mfd, struct sb_report *r)
{
	struct mount_attr ma = { .attr_set = MOUNT_ATTR_RDONLY | attr };
	autoclose int m = open_tree(AT_FDCWD, dir, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
				    AT_RECURSIVE);

	if (m < 0)
		return report_fail(r, STEP_OVERLAY_LOWER, 0, errno);
	if (mount_setattr(m, "", AT_EMPTY_PATH | AT_RECURSIVE, &ma, sizeof(ma)) < 0)
		return report_fail(r, STEP_OVERLAY, 0, errno);
	*mfd = steal_fd(&m);
	return 0;
}

/* the dirs of o as fsconfig calls; returns as set_dir */
static int
set_dirs(int fs, const struct sb_ovl *o, bool has_scaffold, struct sb_report *r)
{
	int rc;

	if (has_scaffold && (rc = set_dir(fs, "lowerdir+", "scaffold", r)) != 0)
		return rc < 0 ? report_fail(r, STEP_OVERLAY_LOWER, -1, errno) : 1;
	for (size_t i = 0; i < o->nlower; i++)
		if ((rc = set_dir(fs, "lowerdir+", o->lowers[i], r)) != 0)
			return rc < 0 ? report_fail(r, STEP_OVERLAY_LOWER, (int)i, errno) : 1;
	if (o->upper && (rc = set_dir(fs, "upperdir", o->upper, r)) != 0)
		return rc < 0 ? report_fail(r, STEP_OVERLAY_UPPER, 0, errno) : 1;
	if (o->work && (rc = set_dir(fs, "workdir", o->work, r)) != 0)
		return rc < 0 ? report_fail(r, STEP_OVERLAY_WORK, 0, errno) : 1;
	return 0;
}

int
ovl_fsmount(const struct sb_ovl *o, bool has_scaffold, int *mfd,
	    struct sb_report *r)
{
	autoclose int fs = -1;
	int m, rc;

	if (!o->upper && o->nlower == 1 && !has_scaffold)
		return bind_ro(o->lowers[0], o->attr, mfd, r);
	if (ovl_force_legacy)
		return 1;
	fs = fsopen("overlay", FSOPEN_CLOEXEC);
	if (fs < 0)
		return errno == ENOSYS ? 1 : report_fail(r, STEP_OVERLAY, 0, errno);
	/*
	 * before 6.5, overlayfs took options through the legacy wrapper,
	 * which accepts any key and fails only at create time; the new
	 * parser rejects unknown keys at once, and "lowerdir+" exists from
	 * 6.8. Either older case is served by mount(2).
	 */
	if (fsconfig(fs, FSCONFIG_SET_FLAG, "df2ninja_probe", NULL, 0) == 0)
		return 1;
	fs_log(fs, NULL);
	rc = set_dirs(fs, o, has_scaffold, r);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < OVL_NFIXED; i++)
		if (!ovl_skip_fixed(i) && set(fs, ovl_fixed[i][0], ovl_fixed[i][1]) < 0)
			return fail(fs, r, STEP_OVERLAY, 0);
	/* in a user namespace overlayfs keeps its whiteout and opaque
	 * marks in user.overlay.* xattrs, as unpacked layers have them */
	if (userns_is_rootless() && fsconfig(fs, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0)
		return fail(fs, r, STEP_OVERLAY, 0);
	/* xino keeps st_dev and st_ino consistent across filesystems */
	if (has_scaffold && set(fs, "xino", "auto") < 0)
		return fail(fs, r, STEP_OVERLAY, 0);
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return fail(fs, r, STEP_OVERLAY, 0);
	m = fsmount(fs, FSMOUNT_CLOEXEC, o->attr);
	if (m < 0)
		return fail(fs, r, STEP_OVERLAY, 0);
	*mfd = m;
	return 0;
}

int
ovl_mount_legacy(const struct sb_ovl *o, bool has_scaffold,
		 const char *target, struct sb_report *r)
{
	const char *data = o->legacy[has_scaffold];

	if (!data)
		return report_fail(r, STEP_OVERLAY_TOO_LONG, 0, E2BIG);
	if (mount("overlay", target, "overlay",
		  o->attr & MOUNT_ATTR_NODEV ? MS_NODEV : 0, data) < 0)
		return report_fail(r, STEP_OVERLAY, 0, errno);
	return 0;
}

int
ovl_make_links(const struct sb_ovl *o, int dirfd, struct sb_report *r)
{
	char name[24];

	for (size_t i = 0; i < o->nlower; i++)
		if (symlinkat(o->lowers[i], dirfd, ovl_utoa(i, name)) < 0 &&
		    errno != EEXIST)
			return report_fail(r, STEP_OVERLAY_LOWER, (int)i, errno);
	return 0;
}
