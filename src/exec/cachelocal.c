#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "exec/cachelocal.h"
#include "image/manifest.h"
#include "image/oci_out.h"
#include "image/store.h"
#include "oci/digest.h"
#include "util/alloc.h"
#include "util/err.h"

#define REF_NAME "org.opencontainers.image.ref.name"

/* blob digest of the layout dir into the store, checked */
static int
take_blob(const struct store *st, const char *dir, const char *digest,
	  struct err **errp)
{
	autofree char *path = NULL;
	autoclose int fd = -1;

	if (!digest_valid(digest))
		return err_make(errp, 0, "'%s': invalid digest '%s'", dir, digest);
	if (store_has_blob(st, digest))
		return 0;
	path = xasprintf("%s/blobs/sha256/%s", dir, digest + strlen("sha256:"));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_make(errp, errno, "cannot open '%s'", path);
	return store_put_blob_fd(st, fd, digest, NULL, NULL, errp);
}

int
cachelocal_get(const struct store *st, const char *dir, const char *key,
	       json_t **m, struct err **errp)
{
	autofree char *index_path = xasprintf("%s/index.json", dir);
	autofree char *tag = xasprintf("step-%s", key + strlen("sha256:"));
	const char *digest = NULL;
	json_t *index = NULL, *d, *l;
	size_t i;
	int r = -1;

	*m = NULL;
	if (access(index_path, F_OK) < 0)
		return 0;
	if (manifest_read_file(index_path, MANIFEST_MAX, &index, errp) < 0)
		return -1;
	json_array_foreach(json_object_get(index, "manifests"), i, d) {
		const char *name = json_string_value(json_object_get(json_object_get(d, "annotations"), REF_NAME));

		if (name && strcmp(name, tag) == 0)
			digest = json_string_value(json_object_get(d, "digest"));
	}
	if (!digest) {
		r = 0;
		goto out;
	}
	if (take_blob(st, dir, digest, errp) < 0) {
		goto out;
	} else {
		autofree char *path = store_blob_path(st, digest);

		if (manifest_read_file(path, MANIFEST_MAX, m, errp) < 0)
			goto out;
	}
	if (take_blob(st, dir, json_string_value(json_object_get(json_object_get(*m, "config"), "digest")) ?: "", errp) < 0)
		goto out;
	json_array_foreach(json_object_get(*m, "layers"), i, l)
		if (take_blob(st, dir, json_string_value(json_object_get(l, "digest")) ?: "", errp) < 0)
			goto out;
	r = 1;
out:
	if (r < 0) {
		json_decref(*m);
		*m = NULL;
	}
	json_decref(index);
	return r;
}

int
cachelocal_put(const struct store *st, const char *dir, const char *key,
	       const char *manifest, long long manifest_size, struct err **errp)
{
	autofree char *path = store_blob_path(st, manifest);
	autofree char *tag = xasprintf("step-%s", key + strlen("sha256:"));
	const char *blobs[8];
	size_t n = 0, i;
	json_t *m = NULL, *l;
	int r;

	if (!path || manifest_read_file(path, MANIFEST_MAX, &m, errp) < 0)
		return path ? -1 : err_make(errp, 0, "invalid digest '%s'", manifest);
	blobs[n++] = json_string_value(json_object_get(json_object_get(m, "config"), "digest"));
	json_array_foreach(json_object_get(m, "layers"), i, l)
		if (n < countof(blobs))
			blobs[n++] = json_string_value(json_object_get(l, "digest"));
	for (i = 0; i < n; i++)
		if (!blobs[i]) {
			json_decref(m);
			return err_make(errp, 0, "manifest %s names a blob without a digest", manifest);
		}
	r = oci_out_add_manifest(st, manifest, manifest_size, blobs, n, tag, dir, errp);
	json_decref(m);
	return r;
}
