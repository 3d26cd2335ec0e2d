#ifndef DF2NINJA_EXEC_BUILDLOCK_H
#define DF2NINJA_EXEC_BUILDLOCK_H

#include <sys/types.h>

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

/*
 * in a step server's worker: the step is run for the client at the other
 * end of fd (src/run/proto.h), whose parent is parent. The build is then
 * found from that parent, and the client's end, or a signal it passes
 * on, ends the step as the death of the parent or that signal would.
 */
void buildlock_serve_client(int fd, pid_t parent);
/* the worker told the client its status: the client's end is no signal */
void buildlock_client_done(void);
/* the exec's parent: the client's in a worker, else getppid() */
pid_t buildlock_parent(void);

#endif
