#ifndef DF2NINJA_EMIT_BUILDFLAGS_H
#define DF2NINJA_EMIT_BUILDFLAGS_H

#include <stdbool.h>

#include "graph/graph.h"

struct err;

/*
 * What a generation leaves in the build dir for the build beside the
 * plans (builddir_path as seen from the current directory):
 *
 * <builddir>/nocache/<step name>: written anew, with a new time, for
 * every needed step marked no_cache (--no-cache, --no-cache-filter). The
 * build file lists it as an input of that step's edge, so the next build
 * reruns the step once. With keep_old (ninja), a step whose file exists
 * from an earlier generation is marked no_cache too, and its file left
 * alone: its edge keeps the input, which reruns nothing once the step ran
 * after it (restat), but a regeneration ninja makes before that build
 * (the args file changed) does not lose the rerun. Make, without restat,
 * would rerun such a step at every make: it gets the input only from the
 * generation that wrote it. Call it before the build file is made.
 */
int buildflags_nocache(struct graph *g, const char *builddir_path,
		       bool keep_old, struct err **errp);
/*
 * <builddir>/progress: the output mode of --progress ("auto", "plain" or
 * "quiet", one line), removed when mode is NULL. No edge reads it as an
 * input: changing the mode reruns nothing. The executor reads it
 * (exec/outmode.h).
 */
int buildflags_progress(const char *builddir_path, const char *mode,
			struct err **errp);

#endif
