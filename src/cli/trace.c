#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "trace/critpath.h"
#include "trace/ninjalog.h"
#include "trace/timeline.h"
#include "trace/tracejson.h"
#include "trace/tracesteps.h"
#include "trace/tracesvg.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"

static const char trace_usage[] =
	"usage: df2ninja trace [-B DIR]\n"
	"\n"
	"Read ninja's log of the last build (DIR/.ninja_log) and the plans, and\n"
	"write DIR/trace.json, a Chrome/Perfetto trace (chrome://tracing,\n"
	"ui.perfetto.dev) with one track per concurrent slot, and DIR/trace.svg,\n"
	"a timeline of the same with the critical path highlighted: the chain\n"
	"of steps, each waiting for the one before, that took longest. Prints\n"
	"the critical path. Run it where build.ninja is; -B names the build\n"
	"dir (default .df2ninja).\n";

static int
trace(const char *builddir, struct err **errp)
{
	autofree char *log_path = ninjalog_path(builddir);
	autofree char *json_path = fs_join(builddir, "trace.json");
	autofree char *svg_path = fs_join(builddir, "trace.svg");
	autofree char *json = NULL, *svg = NULL, *summary = NULL;
	struct ninjalog log = NINJALOG_INIT;
	struct timeline t = TIMELINE_INIT;
	int r = -1;

	if (ninjalog_read_last(log_path, &log, errp) < 0 ||
	    tracesteps_load(builddir, &log, &t, errp) < 0)
		goto out;
	if (t.n == 0) {
		err_make(errp, 0, "the last ninja run in '%s' ran no step of this "
			 "build", builddir);
		goto out;
	}
	timeline_slots(&t);
	critpath_find(&t);
	json = tracejson_dump(&t);
	svg = tracesvg_draw(&t);
	summary = critpath_summary(&t);
	if (fs_write_atomic(json_path, json, strlen(json), 0, errp) < 0 ||
	    fs_write_atomic(svg_path, svg, strlen(svg), 0, errp) < 0)
		goto out;
	printf("%s\n", summary);
	printf("df2ninja: trace: wrote %s (chrome://tracing, ui.perfetto.dev) and %s\n",
	       json_path, svg_path);
	r = 0;
out:
	timeline_fini(&t);
	ninjalog_fini(&log);
	return r;
}

int
cmd_trace(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *builddir = ".df2ninja";
	struct err *e = NULL;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":B:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'B':
			builddir = optarg;
			break;
		case 'h':
			fputs(trace_usage, stdout);
			return 0;
		case ':':
			return diag_usage("trace: option '%s' needs a value", argv[optind - 1]);
		default:
			return diag_usage("trace: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return diag_usage("trace: unexpected argument '%s'", argv[optind]);
	return trace(builddir, &e) < 0 ? diag_error(e) : 0;
}
