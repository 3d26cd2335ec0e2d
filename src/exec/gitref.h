#ifndef DF2NINJA_GITREF_H
#define DF2NINJA_GITREF_H

struct err;
struct step_failure;

/*
 * `df2ninja exec gitref`: ask the remote of the ADD <git URL> step whose
 * plan is at plan_path for its ref's commit (gitsrc_resolve) and write it
 * at out (the step's .ref file) only when it changed, so that restat
 * leaves the step alone while the commit is the same. On failure *f
 * describes the step (step.h) and *errp says what failed.
 */
int gitref_exec(const char *plan_path, const char *out, struct step_failure *f,
		struct err **errp);

#endif
