#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/strv.h"
#include "rootpath.h"

/* like the kernel's MAXSYMLINKS */
#define MAX_LINKS 40

/*
 * open path, which has no symlinks in it (a rootpath_resolve result), one
 * component at a time refusing any symlink: what openat2 would do when
 * there is no openat2 (kernels before 5.6, valgrind, old seccomp filters)
 */
static int
open_resolved(int rootfd, const char *path, int flags, mode_t mode)
{
	autofree char *copy = xstrdup(path);
	char *save = NULL, *comp, *next;
	autoclose int fd = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int sub;

	if (fd < 0)
		return -1;
	comp = strtok_r(copy, "/", &save);
	if (!comp)	/* the root itself */
		return openat(fd, ".", (flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW)) |
			      O_CLOEXEC);
	for (; comp; comp = next) {
		next = strtok_r(NULL, "/", &save);
		if (next)
			sub = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW |
				     O_CLOEXEC);
		else
			sub = openat(fd, comp, flags | O_NOFOLLOW | O_CLOEXEC,
				     mode);
		if (sub < 0)
			return -1;	/* errno kept by the cleanup */
		close(fd);
		fd = sub;
	}
	return steal_fd(&fd);
}

int
rootpath_open(int rootfd, const char *path, int flags, mode_t mode)
{
	static bool no_openat2;
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	autofree char *res = NULL;
	struct err *e = NULL;
	int fd, rflags = 0;

	while (*path == '/')
		path++;
	if (!no_openat2) {
		fd = (int)TEMP_FAILURE_RETRY_INT(syscall(SYS_openat2, rootfd,
				*path ? path : ".", &how, sizeof(how)));
		if (fd >= 0 || errno != ENOSYS)
			return fd;
		no_openat2 = true;
	}
	if (flags & O_NOFOLLOW)
		rflags |= ROOTPATH_NOFOLLOW;
	if (flags & O_CREAT)
		rflags |= ROOTPATH_MISSING_OK;
	if (rootpath_resolve(rootfd, path, rflags, &res, NULL, NULL, &e) < 0) {
		errno = e->errnum ? e->errnum : ENOENT;
		err_free(e);
		return -1;
	}
	/* O_NOFOLLOW on a final symlink: ELOOP, or the link with O_PATH */
	return open_resolved(rootfd, res, flags, mode);
}

char *
rootpath_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup("");
}

const char *
rootpath_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

char *
rootpath_join(const char *a, const char *b)
{
	if (!*a)
		return xstrdup(b);
	if (!*b)
		return xstrdup(a);
	return xasprintf("%s/%s", a, b);
}

/* the components still to walk, front first */
struct queue {
	char **v;
	size_t n, cap;
};

/* put the components of s in front of the queue */
static void
queue_prepend(struct queue *q, const char *s)
{
	struct strv parts = STRV_INIT;
	const char *p = s;

	while (*p) {
		const char *end = strchrnul(p, '/');

		if (end > p)
			strv_push(&parts, xstrndup(p, (size_t)(end - p)));
		p = *end ? end + 1 : end;
	}
	xgrow(&q->v, &q->cap, q->n + parts.n, sizeof(*q->v));
	/* the queue is kept reversed so the front is at the end */
	for (size_t i = parts.n; i-- > 0;)
		q->v[q->n++] = parts.v[i];
	free(parts.v);
}

static void
pop_component(struct buf *b)
{
	char *slash;

	if (!b->len)
		return;
	slash = strrchr(b->s, '/');
	b->len = slash ? (size_t)(slash - b->s) : 0;
	b->s[b->len] = '\0';
}

static void
push_component(struct buf *b, const char *c)
{
	if (b->len)
		buf_putc(b, '/');
	buf_puts(b, c);
}

int
rootpath_resolve(int rootfd, const char *path, int flags, char **out,
		 bool *exists, struct strv *links, struct err **errp)
{
	struct queue q = { NULL, 0, 0 };
	struct buf res = BUF_INIT;
	int nlinks = 0, r = 0, dirfd = -1;
	bool found = true;

	queue_prepend(&q, path);
	while (q.n > 0) {
		char *c = q.v[--q.n];
		bool last = q.n == 0;
		struct stat st;

		if (strcmp(c, ".") == 0) {
			free(c);
			continue;
		}
		if (strcmp(c, "..") == 0) {
			pop_component(&res);
			free(c);
			continue;
		}
		if (!found) {
			push_component(&res, c);
			free(c);
			continue;
		}
		/* the parent is free of symlinks by now: refusing any guards
		 * against it changing under us */
		dirfd = open_resolved(rootfd, buf_str(&res),
				      O_PATH | O_DIRECTORY, 0);
		if (dirfd < 0 ||
		    fstatat(dirfd, c, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			int e = errno;

			if (e == ENOENT && (flags & ROOTPATH_MISSING_OK)) {
				found = false;
				push_component(&res, c);
				free(c);
				if (dirfd >= 0)
					close(dirfd);
				dirfd = -1;
				continue;
			}
			push_component(&res, c);
			r = err_make(errp, e, "cannot resolve '%s'",
				     buf_str(&res));
			free(c);
			goto out;
		}
		if (S_ISLNK(st.st_mode) &&
		    !(last && (flags & ROOTPATH_NOFOLLOW))) {
			char target[PATH_MAX + 1];
			ssize_t n;

			if (++nlinks > MAX_LINKS) {
				r = err_make(errp, ELOOP, "cannot resolve '%s'",
					     path);
				free(c);
				goto out;
			}
			n = readlinkat(dirfd, c, target, sizeof(target) - 1);
			if (n < 0) {
				r = err_make(errp, errno,
					     "cannot read link '%s'", c);
				free(c);
				goto out;
			}
			target[n] = '\0';
			if (links) {
				char *lp = rootpath_join(buf_str(&res), c);

				strv_push(links, lp);
			}
			if (target[0] == '/') {
				res.len = 0;
				if (res.s)
					res.s[0] = '\0';
			}
			queue_prepend(&q, target);
		} else {
			push_component(&res, c);
		}
		free(c);
		close(dirfd);
		dirfd = -1;
	}
	*out = buf_steal(&res);
	if (exists)
		*exists = found;
out:
	if (dirfd >= 0)
		close(dirfd);
	while (q.n > 0)
		free(q.v[--q.n]);
	free(q.v);
	buf_fini(&res);
	return r;
}

int
rootpath_mkdirs(int rootfd, const char *path, mode_t mode, uid_t uid,
		gid_t gid, struct strv *made, struct err **errp)
{
	autofree char *copy = xstrdup(path);
	struct buf sofar = BUF_INIT;
	char *save = NULL, *comp;
	int fd, next;

	fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_make(errp, errno, "cannot open the root directory");
	for (comp = strtok_r(copy, "/", &save); comp;
	     comp = strtok_r(NULL, "/", &save)) {
		push_component(&sofar, comp);
		next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			      O_CLOEXEC);
		if (next < 0 && errno == ENOENT) {
			if (mkdirat(fd, comp, mode) < 0 && errno != EEXIST)
				goto fail;
			next = openat(fd, comp, O_RDONLY | O_DIRECTORY |
				      O_NOFOLLOW | O_CLOEXEC);
			if (next < 0)
				goto fail;
			/* mkdir obeys the umask; the mode asked for is meant */
			if (fchmod(next, mode) < 0 ||
			    ((uid != (uid_t)-1 || gid != (gid_t)-1) &&
			     fchown(next, uid, gid) < 0)) {
				close(next);
				goto fail;
			}
			if (made)
				strv_add(made, buf_str(&sofar));
		}
		if (next < 0)
			goto fail;
		close(fd);
		fd = next;
	}
	buf_fini(&sofar);
	return fd;
fail:
	{
		int e = errno;

		close(fd);
		if (e == ENOTDIR || e == ELOOP)
			err_make(errp, 0,
				 "cannot make directory '/%s': a file is in "
				 "the way",
				 buf_str(&sofar));
		else
			err_make(errp, e, "cannot make directory '/%s'",
				 buf_str(&sofar));
		buf_fini(&sofar);
		return -1;
	}
}
