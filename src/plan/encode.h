#ifndef DF2NINJA_PLAN_ENCODE_H
#define DF2NINJA_PLAN_ENCODE_H

#include "plan/pj.h"
#include "plan/plan.h"

/*
 * the JSON of a plan (plan.h), in a: pj_dump() gives the plan's text.
 * NULL when a string of the plan is not valid UTF-8.
 */
struct pj *plan_encode_step(struct pjarena *a, const struct step_plan *p);
struct pj *plan_encode_export(struct pjarena *a, const struct export_plan *p);

#endif
