#ifndef DF2NINJA_IMGINDEX_H
#define DF2NINJA_IMGINDEX_H

#include <stddef.h>

#include "oci/digest.h"

struct err;
struct image;
struct image_config;
struct store;

/*
 * store the images imgs[0..n) (image_store_meta) and an OCI image index
 * listing their manifests, each with its platform (platforms[i]) as
 * BuildKit writes a multi-platform image; *digest and *size are the
 * index blob's
 */
int imgindex_store(const struct store *st, struct image *const *imgs,
		   const char *const *platforms, size_t n, char digest[DIGEST_LEN],
		   long long *size, struct err **errp);

#endif
