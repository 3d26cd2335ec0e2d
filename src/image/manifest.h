#ifndef DF2NINJA_MANIFEST_H
#define DF2NINJA_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "oci/digest.h"

struct err;
struct image;
struct imgname;

#define MEDIA_OCI_INDEX		"application/vnd.oci.image.index.v1+json"
#define MEDIA_OCI_MANIFEST	"application/vnd.oci.image.manifest.v1+json"
#define MEDIA_OCI_CONFIG	"application/vnd.oci.image.config.v1+json"
#define MEDIA_OCI_LAYER		"application/vnd.oci.image.layer.v1.tar"
#define MEDIA_OCI_LAYER_GZIP	MEDIA_OCI_LAYER "+gzip"
#define MEDIA_OCI_LAYER_ZSTD	MEDIA_OCI_LAYER "+zstd"
#define MEDIA_DOCKER_LIST	"application/vnd.docker.distribution.manifest.list.v2+json"
#define MEDIA_DOCKER_MANIFEST	"application/vnd.docker.distribution.manifest.v2+json"
#define MEDIA_DOCKER_CONFIG	"application/vnd.docker.container.image.v1+json"
#define MEDIA_DOCKER_LAYER_GZIP	"application/vnd.docker.image.rootfs.diff.tar.gzip"

#define ANNOT_REF_NAME		"org.opencontainers.image.ref.name"
#define ANNOT_IMAGE_NAME	"io.containerd.image.name"

/* manifests and indexes are small; anything larger is refused unread */
#define MANIFEST_MAX (4 << 20)

/* a content descriptor: {"mediaType", "digest", "size", ...} */
struct descriptor {
	const char *media_type;	/* borrowed from the JSON */
	char digest[DIGEST_LEN];
	long long size;
};

/* read d into out; a missing field, a digest that is not sha256 or a
 * negative size is an error */
int manifest_descriptor(const json_t *d, struct descriptor *out,
			struct err **errp);
bool manifest_is_index(const char *media_type);
bool manifest_is_manifest(const char *media_type);
bool manifest_is_config(const char *media_type);
/* the entry of index's "manifests" for platform ("linux/arm64"; NULL:
 * the host's), borrowed from index; none is an error naming the index by
 * digest and listing the platforms it has */
int manifest_pick_platform(const json_t *index, const char *digest,
			   const char *platform, const json_t **out,
			   struct err **errp);
/* the OCI media type of a layer of media type mt (Docker's map to their
 * OCI twins, NULL means gzip); foreign and unknown types are an error */
int manifest_layer_type(const char *mt, const char **out, struct err **errp);
/* the layer media type of a blob starting with head (len bytes) */
const char *manifest_sniff_layer(const unsigned char *head, size_t len);

/* j in canonical form (sorted keys, no whitespace); caller frees */
char *manifest_dump(const json_t *j, size_t *len);
/* parse len bytes of JSON that must be an object; what names the
 * document in errors */
int manifest_parse(const char *data, size_t len, const char *what,
		   json_t **out, struct err **errp);
/* read path, refusing files over max bytes; the caller frees *data */
int manifest_read_bytes(const char *path, size_t max, char **data, size_t *len,
			struct err **errp);
/* read and parse the JSON object in path, refusing files over max bytes */
int manifest_read_file(const char *path, size_t max, json_t **out,
		       struct err **errp);

/* the OCI image manifest of img (config blob config_digest of
 * config_size bytes, then the layers) in canonical form; caller frees */
int manifest_build(const struct image *img, const char *config_digest,
		   long long config_size, char **out, size_t *len,
		   struct err **errp);
/* a new empty image index (index.json) */
json_t *manifest_index_new(void);
/*
 * add the image manifest (digest, size) to index under name: annotations
 * org.opencontainers.image.ref.name = the tag ("1.0", as containerd and
 * BuildKit write it, and what `skopeo ... oci:DIR:1.0` and `umoci
 * --image DIR:1.0` look up) and io.containerd.image.name = the full
 * name. An earlier entry with the same two names is replaced. With
 * name->full NULL, the entry has the tag alone and replaces every entry
 * with that tag. name NULL adds the manifest without annotations.
 */
void manifest_index_add(json_t *index, const char *digest, long long size,
			const struct imgname *name);

#endif
