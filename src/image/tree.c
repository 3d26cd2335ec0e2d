#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "tree.h"

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

static int
open_error(struct err **errp, int e, const char *path)
{
	if (e == ELOOP)
		err_make(errp, 0, "refusing to follow a symlink in '%s'", path);
	else if (e == EXDEV)
		err_make(errp, 0, "'%s' leads outside the tree", path);
	else
		return err_make(errp, e, "cannot open directory '%s'", path);
	/* keep the cause for callers that tell cases apart */
	if (errp && *errp)
		(*errp)->errnum = e;
	return -1;
}

/* one component at a time, making what is missing */
static int
walk(int rootfd, const char *path, bool create, int *fdp, struct err **errp)
{
	autofree char *copy = xstrdup(path);
	char *save = NULL, *comp;
	autoclose int fd = openat(rootfd, ".", DIR_FLAGS);
	int next;

	if (fd < 0)
		return err_make(errp, errno, "cannot open the tree root");
	for (comp = strtok_r(copy, "/", &save); comp;
	     comp = strtok_r(NULL, "/", &save)) {
		next = openat(fd, comp, DIR_FLAGS);
		if (next < 0 && errno == ENOENT && create) {
			bool made = mkdirat(fd, comp, 0755) == 0;

			if (!made && errno != EEXIST)
				return err_make(errp, errno, "cannot create directory '%s'",
						path);
			next = openat(fd, comp, DIR_FLAGS);
			/* 0755 whatever the umask */
			if (next >= 0 && made && fchmod(next, 0755) < 0) {
				int e = errno;

				close(next);
				return err_make(errp, e, "cannot chmod directory '%s'",
						path);
			}
		}
		if (next < 0) {
			int e = errno;
			struct stat sb;

			/* O_NOFOLLOW | O_DIRECTORY on a symlink says ENOTDIR */
			if (e == ENOTDIR &&
			    fstatat(fd, comp, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(sb.st_mode))
				e = ELOOP;
			return open_error(errp, e, path);
		}
		close(fd);
		fd = next;
	}
	*fdp = steal_fd(&fd);
	return 0;
}

int
tree_open_dir(int rootfd, const char *path, bool create, int *fdp,
	      struct err **errp)
{
	struct open_how how = {
		/* RESOLVE_NO_SYMLINKS covers the last component too, and
		 * says ELOOP where O_NOFOLLOW would say ENOTDIR */
		.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
			   RESOLVE_NO_MAGICLINKS,
	};
	long fd;

	/* openat2 checks the whole path in one call; fall back to a walk
	 * when something is missing or the kernel predates it */
	fd = syscall(SYS_openat2, rootfd, *path ? path : ".", &how, sizeof(how));
	if (fd >= 0) {
		*fdp = (int)fd;
		return 0;
	}
	if (errno != ENOENT && errno != ENOSYS && errno != EAGAIN)
		return open_error(errp, errno, path);
	return walk(rootfd, path, create, fdp, errp);
}

static int
remove_children(int fd, const char *name, struct err **errp)
{
	DIR *d = fdopendir(fd);
	struct dirent *de;
	int r = 0;

	if (!d) {
		int e = errno;

		close(fd);
		return err_make(errp, e, "cannot read directory '%s'", name);
	}
	while (r == 0 && (errno = 0, de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		r = tree_remove(dirfd(d), de->d_name, errp);
	}
	if (r == 0 && errno)
		r = err_make(errp, errno, "cannot read directory '%s'", name);
	closedir(d);
	return r;
}

int
tree_remove(int dirfd, const char *name, struct err **errp)
{
	int fd;

	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR)
		return err_make(errp, errno, "cannot remove '%s'", name);
	fd = openat(dirfd, name, DIR_FLAGS);
	if (fd < 0 && errno == EACCES) {
		/* a directory without search permission */
		if (fchmodat(dirfd, name, 0700, 0) == 0)
			fd = openat(dirfd, name, DIR_FLAGS);
	}
	if (fd < 0)
		return err_make(errp, errno, "cannot remove '%s'", name);
	if (remove_children(fd, name, errp) < 0)
		return -1;
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return err_make(errp, errno, "cannot remove directory '%s'", name);
	return 0;
}

int
tree_remove_path(const char *path, struct err **errp)
{
	autofree char *dir = fs_dirname(path);
	const char *base = strrchr(path, '/');
	autoclose int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	base = base ? base + 1 : path;
	if (dfd < 0)
		return err_make(errp, errno, "cannot open '%s'", dir);
	return tree_remove(dfd, base, errp);
}
