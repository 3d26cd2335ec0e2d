#ifndef DF2NINJA_UPPER_H
#define DF2NINJA_UPPER_H

#include <stdbool.h>

#include "oci/digest.h"

struct err;

/*
 * a step's overlay upper dir. A step writes into a fresh
 * <builddir>/layers/<name>.upper (its work dir is <name>.work); when it
 * succeeds the upper dir is kept as <builddir>/layers/<name>.<sum hex>,
 * named by its content (layer_sum.h), so a step's layer is only ever
 * stacked on exactly the layers it was built on, whatever reran since. A
 * failed step's upper dir is moved to <builddir>/failed/<name> for
 * `df2ninja shell --failed`. All of a stage's steps share its dir in
 * layers/: on ext4 without a journal every inode made costs a scan of the
 * recently freed ones, so a step makes no directory it can do without.
 */
struct upper {
	char *upper;	/* <builddir>/layers/<name>.upper, NULL before begin */
	char *work;	/* <builddir>/layers/<name>.work */
	char *keep;	/* <builddir>/layers/<name>. : a kept dir adds the hex */
	char *failed;	/* <builddir>/failed/<name> */
};

/* make a fresh, empty upper dir for step name (removing a leftover one),
 * and its work dir unless it is there */
int upper_begin(struct upper *u, const char *builddir, const char *name,
		struct err **errp);
/* the same for an upper dir written directly, never mounted by overlayfs:
 * no work dir (one left by an earlier version is removed) */
int upper_begin_bare(struct upper *u, const char *builddir, const char *name,
		     struct err **errp);
/*
 * the step succeeded: compute the sum of the upper dir and keep it (*dir
 * gets its path, owned by the caller); when it holds no changes, an empty
 * dir is kept in its place: the step's layer is the empty tar, as
 * BuildKit's. A dir of that sum kept by an earlier run stays as it is,
 * with its mtimes (the sum leaves them out, layer_sum.h): the steps after
 * it were built on it. The upper dir is gone afterwards; the work dir stays,
 * empty, for the step's next run.
 */
int upper_commit(struct upper *u, char sum[DIGEST_LEN], char **dir,
		 struct err **errp);
/* the step failed: keep the upper dir for `shell --failed` */
void upper_fail(struct upper *u);
/* step name succeeded: drop the upper dir an earlier failure left, so
 * that `shell --failed` does not enter a stale state */
void upper_forget_failure(const char *builddir, const char *name);
/* after the step's new state is saved: remove older kept dirs of this
 * step other than keep_dir (NULL: all) */
void upper_prune(struct upper *u, const char *keep_dir);
void upper_fini(struct upper *u);

#endif
