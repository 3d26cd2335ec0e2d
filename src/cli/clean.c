#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "exec/buildlock.h"
#include "image/tree.h"
#include "sandbox/userns.h"
#include "util/err.h"

static const char clean_usage[] =
	"usage: df2ninja clean [--rootless] [DIR...]\n"
	"\n"
	"Remove build dirs (default .df2ninja) and everything in them. A\n"
	"rootless build leaves files owned by the user's subordinate ids, which\n"
	"the user cannot remove directly: this removes them from the same user\n"
	"namespace the build ran in.\n";

int
cmd_clean(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rootless", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static char *const dflt[] = { ".df2ninja", NULL };
	char *const *dirs;
	struct err *e = NULL;
	bool rootless = false;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			rootless = true;
			break;
		case 'h':
			fputs(clean_usage, stdout);
			return 0;
		default:
			return diag_usage("clean: unknown option '%s'", argv[optind - 1]);
		}
	}
	dirs = optind < argc ? argv + optind : dflt;
	if (userns_enter(rootless, &e) < 0)
		return diag_error(e);
	for (; *dirs; dirs++) {
		struct stat sb = { 0 };
		int lock = -1;

		if (lstat(*dirs, &sb) < 0 && errno == ENOENT)
			continue;
		/* a build running there finishes its steps first; one that
		 * waits for this sees the dir gone */
		if (S_ISDIR(sb.st_mode) && (lock = buildlock_take(*dirs, &e)) < 0)
			return diag_error(e);
		if (tree_remove_path(*dirs, &e) < 0)
			return diag_error(e);
		if (lock >= 0)
			close(lock);
	}
	return 0;
}
