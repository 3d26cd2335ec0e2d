#ifndef DF2NINJA_REGISTRY_PULL_H
#define DF2NINJA_REGISTRY_PULL_H

#include "registry/progress.h"

struct err;
struct image;
struct store;

/* the manifest types asked for, best first */
#define PULL_ACCEPT \
	"application/vnd.oci.image.index.v1+json, " \
	"application/vnd.docker.distribution.manifest.list.v2+json, " \
	"application/vnd.oci.image.manifest.v1+json, " \
	"application/vnd.docker.distribution.manifest.v2+json"

struct pull_opts {
	/* a manifest digest to use instead of resolving the tag (a tag's
	 * earlier resolution); NULL resolves it. A digest in the reference
	 * itself wins over this. */
	const char *pinned;
	progress_fn progress;	/* may be NULL */
	void *progress_ctx;
	/* only the manifest and config: img's layers are described, not
	 * downloaded (what generation reads of a base image) */
	bool config_only;
	/* the store alone answers: no registry is asked */
	bool offline;
	/* the platform picked in an index ("linux/arm64"); NULL: the host's */
	const char *platform;
};

/*
 * pull the image ref (ref_parse syntax) into the store and
 * describe it in img, the way image_in_load does for a local image: its
 * config, its layers (blobs in the store) and, in img->manifest_digest,
 * the digest of the image manifest used (for an index or a manifest list,
 * the host platform's entry), which pins the reference.
 *
 * The registry is asked for the manifest by tag (or digest) with the OCI
 * and Docker schema 2 types (PULL_ACCEPT); every manifest, the config and
 * every layer is checked against its digest (and, for a tag, the
 * registry's Docker-Content-Digest) as it arrives, and only then kept.
 * What the store already holds by digest is not downloaded again (a
 * layer's size and diff id are checked where it is unpacked,
 * layer_unpack_blob; the config's size here); an image named by digest
 * whose blobs are all in the store needs no network.
 * Layers download in parallel (fetch.h).
 *
 * For docker.io, $DF2NINJA_REGISTRY_MIRRORS ("host[:port],..." or
 * "registry=host,...") lists mirrors tried before the registry itself.
 *
 * img must be zeroed or image_init()ed; it is released first.
 */
int registry_pull(const struct store *st, const char *ref,
		  const struct pull_opts *o, struct image *img,
		  struct err **errp);

#endif
