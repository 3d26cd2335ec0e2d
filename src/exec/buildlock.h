#ifndef DF2NINJA_EXEC_BUILDLOCK_H
#define DF2NINJA_EXEC_BUILDLOCK_H

#include "util/err.h"

/*
 * One build at a time in a build dir. A build is the ninja (or make) that
 * runs `df2ninja exec`: the parent process, or the parent of the `sh -c`
 * that is. Every exec of one build may
 * run at once, as -j asks; the execs of another build wait until no exec
 * of the first runs any more, so that no step reads a state that another
 * build's step is rewriting. Returns an fd to keep open until the step is
 * done (it holds the lock; exit releases it), or -1 with *errp set.
 */
int buildlock_take(const char *builddir, struct err **errp);

/*
 * end this process (SIGTERM, so that a running step stops as on Ctrl-C)
 * when the build ends, even SIGKILLed: ninja and make run each command in
 * a process group of its own, which a kill of theirs misses, and through
 * an `sh -c` that outlives them. Call it after the credentials are set
 * (a change of them disarms PR_SET_PDEATHSIG). -1 with errno: the
 * build is already gone, or this cannot be arranged.
 */
int buildlock_die_with_build(void);

#endif
