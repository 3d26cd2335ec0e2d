#ifndef DF2NINJA_RUNMOUNTS_H
#define DF2NINJA_RUNMOUNTS_H

#include <stdbool.h>
#include <stddef.h>

#include "exec/secretmnt.h"
#include "oci/digest.h"
#include "util/strv.h"

struct err;
struct mnt;
struct sandbox_mount;
struct step_ctx;

/*
 * the mounts of a RUN's --mount flags (binds, tmpfs, caches, secrets, ssh
 * agents) and what holds them until the command ends. RUN and `df2ninja
 * shell` both make them here, so that a shell sees what the RUN saw.
 */
struct runmounts {
	struct sandbox_mount *mounts;	/* for sandbox_spec; the caller may
					 * append (xreallocarray) */
	size_t nmounts;
	struct strv keep;	/* strings the sandbox_mount point to */
	struct strv tmp;	/* private cache instances to remove */
	struct strv pins;	/* sandbox_pin_beneath's staging mounts */
	int *locks;		/* cache locks */
	size_t nlocks;
	struct mnt *mnts;	/* binds from a stage or an image */
	size_t nmnts;
	struct strv deps;	/* what binds read from the context */
	bool reads_context;
	struct secretmnt secrets;	/* secrets and ssh agents */
};

void runmounts_init(struct runmounts *rm);
/* the mounts of c's RUN plan over c->st, into rm->mounts; envp gets what
 * secrets and agents put in the command's environment */
int runmounts_add(struct runmounts *rm, struct step_ctx *c, struct strv *envp,
		  struct err **errp);
/* a depfile (c->depfile, when set) of what the binds read from the
 * context, as COPY's */
int runmounts_depfile(struct runmounts *rm, struct step_ctx *c, struct err **errp);
/* unmount, unlock and remove what rm holds */
void runmounts_fini(struct runmounts *rm);
/*
 * for the step cache's key (cachekey.h): the content of what each bind of
 * the context shows the RUN of c (copied as the step copies it, then
 * summed by layer_sum_dir: no mtimes), one digest over them in order, in
 * reads; the depfile of what they read is written, as the step would.
 * 1, no digest, when a bind is from a stage or an image.
 */
int runmounts_context_digest(struct step_ctx *c, char reads[DIGEST_LEN],
			     struct err **errp);

#endif
