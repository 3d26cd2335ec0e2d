#include <stdlib.h>
#include <string.h>

#include <stdio.h>

#include "exec/outmode.h"
#include "util/alloc.h"
#include "util/fs.h"
#include "util/notify.h"

bool
outmode_is_quiet(const char *builddir)
{
	autofree char *path = xasprintf("%s/progress", builddir), *text = NULL;

	/* missing or unreadable: the default mode */
	if (fs_read_file(path, &text, NULL, NULL) < 0)
		return false;
	return strcmp(text, "quiet\n") == 0;
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
