#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "exec/buildlock.h"
#include "exec/ops.h"
#include "exec/runmounts.h"
#include "exec/runspec.h"
#include "exec/stepctx.h"
#include "exec/stepplan.h"
#include "exec/state.h"
#include "image/store.h"
#include "image/tree.h"
#include "sandbox/sandbox.h"
#include "sandbox/userns.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/strv.h"

static const char shell_usage[] =
	"usage: df2ninja shell [-B DIR] [--failed] [--rootless] STAGE[/N] [-- CMD [ARG...]]\n"
	"\n"
	"Open a shell (or run CMD) as root in the root filesystem as step N of\n"
	"STAGE left it (STAGE/config: after its trailing metadata; STAGE alone:\n"
	"after all of it), with the step's environment and working directory.\n"
	"With --failed: in the state the failed step N left, over the steps\n"
	"before it. What is changed there is thrown away. Run it where\n"
	"build.ninja is; -B names the build dir (default .df2ninja). The shell\n"
	"is confined as a RUN step is, and a RUN step's shell gets its mounts\n"
	"(secrets, ssh agents, binds, caches, tmpfs), ulimits, hosts and network;\n"
	"--rootless runs it in a user namespace as a user other than root\n"
	"always does.\n";

/* the last step of a stage in the plans dir: config.json, else the highest
 * NN.json */
static char *
stage_last_plan(const char *builddir, const char *stage)
{
	autofree char *dir = xasprintf("%s/plans/%s", builddir, stage);
	autofree char *cfg = xasprintf("%s/config.json", dir);
	struct dirent *de;
	long best = 0;
	DIR *d;

	if (access(cfg, F_OK) == 0)
		return xasprintf("%s/config", stage);
	d = opendir(dir);
	if (!d)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		char *end;
		long n = strtol(de->d_name, &end, 10);

		if (end != de->d_name && strcmp(end, ".json") == 0 && n > best)
			best = n;
	}
	closedir(d);
	return best > 0 ? xasprintf("%s/%02ld", stage, best) : NULL;
}

/*
 * a stage's last step: "build/config" when the stage has trailing
 * metadata, else its highest numbered step ("build/05"). The steps the
 * last generation listed in plans/where.tsv say (plans of steps since
 * removed may linger); a stage it did not need (another --target) is
 * looked up in its plans. NULL when there is no such stage.
 */
static char *
stage_last(const char *builddir, const char *stage)
{
	autofree char *path = xasprintf("%s/plans/where.tsv", builddir), *text = NULL;
	size_t n = strlen(stage);
	char *line, *save = NULL, *best = NULL;
	long bestn = 0;

	if (!stage[0] || strcmp(stage, ".") == 0 || strcmp(stage, "..") == 0)
		return NULL;
	if (fs_read_file(path, &text, NULL, NULL) == 0) {
		for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *tab = strchr(line, '\t'), *end;
			long k;

			if (!tab || strncmp(line, stage, n) != 0 || line[n] != '/')
				continue;
			*tab = '\0';
			if (strcmp(line + n + 1, "config") == 0) {
				free(best);
				return xstrdup(line);
			}
			k = strtol(line + n + 1, &end, 10);
			if (!*end && k > bestn) {
				bestn = k;
				free(best);
				best = xstrdup(line);
			}
		}
	}
	return best ? best : stage_last_plan(builddir, stage);
}

/* "build/3" -> "build/03"; "build/config" stays; "build" -> its last step */
static char *
step_name(const char *builddir, const char *arg)
{
	const char *slash = strrchr(arg, '/');
	char *end;
	long n;

	if (!slash)
		return stage_last(builddir, arg);
	if (slash == arg || !slash[1])
		return NULL;
	if (strcmp(slash + 1, "config") == 0)
		return xstrdup(arg);
	n = strtol(slash + 1, &end, 10);
	if (*end || n < 1 || n > 9999)
		return NULL;
	return xasprintf("%.*s/%02ld", (int)(slash - arg), arg, n);
}

static int
enter(const char *builddir, const char *name, bool failed, char **cmd,
      int ncmd, int *status, struct err **errp)
{
	autofree char *plan_path = xasprintf("%s/plans/%s.json", builddir, name);
	autofree char *tmp = NULL, *upper = NULL, *work = NULL, *failed_dir = NULL;
	struct strv argv = STRV_INIT, envp = STRV_INIT;
	struct runmounts rm;
	struct runspec rs;
	/* the step as `df2ninja exec` has it, over the state entered */
	struct step_ctx c;
	bool is_run;
	int r = -1;

	memset(&c, 0, sizeof(c));
	runspec_init(&rs);
	runmounts_init(&rm);
	if (stepplan_load(plan_path, &c.plan, errp) < 0) {
		stepplan_fini(&c.plan);
		return err_wrap(errp, "no step '%s' in this build (run df2ninja first?)", name);
	}
	is_run = c.plan.sp.kind == PLAN_RUN;
	if (store_open(&c.store, errp) < 0 ||
	    store_check_idmap(&c.store, userns_idmap(), errp) < 0)
		goto out;
	if (failed) {
		/* the failed step's upper dir over the state it started from */
		failed_dir = xasprintf("%s/failed/%s", builddir, name);
		if (access(failed_dir, F_OK) < 0) {
			err_make(errp, 0, "step '%s' has no failed state in '%s'", name, failed_dir);
			goto out;
		}
		if (ops_start_state(&c.plan, &c.st, errp) < 0)
			goto out;
	} else if (state_load(builddir, name, &c.st, errp) < 0) {
		autofree char *fdir = xasprintf("%s/failed/%s", builddir, name);

		if (access(fdir, F_OK) == 0) {
			/* not built, but it failed: say how to get in */
			autofree char *target = state_target(name);
			autofree char *bflag = strcmp(builddir, ".df2ninja") != 0 ?
					       xasprintf("-B %s ", builddir) : xstrdup("");

			err_free(*errp);
			*errp = NULL;
			err_make(errp, 0, "step '%s' failed in the last build: "
				 "`df2ninja shell %s%s --failed` enters the state it left; "
				 "or fix it and run `ninja %s`", target, bflag, target, target);
		}
		goto out;
	}
	/* what the RUN had (its /etc files, network, ulimits, mounts, proxy
	 * args), as the user root */
	if (is_run ?
	    runspec_run_plan(&rs, builddir, &c.plan.sp.run, &c.st, &envp, errp) < 0 ||
	    runmounts_add(&rm, &c, &envp, errp) < 0 :
	    runspec_etc(&rs, builddir, false, errp) < 0)
		goto out;
	if (runspec_state(&rs, &c.st, &c.store, failed_dir, "/root", &envp, errp) < 0)
		goto out;
	tmp = xasprintf("%s/tmp/shell.XXXXXX", builddir);
	{
		autofree char *tdir = fs_dirname(tmp);

		if (fs_mkdir_p(tdir, errp) < 0)
			goto out;
	}
	if (!mkdtemp(tmp)) {
		err_make(errp, errno, "cannot make '%s'", tmp);
		goto out;
	}
	upper = xasprintf("%s/upper", tmp);
	work = xasprintf("%s/work", tmp);
	if (fs_mkdir_p(upper, errp) < 0 || fs_mkdir_p(work, errp) < 0)
		goto out;
	if (ncmd > 0) {
		for (int i = 0; i < ncmd; i++)
			strv_add(&argv, cmd[i]);
	} else {
		strv_add(&argv, "/bin/sh");
	}
	rs.spec.mounts = rm.mounts;
	rs.spec.nmounts = rm.nmounts;
	rs.spec.upperdir = upper;
	rs.spec.workdir = work;
	rs.spec.argv = argv.v;
	rs.spec.is_interactive = true;
	r = sandbox_run(&rs.spec, status, errp);
out:
	if (tmp)
		tree_remove_path(tmp, NULL);
	strv_fini(&argv);
	strv_fini(&envp);
	runspec_fini(&rs);
	runmounts_fini(&rm);
	state_fini(&c.st);
	store_close(&c.store);
	stepplan_fini(&c.plan);
	return r;
}

int
cmd_shell(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "failed", no_argument, NULL, 'f' },
		{ "rootless", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *builddir = ".df2ninja";
	autofree char *name = NULL;
	struct err *e = NULL;
	bool failed = false, rootless = false;
	int c, status = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:B:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'B':
			builddir = optarg;
			break;
		case 'f':
			failed = true;
			break;
		case 'r':
			rootless = true;
			break;
		case 'h':
			fputs(shell_usage, stdout);
			return 0;
		case ':':
			return diag_usage("shell: option '%s' needs a value", argv[optind - 1]);
		default:
			return diag_usage("shell: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return diag_usage("shell: which step? (STAGE/N)");
	name = step_name(builddir, argv[optind]);
	if (!name) {
		if (!strchr(argv[optind], '/'))
			return diag_usage("shell: no stage '%s' in '%s' (run df2ninja first?)",
					  argv[optind], builddir);
		return diag_usage("shell: '%s' is not STAGE, STAGE/N or STAGE/config", argv[optind]);
	}
	optind++;
	/* allow --failed after the step too */
	while (optind < argc && strcmp(argv[optind], "--failed") == 0) {
		failed = true;
		optind++;
	}
	if (optind < argc && strcmp(argv[optind], "--") == 0)
		optind++;
	/* the lock keeps a build from rewriting the state under the shell;
	 * exit releases it */
	if (userns_enter(rootless, &e) < 0 || buildlock_take(builddir, &e) < 0 ||
	    enter(builddir, name, failed, argv + optind, argc - optind, &status, &e) < 0)
		return diag_error(e);
	return status;
}
