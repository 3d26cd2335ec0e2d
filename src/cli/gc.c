#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include "cli/cli.h"
#include "exec/storegc.h"
#include "image/store.h"
#include "registry/progress.h"
#include "sandbox/userns.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/units.h"

static const char gc_usage[] =
	"usage: df2ninja gc [--keep-storage SIZE] [--keep-duration DUR] [--rootless]\n"
	"       df2ninja prune ...\n"
	"\n"
	"Remove from the image store ($DF2NINJA_STORE, else\n"
	"~/.local/share/df2ninja) what no build dir references any more:\n"
	"unpacked layers, blobs, flattened copies, cache mounts, least recently\n"
	"used first. What a build dir that still exists references is kept.\n"
	"A build running meanwhile finishes its step first.\n"
	"\n"
	"  --keep-storage SIZE   stop once the store holds at most SIZE (64m, 10g)\n"
	"  --keep-duration DUR   keep what was used within DUR (24h, 7d, 90m)\n"
	"  --rootless            the store of rootless builds, in their namespace\n";

static const char *const kind_names[STOREGC_NKINDS][2] = {
	[STOREGC_LAYER] = { "layer", "layers" },
	[STOREGC_BLOB] = { "blob", "blobs" },
	[STOREGC_FLAT] = { "flat copy", "flat copies" },
	[STOREGC_CACHE] = { "cache mount", "cache mounts" },
};

static int
run(const struct storegc_opts *o, bool rootless)
{
	struct storegc_report rep;
	struct store st;
	struct buf line = BUF_INIT;
	struct err *e = NULL;
	int gcfd = -1, r;

	if (userns_enter(rootless, &e) < 0)
		return diag_error(e);
	r = store_open_exclusive(&st, NULL, false, &gcfd, &e);
	if (r == 1) {
		fprintf(stderr, "df2ninja: waiting for the builds using the store to finish their steps\n");
		r = store_open_exclusive(&st, NULL, true, &gcfd, &e);
	}
	if (r < 0)
		return diag_error(e);
	r = storegc_run(&st, o, &rep, &e);
	close(gcfd);
	store_close(&st);
	buf_puts(&line, "freed ");
	progress_size(&line, (double)rep.freed);
	for (int k = 0; k < STOREGC_NKINDS; k++)
		buf_printf(&line, "%s %zu %s", k ? "," : ":", rep.removed[k],
			   kind_names[k][rep.removed[k] != 1]);
	buf_puts(&line, "; kept ");
	progress_size(&line, (double)rep.kept);
	buf_printf(&line, " for %zu build %s\n", rep.builddirs,
		   rep.builddirs == 1 ? "dir" : "dirs");
	fputs(line.s, stdout);
	buf_fini(&line);
	return r < 0 ? diag_error(e) : 0;
}

int
cmd_gc(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "keep-storage", required_argument, NULL, 's' },
		{ "keep-duration", required_argument, NULL, 'd' },
		{ "rootless", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct storegc_opts o = { 0, 0 };
	bool rootless = false;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (units_parse_size(optarg, &o.keep_storage) < 0)
				return diag_usage("%s --keep-storage '%s': expected a size such as 512m or 10g",
						  argv[0], optarg);
			break;
		case 'd':
			if (units_parse_duration(optarg, &o.keep_duration) < 0)
				return diag_usage("%s --keep-duration '%s': expected a duration such as 24h or 7d",
						  argv[0], optarg);
			break;
		case 'r':
			rootless = true;
			break;
		case 'h':
			fputs(gc_usage, stdout);
			return 0;
		case ':':
			return diag_usage("%s: option '%s' needs a value", argv[0], argv[optind - 1]);
		default:
			return diag_usage("%s: unknown option '%s'", argv[0], argv[optind - 1]);
		}
	}
	if (optind < argc)
		return diag_usage("%s: unexpected argument '%s'", argv[0], argv[optind]);
	return run(&o, rootless);
}
