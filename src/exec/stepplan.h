#ifndef DF2NINJA_STEPPLAN_H
#define DF2NINJA_STEPPLAN_H

#include <jansson.h>
#include <stdbool.h>

#include "plan/pj.h"
#include "plan/plan.h"

struct err;

/*
 * a step's plan as the executor reads it (src/plan/plan.h is the format),
 * decoded once. Plans live at <builddir>/plans/<name>.json, so the build
 * dir and the step's name follow from the path ninja passes.
 */
struct stepplan {
	char *path;		/* as given */
	char *builddir;		/* the build dir, as seen from the cwd */
	char *name;		/* "build/03", "build/config" or "export" */
	char *flat;		/* name with '-' for '/', for file names:
				 * "build-03" */
	const char *stage;	/* stage id */
	int step;		/* N of "build/N", 0 for config and export */
	bool is_export;		/* plans/export.json: ep, else sp */
	struct step_plan sp;
	struct export_plan ep;
	json_t *j;		/* what sp and ep point into */
	struct pjarena arena;
};

/* the step's log, <builddir>/logs/<flat>.log; caller frees */
char *stepplan_log_path(const struct stepplan *p);
/* read and check the plan at path; the build dir is made private
 * (fs_private_dir) */
int stepplan_load(const char *path, struct stepplan *p, struct err **errp);
void stepplan_fini(struct stepplan *p);
/* "Dockerfile:12" from <builddir>/plans/where.tsv, or a copy of the step
 * name when it is not there; caller frees */
char *stepplan_where(const struct stepplan *p);
/* "[build 3/5]" or "[build config]"; caller frees */
char *stepplan_label(const struct stepplan *p);

#endif
