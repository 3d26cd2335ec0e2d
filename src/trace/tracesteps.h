#ifndef DF2NINJA_TRACESTEPS_H
#define DF2NINJA_TRACESTEPS_H

#include "ninjalog.h"
#include "timeline.h"

struct err;

/*
 * the events of the log's lines that are df2ninja's edges (a step's
 * stamp, a --link copy, an ADD's git ref, the export; other lines are
 * left out), in the log's order, named "[stage N/M] instruction" from the
 * plans of the build dir (plans/where.tsv lists the steps and M), each
 * with the events it waited for: through the plans' "parent", COPY --from
 * and RUN --mount from= stages, and the export's "last". A step that did
 * not run passes on what it waited for. The log's outputs are as ninja
 * names them: under builddir, or relative to it.
 */
int tracesteps_load(const char *builddir, const struct ninjalog *log,
		    struct timeline *t, struct err **errp);

#endif
