#include <string.h>

#include "image/config.h"
#include "image/image.h"
#include "image/imgindex.h"
#include "image/manifest.h"
#include "image/store.h"
#include "oci/platform.h"
#include "util/alloc.h"
#include "util/err.h"

/* the index entry of one image: its manifest and platform */
static json_t *
entry(const struct image *img, long long size, const char *platform)
{
	struct platform p;
	json_t *d = json_object(), *pj = json_object();

	platform_parse(platform, &p);
	json_object_set_new(d, "mediaType", json_string(MEDIA_OCI_MANIFEST));
	json_object_set_new(d, "digest", json_string(img->manifest_digest));
	json_object_set_new(d, "size", json_integer(size));
	json_object_set_new(pj, "architecture", json_string(p.arch));
	json_object_set_new(pj, "os", json_string(p.os));
	if (p.variant[0])
		json_object_set_new(pj, "variant", json_string(p.variant));
	json_object_set_new(d, "platform", pj);
	return d;
}

int
imgindex_store(const struct store *st, struct image *const *imgs,
	       const char *const *platforms, size_t n, char digest[DIGEST_LEN],
	       long long *size, struct err **errp)
{
	json_t *index = manifest_index_new();
	json_t *list = json_object_get(index, "manifests");
	autofree char *text = NULL;
	size_t len;
	int r = -1;

	for (size_t i = 0; i < n; i++) {
		long long msize;

		if (image_store_meta(st, imgs[i], NULL, &msize, errp) < 0)
			goto out;
		json_array_append_new(list, entry(imgs[i], msize, platforms[i]));
	}
	text = manifest_dump(index, &len);
	if (store_put_blob_buf(st, text, len, digest, errp) < 0) {
		err_wrap(errp, "storing the image index");
		goto out;
	}
	*size = (long long)len;
	r = 0;
out:
	json_decref(index);
	return r;
}
