#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/pathset.h"
#include "match/filepath.h"
#include "match/ignore.h"
#include "oci/digest.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/modespec.h"
#include "util/path.h"
#include "util/strv.h"
#include "copy.h"
#include "copytree.h"
#include "download.h"
#include "rootpath.h"
#include "untar.h"

/* one source path after wildcard expansion */
struct item {
	char *path;		/* relative to the source root, not resolved */
	char *rel;		/* below the wildcard's directory, for
				 * --exclude; NULL when named plainly */
	const char *orig;	/* the source as written */
	const struct copy_download *dl;	/* ADD <url>: its file, else NULL */
};

struct items {
	struct item *v;
	size_t n, cap;
};

struct job {
	const struct copy_source *src;
	const struct copy_opts *o;
	int rootfd;
	const char *cmd;		/* "COPY" or "ADD" */
	struct copier c;
	char *dest_abs;			/* dest as written, made absolute */
	char *dres;			/* ... resolved in the rootfs */
	bool dir_spec;			/* it ends with '/' (or is ".") */
	long dir_uid, dir_gid;		/* owner of directories made */
	struct strv deps;
};

static void
push_item(struct items *it, char *path, char *rel, const char *orig)
{
	xgrow(&it->v, &it->cap, it->n + 1, sizeof(*it->v));
	it->v[it->n].path = path;
	it->v[it->n].rel = rel;
	it->v[it->n].orig = orig;
	it->v[it->n].dl = NULL;
	it->n++;
}

static void
items_fini(struct items *it)
{
	for (size_t i = 0; i < it->n; i++) {
		free(it->v[i].path);
		free(it->v[i].rel);
	}
	free(it->v);
}

/* "/x" relative to the source root: leading '/' and any ".." above the
 * root dropped, as BuildKit's NormalizePath("/", src) does */
static char *
source_path(const char *s)
{
	return path_clean(s, PATH_RELATIVE);
}

static char *
abs_of(const char *rel)
{
	return xasprintf("/%s", rel);
}

/* is path, in the source, df2ninja's own, or hidden by .dockerignore?
 * (a directory an exception may reach into is not) */
static bool
hidden(const struct job *j, const char *path, bool is_dir)
{
	const struct ignore *ig = j->src->ignore;

	if (copier_is_own(&j->c, path))
		return true;
	if (!ig || !*path || !ignore_match(ig, path))
		return false;
	return !(is_dir && ignore_may_include_below(ig, path));
}

static int
not_found(const struct job *j, const char *what, struct err **errp)
{
	return err_make(errp, 0, "file not found in %s: '%s'", j->src->name,
			what);
}

/*
 * resolve item path in the source, following symlinks (never out of the
 * source root); the links and the result must all be visible
 */
static int
resolve_source(struct job *j, const char *path, const char *what, char **res,
	       struct stat *st, struct err **errp)
{
	struct strv links = STRV_INIT;
	int fd, r;

	r = rootpath_resolve(j->src->fd, path, 0, res, NULL, &links, errp);
	for (size_t i = 0; r == 0 && i < links.n; i++) {
		/* ninja stats a link's target: the directory holding
		 * the link is what changes when it is made anew */
		char *dir = fs_dirname(links.v[i]);

		if (hidden(j, links.v[i], false))
			r = -2;
		strv_push(&j->deps, dir);
	}
	strv_fini(&links);
	if (r == -1) {
		if ((*errp)->errnum != ENOENT && (*errp)->errnum != ENOTDIR)
			return -1;
		err_free(*errp);
		*errp = NULL;
		return not_found(j, what, errp);
	}
	if (r == -2) {
		free(*res);
		*res = NULL;
		return not_found(j, what, errp);
	}
	fd = rootpath_open(j->src->fd, *res, O_PATH | O_NOFOLLOW, 0);
	if (fd < 0 || fstat(fd, st) < 0) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		free(*res);
		*res = NULL;
		return err_make(errp, e, "cannot stat '%s'", what);
	}
	close(fd);
	if (hidden(j, *res, S_ISDIR(st->st_mode))) {
		free(*res);
		*res = NULL;
		return not_found(j, what, errp);
	}
	return 0;
}

/* the names in the source directory dir (resolved), sorted */
static int
list_source_dir(struct job *j, const char *dir, struct strv *names,
		struct err **errp)
{
	int fd = rootpath_open(j->src->fd, dir,
			       O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
	struct dirent **ents;
	int n;

	if (fd < 0)
		return err_make(errp, errno, "cannot read directory '%s'",
				*dir ? dir : ".");
	n = scandirat(fd, ".", &ents, NULL, alphasort);
	if (n < 0) {
		int e = errno;

		close(fd);
		return err_make(errp, e, "cannot read directory '%s'",
				*dir ? dir : ".");
	}
	for (int i = 0; i < n; i++) {
		if (strcmp(ents[i]->d_name, ".") != 0 &&
		    strcmp(ents[i]->d_name, "..") != 0)
			strv_add(names, ents[i]->d_name);
		free(ents[i]);
	}
	free(ents);
	close(fd);
	strv_sort(names);
	strv_add(&j->deps, *dir ? dir : ".");
	return 0;
}

/* the components of path, split at '/' */
static void
split_path(const char *path, struct strv *out)
{
	const char *p = path;

	while (*p) {
		const char *end = strchrnul(p, '/');

		if (end > p)
			strv_push(out, xstrndup(p, (size_t)(end - p)));
		p = *end ? end + 1 : end;
	}
}

/*
 * match the pattern components comps[i..] below the source directory dir
 * (resolved); rel is the path matched so far below the wildcard's base.
 * Like BuildKit's filepath.Walk, a symlink to a directory is not entered
 * on the way, and a malformed pattern matches nothing.
 */
static int
match_below(struct job *j, const char *dir, const char *rel,
	    const struct strv *comps, size_t i, struct items *out,
	    const char *orig, struct err **errp)
{
	struct strv names = STRV_INIT;
	int dfd = -1, r = 0;

	if (list_source_dir(j, dir, &names, errp) < 0)
		return -1;
	for (size_t k = 0; r == 0 && k < names.n; k++) {
		const char *name = names.v[k];
		autofree char *path = rootpath_join(dir, name);
		autofree char *sub = rootpath_join(rel, name);
		struct stat st;

		if (filepath_match(comps->v[i], name) != 1)
			continue;
		if (dfd < 0)
			dfd = rootpath_open(j->src->fd, dir,
					    O_PATH | O_DIRECTORY, 0);
		if (dfd < 0 ||
		    fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = err_make(errp, errno, "cannot stat '%s'", path);
			break;
		}
		if (hidden(j, path, S_ISDIR(st.st_mode)))
			continue;
		if (i + 1 == comps->n)
			push_item(out, xstrdup(path), xstrdup(sub), orig);
		else if (S_ISDIR(st.st_mode))
			r = match_below(j, path, sub, comps, i + 1, out, orig,
					errp);
	}
	if (dfd >= 0)
		close(dfd);
	strv_fini(&names);
	return r;
}

/* one source as written into the paths it names */
static int
expand_source(struct job *j, const char *orig, struct items *out,
	      struct err **errp)
{
	struct strv comps = STRV_INIT;
	autofree char *path = source_path(orig), *base = NULL, *bres = NULL;
	struct stat st;
	size_t first = 0;
	int r = 0;

	if (!filepath_has_magic(path)) {
		push_item(out, xstrdup(path), NULL, orig);
		return 0;
	}
	split_path(path, &comps);
	while (!filepath_has_magic(comps.v[first]))
		first++;
	base = xstrdup("");
	for (size_t i = 0; i < first; i++) {
		char *t = rootpath_join(base, comps.v[i]);

		free(base);
		base = t;
	}
	/* the directory the wildcard is expanded in must exist (BuildKit:
	 * "lstat ...: no such file or directory"); no match in it is fine */
	if (resolve_source(j, base, *base ? base : ".", &bres, &st, errp) < 0)
		r = -1;
	else if (S_ISDIR(st.st_mode))
		r = match_below(j, bres, "", &comps, first, out, orig, errp);
	strv_fini(&comps);
	return r;
}

/* make the destination directory dir (resolved) and what is missing on
 * the way; an fd for it */
static int
make_dest_dir(struct job *j, const char *dir, struct err **errp)
{
	struct strv made = STRV_INIT;
	int fd;

	fd = rootpath_mkdirs(j->rootfd, dir, 0755, (uid_t)j->dir_uid,
			     (gid_t)j->dir_gid, &made, errp);
	for (size_t i = 0; i < made.n; i++) {
		char *a = abs_of(made.v[i]);

		copytree_record(j->c.dg, 'd', a, 0755, j->dir_uid, j->dir_gid,
				0);
		free(a);
	}
	strv_fini(&made);
	return fd;
}

/* what the destination is now: 1 a directory, 0 missing, -1 something
 * else */
static int
dest_kind(struct job *j, const char *path)
{
	struct stat st;
	int fd = rootpath_open(j->rootfd, path, O_PATH | O_NOFOLLOW, 0);

	if (fd < 0)
		return 0;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return 0;
	}
	close(fd);
	return S_ISDIR(st.st_mode) ? 1 : -1;
}

/* a directory source: its contents into the destination */
static int
copy_dir_item(struct job *j, const char *res, const struct stat *st,
	      struct err **errp)
{
	struct pathset links = PATHSET_INIT;
	struct copy_level top;
	autofree char *dpath = abs_of(j->dres);
	int r;

	if (dest_kind(j, j->dres) < 0)
		return err_make(errp, 0, "cannot copy to non-directory: '%s'",
				dpath);
	memset(&top, 0, sizeof(top));
	top.dfd = make_dest_dir(j, j->dres, errp);
	if (top.dfd < 0)
		return -1;
	top.sfd = rootpath_open(j->src->fd, res,
				O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
	if (top.sfd < 0) {
		r = err_make(errp, errno, "cannot open directory '%s'",
			     *res ? res : ".");
		close(top.dfd);
		return r;
	}
	top.srel = res;
	top.rel = "";
	top.st = *st;
	top.dname = "";
	top.dpath = dpath;
	top.is_top = true;
	top.included = !j->c.include;
	/* files linked to each other in the directory stay linked, as
	 * BuildKit's copy keeps them; a wildcard's matches are copied one
	 * by one, so no link joins two of them */
	j->c.links = &links;
	r = copytree_children(&j->c, &top, errp);
	j->c.links = NULL;
	pathset_fini(&links);
	close(top.sfd);
	close(top.dfd);
	return r;
}

/* where a non-directory called name goes: into the destination when it is
 * a directory (or said to be one), else the destination itself */
static char *
file_target(struct job *j, const char *name)
{
	if (j->dir_spec || dest_kind(j, j->dres) > 0)
		return rootpath_join(j->dres, name);
	return xstrdup(j->dres);
}

/* make the directory a non-directory called name goes into (file_target,
 * given to *target); an fd for it */
static int
file_parent(struct job *j, const char *name, char **target,
	    struct err **errp)
{
	autofree char *pdir = NULL;

	*target = file_target(j, name);
	if (!**target)
		return err_make(errp, 0,
				"cannot copy a file over directory '/'");
	pdir = rootpath_dirname(*target);
	return make_dest_dir(j, pdir, errp);
}

static int
copy_file_item(struct job *j, const char *res, const char *name,
	       const struct stat *st, struct err **errp)
{
	autofree char *target = NULL, *sdir = NULL, *dpath = NULL;
	int pfd, sfd, r;

	pfd = file_parent(j, name, &target, errp);
	if (pfd < 0)
		return -1;
	dpath = abs_of(target);
	sdir = rootpath_dirname(res);
	sfd = rootpath_open(j->src->fd, sdir, O_PATH | O_DIRECTORY, 0);
	if (sfd < 0) {
		close(pfd);
		return err_make(errp, errno, "cannot open directory '%s'",
				*sdir ? sdir : ".");
	}
	r = copytree_entry(&j->c, sfd, rootpath_basename(res), res, st, pfd,
			   rootpath_basename(target), dpath, errp);
	close(sfd);
	close(pfd);
	return r;
}

/* the archive open at fd (what names it), unpacked into the destination
 * directory */
static int
unpack(struct job *j, int fd, const char *what, struct err **errp)
{
	autofree char *dpath = abs_of(j->dres);
	long uid = j->o->has_chown ? (long)j->o->uid : -1;
	long gid = j->o->has_chown ? (long)j->o->gid : -1;
	int dfd, r;

	dfd = make_dest_dir(j, j->dres, errp);
	if (dfd < 0)
		return -1;
	/* the archive's owners stay unless --chown says otherwise */
	r = untar_extract(fd, dfd, dpath, uid, gid, j->c.dg, errp);
	if (r < 0)
		err_wrap(errp, "unpacking '%s'", what);
	close(dfd);
	return r;
}

/* ADD of a local archive: unpacked into the destination directory */
static int
try_unpack(struct job *j, const char *res, bool *done, struct err **errp)
{
	bool is;
	int fd, r;

	*done = false;
	fd = rootpath_open(j->src->fd, res, O_RDONLY | O_NOFOLLOW, 0);
	if (fd < 0)
		return err_make(errp, errno, "cannot open '%s'", res);
	r = untar_is_archive(fd, &is, errp);
	if (r < 0 || !is) {
		close(fd);
		return r;
	}
	*done = true;
	strv_add(&j->deps, res);
	r = unpack(j, fd, res, errp);
	close(fd);
	return r;
}

/*
 * ADD <url>: the downloaded file, 0600 and root's as BuildKit's HTTP
 * source makes it, the download's mtime; an archive is unpacked only
 * with --unpack=true
 */
static int
copy_download(struct job *j, const struct item *it, struct err **errp)
{
	const struct copy_download *d = it->dl;
	autofree char *target = NULL, *dpath = NULL;
	struct stat st;
	int fd, pfd, r;

	fd = open(d->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		r = err_make(errp, errno, "cannot open the download of '%s'",
			     it->orig);
		if (fd >= 0)
			close(fd);
		return r;
	}
	if (j->o->unpack) {
		bool is;

		r = untar_is_archive(fd, &is, errp);
		if (r < 0 || is) {
			if (r == 0)
				r = unpack(j, fd, it->orig, errp);
			close(fd);
			return r;
		}
	}
	st.st_mode = S_IFREG | 0600;
	st.st_uid = 0;
	st.st_gid = 0;
	st.st_atim = d->mtime;
	st.st_mtim = d->mtime;
	pfd = file_parent(j, d->name, &target, errp);
	if (pfd < 0 || lseek(fd, 0, SEEK_SET) < 0) {
		r = pfd < 0 ? -1 : err_make(errp, errno, "cannot read the "
					    "download of '%s'", it->orig);
		if (pfd >= 0)
			close(pfd);
		close(fd);
		return r;
	}
	dpath = abs_of(target);
	r = copytree_file(&j->c, fd, it->orig, &st, pfd,
			  rootpath_basename(target), dpath, errp);
	close(pfd);
	close(fd);
	return r;
}

static int
copy_item(struct job *j, const struct item *it, struct err **errp)
{
	autofree char *res = NULL;
	struct stat st;
	int r;

	if (it->dl)
		return copy_download(j, it, errp);
	if (resolve_source(j, it->path, it->rel ? it->path : it->orig, &res,
			   &st, errp) < 0)
		return -1;
	/* --exclude applies to what a wildcard matched, not to a path named
	 * plainly */
	if (it->rel && j->c.exclude && ignore_match(j->c.exclude, it->rel) &&
	    !(S_ISDIR(st.st_mode) &&
	      ignore_exception_under(j->c.exclude, it->rel)))
		return 0;
	if (j->o->is_add && !j->o->no_unpack && S_ISREG(st.st_mode)) {
		bool done;

		r = try_unpack(j, res, &done, errp);
		if (r < 0 || done)
			return r;
	}
	if (S_ISDIR(st.st_mode))
		return copy_dir_item(j, res, &st, errp);
	return copy_file_item(j, res, rootpath_basename(it->path), &st, errp);
}

static int
copy_heredoc(struct job *j, const struct copy_heredoc *h, struct err **errp)
{
	autofree char *target = file_target(j, rootpath_basename(h->name));
	autofree char *pdir = rootpath_dirname(target), *dpath = abs_of(target);
	int pfd, r;

	pfd = make_dest_dir(j, pdir, errp);
	if (pfd < 0)
		return -1;
	r = copytree_data(&j->c, h->data, h->len, pfd,
			  rootpath_basename(target), dpath, errp);
	close(pfd);
	return r;
}

/*
 * COPY --parents: "a/./b/c" copies what matches b/c below a, keeping
 * the path below a; without "/./" the whole path is kept
 */
static int
copy_parents(struct job *j, const char *orig, struct err **errp)
{
	const char *pivot = strstr(orig, "/./");
	autofree char *ppart =
		pivot ? xstrndup(orig, (size_t)(pivot - orig)) : xstrdup("");
	autofree char *pat = source_path(pivot ? pivot + 3 : orig);
	autofree char *pp = source_path(ppart);
	struct ignore *inc = NULL;
	struct items pivots = { NULL, 0, 0 };
	int r = 0;

	if (!filepath_has_magic(pp) && !filepath_has_magic(pat)) {
		autofree char *whole = rootpath_join(pp, pat), *res = NULL;
		struct stat st;

		if (resolve_source(j, whole, orig, &res, &st, errp) < 0)
			return -1;
	}
	if (*pat) {
		const char *pats[1] = { pat };

		if (ignore_new(pats, 1, &inc, errp) < 0)
			return -1;
	}
	if (expand_source(j, *pp ? pp : ".", &pivots, errp) < 0) {
		ignore_free(inc);
		return -1;
	}
	j->c.include = inc;
	j->c.include_pattern = pat;
	for (size_t i = 0; r == 0 && i < pivots.n; i++) {
		autofree char *res = NULL;
		struct stat st;

		r = resolve_source(j, pivots.v[i].path, orig, &res, &st, errp);
		if (r == 0 && S_ISDIR(st.st_mode))
			r = copy_dir_item(j, res, &st, errp);
	}
	j->c.include = NULL;
	j->c.include_pattern = NULL;
	ignore_free(inc);
	items_fini(&pivots);
	return r;
}

/* the destination as written, made absolute against WORKDIR and cleaned
 * (BuildKit's pathRelativeToWorkingDir); whether it names a directory */
static char *
dest_path(const struct copy_opts *o, bool *dir_spec)
{
	const char *d = o->dest ? o->dest : "";
	const char *wd = o->workdir && *o->workdir ? o->workdir : "/";
	size_t n = strlen(d);
	char *joined, *clean;

	*dir_spec = n == 0 || d[n - 1] == '/' || strcmp(d, ".") == 0 ||
		    (n >= 2 && strcmp(d + n - 2, "/.") == 0);
	joined = d[0] == '/' ? xstrdup(d) : xasprintf("%s/%s", wd, d);
	if (joined[0] != '/') {
		char *t = xasprintf("/%s", joined);

		free(joined);
		joined = t;
	}
	clean = path_clean(joined, 0);
	free(joined);
	return clean;
}

static int
prepare(struct job *j, struct err **errp)
{
	const struct copy_opts *o = j->o;
	bool exists;

	for (size_t i = 0; i < o->nsrcs; i++) {
		const char *s = o->srcs[i];

		switch (download_kind(s)) {
		case DOWNLOAD_NONE:
			break;
		case DOWNLOAD_OTHER:
			/* COPY takes it for a path, as BuildKit does */
			if (o->is_add)
				return err_make(errp, 0, "ADD can only "
						"download http and https URLs: "
						"'%s'", s);
			break;
		case DOWNLOAD_GIT:
		case DOWNLOAD_HTTP:
			if (!o->is_add)
				return err_make(errp, 0, "source can't be a "
						"URL for COPY: '%s'", s);
			if (download_kind(s) == DOWNLOAD_GIT)
				return err_make(errp, 0, "BUG: the Git "
						"repository '%s' was not "
						"fetched", s);
			if (!o->downloads || !o->downloads[i].path)
				return err_make(errp, 0, "BUG: '%s' was not "
						"downloaded", s);
			break;
		}
	}
	if (o->chmod && *o->chmod) {
		struct mode_spec *m;

		if (mode_spec_parse(o->chmod, &m, errp) < 0)
			return -1;
		j->c.chmod = m;
	}
	if (o->nexcludes) {
		struct ignore *ex;

		if (ignore_new(o->excludes, o->nexcludes, &ex, errp) < 0)
			return -1;
		j->c.exclude = ex;
	}
	j->dest_abs = dest_path(o, &j->dir_spec);
	if (rootpath_resolve(j->rootfd, j->dest_abs, ROOTPATH_MISSING_OK,
			     &j->dres, &exists, NULL, errp) < 0)
		return err_wrap(errp, "destination '%s'", j->dest_abs);
	return 0;
}

/* hand the dependencies over, sorted, each once */
static void
finish_deps(struct job *j, struct strv *deps)
{
	size_t w = 0;

	if (!deps)
		return;
	for (size_t i = 0; i < j->deps.n; i++)
		strv_add(deps, j->deps.v[i]);
	strv_sort(deps);
	for (size_t i = 0; i < deps->n; i++) {
		if (w > 0 && strcmp(deps->v[i], deps->v[w - 1]) == 0)
			free(deps->v[i]);
		else
			deps->v[w++] = deps->v[i];
	}
	deps->n = w;
	if (deps->v)
		deps->v[w] = NULL;
}

static int
run(struct job *j, struct err **errp)
{
	const struct copy_opts *o = j->o;
	struct items items = { NULL, 0, 0 };
	int r = 0;

	if (o->parents) {
		for (size_t i = 0; r == 0 && i < o->nsrcs; i++)
			r = copy_parents(j, o->srcs[i], errp);
		for (size_t i = 0; r == 0 && i < o->nheredocs; i++)
			r = copy_heredoc(j, &o->heredocs[i], errp);
		return r;
	}
	for (size_t i = 0; r == 0 && i < o->nsrcs; i++) {
		if (o->downloads && o->downloads[i].path) {
			push_item(&items, xstrdup(o->srcs[i]), NULL,
				  o->srcs[i]);
			items.v[items.n - 1].dl = &o->downloads[i];
			continue;
		}
		r = expand_source(j, o->srcs[i], &items, errp);
	}
	if (r == 0 && items.n + o->nheredocs > 1 && !j->dir_spec &&
	    dest_kind(j, j->dres) <= 0) {
		items_fini(&items);
		err_make(errp, 0,
			 "When using %s with more than one source file, the "
			 "destination must be a directory and end with a /",
			 j->cmd);
		return -2;
	}
	for (size_t i = 0; r == 0 && i < items.n; i++)
		r = copy_item(j, &items.v[i], errp);
	for (size_t i = 0; r == 0 && i < o->nheredocs; i++)
		r = copy_heredoc(j, &o->heredocs[i], errp);
	items_fini(&items);
	return r;
}

int
copy_run(const struct copy_source *src, int rootfd, const struct copy_opts *o,
	 struct strv *deps, char digest[DIGEST_LEN], struct err **errp)
{
	struct job j;
	char *h;
	int r;

	memset(&j, 0, sizeof(j));
	j.src = src;
	j.o = o;
	j.rootfd = rootfd;
	j.cmd = o->is_add ? "ADD" : "COPY";
	j.c.srcfd = src->fd;
	j.c.ignore = src->ignore;
	j.c.own = src->own;
	j.c.nown = src->nown;
	j.c.is_context = src->is_context;
	j.c.uid = o->has_chown ? (long)o->uid : o->keep_owner ? -1 : 0;
	j.c.gid = o->has_chown ? (long)o->gid : o->keep_owner ? -1 : 0;
	j.c.deps = &j.deps;
	j.c.dg = digest_new();
	j.c.count = o->count;
	j.dir_uid = o->has_chown ? (long)o->uid : 0;
	j.dir_gid = o->has_chown ? (long)o->gid : 0;

	r = prepare(&j, errp);
	if (r == 0) {
		/* the destination leads the digest: an empty directory copied
		 * to two places is two different steps */
		h = xasprintf("%s %s", j.cmd, j.dest_abs);
		digest_update(j.c.dg, h, strlen(h) + 1);
		free(h);
		r = run(&j, errp);
		if (r == -1)
			err_wrap(errp, "%s failed", j.cmd);
	}
	if (r == 0) {
		finish_deps(&j, deps);
		if (digest)
			digest_final(j.c.dg, digest);
		else
			digest_free(j.c.dg);
	} else {
		digest_free(j.c.dg);
	}
	mode_spec_free((struct mode_spec *)j.c.chmod);
	ignore_free((struct ignore *)j.c.exclude);
	strv_fini(&j.deps);
	free(j.dest_abs);
	free(j.dres);
	return r < 0 ? -1 : 0;
}
