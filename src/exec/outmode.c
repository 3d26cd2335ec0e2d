#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/outmode.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/notify.h"

int
outmode_get(const char *builddir, enum outmode *m, struct err **errp)
{
	autofree char *path = xasprintf("%s/progress", builddir);
	autofree char *text = NULL;
	const char *v = getenv("DF2NINJA_PROGRESS");

	*m = OUTMODE_AUTO;
	/* missing or unreadable: the default mode */
	if ((!v || !*v) && fs_read_file(path, &text, NULL, NULL) == 0) {
		text[strcspn(text, "\n")] = '\0';
		v = text;
	}
	if (!v || !*v || strcmp(v, "auto") == 0)
		return 0;
	if (strcmp(v, "plain") == 0)
		*m = OUTMODE_PLAIN;
	else if (strcmp(v, "quiet") == 0)
		*m = OUTMODE_QUIET;
	else
		return err_make(errp, 0, "%s: unknown mode '%s' (auto, plain or quiet)",
				text ? path : "DF2NINJA_PROGRESS", v);
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
