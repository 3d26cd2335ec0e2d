#ifndef DF2NINJA_TRACEJSON_H
#define DF2NINJA_TRACEJSON_H

#include "timeline.h"

/*
 * t as Chrome's Trace Event Format (chrome://tracing, ui.perfetto.dev): a
 * "traceEvents" array with one complete ("ph": "X") event per edge, "ts"
 * and "dur" in microseconds from the build's first start, "pid" 1, "tid"
 * its slot + 1, "args" its step and whether it is critical; metadata
 * events naming the process and each slot's thread; "otherData" holds the
 * critical path summary. Caller frees the text.
 */
char *tracejson_dump(const struct timeline *t);

#endif
