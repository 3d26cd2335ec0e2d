#ifndef DF2NINJA_GRAPH_RUNMOUNT_H
#define DF2NINJA_GRAPH_RUNMOUNT_H

#include <stdbool.h>

#include "resolve.h"

/*
 * parse one RUN --mount value (BuildKit's parseMount and validateMount:
 * CSV fields, type bind|cache|tmpfs|secret|ssh, their keys) of step st in
 * stage s into *out (plan/plan.h). Values are expanded in the
 * stage's scope, except from=, which names a stage (by name, id or index;
 * a dependency of st) or an image (st->pulls). *reads is set for a bind
 * mount of the build context (to "") or of a directory --build-context
 * (to that dir, relative to the output dir).
 */
int runmount_parse(struct resolver *r, struct stage *s, struct step *st,
		const struct instr *in, const char *spec, struct plan_mount *out,
		const char **reads);

#endif
