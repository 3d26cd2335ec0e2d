#ifndef DF2NINJA_STEP_H
#define DF2NINJA_STEP_H

#include <stdbool.h>

#include "exec/stepplan.h"
#include "exec/state.h"
#include "exec/upper.h"
#include "image/store.h"

struct err;
struct image;

/* what one `df2ninja exec` run works with */
struct step_ctx {
	struct stepplan plan;
	struct store store;
	struct state st;	/* the state being made */
	const char *out;	/* the stamp ninja asked for */
	const char *depfile;	/* COPY/ADD from the context: where deps go */
	struct upper up;	/* the step's upper dir, when it has one */
	char *kept;		/* the upper dir kept as the step's layer */
	int status;		/* the exit status for a failed step */
};

/*
 * the step kinds; each turns c->st (the parent's state with the plan's
 * config operations applied) into the step's state. On failure they
 * return -1 with *errp set and, for a command that failed, c->status set
 * to its exit status (else 1).
 */
int step_from(struct step_ctx *c, struct err **errp);
int step_run(struct step_ctx *c, struct err **errp);
int step_copy(struct step_ctx *c, struct err **errp);
int step_workdir(struct step_ctx *c, struct err **errp);

/* the image ref (a local image or a registry's) with its layers unpacked
 * in the store; errors name the layer that did not unpack */
int step_load_image(struct step_ctx *c, const char *ref, struct image *img,
		    struct err **errp);
/* the end of a step that made an upper dir: it becomes the step's layer
 * when it holds changes (c->kept) and created_by the history entry */
int step_commit(struct step_ctx *c, const char *created_by, struct err **errp);

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

/*
 * run the step whose plan is at plan_path and write its stamp at out.
 * On failure returns -1 with *errp set to what failed, its status the
 * exit status (a failed command's own); once the plan is read, *f
 * describes the step too (f->where is NULL before).
 */
int step_exec(const char *plan_path, const char *out, const char *depfile,
	      struct step_failure *f, struct err **errp);
/* export the image (the export plan); an error says "exporting the
 * image: ..." */
int export_exec(const char *plan_path, const char *out, struct err **errp);

#endif
