#ifndef DF2NINJA_STEPS_H
#define DF2NINJA_STEPS_H

#include "resolve.h"

/*
 * add the fields of a RUN, COPY, ADD or WORKDIR step st of stage s, made
 * by instruction in, to plan (plan/plan.h), noting st's dependencies,
 * reads_context and pulls
 */
int steps_fill(struct resolver *r, struct stage *s, struct step *st,
	       const struct instr *in, struct step_plan *plan);
/* true for the instructions that are numbered steps after FROM */
bool steps_is_step(enum instr_kind k);

#endif
