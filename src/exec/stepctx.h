#ifndef DF2NINJA_STEPCTX_H
#define DF2NINJA_STEPCTX_H

#include <stdbool.h>

#include "exec/stepplan.h"
#include "exec/state.h"
#include "exec/upper.h"
#include "image/store.h"
#include "sandbox/sandbox.h"

struct mnt;

struct err;
struct image;

/*
 * what one `df2ninja exec` run works with. The step kinds (from.h, run.h,
 * copystep.h) each turn c->st (the parent's state with the plan's config
 * operations applied) into the step's state. On failure they return -1
 * with *errp set and, for a command that failed, c->status set to its
 * exit status (else 1).
 */
struct step_ctx {
	struct stepplan plan;
	struct store store;
	struct state st;	/* the state being made */
	const char *out;	/* the stamp ninja asked for */
	const char *depfile;	/* COPY/ADD from the context: where deps go */
	const char *layer;	/* COPY --link: the link edge's stamp, or NULL */
	struct upper up;	/* the step's upper dir, when it has one */
	char *kept;		/* the upper dir kept as the step's layer */
	int status;		/* the exit status for a failed step */
	struct copy_count *count;	/* COPY/ADD: what the status line
					 * counts (copy_opts.count), or NULL */
	struct sandbox_exit sbexit;	/* RUN: the sandbox's init, still
					 * exiting while the step commits
					 * (sandbox_run_settled), reaped at
					 * the step's end */
};

/*
 * the image ref (a local image or a registry's) with its layers unpacked
 * in the store; errors name the layer that did not unpack. pull: a
 * registry tag is resolved again, not taken from the build dir's record
 * (registry/pin.h; so is every tag when DF2NINJA_PULL=1). platform
 * ("linux/arm64"; NULL: the host's) picks the manifest of an index
 */
int step_load_image(struct step_ctx *c, const char *ref, const char *platform,
		    bool pull, struct image *img, struct err **errp);
/*
 * the start of a step that writes its rootfs: a new upper dir (c->up) and
 * the state c->st mounted over it at root, which the caller mnt_fini()s
 * (then step_commit)
 */
int step_begin_root(struct step_ctx *c, struct mnt *root, struct err **errp);
/* the end of a step that made an upper dir: it becomes the step's layer
 * when it holds changes (c->kept) and created_by the history entry */
int step_commit(struct step_ctx *c, const char *created_by, struct err **errp);

#endif
