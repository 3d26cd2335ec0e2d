#ifndef DF2NINJA_STORELOCK_H
#define DF2NINJA_STORELOCK_H

#include <stdbool.h>

struct err;

/*
 * Who may remove what from the store: <root>/gc.lock. Every process that
 * opens the store (a step, the export, a generation reading a base
 * image, a shell) holds it shared until it exits; `df2ninja gc` holds it
 * exclusively, so it never removes anything from under a running step,
 * and a step that starts while gc runs waits for it. Between two steps
 * of a build, what the build needs is what its build dir references,
 * which gc keeps.
 */

/* hold root's lock shared for the rest of this process (once per root;
 * the fd is close-on-exec): 0, or -1 with *errp set */
int storelock_shared(const char *root, struct err **errp);
/* hold root's lock exclusively into *fd (close it to release); with
 * wait false, 1 when another process holds it, else wait for them */
int storelock_exclusive(const char *root, bool wait, int *fd,
			struct err **errp);

/*
 * Overlay mounts that are going away: <root>/mounts.lock. A step's
 * sandbox unmounts its overlay as its init exits, after the step's layer
 * is complete (the unmount syncs the upper filesystem, most of a
 * millisecond). A step server's worker tells its client the step is done
 * before that ends, holding this lock shared until it has; before an
 * overlay is mounted on layers, storelock_mounts_wait takes it
 * exclusively for a moment, so that no layer (and no work dir) is ever
 * mounted while an overlay that wrote it is still there, which overlayfs
 * calls undefined and warns of in the kernel's log.
 */

/* hold root's mounts lock shared into *fd: 0, or 1 when it is not to
 * be had at once (the caller then waits for its overlay itself) */
int storelock_mounts_busy(const char *root, int *fd);
/* wait until no overlay of root's layers is going away: 0, or -1 with
 * *errp set */
int storelock_mounts_wait(const char *root, struct err **errp);

#endif
