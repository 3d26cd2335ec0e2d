#ifndef DF2NINJA_REGISTRY_PUSH_H
#define DF2NINJA_REGISTRY_PUSH_H

#include "registry/progress.h"

struct err;
struct image;
struct store;

/* upload chunk size; $DF2NINJA_PUSH_CHUNK_SIZE (bytes) overrides it */
#define PUSH_CHUNK_SIZE (8LL << 20)

struct push_opts {
	progress_fn progress;	/* may be NULL */
	void *progress_ctx;
	/* a line about a blob ("exists", "pushed"), may be NULL */
	void (*note)(void *ctx, const char *line);
	void *note_ctx;
};

/*
 * push the image whose manifest blob manifest_digest is in the store
 * (with its config and layer blobs) to ref, a registry reference with a
 * tag (or a digest, which must be manifest_digest). Blobs the registry
 * has already (HEAD) are skipped; the others are uploaded in chunks
 * (POST, PATCH with Content-Range, PUT ?digest=), each upload started
 * over on a 429, 5xx or broken transfer; the manifest goes last, with
 * its media type. An image index (OCI, or a docker manifest list) pushes
 * each of its manifests first, by digest, then itself to ref's tag. The registry's Docker-Content-Digest answers must
 * match what was sent.
 */
int registry_push(const struct store *st, const char *ref,
		  const char *manifest_digest, const struct push_opts *o,
		  struct err **errp);

/* registry_push of the manifest or index digest to ref with lines
 * about each blob on stdout */
int registry_push_shown(const struct store *st, const char *digest, const char *ref,
			struct err **errp);
/* export's --output type=registry,name=REF: store img's config and
 * manifest (image_store_meta) unless done, then registry_push with lines
 * about each blob on stdout */
int registry_push_image(const struct store *st, struct image *img,
			const char *ref, struct err **errp);

#endif
