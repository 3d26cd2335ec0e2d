#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/outmode.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/notify.h"

/* read once per process (a step reads its mode from several places):
 * the builddir it was read for, and the mode, when it was a good one */
static char *known_dir;
static enum outmode known;

int
outmode_get(const char *builddir, enum outmode *m, struct err **errp)
{
	autofree char *path = NULL, *text = NULL;
	const char *v = getenv("DF2NINJA_PROGRESS");

	if (known_dir && strcmp(known_dir, builddir) == 0) {
		*m = known;
		return 0;
	}
	path = xasprintf("%s/progress", builddir);
	*m = OUTMODE_AUTO;
	/* missing or unreadable: the default mode */
	if ((!v || !*v) && fs_read_file(path, &text, NULL, NULL) == 0) {
		text[strcspn(text, "\n")] = '\0';
		v = text;
	}
	if (v && *v && strcmp(v, "plain") == 0)
		*m = OUTMODE_PLAIN;
	else if (v && *v && strcmp(v, "quiet") == 0)
		*m = OUTMODE_QUIET;
	else if (v && *v && strcmp(v, "auto") != 0)
		return err_make(errp, 0, "%s: unknown mode '%s' (auto, plain or quiet)",
				text ? path : "DF2NINJA_PROGRESS", v);
	free(known_dir);
	known_dir = xstrdup(builddir);
	known = *m;
	return 0;
}

bool
outmode_is_quiet(const char *builddir)
{
	enum outmode m;

	return outmode_get(builddir, &m, NULL) == 0 && m == OUTMODE_QUIET;
}

static void
drop_info(enum notify_kind kind, const char *line, void *ctx)
{
	(void)ctx;
	if (kind != NOTIFY_INFO) {
		fprintf(stderr, "df2ninja: %s\n", line);
		fflush(stderr);
	}
}

void
outmode_quiet_notify(void)
{
	notify_set(drop_info, NULL);
}
