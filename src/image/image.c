#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "image/manifest.h"
#include "image/store.h"
#include "util/alloc.h"
#include "util/err.h"

void
image_init(struct image *img)
{
	memset(img, 0, sizeof(*img));
	config_init(&img->config);
}

void
image_fini(struct image *img)
{
	for (size_t i = 0; i < img->n_layers; i++)
		free(img->layers[i].media_type);
	free(img->layers);
	config_fini(&img->config);
	memset(img, 0, sizeof(*img));
}

void
image_add_layer(struct image *img, const char *digest, const char *diff_id,
		const char *media_type, long long size)
{
	struct image_layer *l;

	xgrow(&img->layers, &img->cap_layers, img->n_layers + 1, sizeof(*l));
	l = &img->layers[img->n_layers++];
	memset(l, 0, sizeof(*l));
	snprintf(l->digest, sizeof(l->digest), "%s", digest);
	snprintf(l->diff_id, sizeof(l->diff_id), "%s", diff_id);
	l->media_type = xstrdup(media_type);
	l->size = size;
}

int
image_check(const struct image *img, struct err **errp)
{
	size_t n = config_n_diff_ids(&img->config);

	if (n != img->n_layers)
		return err_make(errp, 0, "image config lists %zu layers but the image has %zu",
				n, img->n_layers);
	for (size_t i = 0; i < n; i++) {
		const char *id = config_diff_id(&img->config, i);

		if (!id || strcmp(id, img->layers[i].diff_id) != 0)
			return err_make(errp, 0, "layer %zu: config says diff id %s, layer has %s",
					i + 1, id ? id : "(none)", img->layers[i].diff_id);
	}
	return 0;
}

int
image_store_meta(const struct store *st, struct image *img,
		 long long *config_size, long long *manifest_size,
		 struct err **errp)
{
	autofree char *manifest = NULL;
	long long csize;
	size_t mlen;

	if (image_check(img, errp) < 0 ||
	    config_store(&img->config, st, img->config_digest, &csize, errp) < 0 ||
	    manifest_build(img, img->config_digest, csize, &manifest, &mlen, errp) < 0)
		return -1;
	if (store_put_blob_buf(st, manifest, mlen, img->manifest_digest, errp) < 0)
		return err_wrap(errp, "storing image manifest");
	if (config_size)
		*config_size = csize;
	if (manifest_size)
		*manifest_size = (long long)mlen;
	return 0;
}

int
image_from_manifest(struct image *img, const json_t *manifest,
		    const char *manifest_digest, const char *config_digest,
		    const char *config, size_t config_len, struct err **errp)
{
	json_t *layers = json_object_get(manifest, "layers"), *l;
	size_t i, n = json_array_size(layers);

	config_fini(&img->config);
	if (config_parse(&img->config, config, config_len, errp) < 0)
		return err_wrap(errp, "config %s", config_digest);
	if (config_n_diff_ids(&img->config) != n)
		return err_make(errp, 0, "config %s lists %zu layers, manifest %s has %zu",
				config_digest, config_n_diff_ids(&img->config), manifest_digest, n);
	json_array_foreach(layers, i, l) {
		struct descriptor ld;
		const char *mt;

		if (manifest_descriptor(l, &ld, errp) < 0 ||
		    manifest_layer_type(ld.media_type, &mt, errp) < 0)
			return err_wrap(errp, "manifest %s: layer %zu", manifest_digest, i + 1);
		image_add_layer(img, ld.digest, config_diff_id(&img->config, i), mt, ld.size);
	}
	return 0;
}
