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

/* import an image named by COPY --from=<image> and describe it as a state */
static int
image_state(struct step_ctx *c, const char *ref, struct state *s, struct err **errp)
{
	struct image img;
	int r = -1;

	image_init(&img);
	if (step_load_image(c, ref, false, &img, errp) < 0)
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
	if (image_state(c, from->image, s, errp) < 0)
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

int
step_copy(struct step_ctx *c, struct err **errp)
{
	const struct copy_plan *cp = &c->plan.sp.copy;
	const char *ctx = cp->context;
	bool is_add = c->plan.sp.kind == PLAN_ADD;
	struct strv srcs = STRV_INIT, excl = STRV_INIT, deps = STRV_INIT, keep = STRV_INIT;
	autofree char *dest = NULL, *chown = NULL, *chmod = NULL;
	autofree char *src_name = NULL, *checksum = NULL, *hist = NULL;
	struct mnt root = { NULL, -1 }, srcm = { NULL, -1 };
	struct copy_heredoc *hds = NULL;
	struct copy_download *dls = NULL;
	struct ignore *ign = NULL;
	struct copy_source src = { -1, NULL, NULL, NULL, 0, false };
	struct copy_opts o;
	struct state other;
	const char *srcs_git[2] = { NULL, NULL };
	int ctxfd = -1, gitfd = -1, r = -1;
	bool have_other = false;
	char esc = c->plan.sp.escape;

	memset(&o, 0, sizeof(o));
	if (words(c, &cp->sources, &srcs, errp) < 0 || words(c, &cp->exclude, &excl, errp) < 0 ||
	    ops_word(&c->st, esc, &cp->dest, &dest, errp) < 0 ||
	    ops_word(&c->st, esc, &cp->chown, &chown, errp) < 0 ||
	    ops_word(&c->st, esc, &cp->chmod, &chmod, errp) < 0 ||
	    ops_word(&c->st, esc, &cp->checksum, &checksum, errp) < 0 ||
	    heredocs(c, &hds, &o.nheredocs, &keep, errp) < 0)
		goto out;
	if (checksum && !checksum[0]) {
		free(checksum);
		checksum = NULL;
	}
	if (is_add) {
		/* the resolver checked what it knew; a deferred word only
		 * now shows what it is */
		if (checksum && (srcs.n != 1 || download_kind(srcs.v[0]) == DOWNLOAD_NONE)) {
			err_make(errp, 0, "--checksum needs a single HTTP(S) or Git source");
			goto out;
		}
		if (downloads(c, &srcs, checksum, &dls, &keep, errp) < 0)
			goto out;
		if (git_source(c, &srcs, checksum, &src, &src_name, errp) < 0)
			goto out;
	}

	/* where the sources come from */
	if (src.fd >= 0) {
		/* a Git repository's tree, copied as a directory is */
		gitfd = src.fd;
		srcs_git[0] = ".";
	} else if (cp->has_from) {
		if (step_source_state(c, &cp->from, &other, &src_name, errp) < 0)
			goto out;
		have_other = true;
		if (mnt_state(&srcm, &c->plan, "from", &other, &c->store,
			      NULL, NULL, errp) < 0)
			goto out;
		src.fd = srcm.fd;
		o.keep_owner = true;
	} else if (ctx) {
		if (step_context_source(ctx, cp->dockerignore, &cp->context_own, &src, &ign,
					errp) < 0)
			goto out;
		ctxfd = src.fd;
		src_name = xstrdup("build context");
	} else if (o.nheredocs == 0 && srcs.n == 0) {
		err_make(errp, 0, "plan: COPY without a source");
		goto out;
	}
	src.name = src_name;

	if (upper_begin(&c->up, c->plan.builddir, c->plan.name, errp) < 0 ||
	    mnt_state(&root, &c->plan, "root", &c->st, &c->store,
		      c->up.upper, c->up.work, errp) < 0)
		goto out;
	if (chown && chown[0]) {
		if (user_resolve_chown(root.fd, chown, &o.uid, &o.gid, errp) < 0)
			goto out;
		o.has_chown = true;
	}
	o.is_add = is_add;
	o.no_unpack = cp->unpack == 0;
	o.unpack = cp->unpack == 1;
	o.downloads = dls;
	o.srcs = gitfd >= 0 ? srcs_git : (const char *const *)srcs.v;
	o.nsrcs = gitfd >= 0 ? 1 : srcs.n;
	if (gitfd >= 0)
		o.is_add = false;	/* nothing in it is unpacked */
	o.heredocs = hds;
	o.dest = dest ? dest : "";
	o.workdir = config_get_str(&c->st.config, "WorkingDir");
	o.chmod = chmod && chmod[0] ? chmod : NULL;
	o.excludes = (const char *const *)excl.v;
	o.nexcludes = excl.n;
	o.parents = cp->parents;
	if (src.fd < 0) {
		/* only here-documents and URLs: nothing is read here */
		src.fd = root.fd;
	}
	if (copy_run(&src, root.fd, &o, ctxfd >= 0 ? &deps : NULL, NULL, errp) < 0)
		goto out;
	mnt_fini(&root);
	mnt_fini(&srcm);
	if (ctxfd >= 0 && c->depfile) {
		autofree char *links = fs_join(c->plan.builddir, "deplinks");
		char *ign_abs = NULL;

		/* the ignore file beside the Dockerfile may lie outside the
		 * context: absolute, so that editing it copies again */
		if (cp->dockerignore && access(cp->dockerignore, F_OK) == 0) {
			if (fs_realpath(cp->dockerignore, &ign_abs, errp) < 0)
				goto out;
			strv_push(&deps, ign_abs);
		}

		if (depfile_write(c->depfile, c->out, ctx, &deps, links, errp) < 0)
			goto out;
	}
	hist = copy_history(cp, is_add, &srcs, dest, chown, chmod);
	if (step_commit(c, hist, errp) < 0)
		goto out;
	r = 0;
out:
	if (r < 0 && c->up.upper)
		upper_fail(&c->up);
	mnt_fini(&root);
	mnt_fini(&srcm);
	if (have_other)
		state_fini(&other);
	if (ctxfd >= 0)
		close(ctxfd);
	if (gitfd >= 0)
		close(gitfd);
	ignore_free(ign);
	free(hds);
	free(dls);
	strv_fini(&srcs);
	strv_fini(&excl);
	strv_fini(&deps);
	strv_fini(&keep);
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
	if (upper_begin(&c->up, c->plan.builddir, c->plan.name, errp) < 0 ||
	    mnt_state(&root, &c->plan, "root", &c->st, &c->store,
		      c->up.upper, c->up.work, errp) < 0)
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
