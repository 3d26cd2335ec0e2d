#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec/copy.h"
#include "exec/copystep.h"
#include "exec/depfile.h"
#include "exec/download.h"
#include "exec/gitsrc.h"
#include "exec/history.h"
#include "exec/linkrec.h"
#include "exec/mnt.h"
#include "exec/ops.h"
#include "exec/rootpath.h"
#include "exec/stepctx.h"
#include "exec/user.h"
#include "image/image.h"
#include "match/ignore.h"
#include "shlex/words.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/path.h"
#include "util/strv.h"

/* import an image named by COPY --from=<image> (or RUN --mount from=) for
 * platform (NULL: the host's) and describe it as a state */
static int
image_state(struct step_ctx *c, const char *ref, const char *platform, struct state *s,
	    struct err **errp)
{
	struct image img;
	int r = -1;

	/* filled by the loader: a local one zeroes it first */
	memset(&img, 0, sizeof(img));
	if (step_load_image(c, ref, platform, false, &img, errp) < 0)
		goto out;
	state_init(s);
	state_add_image_layers(s, &img);
	r = 0;
out:
	image_fini(&img);
	return r;
}

int
step_source_state(struct step_ctx *c, const struct plan_source *from, struct state *s,
		  char **name, struct err **errp)
{
	*name = NULL;
	if (from->stage) {
		if (state_load(c->plan.builddir, from->step, s, errp) < 0)
			return -1;
		*name = xasprintf("stage '%s'", from->stage);
		return 0;
	}
	if (image_state(c, from->image, from->platform, s, errp) < 0)
		return -1;
	*name = xasprintf("image '%s'", from->image);
	return 0;
}

int
step_context_source(const char *ctx, const char *dockerignore, const struct plan_strs *own,
		    struct copy_source *src, struct ignore **ign, struct err **errp)
{
	int fd = open(ctx, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	*ign = NULL;
	if (fd < 0)
		return err_make(errp, errno, "cannot open the build context '%s'", ctx);
	/* <Dockerfile>.dockerignore when the generator found one, else the
	 * context's (relative paths: from the build file's dir, where ninja
	 * runs, as ctx is) */
	if (dockerignore ?
	    ignore_load_at(AT_FDCWD, dockerignore, ign, errp) < 0 :
	    ignore_load_at(fd, ".dockerignore", ign, errp) < 0) {
		close(fd);
		return -1;
	}
	src->fd = fd;
	src->ignore = *ign;
	src->is_context = true;
	src->own = own->v;
	src->nown = own->n;
	return 0;
}

static int
words(struct step_ctx *c, const struct plan_words *w, struct strv *out, struct err **errp)
{
	for (size_t i = 0; i < w->n; i++) {
		char *v;

		if (ops_word(&c->st, c->plan.sp.escape, &w->v[i], &v, errp) < 0)
			return -1;
		strv_push(out, v ? v : xstrdup(""));
	}
	return 0;
}

/*
 * ADD <url>: every http(s) source downloaded into the store before
 * anything is mounted; *out gets one entry per source (path NULL for the
 * others). keep owns the strings.
 */
static int
downloads(struct step_ctx *c, const struct strv *srcs, const char *checksum,
	  struct copy_download **out, struct strv *keep, struct err **errp)
{
	*out = xcalloc(srcs->n + 1, sizeof(**out));
	for (size_t i = 0; i < srcs->n; i++) {
		struct download d;
		char *name;

		if (download_kind(srcs->v[i]) != DOWNLOAD_HTTP)
			continue;
		name = download_file_name(srcs->v[i]);
		if (!name)
			return err_make(errp, 0, "cannot name a file after the "
					"URL '%s'", srcs->v[i]);
		strv_push(keep, name);
		if (download_fetch(&c->store, c->plan.builddir, srcs->v[i],
				   checksum, &d, errp) < 0)
			return -1;
		(*out)[i].path = store_blob_path(&c->store, d.digest);
		strv_push(keep, (char *)(*out)[i].path);
		(*out)[i].name = name;
		(*out)[i].mtime = d.mtime;
	}
	return 0;
}

/*
 * ADD <git URL>: src gets the tree of the repository (gitsrc.h) when the
 * one source is one, else stays as it is
 */
static int
git_source(struct step_ctx *c, const struct strv *srcs, const char *checksum,
	   struct copy_source *src, char **name, struct err **errp)
{
	const struct copy_plan *cp = &c->plan.sp.copy;
	autofree char *dir = NULL, *pin_path = NULL, *pin = NULL;
	size_t i, len;

	for (i = 0; i < srcs->n; i++)
		if (download_kind(srcs->v[i]) == DOWNLOAD_GIT)
			break;
	if (i == srcs->n)
		return 0;
	/* the resolver refused this when it knew the sources */
	if (srcs->n != 1)
		return err_make(errp, 0, "ADD of a Git repository takes it as "
				"its only source: '%s'", srcs->v[i]);
	/* the commit the step's gitref edge found, when it has one */
	pin_path = gitsrc_ref_path(c->plan.builddir, c->plan.name);
	if (access(pin_path, F_OK) == 0 && fs_read_file(pin_path, &pin, &len, errp) < 0)
		return -1;
	if (gitsrc_fetch(c->plan.builddir, srcs->v[0], pin, checksum, cp->keep_git_dir,
			 &dir, errp) < 0)
		return -1;
	src->fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (src->fd < 0)
		return err_make(errp, errno, "cannot open '%s'", dir);
	*name = xasprintf("Git repository '%s'", srcs->v[0]);
	return 0;
}

/* COPY <<EOF bodies, expanded when the delimiter was unquoted */
static int
heredocs(struct step_ctx *c, struct copy_heredoc **out, size_t *n,
	 struct strv *keep, struct err **errp)
{
	const struct copy_plan *cp = &c->plan.sp.copy;
	struct shlex lx = { '\\', shlex_vars_lookup, (void *)&c->st.env };

	*n = cp->nheredocs;
	*out = xcalloc(*n + 1, sizeof(**out));
	for (size_t i = 0; i < cp->nheredocs; i++) {
		const char *content = cp->heredocs[i].content;
		char *text;

		if (cp->heredocs[i].expand && c->plan.sp.expand) {
			autofree char *word = shlex_heredoc_text(content);

			if (shlex_word(&lx, word, &text, errp) < 0)
				return -1;
		} else {
			text = xstrdup(content);
		}
		strv_push(keep, text);
		(*out)[i].name = cp->heredocs[i].name;
		(*out)[i].data = text;
		(*out)[i].len = strlen(text);
	}
	return 0;
}

/* the history entry: BuildKit's, of the expanded words */
static char *
copy_history(const struct copy_plan *cp, bool is_add, const struct strv *srcs,
	     const char *dest, const char *chown, const char *chmod)
{
	const char **names = xcalloc(cp->nheredocs + 1, sizeof(*names));
	char *h;

	for (size_t i = 0; i < cp->nheredocs; i++)
		names[i] = cp->heredocs[i].name;
	h = history_copy(is_add, cp->parents, chown, chmod, srcs, names, cp->nheredocs,
			 dest ? dest : "");
	free(names);
	return h;
}

/* what a COPY/ADD works with: its words expanded, then its sources */
struct copy_work {
	struct strv srcs, excl, deps, keep;
	char *dest, *chown, *chmod, *src_name, *checksum;
	struct mnt srcm;
	struct copy_heredoc *hds;
	struct copy_download *dls;
	struct ignore *ign;
	struct copy_source src;
	struct copy_opts o;
	struct state other;
	bool have_other;
	int ctxfd;
	int gitfd;			/* an ADD <git URL>'s tree */
	const char *srcs_git[2];	/* its one source: "." */
};

static void
work_init(struct copy_work *w)
{
	memset(w, 0, sizeof(*w));
	w->srcs = w->excl = w->deps = w->keep = (struct strv)STRV_INIT;
	w->srcm.fd = -1;
	w->src.fd = -1;
	w->ctxfd = -1;
	w->gitfd = -1;
}

static void
work_fini(struct copy_work *w)
{
	mnt_fini(&w->srcm);
	if (w->have_other)
		state_fini(&w->other);
	if (w->ctxfd >= 0)
		close(w->ctxfd);
	if (w->gitfd >= 0)
		close(w->gitfd);
	ignore_free(w->ign);
	free(w->hds);
	free(w->dls);
	free(w->dest);
	free(w->chown);
	free(w->chmod);
	free(w->src_name);
	free(w->checksum);
	strv_fini(&w->srcs);
	strv_fini(&w->excl);
	strv_fini(&w->deps);
	strv_fini(&w->keep);
}

/* the words, expanded in the state env */
static int
work_words(struct step_ctx *c, struct copy_work *w, struct err **errp)
{
	const struct copy_plan *cp = &c->plan.sp.copy;
	char esc = c->plan.sp.escape;

	if (words(c, &cp->sources, &w->srcs, errp) < 0 || words(c, &cp->exclude, &w->excl, errp) < 0 ||
	    ops_word(&c->st, esc, &cp->dest, &w->dest, errp) < 0 ||
	    ops_word(&c->st, esc, &cp->chown, &w->chown, errp) < 0 ||
	    ops_word(&c->st, esc, &cp->chmod, &w->chmod, errp) < 0 ||
	    ops_word(&c->st, esc, &cp->checksum, &w->checksum, errp) < 0 ||
	    heredocs(c, &w->hds, &w->o.nheredocs, &w->keep, errp) < 0)
		return -1;
	if (w->checksum && !w->checksum[0]) {
		free(w->checksum);
		w->checksum = NULL;
	}
	/* the resolver checked what it knew; a deferred word only now shows
	 * what it is */
	if (c->plan.sp.kind == PLAN_ADD && w->checksum &&
	    (w->srcs.n != 1 || download_kind(w->srcs.v[0]) == DOWNLOAD_NONE))
		return err_make(errp, 0, "--checksum needs a single HTTP(S) or Git source");
	return 0;
}

/* the downloads, and where the sources come from */
static int
work_sources(struct step_ctx *c, struct copy_work *w, struct err **errp)
{
	const struct copy_plan *cp = &c->plan.sp.copy;
	bool is_add = c->plan.sp.kind == PLAN_ADD;
	struct copy_opts *o = &w->o;

	if (is_add && (downloads(c, &w->srcs, w->checksum, &w->dls, &w->keep, errp) < 0 ||
		       git_source(c, &w->srcs, w->checksum, &w->src, &w->src_name, errp) < 0))
		return -1;
	if (w->src.fd >= 0) {
		/* a Git repository's tree, copied as a directory is */
		w->gitfd = w->src.fd;
		w->srcs_git[0] = ".";
	} else if (cp->has_from) {
		if (step_source_state(c, &cp->from, &w->other, &w->src_name, errp) < 0)
			return -1;
		w->have_other = true;
		if (mnt_state(&w->srcm, &c->plan, "from", &w->other, &c->store,
			      NULL, NULL, errp) < 0)
			return -1;
		w->src.fd = w->srcm.fd;
		o->keep_owner = true;
	} else if (cp->context) {
		if (step_context_source(cp->context, cp->dockerignore, &cp->context_own,
					&w->src, &w->ign, errp) < 0)
			return -1;
		w->ctxfd = w->src.fd;
		w->src_name = xstrdup("build context");
	} else if (o->nheredocs == 0 && w->srcs.n == 0) {
		return err_make(errp, 0, "plan: COPY without a source");
	}
	w->src.name = w->src_name;
	o->is_add = is_add;
	o->count = c->count;
	o->no_unpack = cp->unpack == 0;
	o->unpack = cp->unpack == 1;
	o->downloads = w->dls;
	o->srcs = w->gitfd >= 0 ? w->srcs_git : (const char *const *)w->srcs.v;
	o->nsrcs = w->gitfd >= 0 ? 1 : w->srcs.n;
	if (w->gitfd >= 0)
		o->is_add = false;	/* nothing in it is unpacked */
	o->heredocs = w->hds;
	o->dest = w->dest ? w->dest : "";
	o->workdir = config_get_str(&c->st.config, "WorkingDir");
	o->chmod = w->chmod && w->chmod[0] ? w->chmod : NULL;
	o->excludes = (const char *const *)w->excl.v;
	o->nexcludes = w->excl.n;
	o->parents = cp->parents;
	return 0;
}

/* the copy into the root rootfd, and the depfile of what it read */
static int
work_copy(struct step_ctx *c, struct copy_work *w, int rootfd, struct err **errp)
{
	const struct copy_plan *cp = &c->plan.sp.copy;

	if (w->src.fd < 0) {
		/* only here-documents and URLs: nothing is read here */
		w->src.fd = rootfd;
	}
	if (copy_run(&w->src, rootfd, &w->o, w->ctxfd >= 0 ? &w->deps : NULL, NULL, errp) < 0)
		return -1;
	mnt_fini(&w->srcm);
	if (w->ctxfd >= 0 && c->depfile) {
		autofree char *links = fs_join(c->plan.builddir, "deplinks");
		char *ign_abs = NULL;

		/* the ignore file beside the Dockerfile may lie outside the
		 * context: absolute, so that editing it copies again */
		if (cp->dockerignore && access(cp->dockerignore, F_OK) == 0) {
			if (fs_realpath(cp->dockerignore, &ign_abs, errp) < 0)
				return -1;
			strv_push(&w->deps, ign_abs);
		}
		if (depfile_write(c->depfile, c->out, cp->context, &w->deps, links, errp) < 0)
			return -1;
	}
	return 0;
}

static char *
work_history(struct step_ctx *c, struct copy_work *w)
{
	return copy_history(&c->plan.sp.copy, c->plan.sp.kind == PLAN_ADD, &w->srcs, w->dest,
			    w->chown, w->chmod);
}

/* BuildKit merges the copy made on scratch only without --chmod */
static bool
is_linked(struct step_ctx *c, const struct copy_work *w)
{
	return c->plan.sp.copy.link && !(w->chmod && w->chmod[0]);
}

static void
key_str(struct digest *d, const char *tag, const char *s)
{
	digest_update(d, tag, strlen(tag) + 1);
	if (s)
		digest_update(d, s, strlen(s) + 1);
}

/*
 * what a --link copy took from the step below: its words as expanded in
 * that env, and WORKDIR; the plan and the sources are inputs of both
 * edges already
 */
static void
link_key(struct step_ctx *c, const struct copy_work *w, char key[DIGEST_LEN])
{
	const struct copy_plan *cp = &c->plan.sp.copy;
	struct digest *d = digest_new();

	for (size_t i = 0; i < w->srcs.n; i++)
		key_str(d, "src", w->srcs.v[i]);
	for (size_t i = 0; i < w->excl.n; i++)
		key_str(d, "exclude", w->excl.v[i]);
	for (size_t i = 0; i < w->o.nheredocs; i++) {
		key_str(d, "heredoc", w->hds[i].name);
		digest_update(d, w->hds[i].data, w->hds[i].len);
	}
	key_str(d, "dest", w->dest);
	key_str(d, "workdir", config_get_str(&c->st.config, "WorkingDir"));
	key_str(d, "chown", w->chown);
	key_str(d, "checksum", w->checksum);
	key_str(d, "from", cp->has_from ? (cp->from.stage ? cp->from.step : cp->from.image) : NULL);
	if (cp->has_from && cp->from.platform)
		key_str(d, "platform", cp->from.platform);
	digest_final(d, key);
}

/*
 * the copy of a --link COPY/ADD on scratch (BuildKit's, before its
 * MergeOp): into an empty dir of its own, kept in up as
 * <name>.link.<sum>; *dir gets it (caller frees)
 */
static int
link_make(struct step_ctx *c, struct copy_work *w, struct upper *up, char sum[DIGEST_LEN],
	  char **dir, struct err **errp)
{
	autofree char *uname = linkrec_upper_name(c->plan.name);
	int rootfd = -1, r = -1;

	*dir = NULL;
	if (w->chown && w->chown[0]) {
		if (linkrec_chown(w->chown, &w->o.uid, &w->o.gid, errp) < 0)
			return -1;
		w->o.has_chown = true;
	}
	/* written here, not through an overlay: no work dir */
	if (work_sources(c, w, errp) < 0 ||
	    upper_begin_bare(up, c->plan.builddir, uname, errp) < 0)
		return -1;
	rootfd = open(up->upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		err_make(errp, errno, "cannot open '%s'", up->upper);
		goto out;
	}
	if (work_copy(c, w, rootfd, errp) < 0 || upper_commit(up, sum, dir, errp) < 0)
		goto out;
	r = 0;
out:
	if (rootfd >= 0)
		close(rootfd);
	if (r < 0)
		upper_fail(up);
	return r;
}

static bool
is_dir(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/*
 * the step of a --link COPY/ADD: the layer the link edge made stacked on
 * the state below, when it was made with the same key; else (no link
 * edge, or ENV or WORKDIR changed below since) the copy made here
 */
static int
link_stack(struct step_ctx *c, struct copy_work *w, struct err **errp)
{
	char key[DIGEST_LEN], rkey[DIGEST_LEN], sum[DIGEST_LEN];
	autofree char *dir = NULL, *hist = NULL;
	struct upper up;

	memset(&up, 0, sizeof(up));
	link_key(c, w, key);
	if (c->layer && linkrec_read(c->layer, sum, rkey) && strcmp(rkey, key) == 0) {
		dir = linkrec_layer_dir(c->plan.builddir, c->plan.name, sum);
		if (!is_dir(dir)) {
			free(dir);
			dir = NULL;
		}
	}
	if (!dir && link_make(c, w, &up, sum, &dir, errp) < 0) {
		upper_fini(&up);
		return -1;
	}
	upper_fini(&up);
	/* the driver prunes the step's own layers, those of a plain COPY
	 * of an earlier generation (upper.h): it has none now */
	c->up.keep = xasprintf("%s/layers/%s.", c->plan.builddir, c->plan.name);
	state_add_step_layer(&c->st, sum, dir);
	hist = work_history(c, w);
	config_add_history(&c->st.config, hist, HISTORY_COMMENT, false);
	return 0;
}

int
step_link(struct step_ctx *c, struct err **errp)
{
	char key[DIGEST_LEN], sum[DIGEST_LEN];
	struct copy_work w;
	char *dir = NULL;
	int r = -1;

	work_init(&w);
	if ((c->plan.sp.kind != PLAN_COPY && c->plan.sp.kind != PLAN_ADD) ||
	    !c->plan.sp.copy.link) {
		err_make(errp, 0, "plan: a link edge for a step that is no COPY --link");
		goto out;
	}
	if (work_words(c, &w, errp) < 0)
		goto out;
	if (!is_linked(c, &w)) {
		/* the generator makes no link edge for a --chmod */
		err_make(errp, 0, "plan: COPY --link --chmod has no link edge");
		goto out;
	}
	link_key(c, &w, key);
	if (link_make(c, &w, &c->up, sum, &dir, errp) < 0 ||
	    linkrec_write(c->out, sum, key, errp) < 0)
		goto out;
	c->kept = steal_pointer(&dir);
	r = 0;
out:
	free(dir);
	work_fini(&w);
	return r;
}

int
step_copy(struct step_ctx *c, struct err **errp)
{
	struct mnt root = { NULL, -1 };
	autofree char *hist = NULL;
	struct copy_work w;
	int r = -1;

	work_init(&w);
	if (work_words(c, &w, errp) < 0)
		goto out;
	if (is_linked(c, &w)) {
		r = link_stack(c, &w, errp);
		goto out;
	}
	if (work_sources(c, &w, errp) < 0 || step_begin_root(c, &root, errp) < 0)
		goto out;
	if (w.chown && w.chown[0]) {
		if (user_resolve_chown(root.fd, w.chown, &w.o.uid, &w.o.gid, errp) < 0)
			goto out;
		w.o.has_chown = true;
	}
	if (work_copy(c, &w, root.fd, errp) < 0)
		goto out;
	mnt_fini(&root);
	hist = work_history(c, &w);
	if (step_commit(c, hist, errp) < 0)
		goto out;
	/* a --link of an earlier generation left its layer */
	linkrec_forget(c->plan.builddir, c->plan.name);
	r = 0;
out:
	if (r < 0 && c->up.upper)
		upper_fail(&c->up);
	mnt_fini(&root);
	work_fini(&w);
	return r;
}

int
step_workdir(struct step_ctx *c, struct err **errp)
{
	autofree char *path = NULL, *joined = NULL, *abs = NULL, *resolved = NULL, *hist = NULL;
	const char *cur = config_get_str(&c->st.config, "WorkingDir");
	const char *user = config_get_str(&c->st.config, "User");
	struct mnt root = { NULL, -1 };
	uid_t uid = 0;
	gid_t gid = 0;
	int fd, r = -1;

	if (ops_word(&c->st, c->plan.sp.escape, &c->plan.sp.meta.path, &path, errp) < 0)
		return -1;
	if (!path || !path[0])
		return err_make(errp, 0, "WORKDIR needs a path");
	/* BuildKit's NormalizeWorkdir: joined to the current one, cleaned */
	joined = path[0] == '/' ? xstrdup(path) : xasprintf("%s/%s", cur ? cur : "", path);
	abs = path_clean(joined, 0);
	if (abs[0] != '/') {
		char *a = xasprintf("/%s", abs);

		free(abs);
		abs = a;
	}
	config_set_str(&c->st.config, "WorkingDir", abs);
	hist = xasprintf("WORKDIR %s", abs);
	/* the root makes no layer in BuildKit (there is nothing to make) */
	if (strcmp(abs, "/") == 0) {
		config_add_history(&c->st.config, hist, HISTORY_COMMENT, true);
		return 0;
	}
	/* BuildKit makes the directory in the step's layer */
	if (step_begin_root(c, &root, errp) < 0)
		goto out;
	/* as BuildKit's mkdir does: the directories made are the USER's */
	if (user && user[0] && user_resolve_chown(root.fd, user, &uid, &gid, errp) < 0)
		goto out;
	if (rootpath_resolve(root.fd, abs, ROOTPATH_MISSING_OK, &resolved, NULL, NULL, errp) < 0)
		goto out;
	fd = rootpath_mkdirs(root.fd, resolved, 0755, uid, gid, NULL, errp);
	if (fd < 0)
		goto out;
	close(fd);
	mnt_fini(&root);
	if (step_commit(c, hist, errp) < 0)
		goto out;
	r = 0;
out:
	if (r < 0 && c->up.upper)
		upper_fail(&c->up);
	mnt_fini(&root);
	return r;
}
