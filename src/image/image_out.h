#ifndef DF2NINJA_IMAGE_OUT_H
#define DF2NINJA_IMAGE_OUT_H

#include <stddef.h>

struct err;
struct image;
struct store;

/* where a built image goes: --output type=oci|docker|local,dest=... */
enum image_out_kind {
	IMAGE_OUT_OCI,		/* an OCI image layout directory (oci_out.h) */
	IMAGE_OUT_DOCKER,	/* a docker-archive tarball (docker_out.h) */
	IMAGE_OUT_LOCAL,	/* the root filesystem as a directory (local_out.h) */
};

enum image_out_flags {
	/* IMAGE_OUT_LOCAL: replace a non-empty dest as a whole */
	IMAGE_OUT_REPLACE = 1 << 0,
};

/* the kind named by type ("oci", "docker", "local") */
int image_out_kind_parse(const char *type, enum image_out_kind *kind,
			 struct err **errp);
/* the name of kind, for messages and plans */
const char *image_out_kind_name(enum image_out_kind kind);

/*
 * write img, whose layer blobs are in the store, to dest as kind, named
 * by tags (ignored by IMAGE_OUT_LOCAL). The image's config is written as
 * it is: the caller stamps "created" (config_stamp_created) first.
 * flags: enum image_out_flags.
 */
int image_out_write(const struct store *st, struct image *img,
		    enum image_out_kind kind, const char *const *tags,
		    size_t n_tags, const char *dest, unsigned flags,
		    struct err **errp);

#endif
