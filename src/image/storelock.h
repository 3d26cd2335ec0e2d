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

#endif
