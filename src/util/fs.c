#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "buf.h"
#include "err.h"
#include "fs.h"

int
fs_read_file(const char *path, char **data, size_t *len, struct err **errp)
{
	struct buf b = BUF_INIT;
	struct stat st;
	ssize_t n;
	autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return err_make(errp, errno, "cannot open '%s'", path);
	/* read straight into the buffer, sized for the file, its NUL and the
	 * read that finds the end; /proc files and pipes say size 0 */
	buf_reserve(&b, fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ?
		    (size_t)st.st_size + 2 : 4096);
	for (;;) {
		if (b.len + 1 >= b.cap)
			buf_reserve(&b, b.cap * 2);
		n = read(fd, b.s + b.len, b.cap - b.len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			buf_fini(&b);
			return err_make(errp, e, "cannot read '%s'", path);
		}
		if (n == 0)
			break;
		b.len += (size_t)n;
	}
	b.s[b.len] = '\0';
	if (len)
		*len = b.len;
	*data = buf_steal(&b);
	return 0;
}

/* path as messages show it: name below the directory dirpath names */
static char *
shown(const char *dirpath, const char *name)
{
	return dirpath ? fs_join(dirpath, name) : xstrdup(name);
}

static bool
same_content(int dirfd, const char *name, const char *data, size_t len)
{
	char chunk[65536];
	size_t off = 0;
	struct stat st;
	ssize_t n;
	autoclose int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size != len)
		return false;
	/* the size matched: stop at len rather than reading on to EOF */
	while (off < len) {
		size_t want = len - off < sizeof(chunk) ? len - off : sizeof(chunk);

		n = read(fd, chunk, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || memcmp(chunk, data + off, (size_t)n) != 0)
			return false;
		off += (size_t)n;
	}
	return true;
}

int
fs_write_all(int fd, const char *data, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

/*
 * create name, which must not exist, holding data: 0, or with errno set
 * -1 when it cannot be created and -2 when it cannot be written (it is
 * then removed)
 */
static int
create_new(int dirfd, const char *name, const char *data, size_t len)
{
	autoclose int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	int e;

	if (fd < 0)
		return -1;
	if (fs_write_all(fd, data, len) < 0 || close(steal_fd(&fd)) < 0) {
		e = errno;
		unlinkat(dirfd, name, 0);
		errno = e;
		return -2;
	}
	return 0;
}

/*
 * the temp-then-rename write every fs_write_* ends in: name.tmp.<pid>
 * renamed over name, so a reader sees the old file or the new one
 */
static int
replace(int dirfd, const char *dirpath, const char *name, const char *data,
	size_t len, unsigned flags, struct err **errp)
{
	/* unique per process: two steps may write the same file at once */
	autofree char *tmp = xasprintf("%s.tmp.%ld", name, (long)getpid());
	autoclose int fd = -1;
	int e;

	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		autofree char *p = NULL;

		e = errno;
		p = shown(dirpath, tmp);
		return err_make(errp, e, "cannot create '%s'", p);
	}
	if (fs_write_all(fd, data, len) < 0 ||
	    ((flags & FS_WRITE_0644) && fchmod(fd, 0644) < 0)) {
		e = errno;
		goto fail_write;
	}
	if (close(steal_fd(&fd)) < 0) {
		e = errno;
		goto fail_write;
	}
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		autofree char *p = NULL, *q = NULL;

		e = errno;
		unlinkat(dirfd, tmp, 0);
		p = shown(dirpath, tmp);
		q = shown(dirpath, name);
		return err_make(errp, e, "cannot rename '%s' to '%s'", p, q);
	}
	return 0;
fail_write:
	unlinkat(dirfd, tmp, 0);
	{
		autofree char *p = shown(dirpath, tmp);

		return err_make(errp, e, "cannot write '%s'", p);
	}
}

int
fs_write_if_changed_at(int dirfd, const char *dirpath, const char *name,
		       const char *data, size_t len, bool is_new,
		       bool *changed, struct err **errp)
{
	if (changed)
		*changed = false;
	/*
	 * in a directory the caller has just made there is nothing to
	 * compare with and nobody reading yet: create the file in place, 3
	 * syscalls instead of 5. A half file left by a crash differs from
	 * data, so the next run replaces it the careful way.
	 */
	if (is_new) {
		int r = create_new(dirfd, name, data, len);

		if (r == 0) {
			if (changed)
				*changed = true;
			return 0;
		}
		if (r < -1 || errno != EEXIST) {
			autofree char *p = NULL;
			int e = errno;

			p = shown(dirpath, name);
			return err_make(errp, e, "cannot %s '%s'",
					r < -1 ? "write" : "create", p);
		}
	}
	if (same_content(dirfd, name, data, len))
		return 0;
	if (replace(dirfd, dirpath, name, data, len, 0, errp) < 0)
		return -1;
	if (changed)
		*changed = true;
	return 0;
}

int
fs_write_if_changed(const char *path, const char *data, size_t len,
		    bool *changed, struct err **errp)
{
	return fs_write_if_changed_at(AT_FDCWD, NULL, path, data, len, false,
				      changed, errp);
}

int
fs_write_atomic(const char *path, const char *data, size_t len,
		unsigned flags, struct err **errp)
{
	if ((flags & FS_WRITE_IF_CHANGED) && same_content(AT_FDCWD, path, data, len))
		return 0;
	return replace(AT_FDCWD, NULL, path, data, len, flags, errp);
}

/* report the mkdir of rel that failed with errno e */
static int
mkdir_failed(int e, const char *dirpath, const char *rel, struct err **errp)
{
	autofree char *p = shown(dirpath, rel);

	return err_make(errp, e, "cannot create directory '%s'", p);
}

int
fs_mkdirat_p(int dirfd, const char *dirpath, const char *rel, bool *created,
	     struct err **errp)
{
	autofree char *p = NULL;
	size_t len;

	if (created)
		*created = false;
	/* the common cases, made now or there already, take one syscall */
	if (mkdirat(dirfd, rel, 0755) == 0) {
		if (created)
			*created = true;
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return mkdir_failed(errno, dirpath, rel, errp);
	p = xstrdup(rel);
	len = strlen(p);
	for (size_t i = 1; i <= len; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (mkdirat(dirfd, p, 0755) == 0) {
			if (created && i == len)
				*created = true;
		} else if (errno != EEXIST) {
			return mkdir_failed(errno, dirpath, p, errp);
		}
		if (i < len)
			p[i] = '/';
	}
	return 0;
}

int
fs_mkdir_p(const char *path, struct err **errp)
{
	return fs_mkdirat_p(AT_FDCWD, NULL, path, NULL, errp);
}

/* take group and other access away from the directory path, which stat
 * found open: through an fd, so that the owner checked is the owner of
 * what is changed */
static int
make_private(const char *path, struct err **errp)
{
	struct stat sb;
	autoclose int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = -1;

	if (fd < 0)
		return err_make(errp, errno, "cannot open '%s'", path);
	if (fstat(fd, &sb) < 0)
		err_make(errp, errno, "cannot stat '%s'", path);
	/* someone else's directory is theirs to change, even for root */
	else if (sb.st_uid != geteuid() && (sb.st_mode & 077))
		err_make(errp, 0, "'%s' is open to other users (mode %04o) and "
			 "belongs to uid %u: make it private (chmod go= '%s') "
			 "or use another directory", path,
			 (unsigned)(sb.st_mode & 07777), (unsigned)sb.st_uid, path);
	/* nor is one all may write to (-B /tmp) ours to close */
	else if ((sb.st_mode & S_ISVTX) && (sb.st_mode & 0002))
		err_make(errp, 0, "'%s' is shared by all users (mode %04o): "
			 "use a directory of its own", path,
			 (unsigned)(sb.st_mode & 07777));
	/* setgid and the like are the owner's choice: kept */
	else if ((sb.st_mode & 077) && fchmod(fd, sb.st_mode & 07700) < 0)
		err_make(errp, errno, "cannot make '%s' private", path);
	else
		r = 0;
	return r;
}

int
fs_private_dir(const char *path, struct err **errp)
{
	autofree char *parent = NULL;
	struct stat sb;

	/* the common case, there and private already, is one syscall */
	if (stat(path, &sb) < 0) {
		if (errno != ENOENT)
			return err_make(errp, errno, "cannot stat '%s'", path);
		parent = fs_dirname(path);
		if (fs_mkdir_p(parent, errp) < 0)
			return -1;
		/* made 0700, never open for a moment (the umask can only
		 * take more away) */
		if (mkdir(path, 0700) == 0)
			return 0;
		/* EEXIST: a concurrent build made it meanwhile */
		if (errno != EEXIST || stat(path, &sb) < 0)
			return mkdir_failed(errno, NULL, path, errp);
	}
	if (!S_ISDIR(sb.st_mode))
		return err_make(errp, ENOTDIR, "'%s'", path);
	return sb.st_mode & 077 ? make_private(path, errp) : 0;
}

char *
fs_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

char *
fs_join(const char *a, const char *b)
{
	size_t n = strlen(a);

	if (b[0] == '/' || n == 0)
		return xstrdup(b);
	if (strcmp(a, ".") == 0)
		return xstrdup(b);
	if (a[n - 1] == '/')
		return xasprintf("%s%s", a, b);
	return xasprintf("%s/%s", a, b);
}

int
fs_realpath(const char *path, char **out, struct err **errp)
{
	char *r = realpath(path, NULL);

	if (!r)
		return err_make(errp, errno, "cannot resolve '%s'", path);
	*out = r;
	return 0;
}

char *
fs_relpath(const char *target, const char *dir)
{
	struct buf b = BUF_INIT;
	size_t common = 0, i;

	if (strcmp(dir, "/") == 0)
		return xstrdup(target[1] ? target + 1 : ".");
	/* longest common prefix ending at a path boundary */
	for (i = 0; target[i] && dir[i] && target[i] == dir[i]; i++)
		if (target[i] == '/')
			common = i;
	if (dir[i] == '\0' && (target[i] == '/' || target[i] == '\0'))
		common = i;
	else if (target[i] == '\0' && dir[i] == '/')
		common = i;
	for (const char *d = dir + common; *d; d++)
		if (*d == '/')
			buf_puts(&b, b.len ? "/.." : "..");
	if (target[common] == '/')
		common++;
	if (target[common]) {
		if (b.len)
			buf_putc(&b, '/');
		buf_puts(&b, target + common);
	}
	if (!b.len)
		buf_putc(&b, '.');
	return buf_steal(&b);
}

bool
fs_is_special(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && !S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode);
}

int
fs_write_named(const char *path, const char *data, size_t len, struct err **errp)
{
	autoclose int fd = -1;

	if (!fs_is_special(path))
		return fs_write_atomic(path, data, len, 0, errp);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return err_make(errp, errno, "cannot open '%s'", path);
	if (fs_write_all(fd, data, len) < 0 || close(steal_fd(&fd)) < 0)
		return err_make(errp, errno, "cannot write '%s'", path);
	return 0;
}
