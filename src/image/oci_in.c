#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/config.h"
#include "image/image.h"
#include "image/imgname.h"
#include "image/manifest.h"
#include "image/oci_in.h"
#include "image/store.h"
#include "oci/digest.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/fs.h"

/* an index inside an index inside ... is legal; a loop is not */
#define MAX_NESTING 8

/* a blob of the layout read into memory and checked */
struct json_blob {
	char *data;
	size_t len;
	json_t *json;
};

static void
json_blob_fini(struct json_blob *b)
{
	free(b->data);
	json_decref(b->json);
	memset(b, 0, sizeof(*b));
}

static char *
blob_path(const char *dir, const char *digest)
{
	return xasprintf("%s/blobs/sha256/%s", dir, digest + 7);
}

/* read blob desc of the layout, check its size and digest, parse it */
static int
read_json_blob(const char *dir, const struct descriptor *desc, size_t max,
	       struct json_blob *out, struct err **errp)
{
	autofree char *path = blob_path(dir, desc->digest);
	char got[DIGEST_LEN];
	struct stat sb;

	memset(out, 0, sizeof(*out));
	if (stat(path, &sb) < 0)
		return err_make(errp, errno, "blob %s: cannot open '%s'", desc->digest, path);
	if ((unsigned long long)sb.st_size > max)
		return err_make(errp, 0, "blob %s: larger than %zu bytes", desc->digest, max);
	if (desc->size >= 0 && sb.st_size != desc->size)
		return err_make(errp, 0, "blob %s: size mismatch: descriptor says %lld, file has %lld",
				desc->digest, desc->size, (long long)sb.st_size);
	if (fs_read_file(path, &out->data, &out->len, errp) < 0)
		return err_wrap(errp, "blob %s", desc->digest);
	digest_buf(out->data, out->len, got);
	if (strcmp(got, desc->digest) != 0) {
		json_blob_fini(out);
		return err_make(errp, 0, "blob %s: digest mismatch: content hashes to %s",
				desc->digest, got);
	}
	if (manifest_parse(out->data, out->len, desc->digest, &out->json, errp) < 0) {
		json_blob_fini(out);
		return -1;
	}
	return 0;
}

static int
check_layout(const char *dir, struct err **errp)
{
	autofree char *path = xasprintf("%s/oci-layout", dir);
	json_t *j;
	const char *v;

	if (manifest_read_file(path, 65536, &j, errp) < 0)
		return err_wrap(errp, "not an OCI image layout");
	v = json_string_value(json_object_get(j, "imageLayoutVersion"));
	if (!v || strncmp(v, "1.", 2) != 0) {
		err_make(errp, 0, "'%s': unsupported imageLayoutVersion '%s'", path,
			 v ? v : "(none)");
		json_decref(j);
		return -1;
	}
	json_decref(j);
	return 0;
}

static const char *
annotation(const json_t *d, const char *key)
{
	return json_string_value(
		json_object_get(json_object_get(d, "annotations"), key));
}

/* "a, b, c": the tags of the index, for error messages; caller frees */
static char *
list_tags(const json_t *manifests)
{
	struct buf b = BUF_INIT;
	json_t *d;
	size_t i;

	json_array_foreach(manifests, i, d) {
		const char *t = annotation(d, ANNOT_REF_NAME);

		if (!t)
			continue;
		buf_puts(&b, b.len ? ", " : "");
		buf_puts(&b, t);
	}
	if (!b.len)
		buf_puts(&b, "none");
	return buf_steal(&b);
}

/* the entries of manifests with annotation key == want: the index of the
 * first in *found, -1 when none; two that disagree on the digest are an
 * error */
static int
find_by(const json_t *manifests, const char *key, const char *want,
	long *found, struct err **errp)
{
	const char *first = NULL;
	json_t *d;
	size_t i;

	*found = -1;
	json_array_foreach(manifests, i, d) {
		const char *v = annotation(d, key), *dg;

		if (!v || strcmp(v, want) != 0)
			continue;
		dg = json_string_value(json_object_get(d, "digest"));
		if (first && dg && strcmp(first, dg) != 0)
			return err_make(errp, 0, "tag '%s' names more than one image (%s and %s)",
					want, first, dg);
		if (*found < 0) {
			*found = (long)i;
			first = dg;
		}
	}
	return 0;
}

/* pick the top-level descriptor from index.json */
static int
pick_top(const json_t *index, const char *tag, const char *digest,
	 json_t **out, struct err **errp)
{
	json_t *manifests = json_object_get(index, "manifests"), *d;
	autofree char *tags = NULL;
	long at;
	size_t i;
	int r;

	if (!json_is_array(manifests))
		return err_make(errp, 0, "index.json has no manifests list");
	if (digest) {
		json_array_foreach(manifests, i, d) {
			const char *dg = json_string_value(json_object_get(d, "digest"));

			if (dg && strcmp(dg, digest) == 0) {
				*out = d;
				return 0;
			}
		}
		*out = NULL;	/* not listed: the caller looks in blobs/ */
		return 0;
	}
	if (!tag && json_array_size(manifests) == 1) {
		*out = json_array_get(manifests, 0);
		return 0;
	}
	if (find_by(manifests, ANNOT_REF_NAME, tag ? tag : "latest", &at, errp) < 0)
		return -1;
	if (at < 0 && tag &&
	    find_by(manifests, ANNOT_IMAGE_NAME, tag, &at, errp) < 0)
		return -1;
	if (at < 0 && tag) {
		/* "myimg:1.0" for "docker.io/library/myimg:1.0" */
		struct imgname n;

		if (imgname_parse(tag, &n, NULL) == 0) {
			r = find_by(manifests, ANNOT_IMAGE_NAME, n.full, &at, errp);
			imgname_fini(&n);
			if (r < 0)
				return -1;
		}
	}
	if (at >= 0) {
		*out = json_array_get(manifests, (size_t)at);
		return 0;
	}
	tags = list_tags(manifests);
	if (!tag)
		return err_make(errp, 0, "it holds %zu images and none is tagged 'latest' (tags: %s)",
				json_array_size(manifests), tags);
	return err_make(errp, 0, "no image tagged '%s' (tags: %s)", tag, tags);
}

/* the descriptor of a manifest not listed in index.json, from its blob */
static int
unlisted(const char *dir, const char *digest, json_t **out,
	 struct err **errp)
{
	autofree char *path = blob_path(dir, digest);
	const char *mt;
	json_t *j, *d;
	struct stat sb;

	if (stat(path, &sb) < 0)
		return err_make(errp, 0, "no manifest %s", digest);
	if (manifest_read_file(path, MANIFEST_MAX, &j, errp) < 0)
		return -1;
	mt = json_string_value(json_object_get(j, "mediaType"));
	if (!mt)
		mt = json_object_get(j, "manifests") ? MEDIA_OCI_INDEX : MEDIA_OCI_MANIFEST;
	d = json_object();
	json_object_set_new(d, "mediaType", json_string(mt));
	json_object_set_new(d, "digest", json_string(digest));
	json_object_set_new(d, "size", json_integer(sb.st_size));
	json_decref(j);
	*out = d;
	return 0;
}

/* the manifest for platform (NULL: the host) in an image index; a lone
 * entry without a platform is taken as it is */
static int
pick_platform(const json_t *index, const char *digest, const char *platform,
	      const json_t **out, struct err **errp)
{
	const json_t *manifests = json_object_get(index, "manifests");

	if (json_array_size(manifests) == 1 &&
	    !json_object_get(json_array_get(manifests, 0), "platform")) {
		*out = json_array_get(manifests, 0);
		return 0;
	}
	return manifest_pick_platform(index, digest, platform, out, errp);
}

/* follow desc through indexes to an image manifest, read and checked;
 * its digest goes to digest */
static int
resolve(const char *dir, const json_t *desc, const char *platform, int depth,
	struct json_blob *manifest, char *digest, struct err **errp)
{
	struct descriptor d;
	struct json_blob b;
	const json_t *next;
	int r;

	if (depth > MAX_NESTING)
		return err_make(errp, 0, "indexes nested deeper than %d", MAX_NESTING);
	if (manifest_descriptor(desc, &d, errp) < 0)
		return -1;
	if (!manifest_is_index(d.media_type) && !manifest_is_manifest(d.media_type))
		return err_make(errp, 0, "%s is a '%s', not an image", d.digest,
				d.media_type);
	if (read_json_blob(dir, &d, MANIFEST_MAX, &b, errp) < 0)
		return -1;
	if (manifest_is_manifest(d.media_type)) {
		*manifest = b;
		strcpy(digest, d.digest);
		return 0;
	}
	/* next points into b.json, which lives until we return */
	r = pick_platform(b.json, d.digest, platform, &next, errp);
	if (r == 0)
		r = resolve(dir, next, platform, depth + 1, manifest, digest, errp);
	json_blob_fini(&b);
	return r;
}

static int
verify_blob(const char *dir, const struct image_layer *d, struct err **errp)
{
	autofree char *path = blob_path(dir, d->digest);
	char got[DIGEST_LEN];
	long long size;

	if (digest_file(path, got, &size, errp) < 0)
		return err_wrap(errp, "blob %s", d->digest);
	if (size != d->size)
		return err_make(errp, 0, "blob %s: size mismatch: descriptor says %lld, file has %lld",
				d->digest, d->size, size);
	if (strcmp(got, d->digest) != 0)
		return err_make(errp, 0, "blob %s: digest mismatch: content hashes to %s",
				d->digest, got);
	return 0;
}

/* does a layer below i have the same blob and size (checked already)? */
static bool
checked_before(const struct image *img, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (strcmp(img->layers[j].digest, img->layers[i].digest) == 0 &&
		    img->layers[j].size == img->layers[i].size)
			return true;
	return false;
}

static int
copy_blob(const struct store *st, const char *dir, const struct image_layer *d,
	  struct err **errp)
{
	autofree char *path = blob_path(dir, d->digest);
	long long size;
	autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return err_make(errp, errno, "blob %s: cannot open '%s'", d->digest, path);
	if (store_put_blob_fd(st, fd, d->digest, NULL, &size, errp) < 0)
		return err_wrap(errp, "blob %s", d->digest);
	if (size != d->size)
		return err_make(errp, 0, "blob %s: size changed while copying", d->digest);
	return 0;
}

static int
put_json_blob(const struct store *st, const struct json_blob *b,
	      const char *digest, struct err **errp)
{
	char got[DIGEST_LEN];

	/* as for layers: a blob the store has is not written (and synced)
	 * again */
	if (store_has_blob(st, digest))
		return 0;
	if (store_put_blob_buf(st, b->data, b->len, got, errp) < 0)
		return err_wrap(errp, "blob %s", digest);
	if (strcmp(got, digest) != 0)
		BUG("blob %s stored as %s", digest, got);
	return 0;
}

/* the image behind manifest (already checked), its blobs copied */
static int
load_manifest(const struct store *st, const char *dir,
	      const struct json_blob *manifest, const char *manifest_digest,
	      struct image *img, struct err **errp)
{
	json_t *layers = json_object_get(manifest->json, "layers");
	struct json_blob config = { 0 };
	struct descriptor cd;
	size_t i, n = json_array_size(layers);
	int r = -1;

	if (manifest_descriptor(json_object_get(manifest->json, "config"), &cd, errp) < 0)
		return err_wrap(errp, "manifest %s: config", manifest_digest);
	if (!manifest_is_config(cd.media_type))
		return err_make(errp, 0, "manifest %s: config is a '%s', not an image config",
				manifest_digest, cd.media_type);
	if (!json_is_array(layers))
		return err_make(errp, 0, "manifest %s has no layers list", manifest_digest);
	if (read_json_blob(dir, &cd, CONFIG_MAX, &config, errp) < 0)
		return -1;
	image_init(img);
	if (image_from_manifest(img, manifest->json, manifest_digest, cd.digest,
				config.data, config.len, errp) < 0)
		goto out;
	if (!st)	/* described only: the layers neither read nor stored */
		goto done;
	/* check every blob before the first goes in, so that a bad image
	 * leaves nothing behind; those the store has too, so that a bad
	 * image is refused whatever the store holds */
	for (i = 0; i < n; i++)
		if (!checked_before(img, i) && verify_blob(dir, &img->layers[i], errp) < 0)
			goto out;
	if (put_json_blob(st, manifest, manifest_digest, errp) < 0 ||
	    put_json_blob(st, &config, cd.digest, errp) < 0)
		goto out;
	for (i = 0; i < n; i++)
		if (!store_has_blob(st, img->layers[i].digest) &&
		    copy_blob(st, dir, &img->layers[i], errp) < 0)
			goto out;
done:
	strcpy(img->manifest_digest, manifest_digest);
	strcpy(img->config_digest, cd.digest);
	r = 0;
out:
	json_blob_fini(&config);
	if (r < 0)
		image_fini(img);
	return r;
}

int
oci_in_load(const struct store *st, const char *dir, const char *tag,
	    const char *digest, const char *platform, struct image *img,
	    struct err **errp)
{
	autofree char *index_path = xasprintf("%s/index.json", dir);
	struct json_blob manifest = { 0 };
	char manifest_digest[DIGEST_LEN];
	json_t *index = NULL, *top = NULL, *own = NULL;
	int r = -1;

	memset(img, 0, sizeof(*img));
	if (digest && !digest_valid(digest))
		return err_make(errp, 0, "OCI layout '%s': '%s' is not a sha256 digest",
				dir, digest);
	if (check_layout(dir, errp) < 0 ||
	    manifest_read_file(index_path, MANIFEST_MAX, &index, errp) < 0 ||
	    pick_top(index, tag, digest, &top, errp) < 0)
		goto out;
	if (!top) {
		if (unlisted(dir, digest, &own, errp) < 0)
			goto out;
		top = own;
	}
	if (resolve(dir, top, platform, 0, &manifest, manifest_digest, errp) < 0 ||
	    load_manifest(st, dir, &manifest, manifest_digest, img, errp) < 0) {
		if (digest)
			err_wrap(errp, "image %s", digest);
		else if (tag)
			err_wrap(errp, "tag '%s'", tag);
		goto out;
	}
	r = 0;
out:
	if (r < 0)
		err_wrap(errp, "OCI layout '%s'", dir);
	json_blob_fini(&manifest);
	json_decref(own);
	json_decref(index);
	return r;
}
