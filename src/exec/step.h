#ifndef DF2NINJA_STEP_H
#define DF2NINJA_STEP_H

#include <stdbool.h>

struct err;

/* what the message about a failed step names (src/cli/ writes it) */
struct step_failure {
	char *where;		/* "Dockerfile:12", or the step's name */
	char *label;		/* "[build 3/5]" or "[build config]" */
	char *instruction;	/* as written, or the step's kind */
	char *log;		/* a RUN's whole log, else NULL */
	char *builddir;		/* as seen from the cwd */
	char *target;		/* "build/3" for a numbered step, else NULL */
	bool has_upper;		/* it got as far as its upper dir (upper.h) */
};
void step_failure_fini(struct step_failure *f);

/* what one edge asks */
struct step_call {
	const char *plan;	/* the plan's path */
	const char *out;	/* the stamp to write */
	const char *depfile;	/* COPY/ADD from the context: where deps go,
				 * or NULL */
	const char *layer;	/* a --link step: the link edge's stamp, whose
				 * layer it stacks (copystep.h), or NULL */
	bool is_link;		/* the link edge of a --link COPY/ADD: make
				 * its layer alone, out its link stamp */
};

/*
 * run the step of call->plan and write its stamp at call->out. On failure
 * returns -1 with *errp set to what failed, its status the exit status (a
 * failed command's own); once the plan is read, *f describes the step too
 * (f->where is NULL before).
 */
int step_exec(const struct step_call *call, struct step_failure *f,
	      struct err **errp);
/* export the image (the export plan); an error says "exporting the
 * image: ..." */
int export_exec(const char *plan_path, const char *out, struct err **errp);

#endif
