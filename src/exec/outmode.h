#ifndef DF2NINJA_OUTMODE_H
#define DF2NINJA_OUTMODE_H

#include <stdbool.h>

/* the build's output mode is "quiet" (--progress quiet, -q): the
 * generator's <builddir>/progress (emit/buildflags.h) says so. A step
 * then prints nothing: its output goes to its log alone */
bool outmode_is_quiet(const char *builddir);
/* from now on, what notify() tells as NOTIFY_INFO (where an image went,
 * a pull's progress) is left out; the rest still goes to stderr */
void outmode_quiet_notify(void);

#endif
