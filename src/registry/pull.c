#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "image/config.h"
#include "image/image.h"
#include "image/manifest.h"
#include "image/store.h"
#include "oci/ref.h"
#include "registry/client.h"
#include "registry/fetch.h"
#include "registry/http.h"
#include "registry/mirrors.h"
#include "registry/pull.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/strv.h"

/* an index inside an index is legal; a loop is not */
#define MAX_NESTING 8

#define MEDIA_DOCKER_SCHEMA1 "application/vnd.docker.distribution.manifest.v1"

struct puller {
	const struct store *st;
	const struct ref *ref;
	const char *host;
	const char *repo;	/* the repository there */
	struct registry_client c;
	bool connected;
	const struct pull_opts *o;
	struct strv keep;	/* verified manifests, stored at the end */
	struct strv keep_digests;
};

/* a JSON document read and checked against its digest */
struct doc {
	char *data;
	size_t len;
	json_t *json;
	char digest[DIGEST_LEN];
	char *media_type;
};

static void
doc_fini(struct doc *d)
{
	free(d->data);
	json_decref(d->json);
	free(d->media_type);
	memset(d, 0, sizeof(*d));
}

static int
connect_once(struct puller *p, struct err **errp)
{
	if (p->connected)
		return 0;
	if (p->o->offline)
		return err_make(errp, 0, "not in the store, and the registry is not asked");
	if (registry_client_open(&p->c, p->host, p->repo, false, errp) < 0)
		return -1;
	p->connected = true;
	return 0;
}

/* blob digest from the store into memory, checked again; 1 when absent */
static int
from_store(const struct puller *p, const char *digest, size_t max,
	   struct doc *d, struct err **errp)
{
	autofree char *path = store_blob_path(p->st, digest);
	char got[DIGEST_LEN];
	struct stat sb;

	if (!path || stat(path, &sb) < 0 || !S_ISREG(sb.st_mode))
		return 1;
	if ((unsigned long long)sb.st_size > max)
		return err_make(errp, 0, "blob %s in the store is larger than %zu bytes", digest, max);
	if (fs_read_file(path, &d->data, &d->len, errp) < 0)
		return -1;
	digest_buf(d->data, d->len, got);
	if (strcmp(got, digest) != 0)
		return err_make(errp, 0, "blob %s in the store is corrupt (it hashes to %s); remove '%s'",
				digest, got, path);
	strcpy(d->digest, digest);
	return 0;
}

/* "type/subtype" of a Content-Type value; caller frees */
static char *
bare_type(const char *v)
{
	size_t n;

	if (!v)
		return NULL;
	n = strcspn(v, "; \t");
	return n ? xstrndup(v, n) : NULL;
}

/* GET what/reference into d (at most max bytes), checking the digest */
static int
from_registry(struct puller *p, const char *what, const char *reference,
	      size_t max, struct doc *d, struct err **errp)
{
	struct http_request rq = { .method = "GET", .body_fd = -1 };
	struct http_response resp;
	struct strv h = STRV_INIT;
	autofree char *url = NULL;
	const char *claimed;
	char got[DIGEST_LEN];
	int r = -1;

	if (connect_once(p, errp) < 0)
		return -1;
	url = registry_client_url(&p->c, what, reference);
	if (strcmp(what, "manifests") == 0)
		strv_add(&h, "Accept: " PULL_ACCEPT);
	rq.url = url;
	rq.headers = &h;
	http_response_init(&resp, max);
	if (registry_client_do(&p->c, &rq, &resp, errp) < 0)
		goto out;
	if (resp.status != 200) {
		registry_client_error(&p->c, "GET", url, &resp, errp);
		goto out;
	}
	digest_buf(resp.body.s ? resp.body.s : "", resp.body.len, got);
	if (digest_valid(reference) && strcmp(got, reference) != 0) {
		err_make(errp, 0, "%s %s: digest mismatch: the content hashes to %s",
			 strcmp(what, "manifests") == 0 ? "manifest" : "blob", reference, got);
		goto out;
	}
	claimed = http_header(&resp, "docker-content-digest");
	if (claimed && strncmp(claimed, "sha256:", 7) == 0 && strcmp(claimed, got) != 0) {
		err_make(errp, 0, "%s %s: digest mismatch: the registry says %s, the content hashes to %s",
			 what, reference, claimed, got);
		goto out;
	}
	strcpy(d->digest, got);
	d->len = resp.body.len;
	d->data = buf_steal(&resp.body);
	d->media_type = bare_type(http_header(&resp, "content-type"));
	r = 0;
out:
	strv_fini(&h);
	http_response_fini(&resp);
	return r;
}

/* the manifest or index named by reference (a tag or a digest) */
static int
get_manifest(struct puller *p, const char *reference, struct doc *d,
	     struct err **errp)
{
	const char *mt;
	json_t *sv;
	int r = 1;

	memset(d, 0, sizeof(*d));
	if (digest_valid(reference))
		r = from_store(p, reference, MANIFEST_MAX, d, errp);
	if (r < 0)
		return -1;
	if (r == 1 && from_registry(p, "manifests", reference, MANIFEST_MAX, d, errp) < 0)
		return -1;
	if (manifest_parse(d->data, d->len, d->digest, &d->json, errp) < 0)
		goto fail;
	sv = json_object_get(d->json, "schemaVersion");
	mt = json_string_value(json_object_get(d->json, "mediaType"));
	if ((json_is_integer(sv) && json_integer_value(sv) == 1) ||
	    (d->media_type && strncmp(d->media_type, MEDIA_DOCKER_SCHEMA1,
				       strlen(MEDIA_DOCKER_SCHEMA1)) == 0)) {
		err_make(errp, 0, "manifest %s is Docker schema 1, which is not supported "
			 "(push the image again with a current tool)", d->digest);
		goto fail;
	}
	/* the document's own mediaType, else the header, else its shape */
	if (mt) {
		free(d->media_type);
		d->media_type = xstrdup(mt);
	} else if (!manifest_is_index(d->media_type) && !manifest_is_manifest(d->media_type)) {
		free(d->media_type);
		d->media_type = xstrdup(json_object_get(d->json, "manifests") ?
					MEDIA_OCI_INDEX : MEDIA_OCI_MANIFEST);
	}
	if (!manifest_is_index(d->media_type) && !manifest_is_manifest(d->media_type)) {
		err_make(errp, 0, "%s is a '%s', not an image", d->digest, d->media_type);
		goto fail;
	}
	if (r == 1) {
		strv_push(&p->keep, d->data);
		strv_add(&p->keep_digests, d->digest);
		d->data = xstrndup(d->data, d->len);
	}
	return 0;
fail:
	doc_fini(d);
	return -1;
}

/* the digest of the entry for platform (NULL: the host) in an index */
static int
pick_platform(const struct doc *index, const char *platform, char *digest,
	      struct err **errp)
{
	const json_t *e;
	struct descriptor desc;

	if (!json_is_array(json_object_get(index->json, "manifests")))
		return err_make(errp, 0, "index %s has no manifests list", index->digest);
	if (manifest_pick_platform(index->json, index->digest, platform, &e, errp) < 0)
		return -1;
	if (manifest_descriptor(e, &desc, errp) < 0)
		return err_wrap(errp, "index %s", index->digest);
	strcpy(digest, desc.digest);
	return 0;
}

/* follow indexes from reference down to the image manifest for the platform */
static int
resolve(struct puller *p, const char *reference, struct doc *m,
	struct err **errp)
{
	char next[DIGEST_LEN];
	struct doc d;

	snprintf(next, sizeof(next), "%s", reference);
	for (int depth = 0;; depth++) {
		if (depth > MAX_NESTING)
			return err_make(errp, 0, "indexes nested deeper than %d", MAX_NESTING);
		if (get_manifest(p, depth ? next : reference, &d, errp) < 0)
			return -1;
		if (manifest_is_manifest(d.media_type)) {
			*m = d;
			return 0;
		}
		if (pick_platform(&d, p->o->platform, next, errp) < 0) {
			doc_fini(&d);
			return -1;
		}
		doc_fini(&d);
	}
}

static int
get_config(struct puller *p, const struct descriptor *cd, struct doc *d,
	   struct err **errp)
{
	int r;

	memset(d, 0, sizeof(*d));
	if (cd->size > CONFIG_MAX)
		return err_make(errp, 0, "config %s is larger than %d bytes", cd->digest, CONFIG_MAX);
	r = from_store(p, cd->digest, CONFIG_MAX, d, errp);
	if (r < 0)
		return -1;
	if (r == 1 && from_registry(p, "blobs", cd->digest, (size_t)cd->size, d, errp) < 0)
		return -1;
	/* the same check for a config downloaded or found in the store */
	if ((long long)d->len != cd->size) {
		err_make(errp, 0, "config %s: size mismatch: descriptor says %lld, the blob has %zu",
			 cd->digest, cd->size, d->len);
		doc_fini(d);
		return -1;
	}
	if (r == 1 && store_put_blob_buf(p->st, d->data, d->len, NULL, errp) < 0)
		return err_wrap(errp, "config %s", cd->digest);
	return 0;
}

/* the image of manifest m, its missing layers downloaded */
static int
load_image(struct puller *p, const struct doc *m, struct image *img,
	   struct err **errp)
{
	json_t *layers = json_object_get(m->json, "layers");
	size_t i, n = json_array_size(layers), nfetch = 0;
	struct fetch_item *fetch = NULL;
	struct strv labels = STRV_INIT;
	struct descriptor cd;
	struct doc config = { 0 };
	int r = -1;

	if (manifest_descriptor(json_object_get(m->json, "config"), &cd, errp) < 0)
		return err_wrap(errp, "manifest %s: config", m->digest);
	if (!manifest_is_config(cd.media_type))
		return err_make(errp, 0, "manifest %s: the config is a '%s', not an image config",
				m->digest, cd.media_type);
	if (!json_is_array(layers))
		return err_make(errp, 0, "manifest %s has no layers list", m->digest);
	if (get_config(p, &cd, &config, errp) < 0)
		return -1;
	if (image_from_manifest(img, m->json, m->digest, cd.digest, config.data,
				config.len, errp) < 0)
		goto out;
	fetch = xcalloc(n ? n : 1, sizeof(*fetch));
	for (i = 0; !p->o->config_only && i < n; i++) {
		const struct image_layer *ld = &img->layers[i];
		bool dup = false;

		for (size_t k = 0; k < nfetch; k++)
			dup |= strcmp(fetch[k].digest, ld->digest) == 0;
		if (dup || store_has_blob(p->st, ld->digest))
			continue;
		strcpy(fetch[nfetch].digest, ld->digest);
		fetch[nfetch].size = ld->size;
		strv_push(&labels, xasprintf("layer %zu/%zu", i + 1, n));
		nfetch++;
	}
	for (i = 0; i < nfetch; i++)
		fetch[i].label = labels.v[i];
	if (nfetch && (connect_once(p, errp) < 0 ||
		       fetch_blobs(p->st, &p->c, fetch, nfetch, p->o->progress,
				   p->o->progress_ctx, errp) < 0))
		goto out;
	strcpy(img->config_digest, cd.digest);
	strcpy(img->manifest_digest, m->digest);
	r = 0;
out:
	free(fetch);
	strv_fini(&labels);
	doc_fini(&config);
	return r;
}

/* keep the manifests and indexes read from the registry */
static int
store_manifests(struct puller *p, struct err **errp)
{
	for (size_t i = 0; i < p->keep.n; i++) {
		char got[DIGEST_LEN];

		if (store_put_blob_buf(p->st, p->keep.v[i], strlen(p->keep.v[i]), got, errp) < 0)
			return err_wrap(errp, "manifest %s", p->keep_digests.v[i]);
	}
	return 0;
}

static int
pull_from(struct puller *p, const char *reference, struct image *img,
	  struct err **errp)
{
	struct doc m = { 0 };
	int r;

	r = resolve(p, reference, &m, errp);
	if (r == 0)
		r = load_image(p, &m, img, errp);
	if (r == 0)
		r = store_manifests(p, errp);
	doc_fini(&m);
	return r;
}

int
registry_pull(const struct store *st, const char *ref,
	      const struct pull_opts *o, struct image *img, struct err **errp)
{
	static const struct pull_opts none = { NULL, NULL, NULL, false, false, NULL };
	struct ref rr;
	struct mirror_list hosts = { NULL, 0 };
	struct buf mirror_errs = BUF_INIT;
	const char *reference;
	int r = -1;

	if (!o)
		o = &none;
	image_fini(img);
	image_init(img);
	if (ref_parse(ref, &rr, errp) < 0)
		return -1;
	reference = rr.digest[0] ? rr.digest : o->pinned ? o->pinned : rr.tag;
	if (mirrors_for(&rr, reference == rr.digest || reference == o->pinned, &hosts, errp) < 0) {
		err_wrap(errp, "pulling '%s'", rr.full);
		ref_fini(&rr);
		return -1;
	}
	for (size_t i = 0; i < hosts.n; i++) {
		struct puller p = { st, &rr, hosts.v[i].host, hosts.v[i].repo, { 0 }, false, o,
				    STRV_INIT, STRV_INIT };
		struct err *e = NULL;

		r = pull_from(&p, reference, img, &e);
		if (p.connected)
			registry_client_close(&p.c);
		strv_fini(&p.keep);
		strv_fini(&p.keep_digests);
		if (r == 0) {
			err_free(e);
			break;
		}
		image_fini(img);
		image_init(img);
		if (i + 1 < hosts.n) {
			buf_printf(&mirror_errs, "; mirror '%s/%s' failed: %s", hosts.v[i].host,
				   hosts.v[i].repo, e->msg);
			err_free(e);
			continue;
		}
		err_make(errp, 0, "pulling '%s': %s%s%s%s", rr.full, e->msg,
			 mirror_errs.len ? " (" : "", mirror_errs.len ? buf_str(&mirror_errs) + 2 : "",
			 mirror_errs.len ? ")" : "");
		err_free(e);
	}
	buf_fini(&mirror_errs);
	mirrors_list_fini(&hosts);
	ref_fini(&rr);
	return r;
}
