#ifndef DF2NINJA_LINTVARS_H
#define DF2NINJA_LINTVARS_H

struct dockerfile;

/* one finding: the line, the rule's name, BuildKit's message */
typedef void lintvars_fn(void *ctx, int line, const char *rule, const char *msg);

/*
 * BuildKit's build checks on variables, as they read with no build args:
 * InvalidDefaultArgInFrom (a FROM whose image the global ARGs' defaults
 * make empty or no reference), UndefinedArgInFrom (a FROM or its
 * --platform using a name no global ARG declares, the platform ARGs
 * aside), UndefinedVar (a word BuildKit expands using a name that neither
 * an ARG of the stage, an ENV, nor an ARG with a value sets; only in
 * stages built on scratch, as the ENV of a base image is not known at
 * generation). Each finding goes to report.
 */
void lintvars_run(const struct dockerfile *df, lintvars_fn *report, void *ctx);

#endif
