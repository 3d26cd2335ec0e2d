#include <stdlib.h>
#include <string.h>

#include "exec/outmode.h"
#include "util/alloc.h"
#include "util/fs.h"

bool
outmode_is_quiet(const char *builddir)
{
	autofree char *path = xasprintf("%s/progress", builddir), *text = NULL;

	/* missing or unreadable: the default mode */
	if (fs_read_file(path, &text, NULL, NULL) < 0)
		return false;
	return strcmp(text, "quiet\n") == 0;
}
