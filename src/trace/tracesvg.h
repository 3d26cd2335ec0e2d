#ifndef DF2NINJA_TRACESVG_H
#define DF2NINJA_TRACESVG_H

#include "timeline.h"

/*
 * t as an SVG timeline: the critical path summary on top, one row per
 * slot with a bar per event (its name inside as far as it fits, the whole
 * name and duration as its tooltip), the critical path's bars in another
 * colour, and a time axis in seconds below. Names must be UTF-8. Caller
 * frees the text.
 */
char *tracesvg_draw(const struct timeline *t);

#endif
