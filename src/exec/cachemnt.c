#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec/cachemnt.h"
#include "exec/copy.h"
#include "exec/rootpath.h"
#include "image/tree.h"
#include "oci/digest.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/fs.h"

char *
cachemnt_key(const char *id, const char *from, bool has_owner, long mode,
	     long uid, long gid)
{
	struct buf b = BUF_INIT;

	buf_puts(&b, id);
	if (from)
		buf_printf(&b, ":%s", from);
	if (has_owner)
		buf_printf(&b, ":mkdir:%lo:%ld:%ld", mode, uid, gid);
	return buf_steal(&b);
}

/* the name of key in <store>/cache: bytes other than letters, digits,
 * '_', '-' and a '.' not in front percent-encoded, so every key has a dir
 * of its own that never climbs out ("..", "a/b") and never starts with a
 * '.', which the cache's own .locks, .private and .new.* have; one
 * too long for a file name is named by its digest instead */
static char *
cache_name(const char *key)
{
	struct buf b = BUF_INIT;
	char dg[DIGEST_LEN];

	for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
		if (isalnum(*p) || *p == '_' || *p == '-' ||
		    (*p == '.' && p != (const unsigned char *)key))
			buf_putc(&b, (char)*p);
		else
			buf_printf(&b, "%%%02X", *p);
	}
	if (b.len > 200) {
		digest_buf(key, strlen(key), dg);
		buf_reset(&b);
		buf_printf(&b, "%%digest-%s", dg + strlen("sha256:"));
	}
	return buf_steal(&b);
}

/* a copy of r->rel of r->seedfd at rel in the new cache dir */
static int
seed(const struct cachemnt_req *r, const char *dir, struct err **errp)
{
	struct copy_source src = { r->seedfd, r->seed_name, NULL, NULL, 0, false };
	autofree char *path = xasprintf("/%s", r->rel), *srel = NULL, *top = NULL;
	const char *srcs[1] = { path };
	struct copy_opts o;
	struct stat st;
	int dfd, rc;

	if (rootpath_resolve(r->seedfd, path, 0, &srel, NULL, NULL, NULL) < 0)
		return err_make(errp, 0, "RUN --mount=type=cache: source '%s' not found "
				"in %s", path, r->seed_name);
	if (fstatat(r->seedfd, srel[0] ? srel : ".", &st, AT_SYMLINK_NOFOLLOW) < 0)
		return err_make(errp, errno, "cannot stat '%s' in %s", path, r->seed_name);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return err_make(errp, errno, "cannot open '%s'", dir);
	memset(&o, 0, sizeof(o));
	o.srcs = srcs;
	o.nsrcs = 1;
	o.dest = path;
	o.keep_owner = true;
	rc = copy_run(&src, dfd, &o, NULL, NULL, errp);
	close(dfd);
	if (rc < 0 || !S_ISDIR(st.st_mode))
		return rc;
	/* a directory's contents were copied: it keeps its own mode and owner */
	top = fs_join(dir, r->rel);
	if (lchown(top, st.st_uid, st.st_gid) < 0 || chmod(top, st.st_mode & 07777) < 0)
		return err_make(errp, errno, "cannot set up '%s'", top);
	return 0;
}

/* a new directory from template tmpl (mkdtemp), empty with r's mode and
 * owner or seeded; NULL on error */
static char *
make_new(const struct cachemnt_req *r, const char *tmpl, struct err **errp)
{
	autofree char *dir = xstrdup(tmpl);

	if (!mkdtemp(dir)) {
		err_make(errp, errno, "cannot make '%s'", dir);
		return NULL;
	}
	if (chmod(dir, (mode_t)r->mode & 07777) < 0 ||
	    chown(dir, (uid_t)r->uid, (gid_t)r->gid) < 0)
		err_make(errp, errno, "cannot set up '%s'", dir);
	else if (r->seedfd < 0 || seed(r, dir, errp) == 0)
		return steal_pointer(&dir);
	tree_remove_path(dir, NULL);
	return NULL;
}

/* lock the cache name under top/.locks: 1 when "private" finds it held */
static int
lock(const struct cachemnt_req *r, const char *top, const char *name,
     struct cachemnt *cm, struct err **errp)
{
	autofree char *locks = xasprintf("%s/.locks", top), *path = NULL;
	bool is_private = r->sharing == PLAN_SHARING_PRIVATE;

	if (fs_mkdir_p(locks, errp) < 0)
		return -1;
	path = xasprintf("%s/%s", locks, name);
	cm->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (cm->lockfd < 0)
		return err_make(errp, errno, "cannot open '%s'", path);
	if (flock(cm->lockfd, LOCK_EX | (is_private ? LOCK_NB : 0)) == 0)
		return 0;
	if (errno == EWOULDBLOCK && is_private) {
		close(cm->lockfd);
		cm->lockfd = -1;
		return 1;
	}
	return err_make(errp, errno, "cannot lock '%s'", path);
}

int
cachemnt_get(const struct cachemnt_req *r, struct cachemnt *cm,
	     struct err **errp)
{
	autofree char *name = cache_name(r->key);
	autofree char *top = xasprintf("%s/cache", r->store), *tmpl = NULL;
	char *stage;
	int rc;

	cm->dir = NULL;
	cm->lockfd = -1;
	cm->tmp = NULL;
	if (fs_mkdir_p(top, errp) < 0)
		return -1;
	if (r->sharing != PLAN_SHARING_SHARED) {
		rc = lock(r, top, name, cm, errp);
		if (rc < 0)
			return -1;
		if (rc > 0) {
			/* private and in use: an instance of our own */
			autofree char *priv = xasprintf("%s/.private", top);

			if (fs_mkdir_p(priv, errp) < 0)
				return -1;
			tmpl = xasprintf("%s/%s.XXXXXX", priv, name);
			if (!(cm->dir = make_new(r, tmpl, errp)))
				return -1;
			cm->tmp = xstrdup(cm->dir);
			return 0;
		}
	}
	cm->dir = xasprintf("%s/%s", top, name);
	/* the cache's mtime is its last use, which `df2ninja gc` goes by */
	if (utimensat(AT_FDCWD, cm->dir, NULL, 0) == 0 || access(cm->dir, F_OK) == 0)
		return 0;
	/* a new cache: made aside, then put in place (another build may do
	 * the same: the first one wins) */
	tmpl = xasprintf("%s/.new.XXXXXX", top);
	if (!(stage = make_new(r, tmpl, errp)))
		return -1;
	if (rename(stage, cm->dir) < 0) {
		int e = errno;

		tree_remove_path(stage, NULL);
		if (e != EEXIST && e != ENOTEMPTY) {
			free(stage);
			return err_make(errp, e, "cannot make the cache '%s'", cm->dir);
		}
	}
	free(stage);
	return 0;
}

int
cachemnt_path(const struct cachemnt *cm, const char *rel, const char *id,
	      char **out, struct err **errp)
{
	autofree char *res = NULL;
	int fd, rc;

	*out = NULL;
	if (!rel[0]) {
		*out = xstrdup(cm->dir);
		return 0;
	}
	fd = open(cm->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_make(errp, errno, "cannot open '%s'", cm->dir);
	rc = rootpath_resolve(fd, rel, 0, &res, NULL, NULL, NULL);
	close(fd);
	if (rc < 0)
		return err_make(errp, 0, "RUN --mount=type=cache: source '%s' not found "
				"in the cache '%s'", rel, id);
	*out = fs_join(cm->dir, res);
	return 0;
}
