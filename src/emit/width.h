#ifndef DF2NINJA_EMIT_WIDTH_H
#define DF2NINJA_EMIT_WIDTH_H

#include <stddef.h>

#include "graph/graph.h"

/*
 * the most edges of g's build that can run at once, from above: the
 * number of chains covering the edges. Each needed stage's steps are
 * one chain, which a stage built FROM it continues (the first such
 * stage only); the copy edge of a --link COPY/ADD and the ref edge of a
 * Git ADD are chains of their own. The export continues the target's.
 */
size_t width_chains(const struct graph *g);

#endif
