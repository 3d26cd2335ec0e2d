#ifndef DF2NINJA_DOT_H
#define DF2NINJA_DOT_H

#include "graph/graph.h"
#include "util/buf.h"

struct err;

/*
 * append g's stage graph to out as Graphviz dot: a node per stage (the
 * target's drawn bold, a stage the target does not need dashed), a node
 * per image read from outside (FROM, COPY --from, RUN --mount from=; a
 * --build-context directory too), and an edge per stage or image a stage
 * reads, labelled FROM, COPY --from or RUN --mount. Fails only on a plan
 * it cannot read.
 */
int dot_stage_graph(const struct graph *g, struct buf *out, struct err **errp);

#endif
