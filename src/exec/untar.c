#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "image/archive_dl.h"
#include "oci/digest.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/path.h"
#include "copytree.h"
#include "rootpath.h"
#include "untar.h"

/* the compressions Docker's DecompressStream knows, and tar */
static struct archive *
open_reader(int fd)
{
	struct archive *a = archive_read_new();

	if (!a)
		return NULL;
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK) {
		archive_read_free(a);
		return NULL;
	}
	return a;
}

int
untar_is_archive(int fd, bool *is, struct err **errp)
{
	struct archive_entry *e;
	struct archive *a;
	int r;

	*is = false;
	if (archive_dl_load(errp) < 0)
		return -1;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return 0;
	a = open_reader(fd);
	if (!a)
		return 0;
	/* Go's tar.Reader.Next must return a header: an empty or all-zero
	 * archive is a file like any other */
	r = archive_read_next_header(a, &e);
	archive_read_free(a);
	*is = r == ARCHIVE_OK || r == ARCHIVE_WARN;
	return 0;
}

struct dir_time {
	char *path;
	struct timespec ts[2];
};

struct untar {
	struct archive *a;
	int destfd;
	const char *dest;
	long uid, gid;
	struct digest *dg;
	struct dir_time *dirs;
	size_t ndirs, cap;
};

/* remove name in parent and everything below it, following no symlink */
static int
remove_all(int parent, const char *name)
{
	struct dirent *de;
	DIR *d;
	int fd;

	if (unlinkat(parent, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -1;
	fd = openat(parent, name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (remove_all(dirfd(d), de->d_name) < 0) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return unlinkat(parent, name, AT_REMOVEDIR);
}

/* the entry name cleaned (BuildKit's cleanRootTarPath); NULL for the
 * root itself, which is skipped */
static int
clean_name(const char *raw, char **out, struct err **errp)
{
	char *n;

	while (*raw == '/')
		raw++;
	n = path_clean(raw, 0);
	if (strcmp(n, ".") == 0) {
		free(n);
		*out = NULL;
		return 0;
	}
	if (strcmp(n, "..") == 0 || strncmp(n, "../", 3) == 0) {
		free(n);
		return err_make(errp, 0,
				"archive path '%s' is outside extraction root",
				raw);
	}
	*out = n;
	return 0;
}

static char *
abs_path(const struct untar *u, const char *rel)
{
	if (strcmp(u->dest, "/") == 0)
		return xasprintf("/%s", rel);
	return xasprintf("%s/%s", u->dest, rel);
}

static void
entry_times(struct archive_entry *e, struct timespec ts[2])
{
	ts[1].tv_sec = archive_entry_mtime(e);
	ts[1].tv_nsec = archive_entry_mtime_nsec(e);
	if (ts[1].tv_sec < 0)
		ts[1].tv_sec = ts[1].tv_nsec = 0;
	ts[0] = ts[1];
	if (archive_entry_atime_is_set(e) &&
	    archive_entry_atime(e) > ts[1].tv_sec) {
		ts[0].tv_sec = archive_entry_atime(e);
		ts[0].tv_nsec = archive_entry_atime_nsec(e);
	}
}

static void
set_xattrs(struct archive_entry *e, int fd)
{
	const char *name;
	const void *value;
	size_t size;

	archive_entry_xattr_reset(e);
	while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK)
		if (strcmp(name, "security.selinux") != 0)
			(void)fsetxattr(fd, name, value, size, 0);
}

static const char zeros[4096];

/* the entry's data into fd; holes of a sparse file are left as holes but
 * hashed as the zeros they read as */
static int
write_data(struct untar *u, struct archive_entry *e, int fd, const char *path,
	   struct err **errp)
{
	la_int64_t off, end = 0, size = archive_entry_size(e);
	const void *buf;
	size_t len;
	int r;

	while ((r = archive_read_data_block(u->a, &buf, &len, &off)) ==
	       ARCHIVE_OK) {
		const char *p = buf;

		while (end < off) {
			size_t z = off - end > (la_int64_t)sizeof(zeros) ?
				   sizeof(zeros) : (size_t)(off - end);

			digest_update(u->dg, zeros, z);
			end += (la_int64_t)z;
		}
		digest_update(u->dg, buf, len);
		while (len > 0) {
			ssize_t w = pwrite(fd, p, len, (off_t)off);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return err_make(errp, errno,
						"cannot write '%s'", path);
			p += w;
			off += w;
			len -= (size_t)w;
		}
		end = off;
	}
	if (r != ARCHIVE_EOF)
		return err_make(errp, 0,
				"cannot read '%s' from the archive: %s", path,
				archive_error_string(u->a));
	while (end < size) {
		size_t z = size - end > (la_int64_t)sizeof(zeros) ?
			   sizeof(zeros) : (size_t)(size - end);

		digest_update(u->dg, zeros, z);
		end += (la_int64_t)z;
	}
	if (ftruncate(fd, (off_t)end) < 0)
		return err_make(errp, errno, "cannot write '%s'", path);
	return 0;
}

/* owner, mode and times of what name in pfd became */
static int
set_meta(struct untar *u, struct archive_entry *e, int pfd, const char *base,
	 const char *path, bool is_link, struct err **errp)
{
	struct timespec ts[2];
	long uid = u->uid >= 0 ? u->uid : (long)archive_entry_uid(e);
	long gid = u->gid >= 0 ? u->gid : (long)archive_entry_gid(e);

	if (fchownat(pfd, base, (uid_t)uid, (gid_t)gid,
		     AT_SYMLINK_NOFOLLOW) < 0)
		return err_make(errp, errno, "cannot chown '%s'", path);
	if (!is_link &&
	    fchmodat(pfd, base, archive_entry_perm(e) & 07777, 0) < 0)
		return err_make(errp, errno, "cannot chmod '%s'", path);
	entry_times(e, ts);
	if (utimensat(pfd, base, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return err_make(errp, errno, "cannot set the times of '%s'",
				path);
	return 0;
}

static void
record(struct untar *u, struct archive_entry *e, char type, const char *path,
       long long size)
{
	long uid = u->uid >= 0 ? u->uid : (long)archive_entry_uid(e);
	long gid = u->gid >= 0 ? u->gid : (long)archive_entry_gid(e);

	copytree_record(u->dg, type, path, archive_entry_perm(e) & 07777, uid,
			gid, size);
}

/* the digest's letter for a device or fifo */
static char
node_type(mode_t type)
{
	if (type == AE_IFIFO)
		return 'p';
	return type == AE_IFCHR ? 'c' : 'b';
}

static int
do_hardlink(struct untar *u, struct archive_entry *e, int pfd, const char *base,
	    const char *path, struct err **errp)
{
	autofree char *target = NULL, *res = NULL, *tdir = NULL;
	struct stat st;
	int tfd, r;

	if (clean_name(archive_entry_hardlink(e), &target, errp) < 0)
		return -1;
	if (!target)
		return err_make(errp, 0,
				"archive hardlink '%s' targets extraction root",
				path);
	if (rootpath_resolve(u->destfd, target, ROOTPATH_NOFOLLOW, &res, NULL,
			     NULL, errp) < 0)
		return err_wrap(errp, "hardlink '%s'", path);
	tdir = rootpath_dirname(res);
	tfd = rootpath_open(u->destfd, tdir, O_PATH | O_DIRECTORY, 0);
	if (tfd < 0)
		return err_make(errp, errno,
				"cannot open the target of hardlink '%s'",
				path);
	r = linkat(tfd, rootpath_basename(res), pfd, base, 0);
	close(tfd);
	if (r < 0)
		return err_make(errp, errno, "cannot create hardlink '%s'",
				path);
	if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return err_make(errp, errno, "cannot stat '%s'", path);
	record(u, e, 'h', path, (long long)strlen(target));
	digest_update(u->dg, target, strlen(target));
	return set_meta(u, e, pfd, base, path, S_ISLNK(st.st_mode), errp);
}

static int
do_entry(struct untar *u, struct archive_entry *e, struct err **errp)
{
	autofree char *name = NULL, *leaf = NULL, *pdir = NULL, *path = NULL;
	mode_t type = archive_entry_filetype(e);
	bool is_dir = type == AE_IFDIR && !archive_entry_hardlink(e);
	const char *base;
	struct stat st;
	int pfd, fd, r = -1;

	if (clean_name(archive_entry_pathname(e), &name, errp) < 0)
		return -1;
	if (!name)
		return 0;
	/* symlinks on the way are followed inside the root (and the last
	 * one too for a directory, so "usr/lib/" lands where it points) */
	if (is_dir) {
		if (rootpath_resolve(u->destfd, name, ROOTPATH_MISSING_OK,
				     &leaf, NULL, NULL, errp) < 0)
			return -1;
		if (!*leaf)
			return 0;
	} else {
		autofree char *dir = rootpath_dirname(name), *dres = NULL;

		if (rootpath_resolve(u->destfd, dir, ROOTPATH_MISSING_OK, &dres,
				     NULL, NULL, errp) < 0)
			return -1;
		leaf = rootpath_join(dres, rootpath_basename(name));
	}
	path = abs_path(u, leaf);
	pdir = rootpath_dirname(leaf);
	base = rootpath_basename(leaf);
	/* parents the archive does not list are root's, 0755 */
	pfd = rootpath_mkdirs(u->destfd, pdir, 0755, 0, 0, NULL, errp);
	if (pfd < 0)
		return -1;
	if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    !(S_ISDIR(st.st_mode) && is_dir) && remove_all(pfd, base) < 0) {
		err_make(errp, errno, "cannot replace '%s'", path);
		goto out;
	}
	if (archive_entry_hardlink(e)) {
		r = do_hardlink(u, e, pfd, base, path, errp);
		goto out;
	}
	switch (type) {
	case AE_IFDIR:
		if (mkdirat(pfd, base, 0700) < 0 && errno != EEXIST) {
			err_make(errp, errno, "cannot create directory '%s'",
				 path);
			goto out;
		}
		fd = openat(pfd, base,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			err_make(errp, errno, "cannot open directory '%s'",
				 path);
			goto out;
		}
		set_xattrs(e, fd);
		close(fd);
		record(u, e, 'd', path, 0);
		xgrow(&u->dirs, &u->cap, u->ndirs + 1, sizeof(*u->dirs));
		u->dirs[u->ndirs].path = xstrdup(leaf);
		entry_times(e, u->dirs[u->ndirs].ts);
		u->ndirs++;
		r = set_meta(u, e, pfd, base, path, false, errp);
		break;
	case AE_IFREG:
		fd = openat(pfd, base,
			    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				    O_CLOEXEC,
			    0600);
		if (fd < 0) {
			err_make(errp, errno, "cannot create '%s'", path);
			goto out;
		}
		record(u, e, 'f', path, (long long)archive_entry_size(e));
		r = write_data(u, e, fd, path, errp);
		if (r == 0)
			set_xattrs(e, fd);
		close(fd);
		if (r == 0)
			r = set_meta(u, e, pfd, base, path, false, errp);
		break;
	case AE_IFLNK: {
		const char *target = archive_entry_symlink(e);

		if (!target)
			target = "";
		if (symlinkat(target, pfd, base) < 0) {
			err_make(errp, errno, "cannot create symlink '%s'",
				 path);
			goto out;
		}
		record(u, e, 'l', path, (long long)strlen(target));
		digest_update(u->dg, target, strlen(target));
		r = set_meta(u, e, pfd, base, path, true, errp);
		break;
	}
	case AE_IFCHR:
	case AE_IFBLK:
	case AE_IFIFO:
		if (mknodat(pfd, base, type | (archive_entry_perm(e) & 07777),
			    archive_entry_rdev(e)) < 0) {
			err_make(errp, errno, "cannot create '%s'", path);
			goto out;
		}
		record(u, e, node_type(type), path,
		       (long long)archive_entry_rdev(e));
		r = set_meta(u, e, pfd, base, path, false, errp);
		break;
	default:
		err_make(errp, 0, "unsupported tar entry '%s' (type 0%o)", name,
			 (unsigned)type);
		break;
	}
out:
	close(pfd);
	return r;
}

static int
set_dir_times(int destfd, const struct dir_time *d, struct err **errp)
{
	int fd = rootpath_open(destfd, d->path,
			       O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
	int r = 0;

	/* something later in the archive may have replaced it */
	if (fd < 0)
		return 0;
	if (futimens(fd, d->ts) < 0)
		r = err_make(errp, errno, "cannot set the times of '%s'",
			     d->path);
	close(fd);
	return r;
}

int
untar_extract(int fd, int destfd, const char *dest, long uid, long gid,
	      struct digest *dg, struct err **errp)
{
	struct untar u = { NULL, destfd, dest, uid, gid, dg, NULL, 0, 0 };
	struct archive_entry *e;
	int r = 0, ar;

	if (archive_dl_load(errp) < 0)
		return -1;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return err_make(errp, errno, "cannot rewind the archive");
	u.a = open_reader(fd);
	if (!u.a)
		return err_make(errp, 0, "cannot open the archive");
	while (r == 0 &&
	       (ar = archive_read_next_header(u.a, &e)) != ARCHIVE_EOF) {
		if (ar != ARCHIVE_OK && ar != ARCHIVE_WARN) {
			r = err_make(errp, 0, "cannot read the archive: %s",
				     archive_error_string(u.a));
			break;
		}
		r = do_entry(&u, e, errp);
	}
	/* directory times last, deepest first, once nothing is written into
	 * them any more */
	for (size_t i = u.ndirs; i-- > 0;) {
		if (r == 0)
			r = set_dir_times(destfd, &u.dirs[i], errp);
		free(u.dirs[i].path);
	}
	free(u.dirs);
	archive_read_free(u.a);
	return r;
}
