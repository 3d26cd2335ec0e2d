#include <archive.h>
#include <archive_entry.h>
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
#include <zlib.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "layer.h"
#include "pathset.h"
#include "store.h"
#include "tarlocale.h"
#include "whiteout.h"

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
#define READ_SIZE (1 << 18)

/* where the tar bytes go */
typedef int sink_fn(void *ctx, const void *data, size_t len, struct err **errp);

struct packer {
	struct archive *a;
	struct archive_entry *e;
	time_t epoch;
	struct pathset inodes;	/* "dev:ino" -> first path, for hard links */
	struct buf path;	/* of the entry being written */
	bool empty;
	sink_fn *sink;
	void *ctx;
	struct err *sink_err;
	char *buf;
};

struct child {
	char *name;	/* in its directory */
	char *key;	/* in the tar: ".wh.NAME" for a whiteout */
	struct stat sb;
};

static int walk(struct packer *p, int fd, struct err **errp);

static int
get_epoch(time_t *t, struct err **errp)
{
	const char *v = getenv("SOURCE_DATE_EPOCH");
	unsigned long long n;
	char *end;

	*t = 0;
	if (!v || !*v)
		return 0;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (*v < '0' || *v > '9' || *end || errno || n > LLONG_MAX)
		return err_make(errp, 0, "invalid SOURCE_DATE_EPOCH '%s': "
				"expected seconds since 1970", v);
	*t = (time_t)n;
	return 0;
}

static la_ssize_t
on_write(struct archive *a, void *ctx, const void *data, size_t len)
{
	struct packer *p = ctx;

	if (p->sink(p->ctx, data, len, &p->sink_err) < 0) {
		archive_set_error(a, EIO, "writing the layer failed");
		return -1;
	}
	return (la_ssize_t)len;
}

/* report a libarchive failure, or the sink's error behind it */
static int
ar_error(struct packer *p, struct err **errp)
{
	const char *msg;

	if (p->sink_err) {
		if (errp) {
			err_free(*errp);
			*errp = p->sink_err;
		} else {
			err_free(p->sink_err);
		}
		p->sink_err = NULL;
		return -1;
	}
	msg = archive_error_string(p->a);
	return err_make(errp, 0, "%s", msg ? msg : "unknown libarchive error");
}

static void
entry_start(struct packer *p, const struct stat *sb, mode_t type)
{
	archive_entry_clear(p->e);
	archive_entry_copy_pathname(p->e, buf_str(&p->path));
	archive_entry_set_filetype(p->e, type);
	archive_entry_set_perm(p->e, sb->st_mode & 07777);
	archive_entry_set_uid(p->e, sb->st_uid);
	archive_entry_set_gid(p->e, sb->st_gid);
	/* no atime or ctime: unset, they stay out of the pax header */
	archive_entry_set_mtime(p->e, p->epoch, 0);
}

static int
write_header(struct packer *p, struct err **errp)
{
	/* ARCHIVE_WARN: a name that is not UTF-8, written as raw bytes */
	if (archive_write_header(p->a, p->e) < ARCHIVE_WARN)
		return ar_error(p, errp);
	p->empty = false;
	return 0;
}

/* an empty regular file with mode 0 and owner 0:0 at p->path: a
 * whiteout; its mode and owner carry no meaning, so they do not vary */
static int
write_marker(struct packer *p, struct err **errp)
{
	static const struct stat zero;

	entry_start(p, &zero, AE_IFREG);
	archive_entry_set_size(p->e, 0);
	return write_header(p, errp);
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
scan_xattrs(struct packer *p, int fd, unsigned *found, struct err **errp)
{
	/* p->buf is larger than XATTR_LIST_MAX */
	ssize_t n = flistxattr(fd, p->buf, READ_SIZE);

	*found = 0;
	if (n < 0) {
		if (errno == ENOTSUP)
			return 0;
		return err_make(errp, errno, "cannot list xattrs of '%s'",
				buf_str(&p->path));
	}
	for (const char *s = p->buf; s < p->buf + n; s += strlen(s) + 1) {
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
					buf_str(&p->path), s);
	}
	return 0;
}

/* the security.capability xattr of fd, if any, on the entry */
static int
add_caps(struct packer *p, int fd, struct err **errp)
{
	char v[256];
	unsigned found;
	ssize_t n;

	if (scan_xattrs(p, fd, &found, errp) < 0)
		return -1;
	if (!(found & XATTR_CAPS))
		return 0;
	n = fgetxattr(fd, "security.capability", v, sizeof(v));
	if (n < 0) {
		if (errno == ENODATA)
			return 0;
		return err_make(errp, errno, "cannot read xattrs of '%s'",
				buf_str(&p->path));
	}
	archive_entry_xattr_add_entry(p->e, "security.capability", v, (size_t)n);
	return 0;
}

static int
write_dir(struct packer *p, int dfd, struct child *c, struct err **errp)
{
	unsigned found;
	bool opaque;
	int fd;

	fd = openat(dfd, c->name, DIR_FLAGS);
	if (fd < 0)
		return err_make(errp, errno, "cannot open directory '%s'",
				buf_str(&p->path));
	opaque = false;
	if (scan_xattrs(p, fd, &found, errp) < 0) {
		close(fd);
		return -1;
	}
	if ((found & XATTR_OPAQUE) && whiteout_is_opaque(fd, &opaque, errp) < 0) {
		close(fd);
		return err_wrap(errp, "'%s'", buf_str(&p->path));
	}
	entry_start(p, &c->sb, AE_IFDIR);
	if (write_header(p, errp) < 0) {
		close(fd);
		return -1;
	}
	/* right after its directory, before anything it might hide */
	if (opaque) {
		size_t mark = p->path.len;
		int r;

		buf_puts(&p->path, "/" WHITEOUT_OPAQUE);
		r = write_marker(p, errp);
		p->path.len = mark;
		p->path.s[mark] = '\0';
		if (r < 0) {
			close(fd);
			return -1;
		}
	}
	return walk(p, fd, errp);
}

static int
copy_data(struct packer *p, int fd, off_t size, struct err **errp)
{
	while (size > 0) {
		size_t want = size < READ_SIZE ? (size_t)size : READ_SIZE;
		ssize_t n = TEMP_FAILURE_RETRY_INT(read(fd, p->buf, want));

		if (n < 0)
			return err_make(errp, errno, "cannot read '%s'",
					buf_str(&p->path));
		if (n == 0)
			return err_make(errp, 0, "'%s' shrank while being read",
					buf_str(&p->path));
		if (archive_write_data(p->a, p->buf, (size_t)n) < 0)
			return ar_error(p, errp);
		size -= n;
	}
	return 0;
}

static int
write_file(struct packer *p, int dfd, struct child *c, struct err **errp)
{
	int fd, r;

	fd = openat(dfd, c->name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return err_make(errp, errno, "cannot open '%s'", buf_str(&p->path));
	entry_start(p, &c->sb, AE_IFREG);
	archive_entry_set_size(p->e, c->sb.st_size);
	r = add_caps(p, fd, errp);
	if (r == 0)
		r = write_header(p, errp);
	if (r == 0)
		r = copy_data(p, fd, c->sb.st_size, errp);
	close(fd);
	return r;
}

static int
write_symlink(struct packer *p, int dfd, struct child *c, struct err **errp)
{
	char target[PATH_MAX + 1];
	ssize_t n = readlinkat(dfd, c->name, target, sizeof(target));

	if (n < 0)
		return err_make(errp, errno, "cannot read symlink '%s'",
				buf_str(&p->path));
	if ((size_t)n >= sizeof(target))
		return err_make(errp, 0, "symlink '%s' is too long", buf_str(&p->path));
	target[n] = '\0';
	entry_start(p, &c->sb, AE_IFLNK);
	archive_entry_copy_symlink(p->e, target);
	return write_header(p, errp);
}

/* a second path to an inode already written becomes a hard link to the
 * first; true when it was written that way */
static int
write_hardlink(struct packer *p, const struct child *c, bool *done,
	       struct err **errp)
{
	char key[64];
	const char *first;

	*done = false;
	if (c->sb.st_nlink < 2)
		return 0;
	snprintf(key, sizeof(key), "%llx:%llx", (unsigned long long)c->sb.st_dev,
		 (unsigned long long)c->sb.st_ino);
	first = pathset_get(&p->inodes, key);
	if (!first) {
		pathset_add(&p->inodes, key, buf_str(&p->path));
		return 0;
	}
	entry_start(p, &c->sb, c->sb.st_mode & S_IFMT);
	archive_entry_copy_hardlink(p->e, first);
	archive_entry_set_size(p->e, 0);
	*done = true;
	return write_header(p, errp);
}

static int
write_child(struct packer *p, int dfd, struct child *c, struct err **errp)
{
	mode_t type = c->sb.st_mode & S_IFMT;
	bool done;
	int r;

	if (S_ISDIR(c->sb.st_mode))
		return write_dir(p, dfd, c, errp);
	if (whiteout_is_overlay(&c->sb))
		return write_marker(p, errp);
	/* tar cannot hold a socket; Docker leaves them out too */
	if (S_ISSOCK(c->sb.st_mode))
		return 0;
	r = write_hardlink(p, c, &done, errp);
	if (r < 0 || done)
		return r;
	switch (type) {
	case S_IFREG:
		return write_file(p, dfd, c, errp);
	case S_IFLNK:
		return write_symlink(p, dfd, c, errp);
	case S_IFCHR:
	case S_IFBLK:
		entry_start(p, &c->sb, type);
		archive_entry_set_rdevmajor(p->e, major(c->sb.st_rdev));
		archive_entry_set_rdevminor(p->e, minor(c->sb.st_rdev));
		return write_header(p, errp);
	case S_IFIFO:
		entry_start(p, &c->sb, type);
		return write_header(p, errp);
	default:
		return err_make(errp, 0, "'%s' has an unknown file type 0%o",
				buf_str(&p->path), (unsigned)type);
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
		c->key = whiteout_is_overlay(&c->sb)
			 ? xasprintf(WHITEOUT_PREFIX "%s", c->name) : xstrdup(c->name);
	}
	*out = v;
	*n = len;
	if (errno)
		return err_make(errp, errno, "cannot read directory '%s'", path);
	qsort(v, len, sizeof(*v), by_key);
	return 0;
}

/* write the contents of directory fd (taken over), under p->path */
static int
walk(struct packer *p, int fd, struct err **errp)
{
	struct child *v = NULL;
	size_t n = 0;
	DIR *d;
	int r;

	d = fdopendir(fd);
	if (!d) {
		r = err_make(errp, errno, "cannot read directory '%s'",
			     buf_str(&p->path));
		close(fd);
		return r;
	}
	r = read_children(d, &v, &n, buf_str(&p->path), errp);
	for (size_t i = 0; r == 0 && i < n; i++) {
		size_t mark = p->path.len;

		if (mark)
			buf_putc(&p->path, '/');
		buf_puts(&p->path, v[i].key);
		r = write_child(p, dirfd(d), &v[i], errp);
		p->path.len = mark;
		p->path.s[mark] = '\0';
	}
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].key);
	}
	free(v);
	closedir(d);
	return r;
}

static int
start_archive(struct packer *p, struct err **errp)
{
	p->a = archive_write_new();
	p->e = archive_entry_new();
	if (!p->a || !p->e)
		return err_make(errp, ENOMEM, "cannot start libarchive");
	if (archive_write_set_format_pax_restricted(p->a) != ARCHIVE_OK ||
	    archive_write_add_filter_none(p->a) != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(p->a, 1 << 16) != ARCHIVE_OK ||
	    /* no padding after the end-of-archive blocks */
	    archive_write_set_bytes_in_last_block(p->a, 1) != ARCHIVE_OK)
		return ar_error(p, errp);
	/* xattrs as SCHILY.xattr (what Go's archive/tar reads) and not also
	 * as LIBARCHIVE.xattr */
	if (archive_write_set_format_option(p->a, "pax", "xattrheader",
					    "SCHILY") < ARCHIVE_WARN)
		return ar_error(p, errp);
	if (archive_write_open(p->a, p, NULL, on_write, NULL) != ARCHIVE_OK)
		return ar_error(p, errp);
	return 0;
}

/* write the tar of dir to sink */
static int
pack(const char *dir, sink_fn *sink, void *ctx, bool *empty, struct err **errp)
{
	struct packer p = { .sink = sink, .ctx = ctx, .empty = true,
			    .path = BUF_INIT, .inodes = PATHSET_INIT };
	locale_t saved;
	int fd, r;

	if (get_epoch(&p.epoch, errp) < 0)
		return -1;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_make(errp, errno, "cannot open '%s'", dir);
	p.buf = xmalloc(READ_SIZE);
	saved = tarlocale_enter(TARLOCALE_WRITE);
	r = start_archive(&p, errp);
	if (r == 0)
		r = walk(&p, fd, errp);
	else
		close(fd);
	if (r == 0 && archive_write_close(p.a) != ARCHIVE_OK)
		r = ar_error(&p, errp);
	if (p.a)
		archive_write_free(p.a);
	if (p.e)
		archive_entry_free(p.e);
	tarlocale_leave(saved);
	err_free(p.sink_err);
	pathset_fini(&p.inodes);
	buf_fini(&p.path);
	free(p.buf);
	if (r < 0)
		return err_wrap(errp, "packing '%s'", dir);
	if (empty)
		*empty = p.empty;
	return 0;
}

static int
digest_sink(void *ctx, const void *data, size_t len, struct err **errp)
{
	(void)errp;
	digest_update(ctx, data, len);
	return 0;
}

int
layer_digest_dir(const char *dir, char diff_id[DIGEST_LEN], bool *empty,
		 struct err **errp)
{
	struct digest *d = digest_new();

	if (pack(dir, digest_sink, d, empty, errp) < 0) {
		digest_free(d);
		return -1;
	}
	digest_final(d, diff_id);
	return 0;
}

struct gz {
	z_stream z;
	struct digest *diff;
	struct store_blob *blob;
	unsigned char out[1 << 16];
};

/* deflate what is in g->z, sending the output to the blob */
static int
gz_run(struct gz *g, int flush, struct err **errp)
{
	int zr;

	do {
		size_t have;

		g->z.next_out = g->out;
		g->z.avail_out = sizeof(g->out);
		zr = deflate(&g->z, flush);
		if (zr == Z_STREAM_ERROR)
			return err_make(errp, 0, "zlib: deflate failed");
		have = sizeof(g->out) - g->z.avail_out;
		if (have && store_blob_write(g->blob, g->out, have, errp) < 0)
			return -1;
	} while (g->z.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
	return 0;
}

static int
gz_sink(void *ctx, const void *data, size_t len, struct err **errp)
{
	struct gz *g = ctx;
	const unsigned char *p = data;

	digest_update(g->diff, data, len);
	while (len > 0) {
		uInt n = len > UINT_MAX ? UINT_MAX : (uInt)len;

		g->z.next_in = (Bytef *)p;
		g->z.avail_in = n;
		if (gz_run(g, Z_NO_FLUSH, errp) < 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

int
layer_pack_dir(const struct store *st, const char *dir,
	       char diff_id[DIGEST_LEN], char blob_digest[DIGEST_LEN],
	       long long *blob_size, struct err **errp)
{
	struct gz *g = xcalloc(1, sizeof(*g));
	int r;

	if (store_blob_begin(st, &g->blob, errp) < 0) {
		free(g);
		return err_wrap(errp, "packing '%s'", dir);
	}
	/* windowBits 16 + 15: a gzip wrapper with zlib's fixed header (no
	 * name, mtime 0); level 6 is what gzip and Go use by default */
	if (deflateInit2(&g->z, 6, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		store_blob_abort(g->blob);
		free(g);
		return err_make(errp, 0, "packing '%s': zlib: cannot start", dir);
	}
	g->diff = digest_new();
	r = pack(dir, gz_sink, g, NULL, errp);
	if (r == 0 && gz_run(g, Z_FINISH, errp) < 0)
		r = err_wrap(errp, "packing '%s'", dir);
	deflateEnd(&g->z);
	if (r == 0) {
		digest_final(g->diff, diff_id);
		g->diff = NULL;
		r = store_blob_commit(g->blob, NULL, blob_digest, blob_size, errp);
		if (r < 0)
			err_wrap(errp, "packing '%s'", dir);
	} else {
		store_blob_abort(g->blob);
	}
	digest_free(g->diff);
	free(g);
	return r;
}
