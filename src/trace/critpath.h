#ifndef DF2NINJA_CRITPATH_H
#define DF2NINJA_CRITPATH_H

#include "timeline.h"

/*
 * the critical path of the build t holds: the chain of events, each one
 * waiting for the one before (a dependency that started no earlier than it
 * ended), whose durations add up the most. Sets t->path, t->npath,
 * t->critical and marks its events is_critical; returns t->critical (ms).
 */
long long critpath_find(struct timeline *t);
/* "critical path 12.1 s of 12.3 s wall: s2/2 -> final/3"; caller frees */
char *critpath_summary(const struct timeline *t);

#endif
