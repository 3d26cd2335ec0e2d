#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image/image.h"
#include "image/manifest.h"
#include "image/store.h"
#include "oci/ref.h"
#include "registry/client.h"
#include "registry/http.h"
#include "registry/push.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/notify.h"
#include "util/strv.h"

struct pusher {
	const struct store *st;
	struct registry_client c;
	const struct push_opts *o;
	const char *name;
	long long chunk;
};

/* a blob to send */
struct blob {
	char digest[DIGEST_LEN];
	long long size;
	char label[32];
};

static long long
chunk_size(void)
{
	const char *v = getenv("DF2NINJA_PUSH_CHUNK_SIZE");
	char *end;
	long long n;

	if (!v || !*v)
		return PUSH_CHUNK_SIZE;
	n = strtoll(v, &end, 10);
	return *end || n < 1 ? PUSH_CHUNK_SIZE : n;
}

static void
note(const struct pusher *p, const struct blob *b, const char *what)
{
	autofree char *line = NULL;

	if (!p->o->note)
		return;
	line = xasprintf("%s: %s %.19s: %s", p->name, b->label, b->digest, what);
	p->o->note(p->o->note_ctx, line);
}

/* rel resolved against url, with query (may be NULL) appended; caller
 * frees */
static int
resolve_url(const char *url, const char *rel, const char *query, char **out,
	    struct err **errp)
{
	CURLU *u = curl_url();
	char *s = NULL;
	int r = -1;

	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_URL, rel, 0) == CURLUE_OK &&
	    (!query || curl_url_set(u, CURLUPART_QUERY, query,
				    CURLU_APPENDQUERY | CURLU_URLENCODE) == CURLUE_OK) &&
	    curl_url_get(u, CURLUPART_URL, &s, 0) == CURLUE_OK) {
		*out = xstrdup(s);
		r = 0;
	} else {
		err_make(errp, 0, "the registry's upload location '%s' is not a URL", rel);
	}
	curl_free(s);
	curl_url_cleanup(u);
	return r;
}

/* the Location of resp (an upload's next URL) resolved against url */
static int
location(const char *method, const char *url, const struct http_response *resp,
	 char **out, struct err **errp)
{
	const char *loc = http_header(resp, "location");

	if (!loc || !*loc)
		return err_make(errp, 0, "%s %s: the registry gave no upload location", method, url);
	return resolve_url(url, loc, NULL, out, errp);
}

/* 1 when the registry has blob b, 0 when not */
static int
has_blob(struct pusher *p, const struct blob *b, struct err **errp)
{
	struct http_request rq = { .method = "HEAD", .body_fd = -1 };
	struct http_response resp;
	autofree char *url = registry_client_url(&p->c, "blobs", b->digest);
	int r = -1;

	rq.url = url;
	http_response_init(&resp, HTTP_SMALL_MAX);
	if (registry_client_do(&p->c, &rq, &resp, errp) < 0)
		goto out;
	if (resp.status == 200)
		r = 1;
	else if (resp.status == 404)
		r = 0;
	else
		registry_client_error(&p->c, "HEAD", url, &resp, errp);
out:
	http_response_fini(&resp);
	return r;
}

/*
 * one upload of b: POST, PATCH per chunk, PUT. *final says a failure is
 * not worth another try (the registry refused, as opposed to a broken
 * transfer or a 429/5xx).
 */
static int
upload_once(struct pusher *p, const struct blob *b, int fd, bool *final,
	    struct err **errp)
{
	struct http_request rq = { .method = "POST", .body_fd = -1 };
	struct http_response resp;
	struct strv h = STRV_INIT;
	autofree char *url = registry_client_url(&p->c, "blobs", "uploads/");
	autofree char *loc = NULL, *query = NULL;
	double start = progress_now(), last = start;
	long long off = 0;
	int r = -1;

	*final = false;
	http_response_init(&resp, HTTP_SMALL_MAX);
	rq.url = url;
	rq.once = true;
	if (registry_client_do(&p->c, &rq, &resp, errp) < 0)
		goto out;
	if (resp.status != 202) {
		*final = !http_status_retryable(resp.status);
		registry_client_error(&p->c, "POST", url, &resp, errp);
		goto out;
	}
	if (location("POST", url, &resp, &loc, errp) < 0) {
		*final = true;
		goto out;
	}
	strv_add(&h, "Content-Type: application/octet-stream");
	strv_add(&h, "");
	while (off < b->size) {
		long long len = b->size - off < p->chunk ? b->size - off : p->chunk;
		char *next;

		free(h.v[1]);
		h.v[1] = xasprintf("Content-Range: %lld-%lld", off, off + len - 1);
		rq = (struct http_request){ .method = "PATCH", .url = loc, .headers = &h,
					    .body_fd = fd, .body_off = off, .body_size = len,
					    .once = true };
		if (registry_client_do(&p->c, &rq, &resp, errp) < 0)
			goto out;
		if (resp.status != 202) {
			*final = !http_status_retryable(resp.status);
			registry_client_error(&p->c, "PATCH", loc, &resp, errp);
			goto out;
		}
		if (location("PATCH", loc, &resp, &next, errp) < 0) {
			*final = true;
			goto out;
		}
		free(loc);
		loc = next;
		off += len;
		if (p->o->progress && progress_now() - last >= 1) {
			struct progress pr = { b->label, b->digest, off, b->size, 0, progress_now() - start, false };

			pr.rate = (double)off / pr.elapsed;
			p->o->progress(p->o->progress_ctx, &pr);
			last = progress_now();
		}
	}
	query = xasprintf("digest=%s", b->digest);
	{
		/* the final URL is the last Location with ?digest= added */
		char *put;

		if (resolve_url(loc, loc, query, &put, errp) < 0) {
			*final = true;
			goto out;
		}
		free(loc);
		loc = put;
	}
	rq = (struct http_request){ .method = "PUT", .url = loc, .body_fd = -1, .once = true };
	if (registry_client_do(&p->c, &rq, &resp, errp) < 0)
		goto out;
	if (resp.status != 201) {
		*final = !http_status_retryable(resp.status);
		registry_client_error(&p->c, "PUT", loc, &resp, errp);
		goto out;
	}
	{
		const char *said = http_header(&resp, "docker-content-digest");

		if (said && strcmp(said, b->digest) != 0) {
			*final = true;
			err_make(errp, 0, "the registry stored the blob as %s", said);
			goto out;
		}
	}
	r = 0;
out:
	strv_fini(&h);
	http_response_fini(&resp);
	return r;
}

static int
push_blob(struct pusher *p, const struct blob *b, struct err **errp)
{
	autofree char *path = store_blob_path(p->st, b->digest);
	autoclose int fd = -1;
	int have, r = -1;
	struct stat sb;

	have = has_blob(p, b, errp);
	if (have < 0)
		return -1;
	if (have) {
		note(p, b, "exists");
		return 0;
	}
	fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	if (fd < 0)
		return err_make(errp, errno, "blob %s is not in the store", b->digest);
	if (fstat(fd, &sb) < 0 || sb.st_size != b->size)
		return err_make(errp, 0, "blob %s in the store has %lld bytes, its descriptor says %lld",
				b->digest, (long long)sb.st_size, b->size);
	for (int n = 1;; n++) {
		struct err *e = NULL;
		bool final;

		if (upload_once(p, b, fd, &final, &e) == 0) {
			r = 0;
			break;
		}
		if (final || n >= http_attempts()) {
			if (errp) {
				err_free(*errp);
				*errp = e;
			} else {
				err_free(e);
			}
			if (!final)
				err_wrap(errp, "tried %d time%s", n, n == 1 ? "" : "s");
			break;
		}
		err_free(e);
		http_sleep_ms(http_backoff_ms(n, -1));
	}
	if (r == 0)
		note(p, b, "pushed");
	return r;
}

static int
push_manifest(struct pusher *p, const char *reference, const char *data,
	      size_t len, const char *media_type, const char *digest,
	      struct err **errp)
{
	struct http_request rq = { .method = "PUT", .body_fd = -1 };
	struct http_response resp;
	struct strv h = STRV_INIT;
	autofree char *url = registry_client_url(&p->c, "manifests", reference);
	const char *said;
	int r = -1;

	strv_push(&h, xasprintf("Content-Type: %s", media_type));
	rq.url = url;
	rq.headers = &h;
	rq.body = data;
	rq.body_len = len;
	http_response_init(&resp, HTTP_SMALL_MAX);
	if (registry_client_do(&p->c, &rq, &resp, errp) < 0)
		goto out;
	if (resp.status != 201) {
		registry_client_error(&p->c, "PUT", url, &resp, errp);
		goto out;
	}
	said = http_header(&resp, "docker-content-digest");
	if (said && strcmp(said, digest) != 0) {
		err_make(errp, 0, "PUT %s: the registry stored the manifest as %s, not %s", url,
			 said, digest);
		goto out;
	}
	r = 0;
out:
	strv_fini(&h);
	http_response_fini(&resp);
	return r;
}

/* the blobs of manifest m: config first, then the layers */
static int
blobs_of(const json_t *m, const char *digest, struct blob **out, size_t *n,
	 struct err **errp)
{
	json_t *layers = json_object_get(m, "layers"), *l;
	struct descriptor d;
	struct blob *v;
	size_t i;

	if (!json_is_array(layers))
		return err_make(errp, 0, "manifest %s has no layers list", digest);
	v = xcalloc(json_array_size(layers) + 1, sizeof(*v));
	if (manifest_descriptor(json_object_get(m, "config"), &d, errp) < 0) {
		free(v);
		return err_wrap(errp, "manifest %s: config", digest);
	}
	strcpy(v[0].digest, d.digest);
	v[0].size = d.size;
	snprintf(v[0].label, sizeof(v[0].label), "config");
	json_array_foreach(layers, i, l) {
		if (manifest_descriptor(l, &d, errp) < 0) {
			free(v);
			return err_wrap(errp, "manifest %s: layer %zu", digest, i + 1);
		}
		strcpy(v[i + 1].digest, d.digest);
		v[i + 1].size = d.size;
		snprintf(v[i + 1].label, sizeof(v[i + 1].label), "layer %zu/%zu", i + 1,
			 json_array_size(layers));
	}
	*out = v;
	*n = json_array_size(layers) + 1;
	return 0;
}

/* an index's manifests go first, each by its digest, so that the
 * registry knows what the index names */
static int
push_children(const struct store *st, const struct ref *rr, const json_t *index,
	      const struct push_opts *o, struct err **errp)
{
	const json_t *list = json_object_get(index, "manifests");
	autofree char *name = rr->digest[0] || !strrchr(rr->full, ':') ?
			      NULL : xstrdup(rr->full);

	if (!name)
		return err_make(errp, 0, "'%s': an index is pushed to a tag", rr->full);
	/* rr->full ends in ":tag" (ref_parse adds "latest") */
	*strrchr(name, ':') = '\0';
	for (size_t i = 0; i < json_array_size(list); i++) {
		const char *d = json_string_value(json_object_get(json_array_get(list, i),
								  "digest"));
		autofree char *child = d ? xasprintf("%s@%s", name, d) : NULL;

		if (!child)
			return err_make(errp, 0, "the index lists a manifest without a digest");
		if (registry_push(st, child, d, o, errp) < 0)
			return -1;
	}
	return 0;
}

int
registry_push(const struct store *st, const char *ref,
	      const char *manifest_digest, const struct push_opts *o,
	      struct err **errp)
{
	static const struct push_opts none = { NULL, NULL, NULL, NULL };
	struct pusher p = { st, { 0 }, o ? o : &none, NULL, chunk_size() };
	autofree char *path = store_blob_path(st, manifest_digest), *data = NULL;
	struct ref rr;
	struct blob *blobs = NULL;
	const char *mt;
	size_t len, n = 0;
	json_t *m = NULL;
	bool open = false;
	int r = -1;

	if (ref_parse(ref, &rr, errp) < 0)
		return -1;
	p.name = rr.full;
	if (rr.digest[0] && strcmp(rr.digest, manifest_digest) != 0) {
		err_make(errp, 0, "'%s' names digest %s, but the image is %s", ref, rr.digest,
			 manifest_digest);
		goto out;
	}
	if (!path) {
		err_make(errp, 0, "invalid manifest digest '%s'", manifest_digest);
		goto out;
	}
	if (manifest_read_bytes(path, MANIFEST_MAX, &data, &len, errp) < 0 ||
	    manifest_parse(data, len, path, &m, errp) < 0)
		goto out;
	mt = json_string_value(json_object_get(m, "mediaType"));
	if (mt && manifest_is_index(mt)) {
		if (push_children(st, &rr, m, o, errp) < 0)
			goto out;
	} else if (!mt || !manifest_is_manifest(mt)) {
		err_make(errp, 0, "manifest %s: cannot push a '%s'", manifest_digest,
			 mt ? mt : "document without a mediaType");
		goto out;
	} else if (blobs_of(m, manifest_digest, &blobs, &n, errp) < 0) {
		goto out;
	}
	if (registry_client_open(&p.c, ref_api_host(&rr), rr.path, true, errp) < 0)
		goto out;
	open = true;
	for (size_t i = 0; i < n; i++) {
		bool dup = false;

		for (size_t k = 0; k < i; k++)
			dup |= strcmp(blobs[k].digest, blobs[i].digest) == 0;
		if (!dup && push_blob(&p, &blobs[i], errp) < 0) {
			err_wrap(errp, "%s %s", blobs[i].label, blobs[i].digest);
			goto out;
		}
	}
	if (push_manifest(&p, ref_reference(&rr), data, len, mt, manifest_digest, errp) < 0)
		goto out;
	r = 0;
out:
	if (r < 0)
		err_wrap(errp, "pushing '%s'", rr.full);
	if (open)
		registry_client_close(&p.c);
	free(blobs);
	json_decref(m);
	ref_fini(&rr);
	return r;
}

static void
print_line(void *ctx, const char *line)
{
	notify(NOTIFY_INFO, "%s", line);
}

int
registry_push_shown(const struct store *st, const char *digest, const char *ref,
		    struct err **errp)
{
	struct push_opts o = { progress_print, NULL, print_line, NULL };
	struct ref rr;
	int r;

	if (!ref || !*ref)
		return err_make(errp, 0, "--output type=registry needs name=REF");
	if (ref_parse(ref, &rr, errp) < 0)
		return -1;
	o.progress_ctx = rr.full;
	r = registry_push(st, ref, digest, &o, errp);
	ref_fini(&rr);
	return r;
}

int
registry_push_image(const struct store *st, struct image *img, const char *ref,
		    struct err **errp)
{
	if (!ref || !*ref)
		return err_make(errp, 0, "--output type=registry needs name=REF");
	if (!img->manifest_digest[0] && image_store_meta(st, img, NULL, NULL, errp) < 0)
		return -1;
	return registry_push_shown(st, img->manifest_digest, ref, errp);
}
