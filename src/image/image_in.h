#ifndef DF2NINJA_IMAGE_IN_H
#define DF2NINJA_IMAGE_IN_H

#include <stdbool.h>

struct err;
struct image;
struct store;

/*
 * local base images, named the way FROM and --build-context name them:
 *
 *   oci-layout://PATH[:TAG][@sha256:HEX]   an OCI image layout directory
 *   docker-archive://PATH[:NAME[:TAG]]     a `docker save` tarball
 *
 * PATH ends at the first ':' (as in skopeo's oci: and docker-archive:
 * transports), so it cannot contain one.
 */

/* true when ref starts with one of the schemes above */
bool image_in_is_local(const char *ref);
/* load the image ref names into the store and describe it in img (see
 * oci_in_load and docker_in_load): pass a zeroed img, which is left zeroed
 * or filled (what it held is never freed); errors name the path and the
 * tag */
int image_in_load(const struct store *st, const char *ref, struct image *img,
		  struct err **errp);
/* image_in_load for platform ("linux/arm64"; NULL: the host's) when the
 * image is an index; a docker-archive has a single platform */
int image_in_load_platform(const struct store *st, const char *ref,
			   const char *platform, struct image *img,
			   struct err **errp);
/* describe the image ref names in img, its config above all: an OCI
 * layout's layers are not read and nothing is stored (oci_in_load with no
 * store); a docker-archive has to be read whole, so it is loaded into st */
int image_in_describe(const struct store *st, const char *ref, struct image *img,
		      struct err **errp);

#endif
