#ifndef DF2NINJA_OPS_H
#define DF2NINJA_OPS_H

#include <stdbool.h>

#include "plan/plan.h"

struct err;
struct state;
struct stepplan;

/*
 * a plan word: final, or raw, which is expanded here with the shell lexer
 * against the state env (see src/plan/plan.h); *out is owned by the
 * caller, NULL for a null word
 */
int ops_word(const struct state *s, char escape, const struct plan_word *w,
	     char **out, struct err **errp);

/*
 * apply the plan's "config" operations (ENV, LABEL, ARG, USER, CMD,
 * ENTRYPOINT, SHELL, EXPOSE, VOLUME, STOPSIGNAL, HEALTHCHECK, ONBUILD,
 * MAINTAINER) to s with Docker's semantics, each but ONBUILD adding an
 * empty-layer history entry (BuildKit's wording)
 */
int ops_apply(struct state *s, const struct step_plan *plan, struct err **errp);
/*
 * the state the step of plan p starts from: its parent step's state (made
 * the start of a step built on it, state_set_parent), or an empty one,
 * with the plan's config operations applied
 */
int ops_start_state(const struct stepplan *p, struct state *s,
		    struct err **errp);

/* the image's shell for shell-form commands (default /bin/sh -c), with
 * cmd appended; caller frees the strv */
struct strv;
void ops_shell_argv(const struct state *s, const char *cmd, struct strv *out);
/* a command's strings into argv, appended to out; shell form (the one
 * string) goes through the image's shell */
void ops_argv(const struct state *s, const struct plan_strs *arr, bool shell_form,
	      struct strv *out);

#endif
