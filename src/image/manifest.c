#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "image/image.h"
#include "image/imgname.h"
#include "image/manifest.h"
#include "oci/platform.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/fs.h"

int
manifest_descriptor(const json_t *d, struct descriptor *out,
		    struct err **errp)
{
	const char *digest;
	json_t *size;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(d))
		return err_make(errp, 0, "descriptor is not an object");
	out->media_type = json_string_value(json_object_get(d, "mediaType"));
	if (!out->media_type)
		return err_make(errp, 0, "descriptor has no mediaType");
	digest = json_string_value(json_object_get(d, "digest"));
	if (!digest)
		return err_make(errp, 0, "descriptor has no digest");
	if (!digest_valid(digest))
		return err_make(errp, 0, "descriptor digest '%s' is not a sha256 digest", digest);
	strcpy(out->digest, digest);
	size = json_object_get(d, "size");
	if (!json_is_integer(size) || json_integer_value(size) < 0)
		return err_make(errp, 0, "descriptor %s has no valid size", digest);
	out->size = json_integer_value(size);
	return 0;
}

bool
manifest_is_index(const char *media_type)
{
	return media_type && (strcmp(media_type, MEDIA_OCI_INDEX) == 0 ||
			      strcmp(media_type, MEDIA_DOCKER_LIST) == 0);
}

bool
manifest_is_manifest(const char *media_type)
{
	return media_type && (strcmp(media_type, MEDIA_OCI_MANIFEST) == 0 ||
			      strcmp(media_type, MEDIA_DOCKER_MANIFEST) == 0);
}

bool
manifest_is_config(const char *media_type)
{
	return media_type && (strcmp(media_type, MEDIA_OCI_CONFIG) == 0 ||
			      strcmp(media_type, MEDIA_DOCKER_CONFIG) == 0);
}

/* the platform of an index entry ({"os", "architecture", "variant"}),
 * normalised; false when it has none or it is malformed */
static bool
entry_platform(const json_t *d, struct platform *p)
{
	const json_t *pj = json_object_get(d, "platform");
	const char *os = json_string_value(json_object_get(pj, "os"));
	const char *arch = json_string_value(json_object_get(pj, "architecture"));
	const char *var = json_string_value(json_object_get(pj, "variant"));
	autofree char *s = NULL;

	if (!os || !arch)
		return false;
	s = xasprintf("%s/%s%s%s", os, arch, var && *var ? "/" : "",
		      var && *var ? var : "");
	return platform_parse(s, p) == 0;
}

int
manifest_pick_platform(const json_t *index, const char *digest,
		       const char *platform, const json_t **out, struct err **errp)
{
	const json_t *manifests = json_object_get(index, "manifests");
	struct platform host, p;
	struct buf seen = BUF_INIT;
	char name[96];
	json_t *d;
	size_t i;

	if (!platform)
		platform_host(&host);
	else if (platform_parse(platform, &host) < 0)
		return err_make(errp, 0, "malformed platform '%s'", platform);
	json_array_foreach(manifests, i, d) {
		if (entry_platform(d, &p) && platform_equal(&p, &host)) {
			*out = d;
			return 0;
		}
	}
	json_array_foreach(manifests, i, d) {
		buf_puts(&seen, seen.len ? ", " : "");
		if (entry_platform(d, &p)) {
			platform_format(&p, name);
			buf_puts(&seen, name);
		} else {
			buf_puts(&seen, "?");
		}
	}
	platform_format(&host, name);
	err_make(errp, 0, "index %s has no image for %s (it has: %s)", digest,
		 name, seen.len ? buf_str(&seen) : "nothing");
	buf_fini(&seen);
	return -1;
}

int
manifest_layer_type(const char *mt, const char **out, struct err **errp)
{
	static const struct {
		const char *in, *oci;
	} map[] = {
		{ MEDIA_OCI_LAYER, MEDIA_OCI_LAYER },
		{ MEDIA_OCI_LAYER_GZIP, MEDIA_OCI_LAYER_GZIP },
		{ MEDIA_OCI_LAYER_ZSTD, MEDIA_OCI_LAYER_ZSTD },
		{ MEDIA_DOCKER_LAYER_GZIP, MEDIA_OCI_LAYER_GZIP },
		{ "application/vnd.docker.image.rootfs.diff.tar", MEDIA_OCI_LAYER },
	};

	if (!mt) {
		*out = MEDIA_OCI_LAYER_GZIP;
		return 0;
	}
	for (size_t i = 0; i < countof(map); i++) {
		if (strcmp(mt, map[i].in) == 0) {
			*out = map[i].oci;
			return 0;
		}
	}
	if (strstr(mt, "foreign") || strstr(mt, "nondistributable"))
		return err_make(errp, 0, "foreign layers ('%s') are not supported", mt);
	return err_make(errp, 0, "unsupported layer media type '%s'", mt);
}

const char *
manifest_sniff_layer(const unsigned char *head, size_t len)
{
	if (len >= 2 && head[0] == 0x1f && head[1] == 0x8b)
		return MEDIA_OCI_LAYER_GZIP;
	if (len >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f &&
	    head[3] == 0xfd)
		return MEDIA_OCI_LAYER_ZSTD;
	return MEDIA_OCI_LAYER;
}

char *
manifest_dump(const json_t *j, size_t *len)
{
	char *s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);

	if (!s)
		BUG("json_dumps failed");
	if (len)
		*len = strlen(s);
	return s;
}

int
manifest_parse(const char *data, size_t len, const char *what, json_t **out,
	       struct err **errp)
{
	json_error_t je;
	json_t *j;

	*out = NULL;
	j = json_loadb(data, len, 0, &je);
	if (!j)
		return err_make(errp, 0, "%s: invalid JSON: %s at line %d", what,
				je.text, je.line);
	if (!json_is_object(j)) {
		json_decref(j);
		return err_make(errp, 0, "%s: not a JSON object", what);
	}
	*out = j;
	return 0;
}

int
manifest_read_bytes(const char *path, size_t max, char **data, size_t *len,
		    struct err **errp)
{
	struct stat sb;

	*data = NULL;
	if (stat(path, &sb) < 0)
		return err_make(errp, errno, "cannot open '%s'", path);
	if ((unsigned long long)sb.st_size > max)
		return err_make(errp, 0, "'%s' is larger than %zu bytes", path, max);
	return fs_read_file(path, data, len, errp);
}

int
manifest_read_file(const char *path, size_t max, json_t **out,
		   struct err **errp)
{
	autofree char *data = NULL;
	size_t len;

	*out = NULL;
	if (manifest_read_bytes(path, max, &data, &len, errp) < 0)
		return -1;
	return manifest_parse(data, len, path, out, errp);
}

static json_t *
descriptor_new(const char *media_type, const char *digest, long long size)
{
	json_t *d = json_object();

	json_object_set_new(d, "mediaType", json_string(media_type));
	json_object_set_new(d, "digest", json_string(digest));
	json_object_set_new(d, "size", json_integer(size));
	return d;
}

int
manifest_build(const struct image *img, const char *config_digest,
	       long long config_size, char **out, size_t *len,
	       struct err **errp)
{
	json_t *m, *layers;

	m = json_object();
	json_object_set_new(m, "schemaVersion", json_integer(2));
	json_object_set_new(m, "mediaType", json_string(MEDIA_OCI_MANIFEST));
	json_object_set_new(m, "config", descriptor_new(MEDIA_OCI_CONFIG,
							config_digest, config_size));
	layers = json_array();
	json_object_set_new(m, "layers", layers);
	for (size_t i = 0; i < img->n_layers; i++) {
		const struct image_layer *l = &img->layers[i];
		const char *mt;

		if (manifest_layer_type(l->media_type, &mt, errp) < 0) {
			json_decref(m);
			return err_wrap(errp, "layer %zu (%s)", i + 1, l->digest);
		}
		json_array_append_new(layers, descriptor_new(mt, l->digest, l->size));
	}
	*out = manifest_dump(m, len);
	json_decref(m);
	return 0;
}

json_t *
manifest_index_new(void)
{
	json_t *idx = json_object();

	json_object_set_new(idx, "schemaVersion", json_integer(2));
	json_object_set_new(idx, "mediaType", json_string(MEDIA_OCI_INDEX));
	json_object_set_new(idx, "manifests", json_array());
	return idx;
}

static bool
annotation_is(const json_t *d, const char *key, const char *want)
{
	const char *v = json_string_value(
		json_object_get(json_object_get(d, "annotations"), key));

	return v ? want && strcmp(v, want) == 0 : !want;
}

void
manifest_index_add(json_t *index, const char *digest, long long size,
		   const struct imgname *name)
{
	json_t *list = json_object_get(index, "manifests"), *d, *ann;
	size_t i;

	if (!json_is_array(list)) {
		list = json_array();
		json_object_set_new(index, "manifests", list);
	}
	d = descriptor_new(MEDIA_OCI_MANIFEST, digest, size);
	/* BuildKit's ociindex.insertDesc: one entry per (tag, name); an
	 * untagged manifest is listed once */
	for (i = json_array_size(list); i-- > 0;) {
		json_t *old = json_array_get(list, i);
		bool same;

		/* a tag alone takes the tag from every entry: the layout's
		 * tag must name one manifest */
		if (name)
			same = annotation_is(old, ANNOT_REF_NAME, name->tag) &&
			       (!name->full ||
				annotation_is(old, ANNOT_IMAGE_NAME, name->full));
		else
			same = annotation_is(old, ANNOT_REF_NAME, NULL) &&
			       annotation_is(old, ANNOT_IMAGE_NAME, NULL) &&
			       json_equal(json_object_get(old, "digest"),
					  json_object_get(d, "digest"));
		if (same)
			json_array_remove(list, i);
	}
	if (name) {
		ann = json_object();
		if (name->full)
			json_object_set_new(ann, ANNOT_IMAGE_NAME, json_string(name->full));
		json_object_set_new(ann, ANNOT_REF_NAME, json_string(name->tag));
		json_object_set_new(d, "annotations", ann);
	}
	json_array_append_new(list, d);
}
