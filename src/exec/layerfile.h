#ifndef DF2NINJA_LAYERFILE_H
#define DF2NINJA_LAYERFILE_H

#include <stddef.h>

/*
 * a small file of a stack of overlay lower dirs (top-most first) read
 * without mounting them, for what a step looks up before its command
 * (/etc/passwd, /etc/group): a mount costs more than the rest of the
 * look-up. Only the plain case is taken: the file a regular file and
 * every dir on its way a plain dir, with none of the overlayfs attributes
 * that change a look-up (opaque dirs, redirects, metacopy, whiteouts kept
 * as attributes) on any of them nor on the layers' roots, and no
 * whiteout, symlink or other type on the way in the layers looked at. Anything else
 * is left to a real mount.
 *
 * Reads the files names[0..n) of the directory dir (relative to the
 * layers' roots; "" for the roots themselves) in one walk of the layers.
 * Returns 1 with data[k] the bytes of names[k] (NUL-terminated; NULL when
 * no layer has it), or 0 when the caller must mount, because one of them
 * is not the plain case (nothing allocated).
 */
int layerfile_read(const char *const *lowers, size_t nlower, const char *dir,
		   const char *const *names, size_t n, char **data);

#endif
