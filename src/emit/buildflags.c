#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "buildflags.h"

int
buildflags_nocache(struct graph *g, const char *builddir_path,
		   bool keep_old, struct err **errp)
{
	static const char text[] = "written by df2ninja --no-cache: the step "
				   "reruns once\n";

	for (size_t i = 0; i < g->nstages; i++) {
		struct stage *s = &g->stages[i];

		for (size_t k = 0; s->needed && k < s->nsteps; k++) {
			struct step *st = &s->steps[k];
			autofree char *path = NULL, *dir = NULL;

			path = xasprintf("%s/nocache/%s", builddir_path, st->name);
			if (!st->no_cache) {
				st->no_cache = keep_old && access(path, F_OK) == 0;
				continue;
			}
			/* a new file each time, hence a new mtime */
			dir = fs_dirname(path);
			if (fs_mkdir_p(dir, errp) < 0 ||
			    fs_write_atomic(path, text, sizeof(text) - 1, 0, errp) < 0)
				return -1;
		}
	}
	return 0;
}

int
buildflags_progress(const char *builddir_path, const char *mode,
		    struct err **errp)
{
	autofree char *path = xasprintf("%s/progress", builddir_path);
	autofree char *line = NULL;

	if (!mode) {
		if (unlink(path) < 0 && errno != ENOENT)
			return err_make(errp, errno, "cannot remove '%s'", path);
		return 0;
	}
	line = xasprintf("%s\n", mode);
	if (fs_mkdir_p(builddir_path, errp) < 0)
		return -1;
	return fs_write_atomic(path, line, strlen(line), FS_WRITE_IF_CHANGED, errp);
}
