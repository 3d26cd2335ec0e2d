#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "util/err.h"
#include "whiteout.h"

#define WHITEOUT_META_PREFIX ".wh..wh."

enum whiteout_kind
whiteout_parse(const char *base, const char **target)
{
	const char *t;

	if (strncmp(base, WHITEOUT_PREFIX, strlen(WHITEOUT_PREFIX)) != 0)
		return WHITEOUT_NONE;
	if (strcmp(base, WHITEOUT_OPAQUE) == 0)
		return WHITEOUT_OPAQUE_DIR;
	if (strncmp(base, WHITEOUT_META_PREFIX, strlen(WHITEOUT_META_PREFIX)) == 0)
		return WHITEOUT_META;
	t = base + strlen(WHITEOUT_PREFIX);
	if (!*t || strcmp(t, ".") == 0 || strcmp(t, "..") == 0)
		return WHITEOUT_BAD;
	if (target)
		*target = t;
	return WHITEOUT_FILE;
}

bool
whiteout_is_overlay(const struct stat *sb)
{
	return S_ISCHR(sb->st_mode) && sb->st_rdev == makedev(0, 0);
}

int
whiteout_make(int dirfd, const char *name, struct err **errp)
{
	if (mknodat(dirfd, name, S_IFCHR | 0000, makedev(0, 0)) < 0)
		return err_make(errp, errno, "cannot create whiteout '%s'", name);
	return 0;
}

int
whiteout_set_opaque(int fd, bool userxattr, struct err **errp)
{
	const char *name = userxattr ? "user.overlay.opaque" : "trusted.overlay.opaque";

	if (fsetxattr(fd, name, "y", 1, 0) < 0)
		return err_make(errp, errno, "cannot set xattr '%s'", name);
	return 0;
}

static int
has_y(int fd, const char *name, bool *yes, struct err **errp)
{
	char v[2];
	ssize_t n = fgetxattr(fd, name, v, sizeof(v));

	*yes = false;
	if (n < 0) {
		/* absent, or a namespace the filesystem or we cannot use */
		if (errno == ENODATA || errno == ENOTSUP || errno == EPERM ||
		    errno == ERANGE)
			return 0;
		return err_make(errp, errno, "cannot read xattr '%s'", name);
	}
	/* "x" (kernel 6.7+) marks a directory holding xwhiteouts, which
	 * is not opaque */
	*yes = n == 1 && v[0] == 'y';
	return 0;
}

int
whiteout_is_opaque(int fd, bool *opaque, struct err **errp)
{
	if (has_y(fd, "trusted.overlay.opaque", opaque, errp) < 0)
		return -1;
	if (*opaque)
		return 0;
	return has_y(fd, "user.overlay.opaque", opaque, errp);
}

bool
whiteout_is_overlay_xattr(const char *name)
{
	return strncmp(name, "trusted.overlay.", 16) == 0 ||
	       strncmp(name, "user.overlay.", 13) == 0;
}
