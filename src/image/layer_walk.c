#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "layer_walk.h"
#include "pathset.h"
#include "whiteout.h"

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
#define READ_SIZE (1 << 18)

struct walker {
	layer_visit_fn *visit;
	layer_data_fn *data;
	void *ctx;
	struct pathset inodes;	/* "dev:ino" -> first path, for hard links */
	struct buf path;	/* of the entry being visited */
	bool empty;
	char xattrs[XATTR_LIST_MAX + 1];
	char buf[READ_SIZE];	/* a file's data on its way to data() */
};

struct child {
	char *name;	/* in its directory */
	char *key;	/* in the tar: ".wh.NAME" for a whiteout */
	struct stat sb;
};

static int walk(struct walker *w, int fd, struct err **errp);

/* the size bytes of the file open at fd, to w->data */
static int
send_data(struct walker *w, int fd, long long size, struct err **errp)
{
	while (size > 0) {
		size_t want = (unsigned long long)size < sizeof(w->buf) ? (size_t)size : sizeof(w->buf);
		ssize_t n = TEMP_FAILURE_RETRY_INT(read(fd, w->buf, want));

		if (n < 0)
			return err_make(errp, errno, "cannot read '%s'", buf_str(&w->path));
		if (n == 0)
			return err_make(errp, 0, "'%s' shrank while being read",
					buf_str(&w->path));
		if (w->data(w->ctx, w->buf, (size_t)n, errp) < 0)
			return -1;
		size -= n;
	}
	return 0;
}

static void
entry_start(struct walker *w, struct layer_entry *e, const struct stat *sb,
	    mode_t type)
{
	memset(e, 0, sizeof(*e));
	e->path = buf_str(&w->path);
	e->type = type;
	e->perm = sb->st_mode & 07777;
	e->uid = sb->st_uid;
	e->gid = sb->st_gid;
	e->mtime = sb->st_mtim.tv_sec;
}

static int
visit(struct walker *w, const struct layer_entry *e, struct err **errp)
{
	w->empty = false;
	return w->visit(w->ctx, e, errp);
}

/* an empty regular file with mode 0 and owner 0:0 at w->path: a
 * whiteout; its mode and owner carry no meaning, so they do not vary, and
 * its mtime is 0, as containerd (2.0 on) writes BuildKit's */
static int
visit_marker(struct walker *w, struct err **errp)
{
	static const struct stat zero;
	struct layer_entry e;

	entry_start(w, &e, &zero, S_IFREG);
	return visit(w, &e, errp);
}

/* what the names of fd's xattrs say */
enum {
	XATTR_CAPS = 1 << 0,		/* security.capability */
	XATTR_OPAQUE = 1 << 1,		/* overlay.opaque, value unknown */
};

/*
 * one flistxattr per entry (usually an empty list) rather than a getxattr
 * per name. A redirect or metacopy xattr means overlayfs kept part of the
 * entry in a lower layer, which a tar of the upper directory cannot hold:
 * the sandbox mounts with redirect_dir=off,metacopy=off.
 */
static int
scan_xattrs(struct walker *w, int fd, unsigned *found, struct err **errp)
{
	ssize_t n = flistxattr(fd, w->xattrs, sizeof(w->xattrs));

	*found = 0;
	if (n < 0) {
		if (errno == ENOTSUP)
			return 0;
		return err_make(errp, errno, "cannot list xattrs of '%s'",
				buf_str(&w->path));
	}
	for (const char *s = w->xattrs; s < w->xattrs + n; s += strlen(s) + 1) {
		if (strcmp(s, "security.capability") == 0)
			*found |= XATTR_CAPS;
		else if (!whiteout_is_overlay_xattr(s))
			continue;
		else if (strcmp(strchr(s, '.'), ".overlay.opaque") == 0)
			*found |= XATTR_OPAQUE;
		else if (strcmp(strchr(s, '.'), ".overlay.redirect") == 0 ||
			 strcmp(strchr(s, '.'), ".overlay.metacopy") == 0)
			return err_make(errp, 0, "'%s' has the overlayfs xattr '%s', "
					"which a layer cannot hold (mount with "
					"redirect_dir=off,metacopy=off)",
					buf_str(&w->path), s);
	}
	return 0;
}

/* the security.capability xattr of fd, if any, into caps (256 bytes) */
static int
get_caps(struct walker *w, int fd, struct layer_entry *e, char *caps,
	 struct err **errp)
{
	unsigned found;
	ssize_t n;

	if (scan_xattrs(w, fd, &found, errp) < 0)
		return -1;
	if (!(found & XATTR_CAPS))
		return 0;
	n = fgetxattr(fd, "security.capability", caps, 256);
	if (n < 0) {
		if (errno == ENODATA)
			return 0;
		return err_make(errp, errno, "cannot read xattrs of '%s'",
				buf_str(&w->path));
	}
	e->caps = caps;
	e->caps_len = (size_t)n;
	return 0;
}

static int
visit_dir(struct walker *w, int dfd, struct child *c, struct err **errp)
{
	struct layer_entry e;
	unsigned found;
	bool opaque;
	autoclose int fd = openat(dfd, c->name, DIR_FLAGS);

	if (fd < 0)
		return err_make(errp, errno, "cannot open directory '%s'",
				buf_str(&w->path));
	opaque = false;
	if (scan_xattrs(w, fd, &found, errp) < 0)
		return -1;
	if ((found & XATTR_OPAQUE) && whiteout_is_opaque(fd, &opaque, errp) < 0)
		return err_wrap(errp, "'%s'", buf_str(&w->path));
	entry_start(w, &e, &c->sb, S_IFDIR);
	if (visit(w, &e, errp) < 0)
		return -1;
	/* right after its directory, before anything it might hide */
	if (opaque) {
		size_t mark = w->path.len;
		int r;

		buf_puts(&w->path, "/" WHITEOUT_OPAQUE);
		r = visit_marker(w, errp);
		w->path.len = mark;
		w->path.s[mark] = '\0';
		if (r < 0)
			return -1;
	}
	return walk(w, steal_fd(&fd), errp);
}

static int
visit_file(struct walker *w, int dfd, struct child *c, struct err **errp)
{
	struct layer_entry e;
	char caps[256];
	autoclose int fd = openat(dfd, c->name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return err_make(errp, errno, "cannot open '%s'", buf_str(&w->path));
	entry_start(w, &e, &c->sb, S_IFREG);
	e.size = c->sb.st_size;
	r = get_caps(w, fd, &e, caps, errp);
	if (r == 0)
		r = visit(w, &e, errp);
	if (r == 0)
		r = send_data(w, fd, e.size, errp);
	return r;
}

static int
visit_symlink(struct walker *w, int dfd, struct child *c, struct err **errp)
{
	struct layer_entry e;
	char target[PATH_MAX + 1];
	ssize_t n = readlinkat(dfd, c->name, target, sizeof(target));

	if (n < 0)
		return err_make(errp, errno, "cannot read symlink '%s'",
				buf_str(&w->path));
	if ((size_t)n >= sizeof(target))
		return err_make(errp, 0, "symlink '%s' is too long", buf_str(&w->path));
	target[n] = '\0';
	entry_start(w, &e, &c->sb, S_IFLNK);
	e.symlink = target;
	return visit(w, &e, errp);
}

/* a second path to an inode already visited becomes a hard link to the
 * first; true when it was visited that way */
static int
visit_hardlink(struct walker *w, const struct child *c, bool *done,
	       struct err **errp)
{
	struct layer_entry e;
	char key[64];
	const char *first;

	*done = false;
	if (c->sb.st_nlink < 2)
		return 0;
	snprintf(key, sizeof(key), "%llx:%llx", (unsigned long long)c->sb.st_dev,
		 (unsigned long long)c->sb.st_ino);
	first = pathset_get(&w->inodes, key);
	if (!first) {
		pathset_add(&w->inodes, key, buf_str(&w->path));
		return 0;
	}
	entry_start(w, &e, &c->sb, c->sb.st_mode & S_IFMT);
	e.hardlink = first;
	*done = true;
	return visit(w, &e, errp);
}

static int
visit_child(struct walker *w, int dfd, struct child *c, struct err **errp)
{
	mode_t type = c->sb.st_mode & S_IFMT;
	struct layer_entry e;
	bool done;
	int r;

	if (S_ISDIR(c->sb.st_mode))
		return visit_dir(w, dfd, c, errp);
	if (whiteout_is_overlay(&c->sb))
		return visit_marker(w, errp);
	/* tar cannot hold a socket; Docker leaves them out too */
	if (S_ISSOCK(c->sb.st_mode))
		return 0;
	r = visit_hardlink(w, c, &done, errp);
	if (r < 0 || done)
		return r;
	switch (type) {
	case S_IFREG:
		return visit_file(w, dfd, c, errp);
	case S_IFLNK:
		return visit_symlink(w, dfd, c, errp);
	case S_IFCHR:
	case S_IFBLK:
		entry_start(w, &e, &c->sb, type);
		e.rdev_major = major(c->sb.st_rdev);
		e.rdev_minor = minor(c->sb.st_rdev);
		return visit(w, &e, errp);
	case S_IFIFO:
		entry_start(w, &e, &c->sb, type);
		return visit(w, &e, errp);
	default:
		return err_make(errp, 0, "'%s' has an unknown file type 0%o",
				buf_str(&w->path), (unsigned)type);
	}
}

static int
by_key(const void *a, const void *b)
{
	return strcmp(((const struct child *)a)->key, ((const struct child *)b)->key);
}

/* the entries of d, stat'ed and in tar order */
static int
read_children(DIR *d, struct child **out, size_t *n, const char *path,
	      struct err **errp)
{
	struct child *v = NULL;
	size_t cap = 0, len = 0;
	struct dirent *de;

	while ((errno = 0, de = readdir(d))) {
		struct child *c;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		xgrow(&v, &cap, len + 1, sizeof(*v));
		c = &v[len++];
		c->name = xstrdup(de->d_name);
		c->key = NULL;
		if (fstatat(dirfd(d), c->name, &c->sb, AT_SYMLINK_NOFOLLOW) < 0) {
			int e = errno;

			*out = v;
			*n = len;
			return err_make(errp, e, "cannot stat '%s/%s'", path, c->name);
		}
		if (whiteout_parse(c->name, NULL) != WHITEOUT_NONE) {
			*out = v;
			*n = len;
			return err_make(errp, 0, "'%s%s%s': a name starting with \"%s\" "
					"cannot be in a layer: it would read as a whiteout",
					path, *path ? "/" : "", c->name, WHITEOUT_PREFIX);
		}
		c->key = whiteout_is_overlay(&c->sb)
			 ? xasprintf(WHITEOUT_PREFIX "%s", c->name) : xstrdup(c->name);
	}
	*out = v;
	*n = len;
	if (errno)
		return err_make(errp, errno, "cannot read directory '%s'", path);
	if (len > 1)
		qsort(v, len, sizeof(*v), by_key);
	return 0;
}

/* visit the contents of directory fd (taken over), under w->path */
static int
walk(struct walker *w, int fd, struct err **errp)
{
	struct child *v = NULL;
	size_t n = 0;
	DIR *d;
	int r;

	d = fdopendir(fd);
	if (!d) {
		r = err_make(errp, errno, "cannot read directory '%s'",
			     buf_str(&w->path));
		close(fd);
		return r;
	}
	r = read_children(d, &v, &n, buf_str(&w->path), errp);
	for (size_t i = 0; r == 0 && i < n; i++) {
		size_t mark = w->path.len;

		if (mark)
			buf_putc(&w->path, '/');
		buf_puts(&w->path, v[i].key);
		r = visit_child(w, dirfd(d), &v[i], errp);
		w->path.len = mark;
		w->path.s[mark] = '\0';
	}
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].key);
	}
	free(v);
	closedir(d);
	return r;
}

int
layer_walk(const char *dir, layer_visit_fn *fn, layer_data_fn *data, void *ctx,
	   bool *empty, struct err **errp)
{
	struct walker *w = xmalloc(sizeof(*w));
	int fd, r;

	w->visit = fn;
	w->data = data;
	w->ctx = ctx;
	w->empty = true;
	w->path = (struct buf)BUF_INIT;
	w->inodes = (struct pathset)PATHSET_INIT;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		r = err_make(errp, errno, "cannot open '%s'", dir);
	else
		r = walk(w, fd, errp);
	if (r == 0 && empty)
		*empty = w->empty;
	pathset_fini(&w->inodes);
	buf_fini(&w->path);
	free(w);
	return r;
}
