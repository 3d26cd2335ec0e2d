#ifndef DF2NINJA_EXEC_DRIVE_H
#define DF2NINJA_EXEC_DRIVE_H

#include <stddef.h>

#include "util/err.h"
#include "util/strv.h"

/*
 * `df2ninja exec drive`: the edge a plain `ninja` runs when the graph is
 * wider than ninja's default -j (nproc + 2 at most, 3 on 2 cores). It
 * runs a second ninja on the same build file, in the same directory,
 * building targets with -j<width>, the graph's width, so that steps that
 * mostly wait (sleeps, downloads, other stages' compilers) all run at
 * once, as BuildKit runs them. A -j the user gave the first ninja wins,
 * and its -k, -l, -d, -w, -v and --quiet are passed on too.
 */

/* the nested ninja's argv into out: program, -f FILE (the parent's -f,
 * else build.ninja), -j (the parent's, else jobs), the parent's -k -l -d
 * -w -v --quiet in its order, then targets. parent is the first ninja's
 * argv, its program first; NULL or empty when it is not known */
void drive_argv(char *const *parent, size_t nparent, const char *program,
		const char *jobs, char *const *targets, size_t ntargets,
		struct strv *out);

/* replace this process with that ninja, the parent process's argv and
 * binary read from /proc; the new ninja gets SIGTERM when the parent
 * dies. Prints the command line first when the parent had -v. Returns
 * only on failure (-1, *errp set) */
int drive_exec(const char *jobs, char *const *targets, size_t ntargets,
	       struct err **errp);

#endif
