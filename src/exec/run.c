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

#include "exec/emulate.h"
#include "exec/flatten.h"
#include "exec/layerfile.h"
#include "exec/livestat.h"
#include "exec/logtail.h"
#include "exec/mnt.h"
#include "exec/ops.h"
#include "exec/outmode.h"
#include "exec/run.h"
#include "exec/runmounts.h"
#include "exec/runspec.h"
#include "exec/stepctx.h"
#include "exec/user.h"
#include "plan/names.h"
#include "sandbox/sandbox.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/strv.h"

/*
 * user_resolve on /etc/passwd and /etc/group read straight from the
 * layers when layerfile.h can (a mount of the rootfs costs more than the
 * rest of the step's set-up): 0 or -1 as user_resolve, 1 to mount
 */
static int
user_from_layers(struct step_ctx *c, const char *spec, struct user_info *u,
		 struct err **errp)
{
	static const char *const names[] = { "passwd", "group" };
	char *db[2];
	struct strv lowers = STRV_INIT;
	int r = 1;

	if (flatten_lowerdirs(&c->st, &c->store, &lowers, NULL) < 0) {
		strv_fini(&lowers);
		return 1;
	}
	if (layerfile_read((const char *const *)lowers.v, lowers.n, "etc", names, 2, db)) {
		r = user_resolve_text(db[0], db[1], spec, u, errp);
		free(db[0]);
		free(db[1]);
	}
	strv_fini(&lowers);
	return r;
}

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
	r = user_from_layers(c, is_root ? "0:0" : spec, u, errp);
	if (r <= 0)
		return r;
	r = mnt_state(&m, &c->plan, "user", &c->st, &c->store,
		      NULL, NULL, errp);
	/* root by any of its names is 0:0 without a lookup but for HOME */
	if (r == 0)
		r = user_resolve(m.fd, is_root ? "0:0" : spec, u, errp);
	mnt_fini(&m);
	return r;
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

/* the status line's name of a RUN: its step and instruction */
struct status_what {
	struct step_ctx *c;
	const struct platform *emulated;	/* NULL: the host's */
};

static char *
status_what(void *ctx)
{
	const struct status_what *sw = ctx;
	const struct platform *plat = sw->emulated;
	autofree char *label = stepplan_label(&sw->c->plan);
	const char *ins = sw->c->plan.sp.instruction ? sw->c->plan.sp.instruction : "RUN";

	/* "RUN [arm64] make": the step is emulated */
	if (plat && !strncmp(ins, "RUN", 3))
		return xasprintf("%s RUN [%s%s%s]%s", label, plat->arch,
				 plat->variant[0] ? "/" : "", plat->variant, ins + 3);
	return xasprintf("%s %s", label, ins);
}

int
step_run(struct step_ctx *c, struct err **errp)
{
	autofree char *log = NULL, *hist = NULL, *script = NULL, *interp = NULL;
	/* envp: what the command gets besides the state env and HOME */
	struct strv argv = STRV_INIT, envp = STRV_INIT;
	struct runmounts rm;
	const struct run_plan *rp = &c->plan.sp.run;
	struct runspec rs;
	struct user_info u;
	int status = 0, logfd = -1, r = -1;
	enum outmode mode;
	struct livestat *live = NULL;
	struct platform plat;
	bool ran = false, emulated;

	memset(&u, 0, sizeof(u));
	runspec_init(&rs);
	runmounts_init(&rm);
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
	/* a stage on another platform: its programs run under QEMU, which
	 * must be there (never run them as if they were the host's) */
	emulated = emulate_is_foreign(&c->st.config, &plat);
	if (emulated) {
		char pname[96];

		if (emulate_check(&plat, &interp, errp) < 0)
			goto out;
		platform_format(&plat, pname);
		dprintf(logfd, "df2ninja: %s emulated by %s\n", pname, interp);
	}
	if (runspec_run_plan(&rs, c->plan.builddir, rp, &c->st, &envp, errp) < 0 ||
	    resolve_user(c, &u, errp) < 0 ||
	    runmounts_add(&rm, c, &envp, errp) < 0 ||
	    runmounts_depfile(&rm, c, errp) < 0)
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
		rm.mounts = xreallocarray(rm.mounts, rm.nmounts + 1, sizeof(*rm.mounts));
		rm.mounts[rm.nmounts].kind = SANDBOX_MOUNT_BIND;
		rm.mounts[rm.nmounts].src = script;
		strv_push(&rm.keep, xasprintf("/dev/pipes/%s", name));
		rm.mounts[rm.nmounts].dst = rm.keep.v[rm.keep.n - 1];
		rm.mounts[rm.nmounts].is_readonly = true;
		rm.nmounts++;
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
	rs.spec.mounts = rm.mounts;
	rs.spec.nmounts = rm.nmounts;
	rs.spec.log_fd = logfd;
	/* ninja holds an edge's output until it ends: the whole of it goes to
	 * the log, and only plain mode copies it to stdout too */
	rs.spec.out_fd = mode == OUTMODE_PLAIN ? 1 : -1;
	if (mode == OUTMODE_AUTO) {
		struct status_what sw = { c, emulated ? &plat : NULL };

		live = livestat_start(status_what, &sw, logfd);
	}
	r = sandbox_run_settled(&rs.spec, &status, &c->sbexit, errp);
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
	runmounts_fini(&rm);
	if (script)
		unlink(script);
	return r;
}
