#ifndef DF2NINJA_IMAGE_H
#define DF2NINJA_IMAGE_H

#include <stddef.h>

#include "image/config.h"
#include "oci/digest.h"

struct err;
struct store;

/* one filesystem layer of an image, its blob in the store */
struct image_layer {
	char digest[DIGEST_LEN];	/* the blob (compressed or not) */
	char diff_id[DIGEST_LEN];	/* digest of the uncompressed tar */
	char *media_type;		/* e.g. MEDIA_OCI_LAYER_GZIP */
	long long size;			/* of the blob */
};

/*
 * an image: its config and its layers in order, bottom first. An
 * imported image also records the digests of its config and manifest
 * blobs; an image being built leaves them empty ("") until it is
 * written out.
 */
struct image {
	char manifest_digest[DIGEST_LEN];
	char config_digest[DIGEST_LEN];
	struct image_config config;
	struct image_layer *layers;
	size_t n_layers, cap_layers;
};

/* an image with an empty config for the host platform (FROM scratch) */
void image_init(struct image *img);
/* release img; accepts a zeroed img */
void image_fini(struct image *img);
/*
 * img's config and layers from an image manifest (JSON, checked to be one)
 * and the bytes of its config blob, config_digest, already read: the
 * layers in order, each with the diff id the config lists for it. Errors
 * name the manifest or the config.
 */
int image_from_manifest(struct image *img, const json_t *manifest,
			const char *manifest_digest, const char *config_digest,
			const char *config, size_t config_len, struct err **errp);
/* append a layer (media_type is copied); does not touch the config */
void image_add_layer(struct image *img, const char *digest,
		     const char *diff_id, const char *media_type,
		     long long size);
/* check that the config's rootfs.diff_ids are exactly the layers' diff
 * ids, in order */
int image_check(const struct image *img, struct err **errp);
/*
 * after image_check, store img's config (in canonical form) and its OCI
 * manifest as blobs, setting config_digest and manifest_digest; their
 * sizes go to *config_size and *manifest_size (either may be NULL)
 */
int image_store_meta(const struct store *st, struct image *img,
		     long long *config_size, long long *manifest_size,
		     struct err **errp);

#endif
