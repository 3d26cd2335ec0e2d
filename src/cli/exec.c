#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "exec/buildlock.h"
#include "exec/cachepush.h"
#include "exec/drive.h"
#include "exec/gitref.h"
#include "exec/step.h"
#include "exec/stepserver.h"
#include "sandbox/userns.h"
#include "util/alloc.h"
#include "util/err.h"

static const char exec_usage[] =
	"usage: df2ninja exec from|step|link|export|gitref|cachepush --plan PLAN\n"
	"                     --out STAMP [--depfile FILE] [--layer LINK] [--rootless]\n"
	"\n"
	"Run one edge of a generated build.ninja: the step whose plan is PLAN,\n"
	"writing its stamp STAMP only when the step's result changed.\n"
	"`link` makes the layer of a COPY --link alone, its stamp LINK; a step\n"
	"given --layer LINK stacks that layer instead of copying again.\n"
	"`gitref` writes the commit of an ADD <git URL>'s ref, only when it\n"
	"changed.\n"
	"`cachepush` shares a step's result with the --cache-to registries.\n"
	"build.ninja calls this; `ninja -t commands TARGET` prints the calls.\n"
	"A user other than root runs it in a user namespace (rootless mode);\n"
	"--rootless, or DF2NINJA_ROOTLESS=1, makes root do the same.\n"
	"\n"
	"       df2ninja exec drive --jobs N [TARGET...]\n"
	"\n"
	"What a plain `ninja` runs when the graph is wider than its default -j:\n"
	"ninja again on the same build file with -jN, the graph's width, unless\n"
	"the first ninja was given -j (and its -k, -l, -d, -w, -v, --quiet).\n"
	"\n"
	"       df2ninja exec serve --dir DIR --build PID.START\n"
	"\n"
	"The step server of one build (the ninja or make PID), which df2ninja-run\n"
	"starts: it runs `exec step` requests in processes forked ahead of time.\n";

/* a step server's worker: `exec step ...` as main would run it */
static int
serve_entry(int argc, char **argv)
{
	int status = cmd_exec(argc, argv);

	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "df2ninja: error: cannot write to standard output: %s\n",
			strerror(errno));
		return status ? status : 1;
	}
	return status;
}

/* `exec serve --dir DIR --build KEY` */
static int
cmd_serve(int argc, char **argv)
{
	struct err *e = NULL;

	if (argc != 6 || strcmp(argv[2], "--dir") != 0 || strcmp(argv[4], "--build") != 0)
		return diag_usage("exec serve: expected --dir DIR --build PID.START");
	if (stepserver_serve(argv[3], argv[5], serve_entry, &e) < 0)
		return diag_error(e);
	return 0;
}

/* `exec drive --jobs N [TARGET...]` */
static int
cmd_drive(int argc, char **argv)
{
	struct err *e = NULL;
	char *end;

	if (argc < 4 || strcmp(argv[2], "--jobs") != 0)
		return diag_usage("exec drive: expected --jobs N");
	errno = 0;
	if (strtol(argv[3], &end, 10) < 1 || *end || errno)
		return diag_usage("exec drive: --jobs wants a count, not '%s'", argv[3]);
	drive_exec(argv[3], argv + 4, (size_t)(argc - 4), &e);
	return diag_error(e);
}

/* a failed step: where, what, the log, how to debug it; returns the exit
 * status (the failed command's own) */
static int
step_failed(const struct step_failure *f, struct err *e)
{
	int status = e->status;

	fflush(stdout);
	fprintf(stderr, "df2ninja: %s: error: %s %s failed: %s\n", f->where, f->label,
		f->instruction, e->msg);
	if (e->errnum == EINVAL && userns_hint())
		fprintf(stderr, "df2ninja: %s\n", userns_hint());
	if (f->log)
		fprintf(stderr, "df2ninja: the whole log: %s\n", f->log);
	if (f->target) {
		autofree char *bflag = strcmp(f->builddir, ".df2ninja") != 0 ?
				       xasprintf("-B %s ", f->builddir) : xstrdup("");

		if (f->has_upper)
			fprintf(stderr, "df2ninja: a shell where it failed: df2ninja shell %s%s --failed\n",
				bflag, f->target);
		fprintf(stderr, "df2ninja: rerun this step alone: ninja %s\n", f->target);
	}
	err_free(e);
	return status;
}

static int
run_step(const struct step_call *call)
{
	struct step_failure f;
	struct err *e = NULL;
	int status = 0;

	if (step_exec(call, &f, &e) < 0)
		status = f.where ? step_failed(&f, e) : diag_error(e);
	step_failure_fini(&f);
	return status;
}

int
cmd_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "plan", required_argument, NULL, 'p' },
		{ "out", required_argument, NULL, 'o' },
		{ "depfile", required_argument, NULL, 'd' },
		{ "layer", required_argument, NULL, 'l' },
		{ "rootless", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *plan = NULL, *out = NULL, *depfile = NULL, *layer = NULL, *kind;
	bool rootless = false;
	int c;

	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
			fputs(exec_usage, stdout);
			return 0;
		}
		return diag_usage("exec: expected from, step, link, export or gitref");
	}
	kind = argv[1];
	if (strcmp(kind, "drive") == 0)
		return cmd_drive(argc, argv);
	if (strcmp(kind, "serve") == 0)
		return cmd_serve(argc, argv);
	optind = 2;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			plan = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'd':
			depfile = optarg;
			break;
		case 'l':
			layer = optarg;
			break;
		case 'r':
			rootless = true;
			break;
		case 'h':
			fputs(exec_usage, stdout);
			return 0;
		case ':':
			return diag_usage("exec: option '%s' needs a value", argv[optind - 1]);
		default:
			return diag_usage("exec: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return diag_usage("exec: unexpected '%s'", argv[optind]);
	if (!plan || !out)
		return diag_usage("exec: --plan and --out are required");
	if (strcmp(kind, "from") == 0 || strcmp(kind, "step") == 0 ||
	    strcmp(kind, "link") == 0 || strcmp(kind, "export") == 0 ||
	    strcmp(kind, "cachepush") == 0) {
		struct err *e = NULL;

		if (userns_enter(rootless, &e) < 0)
			return diag_error(e);
		/* after userns_enter: gaining capabilities disarms it */
		if (buildlock_die_with_build() < 0) {
			fprintf(stderr, "df2ninja: exec: tying the step to its build: %s\n",
				strerror(errno));
			return 1;
		}
	}
	if (strcmp(kind, "from") == 0 || strcmp(kind, "step") == 0 ||
	    strcmp(kind, "link") == 0) {
		struct step_call call = { plan, out, depfile, layer,
					  strcmp(kind, "link") == 0 };

		return run_step(&call);
	}
	if (strcmp(kind, "gitref") == 0) {
		struct step_failure f;
		struct err *e = NULL;
		int status = 0;

		if (gitref_exec(plan, out, &f, &e) < 0)
			status = f.where ? step_failed(&f, e) : diag_error(e);
		step_failure_fini(&f);
		return status;
	}
	if (strcmp(kind, "cachepush") == 0) {
		struct err *e = NULL;

		return cachepush_exec(plan, out, &e) < 0 ? diag_error(e) : 0;
	}
	if (strcmp(kind, "export") == 0) {
		struct err *e = NULL;

		return export_exec(plan, out, &e) < 0 ? diag_error(e) : 0;
	}
	return diag_usage("exec: unknown kind '%s' (from, step, link, export, gitref or cachepush)", kind);
}
