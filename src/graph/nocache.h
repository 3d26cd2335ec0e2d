#ifndef DF2NINJA_GRAPH_NOCACHE_H
#define DF2NINJA_GRAPH_NOCACHE_H

struct resolver;

/* set no_cache on every step (--no-cache) or on the steps of the stages
 * --no-cache-filter names (matched as BuildKit does, ignoring case); a
 * name that is no stage is an error */
int nocache_mark(struct resolver *r);

#endif
