#ifndef DF2NINJA_DOCKER_OUT_H
#define DF2NINJA_DOCKER_OUT_H

#include <stddef.h>

struct err;
struct image;
struct store;

/*
 * write img, whose layer blobs are in the store, as a docker-archive
 * tarball at dest, in the shape `docker save` has had since Docker 25:
 * an OCI image layout (oci-layout, index.json, blobs/sha256/...) plus
 * the manifest.json that `docker load` and `podman load` read
 * ([{"Config", "RepoTags", "Layers"}], naming the blobs) and a legacy
 * "repositories" file. Layers stay gzip-compressed, which both loaders
 * accept.
 *
 * The tar is deterministic: entries sorted by name, owner 0:0 with no
 * names, modes 0644/0755, every mtime 0 (containerd's exporter, which
 * BuildKit's uses, sets none; the image's own times are in its blobs).
 * It is written to a temporary file next to dest and renamed over it.
 * Sets img->config_digest and img->manifest_digest.
 */
int docker_out_write(const struct store *st, struct image *img,
		     const char *const *tags, size_t n_tags, const char *dest,
		     struct err **errp);

#endif
