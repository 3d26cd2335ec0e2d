#ifndef DF2NINJA_LOCAL_OUT_H
#define DF2NINJA_LOCAL_OUT_H

#include <stdbool.h>

struct err;
struct image;
struct store;

/*
 * write img's root filesystem as a plain directory at dest: its layers
 * (blobs in the store) applied in order with layer_apply_tar, whiteouts
 * deleting what the layers below wrote. Each layer's diff id is checked
 * against the image's.
 *
 * The tree is built next to dest and renamed into place, so dest is
 * either the old tree or the whole new one. dest may be missing or an
 * empty directory; a non-empty dest is refused unless replace is set,
 * and then it is swapped out and removed (never set replace for a path
 * the user did not give as the output of this image).
 */
int local_out_write(const struct store *st, const struct image *img,
		    const char *dest, bool replace, struct err **errp);

#endif
