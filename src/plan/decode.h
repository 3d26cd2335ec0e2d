#ifndef DF2NINJA_PLAN_DECODE_H
#define DF2NINJA_PLAN_DECODE_H

#include <jansson.h>

#include "plan/pj.h"
#include "plan/plan.h"

struct err;

/*
 * the plan j, read from file (named in messages), into *p, every key
 * checked: a version other than PLAN_VERSION, a key missing, unknown or
 * of the wrong type, or a value outside its set is an error. p's strings
 * point into j, its arrays into a: both must outlive p.
 */
int plan_decode_step(const char *file, const json_t *j, struct pjarena *a,
		     struct step_plan *p, struct err **errp);
int plan_decode_export(const char *file, const json_t *j, struct pjarena *a,
		       struct export_plan *p, struct err **errp);
/* true when j is the export plan (a "last" and no "kind"), not a step's */
bool plan_is_export(const json_t *j);

#endif
