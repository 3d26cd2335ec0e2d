#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "image/archive_dl.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/path.h"
#include "util/strv.h"
#include "extract.h"
#include "layer_in.h"
#include "pathset.h"
#include "tree.h"
#include "whiteout.h"

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

struct dirtime {
	char *path;
	struct timespec ts[2];
};

struct extract {
	int rootfd;
	enum extract_mode mode;
	bool userxattr;
	struct pathset written;	/* EXTRACT_APPLY: what this layer wrote */
	struct dirtime *dirs;
	size_t ndirs, dircap;
	/* the parent directory of the last entry: tar entries come grouped
	 * by directory, so this saves a lookup for most of them */
	char *cached;
	int cachefd;
};

/* one entry, taken apart */
struct item {
	struct archive_entry *e;
	char *path;		/* clean, relative */
	const char *base;	/* its last component */
	char *parent;		/* the rest ("" at the top) */
	int pfd;		/* the parent directory, owned by the cache */
	uid_t uid;
	gid_t gid;
	struct timespec ts[2];	/* atime, mtime */
};

struct extract *
extract_new(int rootfd, enum extract_mode mode, bool userxattr)
{
	struct extract *x = xcalloc(1, sizeof(*x));

	x->rootfd = rootfd;
	x->mode = mode;
	x->userxattr = userxattr;
	x->cachefd = -1;
	return x;
}

void
extract_free(struct extract *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->ndirs; i++)
		free(x->dirs[i].path);
	free(x->dirs);
	pathset_fini(&x->written);
	free(x->cached);
	if (x->cachefd >= 0)
		close(x->cachefd);
	free(x);
}

/* after a removal the cached directory may be gone or replaced; its fd
 * stays open until the next lookup, as the current entry still uses it */
static void
forget_parent(struct extract *x)
{
	free(x->cached);
	x->cached = NULL;
}

/*
 * EXTRACT_APPLY: the components of parent that a lower layer made
 * something other than a directory (lib -> usr/lib) become empty
 * directories. That is the merged view: overlayfs shows an upper
 * layer's directory alone over a lower non-directory, and the store
 * unpacks each layer into a directory of its own, so a RUN saw the
 * same. What this layer made itself stays, and is refused.
 */
static int
displace_lower(struct extract *x, const char *parent, struct err **errp)
{
	autofree char *copy = xstrdup(parent);
	char *save = NULL;
	autoclose int fd = openat(x->rootfd, ".", DIR_FLAGS);

	if (fd < 0)
		return err_make(errp, errno, "cannot open the tree root");
	for (char *comp = strtok_r(copy, "/", &save); comp;
	     comp = strtok_r(NULL, "/", &save)) {
		autofree char *p = xstrndup(parent, (size_t)(comp - copy) + strlen(comp));
		struct stat sb;
		int next;

		if (fstatat(fd, comp, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
		    !S_ISDIR(sb.st_mode) && !pathset_has(&x->written, p)) {
			forget_parent(x);
			if (tree_remove(fd, comp, errp) < 0)
				return -1;
			if (mkdirat(fd, comp, 0755) < 0 ||
			    fchmodat(fd, comp, 0755, 0) < 0)
				return err_make(errp, errno, "cannot create directory '%s'", p);
		}
		/* what is missing or refused, the caller's lookup reports */
		next = openat(fd, comp, DIR_FLAGS);
		close(fd);
		fd = next;
		if (fd < 0)
			return 0;
	}
	return 0;
}

static int
get_parent(struct extract *x, const char *parent, int *fdp, struct err **errp)
{
	struct err *e = NULL;
	int fd;

	if (x->cached && strcmp(x->cached, parent) == 0) {
		*fdp = x->cachefd;
		return 0;
	}
	if (tree_open_dir(x->rootfd, parent, true, &fd, &e) < 0) {
		bool displace = x->mode == EXTRACT_APPLY &&
				(e->errnum == ELOOP || e->errnum == ENOTDIR);

		err_free(e);
		if (displace && displace_lower(x, parent, errp) < 0)
			return -1;
		/* again: the error stands when nothing was displaced */
		if (tree_open_dir(x->rootfd, parent, true, &fd, errp) < 0)
			return -1;
	}
	if (x->cachefd >= 0)
		close(x->cachefd);
	free(x->cached);
	x->cached = xstrdup(parent);
	x->cachefd = fd;
	*fdp = fd;
	return 0;
}

static int
replace(struct extract *x, int pfd, const char *base, struct err **errp)
{
	forget_parent(x);
	return tree_remove(pfd, base, errp);
}

static int
set_xattrs(struct item *it, int fd, struct err **errp)
{
	const char *name;
	const void *value;
	size_t size;

	if (archive_entry_xattr_reset(it->e) == 0)
		return 0;
	while (archive_entry_xattr_next(it->e, &name, &value, &size) == ARCHIVE_OK) {
		int r;

		/* a tar must not smuggle in overlayfs' redirects or opaque
		 * marks */
		if (!name || whiteout_is_overlay_xattr(name))
			continue;
		if (fd >= 0) {
			r = fsetxattr(fd, name, value, size, 0);
		} else {
			/* symlinks and device nodes: name the entry through
			 * its parent's fd so nothing on the way is resolved */
			autofree char *p = xasprintf("/proc/self/fd/%d/%s",
						      it->pfd, it->base);

			r = lsetxattr(p, name, value, size, 0);
		}
		/* as Docker: a filesystem without xattrs, or a namespace
		 * that may not be written here, costs the xattr only */
		if (r < 0 && errno != ENOTSUP && errno != EPERM)
			return err_make(errp, errno, "cannot set xattr '%s'", name);
	}
	return 0;
}

/* owner, then mode (chown clears setuid bits), then xattrs (chown
 * clears security.capability) of a directory or regular file */
static int
set_meta_fd(struct item *it, int fd, struct err **errp)
{
	if (fchown(fd, it->uid, it->gid) < 0)
		return err_make(errp, errno, "cannot chown");
	if (fchmod(fd, archive_entry_mode(it->e) & 07777) < 0)
		return err_make(errp, errno, "cannot chmod");
	return set_xattrs(it, fd, errp);
}

/* the same for a symlink or device node, through its parent */
static int
set_meta_at(struct item *it, bool chmod_too, struct err **errp)
{
	if (fchownat(it->pfd, it->base, it->uid, it->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return err_make(errp, errno, "cannot chown");
	/* fchmodat follows a symlink, but base is the node just made */
	if (chmod_too &&
	    fchmodat(it->pfd, it->base, archive_entry_mode(it->e) & 07777, 0) < 0)
		return err_make(errp, errno, "cannot chmod");
	if (set_xattrs(it, -1, errp) < 0)
		return -1;
	if (utimensat(it->pfd, it->base, it->ts, AT_SYMLINK_NOFOLLOW) < 0)
		return err_make(errp, errno, "cannot set times");
	return 0;
}

static void
add_dirtime(struct extract *x, struct item *it)
{
	xgrow(&x->dirs, &x->dircap, x->ndirs + 1, sizeof(*x->dirs));
	x->dirs[x->ndirs].path = xstrdup(it->path);
	memcpy(x->dirs[x->ndirs].ts, it->ts, sizeof(it->ts));
	x->ndirs++;
}

static int
write_data(struct layer_in *in, int fd, struct item *it, struct err **errp)
{
	int64_t end = 0, size = archive_entry_size(it->e);
	const void *buf;
	size_t len;
	int64_t off;
	int r;

	while ((r = layer_in_data(in, &buf, &len, &off, errp)) > 0) {
		const char *p = buf;

		while (len > 0) {
			ssize_t n = TEMP_FAILURE_RETRY_INT(pwrite(fd, p, len, off));

			if (n < 0)
				return err_make(errp, errno, "cannot write");
			p += n;
			len -= (size_t)n;
			off += n;
		}
		if (off > end)
			end = off;
	}
	if (r < 0)
		return -1;
	/* a sparse file may end in a hole */
	if (archive_entry_size_is_set(it->e) && size > end &&
	    ftruncate(fd, size) < 0)
		return err_make(errp, errno, "cannot extend");
	return 0;
}

static int
make_file(struct extract *x, struct layer_in *in, struct item *it,
	  struct err **errp)
{
	const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	autoclose int fd = -1;
	int r;

	/* O_EXCL: never write through what is already there (a link to
	 * another file, or anything else) */
	fd = openat(it->pfd, it->base, flags, 0600);
	if (fd < 0 && errno == EEXIST) {
		if (replace(x, it->pfd, it->base, errp) < 0)
			return -1;
		fd = openat(it->pfd, it->base, flags, 0600);
	}
	if (fd < 0)
		return err_make(errp, errno, "cannot create file");
	r = write_data(in, fd, it, errp);
	if (r == 0)
		r = set_meta_fd(it, fd, errp);
	if (r == 0 && futimens(fd, it->ts) < 0)
		r = err_make(errp, errno, "cannot set times");
	if (close(steal_fd(&fd)) < 0 && r == 0)
		r = err_make(errp, errno, "cannot write");
	return r;
}

static int
make_dir(struct extract *x, struct item *it, struct err **errp)
{
	bool opaque = false;
	struct stat sb;
	autoclose int fd = -1;
	int r;

	if (mkdirat(it->pfd, it->base, 0700) < 0) {
		if (errno != EEXIST)
			return err_make(errp, errno, "cannot create directory");
		if (fstatat(it->pfd, it->base, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			return err_make(errp, errno, "cannot stat");
		if (!S_ISDIR(sb.st_mode)) {
			/* a directory where this layer put a whiteout hides
			 * the directory below: overlayfs calls that opaque */
			opaque = x->mode == EXTRACT_OVERLAY && whiteout_is_overlay(&sb);
			if (replace(x, it->pfd, it->base, errp) < 0)
				return -1;
			if (mkdirat(it->pfd, it->base, 0700) < 0)
				return err_make(errp, errno, "cannot create directory");
		}
	}
	fd = openat(it->pfd, it->base, DIR_FLAGS);
	if (fd < 0)
		return err_make(errp, errno, "cannot open directory");
	r = set_meta_fd(it, fd, errp);
	if (r == 0 && opaque)
		r = whiteout_set_opaque(fd, x->userxattr, errp);
	if (r == 0)
		add_dirtime(x, it);
	return r;
}

static int
make_symlink(struct extract *x, struct item *it, struct err **errp)
{
	const char *target = archive_entry_symlink(it->e);

	if (!target)
		return err_make(errp, 0, "symlink without a target");
	if (symlinkat(target, it->pfd, it->base) < 0) {
		if (errno != EEXIST)
			return err_make(errp, errno, "cannot create symlink");
		if (replace(x, it->pfd, it->base, errp) < 0)
			return -1;
		if (symlinkat(target, it->pfd, it->base) < 0)
			return err_make(errp, errno, "cannot create symlink");
	}
	return set_meta_at(it, false, errp);
}

static int
make_node(struct extract *x, struct item *it, struct err **errp)
{
	mode_t type = archive_entry_filetype(it->e);
	dev_t dev = type == AE_IFIFO ? 0 : archive_entry_rdev(it->e);

	if (mknodat(it->pfd, it->base, type | 0600, dev) < 0) {
		if (errno != EEXIST)
			return err_make(errp, errno, "cannot create node");
		if (replace(x, it->pfd, it->base, errp) < 0)
			return -1;
		if (mknodat(it->pfd, it->base, type | 0600, dev) < 0)
			return err_make(errp, errno, "cannot create node");
	}
	return set_meta_at(it, true, errp);
}

static int
make_hardlink(struct extract *x, struct item *it, struct err **errp)
{
	autofree char *target = path_clean(archive_entry_hardlink(it->e),
					      PATH_RELATIVE | PATH_NO_DOTDOT);
	autofree char *tparent = NULL;
	const char *slash, *tbase;
	autoclose int tfd = -1;
	int r;

	if (!target)
		return err_make(errp, 0, "refusing a hard link to '%s'",
				archive_entry_hardlink(it->e));
	if (!*target)
		return err_make(errp, 0, "refusing a hard link to the root");
	slash = strrchr(target, '/');
	tbase = slash ? slash + 1 : target;
	tparent = slash ? xstrndup(target, (size_t)(slash - target)) : xstrdup("");
	/* the target is looked up like every other path: inside the tree
	 * and through no symlink */
	if (tree_open_dir(x->rootfd, tparent, false, &tfd, errp) < 0)
		return err_wrap(errp, "hard link to '%s'", target);
	r = linkat(tfd, tbase, it->pfd, it->base, 0);
	if (r < 0 && errno == EEXIST) {
		if (replace(x, it->pfd, it->base, errp) < 0)
			return -1;
		r = linkat(tfd, tbase, it->pfd, it->base, 0);
	}
	if (r < 0)
		return err_make(errp, errno, "cannot link to '%s'", target);
	return 0;
}

static int
whiteout_name(struct extract *x, struct item *it, const char *target,
	      struct err **errp)
{
	autofree char *hidden = *it->parent ? xasprintf("%s/%s", it->parent, target)
					    : xstrdup(target);
	struct stat sb;

	if (get_parent(x, it->parent, &it->pfd, errp) < 0)
		return -1;
	/* a whiteout hides the layers below, never this layer's own
	 * entries (OCI image spec, "Whiteouts") */
	if (x->mode == EXTRACT_APPLY) {
		if (pathset_has(&x->written, hidden))
			return 0;
		return replace(x, it->pfd, target, errp);
	}
	if (fstatat(it->pfd, target, &sb, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if (errno != ENOENT)
		return err_make(errp, errno, "cannot stat '%s'", hidden);
	return whiteout_make(it->pfd, target, errp);
}

/* remove from directory fd (at path dir) all the layers below put there */
static int
clear_lower(struct extract *x, int fd, const char *dir, struct err **errp)
{
	struct strv names = STRV_INIT;
	struct dirent *de;
	DIR *d;
	autoclose int dfd = openat(fd, ".", DIR_FLAGS);
	int r = 0;

	d = dfd < 0 ? NULL : fdopendir(dfd);
	if (!d)
		return err_make(errp, errno, "cannot read directory '%s'", dir);
	steal_fd(&dfd);	/* the DIR's now */
	/* collect first: removing while reading may skip names */
	while ((errno = 0, de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			strv_add(&names, de->d_name);
	if (errno)
		r = err_make(errp, errno, "cannot read directory '%s'", dir);
	closedir(d);
	for (size_t i = 0; r == 0 && i < names.n; i++) {
		autofree char *p = *dir ? xasprintf("%s/%s", dir, names.v[i])
					: xstrdup(names.v[i]);
		struct stat sb;
		autoclose int cfd = -1;

		if (!pathset_has(&x->written, p)) {
			r = tree_remove(fd, names.v[i], errp);
			continue;
		}
		if (fstatat(fd, names.v[i], &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(sb.st_mode))
			continue;
		cfd = openat(fd, names.v[i], DIR_FLAGS);
		if (cfd < 0) {
			r = err_make(errp, errno, "cannot open directory '%s'", p);
			break;
		}
		r = clear_lower(x, cfd, p, errp);
	}
	strv_fini(&names);
	return r;
}

static int
whiteout_dir(struct extract *x, struct item *it, struct err **errp)
{
	if (get_parent(x, it->parent, &it->pfd, errp) < 0)
		return -1;
	if (x->mode == EXTRACT_OVERLAY)
		return whiteout_set_opaque(it->pfd, x->userxattr, errp);
	forget_parent(x);
	return clear_lower(x, it->pfd, it->parent, errp);
}

/* "./": the metadata of the tree's root */
static int
extract_root(struct extract *x, struct item *it, struct err **errp)
{
	autoclose int fd = -1;
	int r;

	if (archive_entry_filetype(it->e) != AE_IFDIR || archive_entry_hardlink(it->e))
		return err_make(errp, 0, "refusing to replace the root directory");
	fd = openat(x->rootfd, ".", DIR_FLAGS);
	if (fd < 0)
		return err_make(errp, errno, "cannot open the root directory");
	r = set_meta_fd(it, fd, errp);
	if (r == 0)
		add_dirtime(x, it);
	return r;
}

static int
take_apart(struct item *it, struct err **errp)
{
	int64_t uid = archive_entry_uid(it->e), gid = archive_entry_gid(it->e);
	const char *slash;

	if (uid < 0 || uid >= UINT32_MAX || gid < 0 || gid >= UINT32_MAX)
		return err_make(errp, 0, "owner %lld:%lld out of range",
				(long long)uid, (long long)gid);
	it->uid = (uid_t)uid;
	it->gid = (gid_t)gid;
	it->ts[1].tv_sec = archive_entry_mtime(it->e);
	it->ts[1].tv_nsec = archive_entry_mtime_nsec(it->e);
	if (archive_entry_atime_is_set(it->e)) {
		it->ts[0].tv_sec = archive_entry_atime(it->e);
		it->ts[0].tv_nsec = archive_entry_atime_nsec(it->e);
	} else {
		it->ts[0] = it->ts[1];
	}
	slash = strrchr(it->path, '/');
	it->base = slash ? slash + 1 : it->path;
	it->parent = slash ? xstrndup(it->path, (size_t)(slash - it->path))
			   : xstrdup("");
	return 0;
}

static int
dispatch(struct extract *x, struct layer_in *in, struct item *it,
	 struct err **errp)
{
	const char *target = NULL;
	mode_t type;
	int r;

	if (take_apart(it, errp) < 0)
		return -1;
	if (!*it->path)
		return extract_root(x, it, errp);
	/* aufs' metadata directories (".wh..wh.plnk", ...), as Docker */
	if (strncmp(it->path, ".wh..wh.", 8) == 0 &&
	    strcmp(it->path, WHITEOUT_OPAQUE) != 0)
		return 0;
	switch (whiteout_parse(it->base, &target)) {
	case WHITEOUT_NONE:
		break;
	case WHITEOUT_META:
		return 0;
	case WHITEOUT_BAD:
		return err_make(errp, 0, "invalid whiteout name");
	case WHITEOUT_FILE:
		return whiteout_name(x, it, target, errp);
	case WHITEOUT_OPAQUE_DIR:
		return whiteout_dir(x, it, errp);
	}
	if (get_parent(x, it->parent, &it->pfd, errp) < 0)
		return -1;
	type = archive_entry_filetype(it->e);
	if (archive_entry_hardlink(it->e))
		r = make_hardlink(x, it, errp);
	else if (type == AE_IFDIR)
		r = make_dir(x, it, errp);
	else if (type == AE_IFREG)
		r = make_file(x, in, it, errp);
	else if (type == AE_IFLNK)
		r = make_symlink(x, it, errp);
	else if (type == AE_IFCHR || type == AE_IFBLK || type == AE_IFIFO)
		r = make_node(x, it, errp);
	else
		return err_make(errp, 0, "unsupported entry type 0%o", (unsigned)type);
	if (r == 0 && x->mode == EXTRACT_APPLY)
		pathset_add(&x->written, it->path, NULL);
	return r;
}

int
extract_entry(struct extract *x, struct layer_in *in, struct archive_entry *e,
	      struct err **errp)
{
	const char *name = archive_entry_pathname(e);
	struct item it = { .e = e, .pfd = -1 };
	int r;

	if (!name)
		return err_make(errp, 0, "an entry has no readable name");
	it.path = path_clean(name, PATH_RELATIVE | PATH_NO_DOTDOT);
	if (!it.path)
		return err_make(errp, 0, "refusing entry '%s': it has a '..' component",
				name);
	r = dispatch(x, in, &it, errp);
	if (r < 0)
		err_wrap(errp, "entry '%s'", name);
	free(it.path);
	free(it.parent);
	return r;
}

int
extract_finish(struct extract *x, struct err **errp)
{
	/* in order, so the last entry for a directory wins */
	for (size_t i = 0; i < x->ndirs; i++) {
		struct err *e = NULL;
		autoclose int fd = -1;

		if (tree_open_dir(x->rootfd, x->dirs[i].path, false, &fd, &e) < 0) {
			int en = e->errnum;

			/* replaced or deleted by a later entry */
			if (en == ENOENT || en == ENOTDIR || en == ELOOP) {
				err_free(e);
				continue;
			}
			if (errp) {
				err_free(*errp);
				*errp = e;
			} else {
				err_free(e);
			}
			return -1;
		}
		if (futimens(fd, x->dirs[i].ts) < 0)
			return err_make(errp, errno, "cannot set times of '%s'",
					x->dirs[i].path);
	}
	return 0;
}

int
extract_layer(int fd, int rootfd, enum extract_mode mode, bool userxattr,
	      char diff_id[DIGEST_LEN], struct err **errp)
{
	struct layer_in *in = NULL;
	struct extract *x = NULL;
	struct archive_entry *e;
	int r;

	if (layer_in_open(fd, &in, errp) < 0)
		return -1;
	x = extract_new(rootfd, mode, userxattr);
	while ((r = layer_in_next(in, &e, errp)) > 0)
		if ((r = extract_entry(x, in, e, errp)) < 0)
			break;
	if (r == 0)
		r = layer_in_finish(in, diff_id, errp);
	if (r == 0)
		r = extract_finish(x, errp);
	extract_free(x);
	layer_in_free(in);
	return r;
}
