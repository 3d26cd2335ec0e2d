#ifndef DF2NINJA_OCI_OUT_H
#define DF2NINJA_OCI_OUT_H

#include <stdbool.h>
#include <stddef.h>

struct err;
struct image;
struct store;

/*
 * write img, whose layer blobs are in the store, as an OCI image layout
 * at dest, listed in index.json once per tag (see manifest_index_add;
 * no tags: once, as ref name "latest" with no image name). Blobs are hard links into the store
 * when it is on the same filesystem (store blobs are read-only), else
 * copies. Sets img->config_digest and img->manifest_digest.
 *
 * A new dest is built next to it and renamed into place. An existing
 * layout (or empty directory) gains the blobs first and index.json last,
 * by rename, keeping its other images (as BuildKit does), under an
 * flock() on dest so that concurrent writers do not lose entries. A
 * reader never sees an index naming a missing blob.
 */
int oci_out_write(const struct store *st, struct image *img,
		  const char *const *tags, size_t n_tags, const char *dest,
		  struct err **errp);
/*
 * the same for the image index index_digest (index_size bytes, in the
 * store) of the images imgs, stored already (image_store_meta): its
 * blob and theirs, and index.json naming the index
 */
int oci_out_write_index(const struct store *st, struct image *const *imgs,
			size_t n, const char *index_digest, long long index_size,
			const char *const *tags, size_t n_tags, const char *dest,
			struct err **errp);

/*
 * add the manifest manifest_digest (manifest_size bytes) of the store,
 * with the n_blobs blobs it names, to the OCI layout dest (made when
 * missing) under the ref name tag, replacing what had that tag; under the
 * same flock() as oci_out_write, blobs first, index.json last
 */
int oci_out_add_manifest(const struct store *st, const char *manifest_digest,
			 long long manifest_size, const char *const *blobs,
			 size_t n_blobs, const char *tag, const char *dest,
			 struct err **errp);

#endif
