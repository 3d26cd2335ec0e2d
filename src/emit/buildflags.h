#ifndef DF2NINJA_EMIT_BUILDFLAGS_H
#define DF2NINJA_EMIT_BUILDFLAGS_H

#include "graph/graph.h"

struct err;

/*
 * What a generation leaves in the build dir for the build beside the
 * plans (builddir_path as seen from the current directory):
 *
 * <builddir>/nocache/<step name>: written anew, with a new time, for
 * every needed step marked no_cache (--no-cache, --no-cache-filter). The
 * build file lists it as an input of that step's edge, so the next build
 * reruns the step once; the generation after drops the input again.
 */
int buildflags_nocache(const struct graph *g, const char *builddir_path,
		       struct err **errp);
/*
 * <builddir>/progress: the output mode of --progress ("auto", "plain" or
 * "quiet", one line), removed when mode is NULL. No edge reads it as an
 * input: changing the mode reruns nothing. The executor reads it
 * (exec/outmode.h).
 */
int buildflags_progress(const char *builddir_path, const char *mode,
			struct err **errp);

#endif
