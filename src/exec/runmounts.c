#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec/cachemnt.h"
#include "exec/copy.h"
#include "exec/copystep.h"
#include "exec/depfile.h"
#include "exec/mnt.h"
#include "exec/ops.h"
#include "exec/rootpath.h"
#include "exec/runmounts.h"
#include "exec/stepctx.h"
#include "image/layer_sum.h"
#include "image/tree.h"
#include "match/ignore.h"
#include "plan/names.h"
#include "sandbox/sandbox.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/path.h"
#include "util/strv.h"

void
runmounts_init(struct runmounts *rm)
{
	memset(rm, 0, sizeof(*rm));
	secretmnt_init(&rm->secrets);
}

void
runmounts_fini(struct runmounts *rm)
{
	free(rm->mounts);
	secretmnt_fini(&rm->secrets);
	/* the views and pins first: their dirs are among rm->tmp */
	for (size_t i = 0; i < rm->pins.n; i++)
		sandbox_unpin(rm->pins.v[i]);
	strv_fini(&rm->pins);
	for (size_t i = 0; i < rm->nmnts; i++)
		mnt_fini(&rm->mnts[i]);
	free(rm->mnts);
	strv_fini(&rm->deps);
	for (size_t i = 0; i < rm->tmp.n; i++)
		tree_remove_path(rm->tmp.v[i], NULL);
	for (size_t i = 0; i < rm->nlocks; i++)
		close(rm->locks[i]);
	free(rm->locks);
	strv_fini(&rm->keep);
	strv_fini(&rm->tmp);
}

/* a fresh directory <builddir>/tmp/<flat>.<what><i>, removed with rm */
static char *
bind_tmp(struct step_ctx *c, const char *what, size_t i, struct runmounts *rm,
	 struct err **errp)
{
	char *dir = xasprintf("%s/tmp/%s.%s%zu", c->plan.builddir, c->plan.flat, what, i);

	/* a leftover of a step killed before it cleaned up */
	if (tree_remove_path(dir, NULL), fs_mkdir_p(dir, errp) < 0) {
		free(dir);
		return NULL;
	}
	strv_push(&rm->tmp, dir);
	return dir;
}

/*
 * a bind from the context: the part of it under source that COPY would
 * see (.dockerignore and df2ninja's own files left out) copied into a
 * directory of the build dir, which is bound instead; its files go to
 * rm->deps for the depfile. A copy is private: rw needs nothing more.
 */
static int
bind_context(struct step_ctx *c, const char *source, size_t i, struct runmounts *rm,
	     char **out, struct err **errp)
{
	const struct run_plan *rp = &c->plan.sp.run;
	struct copy_source src = { -1, "build context", NULL, NULL, 0, true };
	const char *srcs[1] = { source[0] ? source : "." };
	struct ignore *ign = NULL;
	struct copy_opts o;
	autofree char *rel = NULL;
	char *dir;
	int ctxfd = -1, dfd = -1, r = -1;
	struct stat sb;

	*out = NULL;
	if (!rp->context)
		return err_make(errp, 0, "plan: RUN --mount=type=bind reads the context, "
				"but the plan has no \"context\"");
	if (!(dir = bind_tmp(c, "bind", i, rm, errp)))
		return -1;
	if (step_context_source(rp->context, rp->dockerignore, &rp->context_own, &src, &ign,
				errp) < 0)
		return -1;
	ctxfd = src.fd;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		err_make(errp, errno, "cannot open '%s'", dir);
		goto out;
	}
	memset(&o, 0, sizeof(o));
	o.srcs = srcs;
	o.nsrcs = 1;
	o.dest = "/";
	if (rootpath_resolve(ctxfd, srcs[0], 0, &rel, NULL, NULL, NULL) < 0) {
		err_make(errp, 0, "RUN --mount=type=bind: source '%s' not found in the "
			 "build context", source);
		goto out;
	}
	if (copy_run(&src, dfd, &o, &rm->deps, NULL, errp) < 0)
		goto out;
	rm->reads_context = true;
	/* a directory was copied by its contents, anything else into dir */
	if (rel[0] && fstatat(ctxfd, rel, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
		err_make(errp, errno, "cannot stat '%s' in the build context", rel);
		goto out;
	}
	if (rel[0] && !S_ISDIR(sb.st_mode)) {
		const char *base = strrchr(rel, '/');

		*out = fs_join(dir, base ? base + 1 : rel);
	} else {
		*out = xstrdup(dir);
	}
	r = 0;
out:
	if (dfd >= 0)
		close(dfd);
	close(ctxfd);
	ignore_free(ign);
	return r;
}

/*
 * a view of the rootfs of a stage or an image (mo's from=): read-only, or
 * for rw over an upper dir of its own that goes away after the step.
 * *name gets its name for messages, identity (may be NULL) its state's.
 */
static struct mnt *
from_view(struct step_ctx *c, const struct plan_mount *mo, bool rw, size_t i,
	  struct runmounts *rm, char **name, char identity[DIGEST_LEN],
	  struct err **errp)
{
	autofree char *what = xasprintf("from%zu", i);
	const char *upper = NULL, *work = NULL;
	struct state other;
	struct mnt *m;
	int r;

	if (step_source_state(c, &mo->from, &other, name, errp) < 0)
		return NULL;
	if (identity)
		memcpy(identity, other.identity, DIGEST_LEN);
	if (rw) {
		if (!(upper = bind_tmp(c, "bindup", i, rm, errp)) ||
		    !(work = bind_tmp(c, "bindwork", i, rm, errp))) {
			state_fini(&other);
			return NULL;
		}
	}
	rm->mnts = xreallocarray(rm->mnts, rm->nmnts + 1, sizeof(*rm->mnts));
	m = &rm->mnts[rm->nmnts++];
	m->path = NULL;
	m->fd = -1;
	r = mnt_state(m, &c->plan, what, &other, &c->store, upper, work, errp);
	state_fini(&other);
	return r < 0 ? NULL : m;
}

/* a bind from a stage or an image: source in its view */
static int
bind_from(struct step_ctx *c, const struct plan_mount *mo, const char *source, size_t i,
	  struct runmounts *rm, char **out, struct err **errp)
{
	autofree char *name = NULL, *rel = NULL;
	struct mnt *m;

	*out = NULL;
	if (!(m = from_view(c, mo, !mo->readonly, i, rm, &name, NULL, errp)))
		return -1;
	if (rootpath_resolve(m->fd, source, 0, &rel, NULL, NULL, NULL) < 0) {
		return err_make(errp, 0, "RUN --mount=type=bind: source '%s' not found in %s",
				source, name);
	}
	*out = rel[0] ? fs_join(m->path, rel) : xstrdup(m->path);
	return 0;
}

/* sm binds src (kept in rm until the step ends) */
static void
bind_to(struct runmounts *rm, struct sandbox_mount *sm, char *src, bool is_readonly)
{
	strv_push(&rm->keep, src);
	sm->kind = SANDBOX_MOUNT_BIND;
	sm->src = src;
	sm->is_readonly = is_readonly;
}

/*
 * *src, below the cache dir dir (cachemnt_path's, symlink-free), bound on
 * a staging path of the build dir's tmp in the executor's mount
 * namespace, which *src becomes: a step writing the same cache at once
 * cannot swap a path component for a symlink out of the cache between
 * this check and the sandbox's bind
 */
static int
pin_in_cache(struct step_ctx *c, const char *dir, char **src, size_t i,
	     struct runmounts *rm, struct err **errp)
{
	const char *rel = *src + strlen(dir) + 1;
	autoclose int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char *stage, *pin;
	struct stat sb;

	if (dfd < 0)
		return err_make(errp, errno, "cannot open '%s'", dir);
	if (fstatat(dfd, rel, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		return err_make(errp, errno, "cannot stat '%s' in the cache", rel);
	if (!(stage = bind_tmp(c, "cachesrc", i, rm, errp)))
		return -1;
	pin = S_ISDIR(sb.st_mode) ? xstrdup(stage) : fs_join(stage, "f");
	if (!S_ISDIR(sb.st_mode) && fs_write_if_changed(pin, "", 0, NULL, errp) < 0) {
		free(pin);
		return -1;
	}
	if (sandbox_pin_beneath(dir, rel, pin, errp) < 0) {
		free(pin);
		return err_wrap(errp, "RUN --mount=type=cache: source '%s'", rel);
	}
	strv_push(&rm->pins, pin);
	free(*src);
	*src = xstrdup(pin);
	return 0;
}

/*
 * RUN --mount=type=cache: a cache of the store's, by id (default: the
 * target as written, cleaned), seeded from from= when new, source= its
 * subpath; sm->src and sm->is_readonly
 */
static int
cache_mount(struct step_ctx *c, const struct plan_mount *mo, const char *written,
	    size_t i, struct sandbox_mount *sm, struct runmounts *rm, struct err **errp)
{
	autofree char *id = NULL, *source = NULL, *abs = NULL, *key = NULL, *name = NULL;
	char identity[DIGEST_LEN];
	struct cachemnt_req req;
	struct cachemnt cm;
	struct mnt *view = NULL;
	bool has_owner = mo->has_mode || mo->has_uid || mo->has_gid;
	char *src;
	int r;

	if (ops_word(&c->st, c->plan.sp.escape, &mo->id, &id, errp) < 0 ||
	    ops_word(&c->st, c->plan.sp.escape, &mo->source, &source, errp) < 0)
		return -1;
	if (!id || !id[0]) {
		free(id);
		id = path_clean(written, 0);
	}
	/* BuildKit's path.Join("/", source): "" is the whole cache */
	abs = xasprintf("/%s", source ? source : "");
	free(source);
	source = path_clean(abs, PATH_RELATIVE);
	memset(&req, 0, sizeof(req));
	req.store = c->store.root;
	req.sharing = mo->has_sharing ? mo->sharing : PLAN_SHARING_SHARED;
	req.mode = mo->has_mode ? (long)mo->mode : 0755;
	req.uid = mo->has_uid ? (long)mo->uid : 0;
	req.gid = mo->has_gid ? (long)mo->gid : 0;
	req.seedfd = -1;
	req.rel = source;
	if (mo->has_from) {
		if (!(view = from_view(c, mo, false, i, rm, &name, identity, errp)))
			return -1;
		/* mode, uid or gid with no source: an empty directory made in
		 * the from state, nothing of it seen */
		if (source[0] || !has_owner) {
			req.seedfd = view->fd;
			req.seed_name = name;
		}
	}
	/* the owner counts for a mount of the whole cache only */
	has_owner = has_owner && !source[0];
	key = cachemnt_key(id, view ? identity : NULL, has_owner, req.mode, req.uid,
			   req.gid);
	req.key = key;
	r = cachemnt_get(&req, &cm, errp);
	if (cm.lockfd >= 0) {
		rm->locks = xreallocarray(rm->locks, rm->nlocks + 1, sizeof(*rm->locks));
		rm->locks[rm->nlocks++] = cm.lockfd;
	}
	if (cm.tmp)
		strv_push(&rm->tmp, cm.tmp);
	if (r == 0)
		r = cachemnt_path(&cm, source, id, &src, errp);
	/* a subpath: pinned, as another step may write the cache at once */
	if (r == 0 && source[0])
		r = pin_in_cache(c, cm.dir, &src, i, rm, errp);
	free(cm.dir);
	if (r < 0)
		return -1;
	bind_to(rm, sm, src, mo->readonly);
	return 0;
}

/* RUN --mount=type=bind: sm->src and sm->is_readonly */
static int
bind_mount(struct step_ctx *c, const struct plan_mount *mo, size_t i,
	   struct sandbox_mount *sm, struct runmounts *rm, struct err **errp)
{
	autofree char *source = NULL;
	char *src;

	if (ops_word(&c->st, c->plan.sp.escape, &mo->source, &source, errp) < 0)
		return -1;
	if ((mo->has_from ?
	     bind_from(c, mo, source ? source : "", i, rm, &src, errp) :
	     bind_context(c, source ? source : "", i, rm, &src, errp)) < 0)
		return -1;
	bind_to(rm, sm, src, mo->readonly);
	return 0;
}

/* a relative mount target (or none: NULL) below the working directory;
 * target is freed */
static char *
under_workdir(const char *wd, char *target)
{
	char *abs = xasprintf("%s/%s", wd && wd[0] ? wd : "", target ? target : "");

	free(target);
	return abs;
}

int
runmounts_add(struct runmounts *rm, struct step_ctx *c, struct strv *envp,
	      struct err **errp)
{
	const struct run_plan *rp = &c->plan.sp.run;
	const char *wd = config_get_str(&c->st.config, "WorkingDir");
	struct sandbox_mount **out = &rm->mounts;
	size_t *n = &rm->nmounts;

	*n = 0;
	*out = xcalloc(rp->nmounts + 1, sizeof(**out));
	for (size_t i = 0; i < rp->nmounts; i++) {
		const struct plan_mount *mo = &rp->mounts[i];
		const char *type = plan_name(&plan_mount_names, mo->type);
		struct sandbox_mount *sm = &(*out)[*n];
		bool is_secretish = mo->type == PLAN_MOUNT_SECRET || mo->type == PLAN_MOUNT_SSH;
		char *target = NULL;
		autofree char *written = NULL;

		if (ops_word(&c->st, c->plan.sp.escape, &mo->target, &target, errp) < 0)
			return -1;
		if (is_secretish) {
			/* a relative target is the working directory's */
			bool has_mount;

			if (target && target[0] != '/')
				target = under_workdir(wd, target);
			if (target)
				strv_push(&rm->keep, target);
			if (secretmnt_add(&rm->secrets, c, mo, target, sm, &has_mount, envp,
					  errp) < 0)
				return -1;
			*n += has_mount;
			continue;
		}
		*n += 1;
		written = xstrdup(target ? target : "");
		/* relative, or none (BuildKit: the working directory) */
		if (!target || target[0] != '/')
			target = under_workdir(wd, target);
		if (!target[strspn(target, "/")]) {
			free(target);
			return err_make(errp, 0, "RUN --mount type=%s: invalid mount "
					"target \"/\"", type);
		}
		strv_push(&rm->keep, target);
		sm->dst = target;
		if (mo->type == PLAN_MOUNT_TMPFS) {
			sm->kind = SANDBOX_MOUNT_TMPFS;
			sm->size = mo->has_size ? mo->size : 0;
		} else if (mo->type == PLAN_MOUNT_CACHE) {
			if (cache_mount(c, mo, written, i, sm, rm, errp) < 0)
				return -1;
		} else if (mo->type == PLAN_MOUNT_BIND) {
			if (bind_mount(c, mo, i, sm, rm, errp) < 0)
				return -1;
		} else {
			return err_make(errp, 0, "RUN --mount=type=%s%s is not supported yet", type,
					mo->has_from ? " with from=" : "");
		}
	}
	return 0;
}

int
runmounts_depfile(struct runmounts *rm, struct step_ctx *c, struct err **errp)
{
	const struct run_plan *rp = &c->plan.sp.run;
	autofree char *links = NULL;

	if (!rm->reads_context || !c->depfile)
		return 0;
	/* the ignore file beside the Dockerfile may lie outside the
	 * context: absolute, so that editing it runs again */
	if (rp->dockerignore && access(rp->dockerignore, F_OK) == 0) {
		char *abs;

		if (fs_realpath(rp->dockerignore, &abs, errp) < 0)
			return -1;
		strv_push(&rm->deps, abs);
	}
	links = fs_join(c->plan.builddir, "deplinks");
	return depfile_write(c->depfile, c->out, rp->context, &rm->deps, links, errp);
}

int
runmounts_context_digest(struct step_ctx *c, char reads[DIGEST_LEN],
			 struct err **errp)
{
	const struct run_plan *rp = &c->plan.sp.run;
	struct runmounts rm;
	struct digest *d = digest_new();
	int r = 0;

	runmounts_init(&rm);
	for (size_t i = 0; r == 0 && i < rp->nmounts; i++) {
		const struct plan_mount *mo = &rp->mounts[i];
		autofree char *source = NULL, *src = NULL, *line = NULL;
		char sum[DIGEST_LEN];

		if (mo->type != PLAN_MOUNT_BIND)
			continue;
		if (mo->has_from) {
			r = 1;
			break;
		}
		if (ops_word(&c->st, c->plan.sp.escape, &mo->source, &source, errp) < 0 ||
		    bind_context(c, source ? source : "", i, &rm, &src, errp) < 0 ||
		    layer_sum_dir(rm.tmp.v[rm.tmp.n - 1], sum, NULL, errp) < 0) {
			r = -1;
			break;
		}
		line = xasprintf("%zu %s\n", i, sum);
		digest_update(d, line, strlen(line));
	}
	/* what a hit read, for ninja: the step does not run to say it */
	if (r == 0 && runmounts_depfile(&rm, c, errp) < 0)
		r = -1;
	digest_final(d, reads);
	runmounts_fini(&rm);
	return r;
}
