#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec/cachemnt.h"
#include "exec/copy.h"
#include "exec/copystep.h"
#include "exec/depfile.h"
#include "exec/livestat.h"
#include "exec/logtail.h"
#include "exec/mnt.h"
#include "exec/ops.h"
#include "exec/outmode.h"
#include "exec/run.h"
#include "exec/runspec.h"
#include "exec/secretmnt.h"
#include "exec/stepctx.h"
#include "exec/user.h"
#include "exec/rootpath.h"
#include "image/tree.h"
#include "match/ignore.h"
#include "plan/names.h"
#include "sandbox/sandbox.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/path.h"
#include "util/strv.h"
#include "util/ulimit.h"

/*
 * the user the command runs as, resolved in the rootfs as it is now. HOME,
 * when the env has none, is what runc's init sets: the home of the uid's
 * /etc/passwd entry, else "/" (an image without /etc/passwd: not /root)
 */
static int
resolve_user(struct step_ctx *c, struct user_info *u, struct err **errp)
{
	const char *spec = config_get_str(&c->st.config, "User");
	struct mnt m = { NULL, -1 };
	bool is_root = !spec || !spec[0] || strcmp(spec, "root") == 0 ||
		       strcmp(spec, "0") == 0 || strcmp(spec, "0:0") == 0;
	int r;

	memset(u, 0, sizeof(*u));
	if (is_root && vars_get(&c->st.env, "HOME"))
		return 0;	/* uid 0, gid 0, no groups; HOME is the env's */
	r = mnt_state(&m, &c->plan, "user", &c->st, &c->store,
		      NULL, NULL, errp);
	/* root by any of its names is 0:0 without a lookup but for HOME */
	if (r == 0)
		r = user_resolve(m.fd, is_root ? "0:0" : spec, u, errp);
	mnt_fini(&m);
	return r;
}

/* what RUN --mount holds until the step ends */
struct run_mounts {
	struct strv keep;	/* strings the sandbox_mount point to */
	struct strv tmp;	/* private cache instances to remove */
	int *locks;		/* cache locks */
	size_t nlocks;
	struct mnt *mnts;	/* binds from a stage or an image */
	size_t nmnts;
	struct strv deps;	/* what binds read from the context */
	bool reads_context;
	struct secretmnt secrets;	/* secrets and ssh agents */
};

static void
run_mounts_fini(struct run_mounts *rm)
{
	secretmnt_fini(&rm->secrets);
	/* the views first: their upper dirs are among rm->tmp */
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
bind_tmp(struct step_ctx *c, const char *what, size_t i, struct run_mounts *rm,
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
bind_context(struct step_ctx *c, const char *source, size_t i, struct run_mounts *rm,
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
	  struct run_mounts *rm, char **name, char identity[DIGEST_LEN],
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
	  struct run_mounts *rm, char **out, struct err **errp)
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
bind_to(struct run_mounts *rm, struct sandbox_mount *sm, char *src, bool is_readonly)
{
	strv_push(&rm->keep, src);
	sm->kind = SANDBOX_MOUNT_BIND;
	sm->src = src;
	sm->is_readonly = is_readonly;
}

/*
 * RUN --mount=type=cache: a cache of the store's, by id (default: the
 * target as written, cleaned), seeded from from= when new, source= its
 * subpath; sm->src and sm->is_readonly
 */
static int
cache_mount(struct step_ctx *c, const struct plan_mount *mo, const char *written,
	    size_t i, struct sandbox_mount *sm, struct run_mounts *rm, struct err **errp)
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
	free(cm.dir);
	if (r < 0)
		return -1;
	bind_to(rm, sm, src, mo->readonly);
	return 0;
}

/* RUN --mount=type=bind: sm->src and sm->is_readonly */
static int
bind_mount(struct step_ctx *c, const struct plan_mount *mo, size_t i,
	   struct sandbox_mount *sm, struct run_mounts *rm, struct err **errp)
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

/* RUN --mount: binds, tmpfs, caches, secrets and ssh agents; envp gets
 * what secrets and agents put in the command's environment */
static int
add_mounts(struct step_ctx *c, struct sandbox_mount **out, size_t *n,
	   struct run_mounts *rm, struct strv *envp, struct err **errp)
{
	const struct run_plan *rp = &c->plan.sp.run;
	const char *wd = config_get_str(&c->st.config, "WorkingDir");

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

/* a depfile of what the binds read from the context, as COPY's */
static int
context_depfile(struct step_ctx *c, struct run_mounts *rm, struct err **errp)
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

/*
 * BuildKit's runCommandString: every ARG in scope, with or without a
 * value, as "K=V" with V the state env's (an ENV of the same name wins)
 * or else the ARG's own ("" when it has none), behind "|N"
 */
static char *
history_of(struct step_ctx *c, const struct strv *argv)
{
	const struct run_plan *rp = &c->plan.sp.run;
	struct buf b = BUF_INIT;
	size_t i;

	buf_puts(&b, "RUN ");
	if (rp->nargs)
		buf_printf(&b, "|%zu ", rp->nargs);
	for (i = 0; i < rp->nargs; i++) {
		const struct plan_arg *a = &rp->args[i];
		const char *env = vars_get(&c->st.env, a->name);
		autofree char *v = NULL;

		if (!env)
			ops_word(&c->st, c->plan.sp.escape, &a->value, &v, NULL);
		buf_printf(&b, "%s=%s ", a->name, env ? env : v ? v : "");
	}
	for (i = 0; i < argv->n; i++)
		buf_printf(&b, "%s%s", i ? " " : "", argv->v[i]);
	buf_puts(&b, " # buildkit");
	return buf_steal(&b);
}

/* how many of the log's last lines a RUN prints, by outcome */
enum { RUN_TAIL_OK = 10, RUN_TAIL_FAILED = 50 };

/*
 * what the step prints once its command ended (plain mode copied it all
 * as it came): the log's last lines, more of them after a failure
 */
static void
print_tail(enum outmode m, int logfd, const char *log, bool is_ok)
{
	size_t n = is_ok ? RUN_TAIL_OK : RUN_TAIL_FAILED;

	if (m == OUTMODE_PLAIN || (m == OUTMODE_QUIET && is_ok))
		return;
	fflush(stdout);
	/* the log on disk is what counts; a closed stdout loses only this */
	/* a failure's message names the log anyway */
	(void)logtail_write(logfd, is_ok ? log : NULL, n, 1);
}

int
step_run(struct step_ctx *c, struct err **errp)
{
	autofree char *log = NULL, *hist = NULL, *script = NULL;
	/* envp: what the command gets besides the state env and HOME */
	struct strv argv = STRV_INIT, envp = STRV_INIT;
	struct run_mounts rm = { STRV_INIT, STRV_INIT, NULL, 0, NULL, 0, STRV_INIT, false,
				 { NULL, SECRETSRC_INIT, false, 0, STRV_INIT, NULL, 0 } };
	const struct run_plan *rp = &c->plan.sp.run;
	struct sandbox_mount *mounts = NULL;
	autofree struct sandbox_rlimit *rl = NULL;
	struct runspec rs;
	struct user_info u;
	int status = 0, logfd = -1, r = -1;
	enum outmode mode;
	struct livestat *live = NULL;
	bool ran = false;
	size_t nmounts = 0;
	bool is_isolated = rp->network == PLAN_NETWORK_ISOLATED;

	memset(&u, 0, sizeof(u));
	runspec_init(&rs);
	/* the log first: a failure message names it, whatever failed */
	log = stepplan_log_path(&c->plan);
	{
		autofree char *ld = fs_dirname(log);

		if (fs_mkdir_p(ld, errp) < 0)
			return -1;
	}
	/* read back too: the tail and the status line come from it */
	logfd = open(log, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (logfd < 0)
		return err_make(errp, errno, "cannot create '%s'", log);
	if (outmode_get(c->plan.builddir, &mode, errp) < 0)
		goto out;
	ops_argv(&c->st, &rp->cmd, rp->shell_form, &argv);
	if (argv.n == 0) {
		err_make(errp, 0, "RUN has no command");
		goto out;
	}
	if (runspec_etc(&rs, c->plan.builddir, is_isolated, errp) < 0 ||
	    runspec_add_hosts(&rs, c->plan.builddir, &rp->add_hosts, errp) < 0 ||
	    resolve_user(c, &u, errp) < 0 ||
	    add_mounts(c, &mounts, &nmounts, &rm, &envp, errp) < 0 ||
	    context_depfile(c, &rm, errp) < 0)
		goto out;

	/* a #! here-document runs as a script file */
	if (rp->script_name) {
		const char *name = rp->script_name, *content = rp->script_content;
		autofree char *tmpdir = xasprintf("%s/tmp", c->plan.builddir);

		script = xasprintf("%s/%s.script", tmpdir, c->plan.flat);
		if (fs_mkdir_p(tmpdir, errp) < 0 ||
		    fs_write_if_changed(script, content, strlen(content), NULL, errp) < 0)
			goto out;
		if (chmod(script, 0755) < 0) {
			err_make(errp, errno, "cannot make '%s' executable", script);
			goto out;
		}
		mounts = xreallocarray(mounts, nmounts + 1, sizeof(*mounts));
		mounts[nmounts].kind = SANDBOX_MOUNT_BIND;
		mounts[nmounts].src = script;
		strv_push(&rm.keep, xasprintf("/dev/pipes/%s", name));
		mounts[nmounts].dst = rm.keep.v[rm.keep.n - 1];
		mounts[nmounts].is_readonly = true;
		nmounts++;
	}

	for (size_t i = 0; i < rp->nproxy; i++) {
		const struct plan_proxy *px = &rp->proxy[i];
		autofree char *up = xstrdup(px->name);

		for (char *p = up; *p; p++)
			*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		if (!vars_get(&c->st.env, px->name))
			strv_push(&envp, xasprintf("%s=%s", px->name, px->value));
		if (!vars_get(&c->st.env, up))
			strv_push(&envp, xasprintf("%s=%s", up, px->value));
	}

	if (upper_begin(&c->up, c->plan.builddir, c->plan.name, errp) < 0)
		goto out;

	if (runspec_state(&rs, &c->st, &c->store, NULL, u.home ? u.home : "/", &envp,
			  errp) < 0)
		goto out;
	rs.spec.upperdir = c->up.upper;
	rs.spec.workdir = c->up.work;
	rs.spec.argv = argv.v;
	rs.spec.uid = u.uid;
	rs.spec.gid = u.gid;
	rs.spec.groups = u.groups;
	rs.spec.ngroups = u.ngroups;
	rs.spec.is_network_none = rp->network == PLAN_NETWORK_NONE;
	rs.spec.is_network_isolated = is_isolated;
	/* the generator allowed it (--allow security.insecure) */
	rs.spec.is_insecure = rp->security == PLAN_SECURITY_INSECURE;
	rs.spec.mounts = mounts;
	rs.spec.nmounts = nmounts;
	rl = xcalloc(rp->ulimits.n + 1, sizeof(*rl));
	for (size_t i = 0; i < rp->ulimits.n; i++) {
		struct ulimit ul;

		/* decode.c checked them */
		if (ulimit_parse(rp->ulimits.v[i], &ul, errp) < 0)
			goto out;
		rl[i].resource = ul.resource;
		rl[i].soft = ul.soft < 0 ? RLIM_INFINITY : (unsigned long long)ul.soft;
		rl[i].hard = ul.hard < 0 ? RLIM_INFINITY : (unsigned long long)ul.hard;
	}
	rs.spec.rlimits = rl;
	rs.spec.nrlimits = rp->ulimits.n;
	rs.spec.log_fd = logfd;
	/* ninja holds an edge's output until it ends: the whole of it goes to
	 * the log, and only plain mode copies it to stdout too */
	rs.spec.out_fd = mode == OUTMODE_PLAIN ? 1 : -1;
	if (mode == OUTMODE_AUTO) {
		autofree char *label = stepplan_label(&c->plan);
		autofree char *what = xasprintf("%s %s", label, c->plan.sp.instruction ?
						c->plan.sp.instruction : "RUN");

		live = livestat_start(what, logfd);
	}
	r = sandbox_run(&rs.spec, &status, errp);
	livestat_stop(live);
	if (r < 0) {
		c->status = status > 0 ? status : 1;
		upper_fail(&c->up);
		goto out;
	}
	r = -1;		/* until the commit */
	ran = true;
	print_tail(mode, logfd, log, status == 0);
	if (status != 0) {
		c->status = status;
		upper_fail(&c->up);
		if (status > 128 && status < 128 + 65) {
			const char *abbrev = sigabbrev_np(status - 128);

			err_make(errp, 0, "killed by signal %d%s%s%s", status - 128,
				 abbrev ? " (SIG" : "", abbrev ? abbrev : "", abbrev ? ")" : "");
		} else {
			err_make(errp, 0, "exit status %d", status);
		}
		goto out;
	}
	hist = history_of(c, &argv);
	if (step_commit(c, hist, errp) < 0)
		goto out;
	r = 0;
out:
	if (r < 0 && logfd >= 0 && !ran && errp && *errp) {
		/* the command never ran: the log says why */
		dprintf(logfd, "df2ninja: %s\n", (*errp)->msg);
	}
	if (logfd >= 0)
		close(logfd);
	user_info_fini(&u);
	strv_fini(&argv);
	strv_fini(&envp);
	runspec_fini(&rs);
	run_mounts_fini(&rm);
	if (script)
		unlink(script);
	free(mounts);
	return r;
}
