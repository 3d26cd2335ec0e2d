#ifndef DF2NINJA_STEPPLAN_H
#define DF2NINJA_STEPPLAN_H

#include <jansson.h>
#include <stdbool.h>

struct err;

/*
 * a step's plan as the executor reads it (src/graph/plan.h is the format).
 * Plans live at <builddir>/plans/<name>.json, so the build dir and the
 * step's name follow from the path ninja passes.
 */
struct stepplan {
	json_t *j;
	char *path;		/* as given */
	char *builddir;		/* the build dir, as seen from the cwd */
	char *name;		/* "build/03", "build/config" or "export" */
	char *flat;		/* name with '-' for '/', for file names:
				 * "build-03" */
	const char *kind;	/* "from", "run", ... ("export" for export) */
	const char *stage;	/* stage id */
	const char *parent;	/* the parent step's name, or NULL */
	const char *instruction; /* as written, or NULL */
	int step;
	char escape;		/* the Dockerfile's escape character */
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

/* a string member of o, or NULL when missing or not a string */
const char *plan_str(const json_t *o, const char *key);
/* a boolean member of o, false when missing */
bool plan_bool(const json_t *o, const char *key);

#endif
