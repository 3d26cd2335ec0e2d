#ifndef DF2NINJA_DOCKER_IN_H
#define DF2NINJA_DOCKER_IN_H

struct err;
struct image;
struct store;

/*
 * load an image from the docker-archive tarball at path (what `docker
 * save`, `podman save` and `skopeo copy ... docker-archive:` write, plain
 * or compressed) into the store and describe it in img (which the caller
 * later image_fini()s; manifest_digest stays "": the format has none).
 *
 * The image is the manifest.json entry with tag among its RepoTags
 * (compared after Docker's normalisation, so "myimg" matches
 * "docker.io/library/myimg:latest"); with tag NULL the archive must hold
 * one image. Layers may be plain tars (their digest is then checked
 * against the config's diff id) or gzip/zstd; a config named after its
 * digest ("<hex>.json", "blobs/sha256/<hex>") is checked against it.
 */
int docker_in_load(const struct store *st, const char *path, const char *tag,
		   struct image *img, struct err **errp);

#endif
