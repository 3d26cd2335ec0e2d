#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec/mnt.h"
#include "exec/ops.h"
#include "exec/run.h"
#include "exec/runspec.h"
#include "exec/stepctx.h"
#include "exec/user.h"
#include "image/tree.h"
#include "plan/names.h"
#include "sandbox/sandbox.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/strv.h"

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

/* the name of cache id in <store>/cache: bytes other than letters, digits,
 * '_', '-' and a '.' not in front percent-encoded, so every id has a dir
 * of its own that never climbs out ("..", "a/b") and never starts with a
 * '.', which the cache's own .locks, .private and .new.* have */
static char *
cache_name(const char *id)
{
	struct buf b = BUF_INIT;

	for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
		if (isalnum(*p) || *p == '_' || *p == '-' || (*p == '.' && p != (const unsigned char *)id))
			buf_putc(&b, (char)*p);
		else
			buf_printf(&b, "%%%02X", *p);
	}
	return buf_steal(&b);
}

/*
 * the directory of a cache mount, made on first use with the mount's
 * mode, uid and gid (BuildKit's defaults: 0755, root). A cache shared
 * "locked" is held under an exclusive lock until the step ends; a
 * "private" one in use by another build gets a fresh instance of its
 * own for this step. *lockfd gets the lock's fd (or -1), *tmp a private
 * instance to remove afterwards (or NULL).
 */
static int
cache_dir(struct step_ctx *c, const struct plan_mount *mo, const char *id, char **out,
	  int *lockfd, char **tmp, struct err **errp)
{
	enum plan_sharing sharing = mo->has_sharing ? mo->sharing : PLAN_SHARING_SHARED;
	autofree char *name = cache_name(id), *top = xasprintf("%s/cache", c->store.root);
	autofree char *lock = NULL, *stage = NULL;
	char *dir = xasprintf("%s/%s", top, name);
	long mode = mo->has_mode ? (long)mo->mode : 0755;
	long uid = mo->has_uid ? (long)mo->uid : 0, gid = mo->has_gid ? (long)mo->gid : 0;

	*out = NULL;
	*lockfd = -1;
	*tmp = NULL;
	if (fs_mkdir_p(top, errp) < 0) {
		free(dir);
		return -1;
	}
	if (sharing != PLAN_SHARING_SHARED) {
		autofree char *locks = xasprintf("%s/.locks", top);

		if (fs_mkdir_p(locks, errp) < 0) {
			free(dir);
			return -1;
		}
		lock = xasprintf("%s/%s", locks, name);
		*lockfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (*lockfd < 0) {
			free(dir);
			return err_make(errp, errno, "cannot open '%s'", lock);
		}
		if (flock(*lockfd, LOCK_EX | (sharing == PLAN_SHARING_PRIVATE ? LOCK_NB : 0)) < 0) {
			if (errno != EWOULDBLOCK || sharing != PLAN_SHARING_PRIVATE) {
				int e = errno;

				close(*lockfd);
				*lockfd = -1;
				free(dir);
				return err_make(errp, e, "cannot lock '%s'", lock);
			}
			/* private and in use: an instance of our own */
			close(*lockfd);
			*lockfd = -1;
			free(dir);
			dir = xasprintf("%s/.private", top);
			if (fs_mkdir_p(dir, errp) < 0) {
				free(dir);
				return -1;
			}
			free(dir);
			dir = xasprintf("%s/.private/%s.XXXXXX", top, name);
			if (!mkdtemp(dir)) {
				int e = errno;

				err_make(errp, e, "cannot make '%s'", dir);
				free(dir);
				return -1;
			}
			if (chmod(dir, (mode_t)mode & 07777) < 0 || chown(dir, (uid_t)uid, (gid_t)gid) < 0) {
				err_make(errp, errno, "cannot set up '%s'", dir);
				rmdir(dir);
				free(dir);
				return -1;
			}
			*tmp = xstrdup(dir);
			*out = dir;
			return 0;
		}
	}
	if (access(dir, F_OK) == 0) {
		*out = dir;
		return 0;
	}
	/* a new cache: made aside with its mode and owner, then put in place
	 * (another build may do the same: the first one wins) */
	stage = xasprintf("%s/.new.XXXXXX", top);
	if (!mkdtemp(stage)) {
		err_make(errp, errno, "cannot make '%s'", stage);
		free(dir);
		return -1;
	}
	if (chmod(stage, (mode_t)mode & 07777) < 0 || chown(stage, (uid_t)uid, (gid_t)gid) < 0) {
		err_make(errp, errno, "cannot set up the cache '%s'", dir);
		rmdir(stage);
		free(dir);
		return -1;
	}
	if (rename(stage, dir) < 0) {
		int e = errno;

		rmdir(stage);
		if (e != EEXIST && e != ENOTEMPTY) {
			err_make(errp, e, "cannot make the cache '%s'", dir);
			free(dir);
			return -1;
		}
	}
	*out = dir;
	return 0;
}

/* what RUN --mount holds until the step ends */
struct run_mounts {
	struct strv keep;	/* strings the sandbox_mount point to */
	struct strv tmp;	/* private cache instances to remove */
	int *locks;		/* cache locks */
	size_t nlocks;
};

static void
run_mounts_fini(struct run_mounts *rm)
{
	for (size_t i = 0; i < rm->tmp.n; i++)
		tree_remove_path(rm->tmp.v[i], NULL);
	for (size_t i = 0; i < rm->nlocks; i++)
		close(rm->locks[i]);
	free(rm->locks);
	strv_fini(&rm->keep);
	strv_fini(&rm->tmp);
}

/* RUN --mount: tmpfs and caches; others are not supported yet */
static int
add_mounts(struct step_ctx *c, struct sandbox_mount **out, size_t *n,
	   struct run_mounts *rm, struct err **errp)
{
	const struct run_plan *rp = &c->plan.sp.run;
	const char *wd = config_get_str(&c->st.config, "WorkingDir");

	*n = rp->nmounts;
	*out = xcalloc(*n + 1, sizeof(**out));
	for (size_t i = 0; i < rp->nmounts; i++) {
		const struct plan_mount *mo = &rp->mounts[i];
		const char *type = plan_name(&plan_mount_names, mo->type);
		struct sandbox_mount *sm = &(*out)[i];
		char *target = NULL;

		if (ops_word(&c->st, c->plan.sp.escape, &mo->target, &target, errp) < 0)
			return -1;
		/* relative, or none (BuildKit: the working directory) */
		if (!target || target[0] != '/') {
			char *abs = xasprintf("%s/%s", wd && wd[0] ? wd : "",
					      target ? target : "");

			free(target);
			target = abs;
		}
		if (!target[strspn(target, "/")]) {
			free(target);
			return err_make(errp, 0, "RUN --mount type=%s: invalid mount "
					"target \"/\"", type);
		}
		strv_push(&rm->keep, target);
		sm->dst = target;
		if (mo->type == PLAN_MOUNT_TMPFS) {
			if (mo->has_size)
				return err_make(errp, 0, "RUN --mount=type=tmpfs,size=... is not "
						"supported yet");
			sm->kind = SANDBOX_MOUNT_TMPFS;
		} else if (mo->type == PLAN_MOUNT_CACHE && !mo->has_from) {
			/* a cache shared by every build of the user, by id (default:
			 * the target), kept in the store */
			autofree char *id = NULL;
			char *dir, *tmp;
			int lockfd, r;

			if (mo->source.s)
				return err_make(errp, 0, "RUN --mount=type=cache: source= needs from=");
			if (ops_word(&c->st, c->plan.sp.escape, &mo->id, &id, errp) < 0)
				return -1;
			r = cache_dir(c, mo, id && id[0] ? id : target, &dir, &lockfd, &tmp, errp);
			if (lockfd >= 0) {
				rm->locks = xreallocarray(rm->locks, rm->nlocks + 1, sizeof(*rm->locks));
				rm->locks[rm->nlocks++] = lockfd;
			}
			if (tmp)
				strv_push(&rm->tmp, tmp);
			if (r < 0)
				return -1;
			strv_push(&rm->keep, dir);
			sm->kind = SANDBOX_MOUNT_BIND;
			sm->src = dir;
			sm->is_readonly = mo->readonly;
		} else {
			return err_make(errp, 0, "RUN --mount=type=%s%s is not supported yet", type,
					mo->has_from ? " with from=" : "");
		}
	}
	return 0;
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

int
step_run(struct step_ctx *c, struct err **errp)
{
	autofree char *log = NULL, *hist = NULL, *script = NULL;
	/* envp: what the command gets besides the state env and HOME */
	struct strv argv = STRV_INIT, envp = STRV_INIT;
	struct run_mounts rm = { STRV_INIT, STRV_INIT, NULL, 0 };
	const struct run_plan *rp = &c->plan.sp.run;
	struct sandbox_mount *mounts = NULL;
	struct runspec rs;
	struct user_info u;
	int status = 0, logfd = -1, r = -1;
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
	logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (logfd < 0)
		return err_make(errp, errno, "cannot create '%s'", log);
	ops_argv(&c->st, &rp->cmd, rp->shell_form, &argv);
	if (argv.n == 0) {
		err_make(errp, 0, "RUN has no command");
		goto out;
	}
	if (runspec_etc(&rs, c->plan.builddir, is_isolated, errp) < 0 ||
	    resolve_user(c, &u, errp) < 0 ||
	    add_mounts(c, &mounts, &nmounts, &rm, errp) < 0)
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
	rs.spec.log_fd = logfd;
	if (sandbox_run(&rs.spec, &status, errp) < 0) {
		c->status = status > 0 ? status : 1;
		upper_fail(&c->up);
		goto out;
	}
	ran = true;
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
