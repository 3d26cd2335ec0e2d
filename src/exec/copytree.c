#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "exec/copy.h"
#include "image/pathset.h"
#include "match/filepath.h"
#include "match/ignore.h"
#include "oci/digest.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/modespec.h"
#include "util/strv.h"
#include "copytree.h"
#include "rootpath.h"

mode_t
copytree_perm(const struct copier *c, const struct stat *st)
{
	if (c->chmod)
		return mode_spec_apply(c->chmod, st->st_mode);
	return st->st_mode & 07777;
}

long
copytree_uid(const struct copier *c, const struct stat *st)
{
	return c->uid >= 0 ? c->uid : (long)st->st_uid;
}

long
copytree_gid(const struct copier *c, const struct stat *st)
{
	return c->gid >= 0 ? c->gid : (long)st->st_gid;
}

/* what is written goes to dg, when the copy has one */
static void
feed(struct digest *dg, const void *data, size_t len)
{
	if (dg)
		digest_update(dg, data, len);
}

void
copytree_record(struct digest *dg, char type, const char *dpath, mode_t perm,
		long uid, long gid, long long size)
{
	char *h;

	if (!dg)
		return;
	/* length-prefixed and NUL-ended, so no two entries read alike */
	h = xasprintf("%c %o %ld %ld %lld %zu:%s", type, (unsigned)perm, uid,
		      gid, size, strlen(dpath), dpath);
	digest_update(dg, h, strlen(h) + 1);
	free(h);
}

static void
add_dep(struct copier *c, const char *srel)
{
	if (c->deps)
		strv_add(c->deps, *srel ? srel : ".");
}

/*
 * a symlink copied as it is: its directory stands for it, as ninja would
 * stat what the link points to (nothing, when it dangles) and a link
 * made anew (ln -sf) changes the directory
 */
static void
add_link_dep(struct copier *c, const char *srel)
{
	char *dir = fs_dirname(srel);

	add_dep(c, dir);
	free(dir);
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* extended attributes worth carrying over (security.capability, user.*);
 * host SELinux labels and overlayfs bookkeeping are not */
static bool
copy_xattr_name(const char *name)
{
	return strcmp(name, "security.selinux") != 0 &&
	       strncmp(name, "trusted.overlay.", 16) != 0 &&
	       strncmp(name, "user.overlay.", 13) != 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * copy the xattrs of in to out, best effort as BuildKit does (a filesystem
 * without them is no error), and put the ones copied in the digest
 */
static void
copy_xattrs(struct copier *c, int in, int out)
{
	char list[65536], *names[1024];
	ssize_t len = flistxattr(in, list, sizeof(list));
	size_t n = 0;

	if (len <= 0)
		return;
	for (char *p = list; p < list + len && n < 1024; p += strlen(p) + 1)
		if (copy_xattr_name(p))
			names[n++] = p;
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		char val[65536];
		ssize_t vl = fgetxattr(in, names[i], val, sizeof(val));

		if (vl < 0 || fsetxattr(out, names[i], val, (size_t)vl, 0) < 0)
			continue;
		feed(c->dg, names[i], strlen(names[i]) + 1);
		feed(c->dg, val, (size_t)vl);
	}
}

/* clear the way for a non-directory called name in dfd */
static int
replace_target(int dfd, const char *name, const char *dpath, struct err **errp)
{
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return err_make(errp, errno, "cannot stat '%s'", dpath);
	}
	if (S_ISDIR(st.st_mode))
		return err_make(errp, 0,
				"cannot copy a file over directory '%s'",
				dpath);
	if (unlinkat(dfd, name, 0) < 0)
		return err_make(errp, errno, "cannot replace '%s'", dpath);
	return 0;
}

/*
 * the rest of in to out by copy_file_range, which copies in the kernel and
 * lets a filesystem share the blocks: 0 when done, 1 when the two files
 * do not allow it (nothing copied), -1 with errno set
 */
static int
copy_range(int in, int out)
{
	bool any = false;

	for (;;) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, (size_t)1 << 30, 0);

		if (n == 0)
			return 0;
		if (n > 0) {
			any = true;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (!any && (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
			     errno == EOPNOTSUPP || errno == EBADF))
			return 1;
		return -1;
	}
}

/* the rest of in to out through a buffer, fed to the digest */
static int
copy_data(struct copier *c, int in, int out, const char *what,
	  const char *dpath, struct err **errp)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_make(errp, errno, "cannot read '%s'", what);
		feed(c->dg, buf, (size_t)n);
		if (write_all(out, buf, (size_t)n) < 0)
			return err_make(errp, errno, "cannot write '%s'", dpath);
	}
	return 0;
}

static void
stat_times(const struct stat *st, struct timespec ts[2])
{
	ts[0] = st->st_atim;
	ts[1] = st->st_mtim;
}

int
copytree_file(struct copier *c, int in, const char *what,
	      const struct stat *st, int dfd, const char *name,
	      const char *dpath, struct err **errp)
{
	struct timespec ts[2];
	int out, k, r = -1;
	mode_t perm = copytree_perm(c, st);
	long uid = copytree_uid(c, st), gid = copytree_gid(c, st);

	if (replace_target(dfd, name, dpath, errp) < 0)
		return -1;
	out = openat(dfd, name,
		     O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		     0600);
	if (out < 0)
		return err_make(errp, errno, "cannot create '%s'", dpath);
	copytree_record(c->dg, 'f', dpath, perm, uid, gid,
			(long long)st->st_size);
	/* with no digest to feed, the kernel may copy (and share blocks) */
	k = c->dg ? 1 : copy_range(in, out);
	if (k < 0) {
		err_make(errp, errno, "cannot copy '%s' to '%s'", what, dpath);
		goto out;
	}
	if (k > 0 && copy_data(c, in, out, what, dpath, errp) < 0)
		goto out;
	/* chown first: it clears set-id bits the chmod may then set */
	if (fchown(out, (uid_t)uid, (gid_t)gid) < 0) {
		err_make(errp, errno, "cannot chown '%s'", dpath);
		goto out;
	}
	if (fchmod(out, perm) < 0) {
		err_make(errp, errno, "cannot chmod '%s'", dpath);
		goto out;
	}
	copy_xattrs(c, in, out);
	if (c->count) {
		__atomic_add_fetch(&c->count->files, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&c->count->bytes, (long long)st->st_size, __ATOMIC_RELAXED);
	}
	stat_times(st, ts);
	if (futimens(out, ts) < 0) {
		err_make(errp, errno, "cannot set the times of '%s'", dpath);
		goto out;
	}
	r = 0;
out:
	close(out);
	return r;
}

static int
copy_regular(struct copier *c, int sdirfd, const char *sname,
	     const char *srel, const struct stat *st, int dfd,
	     const char *name, const char *dpath, struct err **errp)
{
	int in, r;

	in = openat(sdirfd, sname,
		    O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (in < 0)
		return err_make(errp, errno, "cannot open '%s'", srel);
	r = copytree_file(c, in, srel, st, dfd, name, dpath, errp);
	if (r == 0)
		add_dep(c, srel);
	close(in);
	return r;
}

static int
copy_symlink(struct copier *c, int sdirfd, const char *sname,
	     const char *srel, const struct stat *st, int dfd,
	     const char *name, const char *dpath, struct err **errp)
{
	char target[PATH_MAX + 1];
	struct timespec ts[2];
	long uid = copytree_uid(c, st), gid = copytree_gid(c, st);
	ssize_t n;

	n = readlinkat(sdirfd, sname, target, sizeof(target) - 1);
	if (n < 0)
		return err_make(errp, errno, "cannot read link '%s'", srel);
	target[n] = '\0';
	if (replace_target(dfd, name, dpath, errp) < 0)
		return -1;
	if (symlinkat(target, dfd, name) < 0)
		return err_make(errp, errno, "cannot create symlink '%s'",
				dpath);
	if (fchownat(dfd, name, (uid_t)uid, (gid_t)gid,
		     AT_SYMLINK_NOFOLLOW) < 0)
		return err_make(errp, errno, "cannot chown '%s'", dpath);
	stat_times(st, ts);
	if (utimensat(dfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return err_make(errp, errno, "cannot set the times of '%s'",
				dpath);
	copytree_record(c->dg, 'l', dpath, 0777, uid, gid, (long long)n);
	feed(c->dg, target, (size_t)n);
	add_link_dep(c, srel);
	return 0;
}

static int
copy_node(struct copier *c, const char *srel, const struct stat *st, int dfd,
	  const char *name, const char *dpath, struct err **errp)
{
	struct timespec ts[2];
	mode_t perm = copytree_perm(c, st);
	long uid = copytree_uid(c, st), gid = copytree_gid(c, st);
	char type = S_ISFIFO(st->st_mode) ? 'p' : 'b';

	if (S_ISCHR(st->st_mode))
		type = 'c';
	else if (S_ISSOCK(st->st_mode))
		type = 's';
	if (replace_target(dfd, name, dpath, errp) < 0)
		return -1;
	if (mknodat(dfd, name, (st->st_mode & S_IFMT) | perm, st->st_rdev) < 0)
		return err_make(errp, errno, "cannot create '%s'", dpath);
	if (fchownat(dfd, name, (uid_t)uid, (gid_t)gid,
		     AT_SYMLINK_NOFOLLOW) < 0 ||
	    fchmodat(dfd, name, perm, 0) < 0)
		return err_make(errp, errno,
				"cannot set the owner and mode of '%s'", dpath);
	stat_times(st, ts);
	if (utimensat(dfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return err_make(errp, errno, "cannot set the times of '%s'",
				dpath);
	copytree_record(c->dg, type, dpath, perm, uid, gid, 0);
	if (type == 'b' || type == 'c') {
		char *dev = xasprintf("%u,%u", major(st->st_rdev),
				      minor(st->st_rdev));

		feed(c->dg, dev, strlen(dev) + 1);
		free(dev);
	}
	add_dep(c, srel);
	return 0;
}

/* a socket of the context: an empty regular file with its mode, owner and
 * times (the context transfer clears the socket bit of its stat) */
static int
copy_socket_file(struct copier *c, const char *srel, const struct stat *st,
		 int dfd, const char *name, const char *dpath,
		 struct err **errp)
{
	struct stat fst = *st;
	int in = memfd_create("df2ninja-empty", MFD_CLOEXEC), r;

	if (in < 0)
		return err_make(errp, errno, "cannot copy '%s'", srel);
	fst.st_mode = S_IFREG | (st->st_mode & 07777);
	fst.st_size = 0;
	r = copytree_file(c, in, srel, &fst, dfd, name, dpath, errp);
	close(in);
	if (r == 0)
		add_dep(c, srel);
	return r;
}

int
copytree_entry(struct copier *c, int sdirfd, const char *sname,
	       const char *srel, const struct stat *st, int dfd,
	       const char *name, const char *dpath, struct err **errp)
{
	switch (st->st_mode & S_IFMT) {
	case S_IFREG:
		return copy_regular(c, sdirfd, sname, srel, st, dfd, name,
				    dpath, errp);
	case S_IFLNK:
		return copy_symlink(c, sdirfd, sname, srel, st, dfd, name,
				    dpath, errp);
	case S_IFIFO:
	case S_IFCHR:
	case S_IFBLK:
		return copy_node(c, srel, st, dfd, name, dpath, errp);
	case S_IFSOCK:
		if (c->is_context)
			return copy_socket_file(c, srel, st, dfd, name, dpath,
						errp);
		return copy_node(c, srel, st, dfd, name, dpath, errp);
	default:
		return err_make(errp, 0,
				"cannot copy '%s': unsupported file type",
				srel);
	}
}

int
copytree_data(struct copier *c, const char *data, size_t len, int dfd,
	      const char *name, const char *dpath, struct err **errp)
{
	struct stat st;
	mode_t perm;
	long uid, gid;
	int out;

	/* what BuildKit's Mkfile in a scratch state gives: root, 0644 */
	memset(&st, 0, sizeof(st));
	st.st_mode = S_IFREG | 0644;
	perm = copytree_perm(c, &st);
	uid = copytree_uid(c, &st);
	gid = copytree_gid(c, &st);
	if (replace_target(dfd, name, dpath, errp) < 0)
		return -1;
	out = openat(dfd, name,
		     O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		     0600);
	if (out < 0)
		return err_make(errp, errno, "cannot create '%s'", dpath);
	copytree_record(c->dg, 'f', dpath, perm, uid, gid, (long long)len);
	feed(c->dg, data, len);
	if (write_all(out, data, len) < 0 ||
	    fchown(out, (uid_t)uid, (gid_t)gid) < 0 || fchmod(out, perm) < 0) {
		int e = errno;

		close(out);
		return err_make(errp, e, "cannot write '%s'", dpath);
	}
	close(out);
	return 0;
}

/* make the destination directory of l (and of the levels above it) */
static int
make_level(struct copier *c, struct copy_level *l, struct err **errp)
{
	struct stat st;

	if (l->dfd >= 0)
		return 0;
	if (make_level(c, l->up, errp) < 0)
		return -1;
	if (fstatat(l->up->dfd, l->dname, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT)
			return err_make(errp, errno, "cannot stat '%s'",
					l->dpath);
		/* the final mode comes once the children are in */
		if (mkdirat(l->up->dfd, l->dname, 0700) < 0)
			return err_make(errp, errno,
					"cannot create directory '%s'",
					l->dpath);
	} else if (!S_ISDIR(st.st_mode)) {
		return err_make(errp, 0, "cannot copy to non-directory: '%s'",
				l->dpath);
	}
	l->dfd = openat(l->up->dfd, l->dname,
			O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (l->dfd < 0)
		return err_make(errp, errno, "cannot open directory '%s'",
				l->dpath);
	copytree_record(c->dg, 'd', l->dpath, copytree_perm(c, &l->st),
			copytree_uid(c, &l->st), copytree_gid(c, &l->st), 0);
	return 0;
}

/* owner, mode, xattrs and times of a directory made, once its children
 * are in (writing them changed its mtime) */
static int
finish_level(struct copier *c, struct copy_level *l, struct err **errp)
{
	struct timespec ts[2];

	if (fchown(l->dfd, (uid_t)copytree_uid(c, &l->st),
		   (gid_t)copytree_gid(c, &l->st)) < 0 ||
	    fchmod(l->dfd, copytree_perm(c, &l->st)) < 0)
		return err_make(errp, errno,
				"cannot set the owner and mode of '%s'",
				l->dpath);
	copy_xattrs(c, l->sfd, l->dfd);
	stat_times(&l->st, ts);
	if (futimens(l->dfd, ts) < 0)
		return err_make(errp, errno, "cannot set the times of '%s'",
				l->dpath);
	return 0;
}

/* the names in directory fd, sorted, so the copy and its digest do not
 * depend on the order the filesystem lists them in */
static int
list_dir(int fd, const char *srel, struct strv *names, struct err **errp)
{
	struct dirent *de;
	DIR *d;
	int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);

	if (dup_fd < 0 || !(d = fdopendir(dup_fd))) {
		int e = errno;

		if (dup_fd >= 0)
			close(dup_fd);
		return err_make(errp, e, "cannot read directory '%s'",
				*srel ? srel : ".");
	}
	while ((errno = 0, de = readdir(d))) {
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			strv_add(names, de->d_name);
	}
	if (errno) {
		int e = errno;

		closedir(d);
		return err_make(errp, e, "cannot read directory '%s'",
				*srel ? srel : ".");
	}
	closedir(d);
	strv_sort(names);
	return 0;
}

/* could something below directory rel match the --parents pattern? (each
 * of rel's components matches the pattern's, and the pattern goes on or
 * has a double star: fsutil's partial match) */
static bool
include_partial(const char *pattern, const char *rel)
{
	autofree char *p = xstrdup(pattern), *r = xstrdup(rel);
	char *ps = NULL, *rs = NULL, *pc, *rc;

	pc = strtok_r(p, "/", &ps);
	for (rc = strtok_r(r, "/", &rs); rc; rc = strtok_r(NULL, "/", &rs)) {
		if (!pc)
			return false;
		if (strcmp(pc, "**") == 0)
			return true;
		if (filepath_match(pc, rc) != 1)
			return false;
		pc = strtok_r(NULL, "/", &ps);
	}
	return pc != NULL;
}

/* COPY --exclude as fsutil's copier applies it */
static bool
excluded(const struct copier *c, const char *rel, bool is_dir)
{
	if (!c->exclude || !ignore_match(c->exclude, rel))
		return false;
	return !(is_dir && ignore_exception_under(c->exclude, rel));
}

static int copy_dir(struct copier *c, struct copy_level *l, struct err **errp);

/*
 * the non-directory name of l, which has more links than one, for
 * copytree_dir: copied the first time its inode is met, linked to that
 * copy after
 */
static int
copy_linked(struct copier *c, struct copy_level *l, const char *name,
	    const char *srel, const char *rel, const struct stat *st,
	    const char *dpath, struct err **errp)
{
	const struct copy_level *top = l;
	const char *first;
	char key[64];

	while (top->up)
		top = top->up;
	snprintf(key, sizeof(key), "%llx:%llx", (unsigned long long)st->st_dev,
		 (unsigned long long)st->st_ino);
	first = pathset_get(c->links, key);
	if (!first) {
		if (copytree_entry(c, l->sfd, name, srel, st, l->dfd, name, dpath, errp) < 0)
			return -1;
		pathset_add(c->links, key, rel);
		return 0;
	}
	if (replace_target(l->dfd, name, dpath, errp) < 0)
		return -1;
	if (linkat(top->dfd, first, l->dfd, name, 0) < 0)
		return err_make(errp, errno, "cannot link '%s'", dpath);
	copytree_record(c->dg, 'h', dpath, 0, 0, 0, 0);
	feed(c->dg, first, strlen(first) + 1);
	add_dep(c, srel);
	return 0;
}

bool
copier_is_own(const struct copier *c, const char *srel)
{
	for (size_t i = 0; i < c->nown; i++) {
		size_t n = strlen(c->own[i]);

		if (!strncmp(srel, c->own[i], n) && (!srel[n] || srel[n] == '/'))
			return true;
	}
	return false;
}

static int
copy_child(struct copier *c, struct copy_level *l, const char *name,
	   struct err **errp)
{
	autofree char *srel = rootpath_join(l->srel, name);
	autofree char *rel = rootpath_join(l->rel, name);
	autofree char *dpath = NULL;
	struct copy_level sub;
	bool lazy = false, included = l->included;
	struct stat st;
	int r;

	if (copier_is_own(c, srel))
		return 0;
	if (fstatat(l->sfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return err_make(errp, errno, "cannot stat '%s'", srel);
	if (c->ignore && ignore_match(c->ignore, srel)) {
		/* invisible, as if not in the context, unless an exception
		 * may bring back something below */
		if (!S_ISDIR(st.st_mode) ||
		    !ignore_may_include_below(c->ignore, srel))
			return 0;
		lazy = true;
	}
	if (excluded(c, rel, S_ISDIR(st.st_mode)))
		return 0;
	if (c->include && !included) {
		if (ignore_match(c->include, rel))
			included = true;
		else if (S_ISDIR(st.st_mode) &&
			 include_partial(c->include_pattern, rel))
			lazy = true;
		else
			return 0;
	}
	dpath = strcmp(l->dpath, "/") == 0 ? xasprintf("/%s", name) :
		xasprintf("%s/%s", l->dpath, name);
	if (!S_ISDIR(st.st_mode)) {
		if (lazy)
			return 0;
		if (make_level(c, l, errp) < 0)
			return -1;
		if (c->links && st.st_nlink > 1)
			return copy_linked(c, l, name, srel, rel, &st, dpath, errp);
		return copytree_entry(c, l->sfd, name, srel, &st, l->dfd, name,
				      dpath, errp);
	}
	memset(&sub, 0, sizeof(sub));
	sub.up = l;
	sub.sfd = openat(l->sfd, name,
			 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub.sfd < 0)
		return err_make(errp, errno, "cannot open directory '%s'",
				srel);
	sub.srel = srel;
	sub.rel = rel;
	sub.st = st;
	sub.dfd = -1;
	sub.dname = name;
	sub.dpath = dpath;
	sub.lazy = lazy;
	sub.included = included;
	r = lazy ? 0 : make_level(c, &sub, errp);
	if (r == 0)
		r = copy_dir(c, &sub, errp);
	if (r == 0 && sub.dfd >= 0)
		r = finish_level(c, &sub, errp);
	close(sub.sfd);
	if (sub.dfd >= 0)
		close(sub.dfd);
	return r;
}

static int
copy_dir(struct copier *c, struct copy_level *l, struct err **errp)
{
	struct strv names = STRV_INIT;
	int r = 0;

	if (list_dir(l->sfd, l->srel, &names, errp) < 0)
		return -1;
	add_dep(c, l->srel);
	for (size_t i = 0; r == 0 && i < names.n; i++)
		r = copy_child(c, l, names.v[i], errp);
	strv_fini(&names);
	return r;
}

int
copytree_children(struct copier *c, struct copy_level *top, struct err **errp)
{
	return copy_dir(c, top, errp);
}

int
copytree_dir(struct copier *c, int sfd, const struct stat *st, int dfd,
	     const char *dpath, struct err **errp)
{
	struct pathset links = PATHSET_INIT;
	struct copy_level top;
	int r;

	memset(&top, 0, sizeof(top));
	top.sfd = sfd;
	top.srel = "";
	top.rel = "";
	top.st = *st;
	top.dfd = dfd;
	top.dname = "";
	top.dpath = dpath;
	top.is_top = true;
	top.included = !c->include;
	if (c->is_archive)
		c->links = &links;
	r = copy_dir(c, &top, errp);
	if (r == 0)
		r = finish_level(c, &top, errp);
	c->links = NULL;
	pathset_fini(&links);
	return r;
}
