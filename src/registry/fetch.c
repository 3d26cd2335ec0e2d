#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "image/store.h"
#include "registry/client.h"
#include "registry/fetch.h"
#include "registry/http.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/strv.h"

enum xfer_state {
	XFER_WAITING,	/* not started, or waiting to be retried */
	XFER_RUNNING,
	XFER_DONE,
};

struct xfer {
	const struct fetch_item *it;
	const struct store *st;
	enum xfer_state state;
	struct store_blob *w;
	long long got;		/* bytes in w */
	long long from;		/* the offset this try asked for */
	bool body_seen;		/* this try's body has begun */
	int tries;		/* failed tries in a row */
	bool reauthed;		/* a 401 was answered for this try */
	double not_before;	/* monotonic time the next try may start */
	CURL *e;
	struct curl_slist *hdrs;
	struct http_response resp;
	struct err *sink_err;	/* why the body was refused */
	char *url;
	/* progress */
	double started, last_report;
	long long last_got;
	bool reported;
};

/* "bytes START-END/TOTAL": START, or -1 */
static long long
range_start(const char *v)
{
	long long s;

	if (!v || sscanf(v, "bytes %lld-", &s) != 1)
		return -1;
	return s;
}

/* a 2xx body arrives: check that it continues where we asked, then
 * stage it */
static int
sink(void *ctx, struct http_response *resp, const char *data, size_t len)
{
	struct xfer *x = ctx;

	if (!x->body_seen) {
		x->body_seen = true;
		if (x->from > 0 && resp->status == 200) {
			/* the server ignored Range: start over */
			store_blob_abort(x->w);
			x->w = NULL;
			x->got = 0;
			if (store_blob_begin(x->st, &x->w, &x->sink_err) < 0)
				return -1;
		} else if (resp->status == 206 &&
			   range_start(http_header(resp, "content-range")) != x->from) {
			err_make(&x->sink_err, 0, "the server resumed at the wrong offset ('%s', asked for %lld)",
				 http_header(resp, "content-range") ?: "no Content-Range", x->from);
			return -1;
		}
	}
	if (x->got + (long long)len > x->it->size) {
		err_make(&x->sink_err, 0, "the registry sent more than the %lld bytes of its descriptor",
			 x->it->size);
		return -1;
	}
	if (store_blob_write(x->w, data, len, &x->sink_err) < 0)
		return -1;
	x->got += (long long)len;
	return 0;
}

static void
xfer_release_handle(struct xfer *x, CURLM *m)
{
	if (x->e) {
		curl_multi_remove_handle(m, x->e);
		curl_easy_cleanup(x->e);
		x->e = NULL;
	}
	curl_slist_free_all(x->hdrs);
	x->hdrs = NULL;
}

static int
xfer_start(struct xfer *x, struct registry_client *c, CURLM *m,
	   struct err **errp)
{
	struct strv h = STRV_INIT;

	if (!x->w && store_blob_begin(x->st, &x->w, errp) < 0)
		return -1;
	registry_client_headers(c, NULL, &h);
	if (x->got > 0)
		strv_push(&h, xasprintf("Range: bytes=%lld-", x->got));
	x->hdrs = http_slist(&h);
	strv_fini(&h);
	http_response_reset(&x->resp);
	x->resp.sink = sink;
	x->resp.sink_ctx = x;
	x->from = x->got;
	x->body_seen = false;
	x->e = http_easy("GET", x->url, x->hdrs, &x->resp, errp);
	if (!x->e)
		return -1;
	if (curl_multi_add_handle(m, x->e) != CURLM_OK)
		return err_make(errp, 0, "cannot start the download of %s", x->it->digest);
	x->state = XFER_RUNNING;
	if (x->started == 0) {
		x->started = progress_now();
		x->last_report = x->started;
	}
	return 0;
}

/* schedule another try, or fail when they are used up */
static int
retry(struct xfer *x, long retry_after, const char *why, struct err **errp)
{
	/* a try that brought data does not count against the limit */
	if (x->got > x->from)
		x->tries = 0;
	if (++x->tries >= http_attempts())
		return err_make(errp, 0, "%s (tried %d time%s)", why, x->tries,
				x->tries == 1 ? "" : "s");
	x->not_before = progress_now() + (double)http_backoff_ms(x->tries, retry_after) / 1000;
	x->state = XFER_WAITING;
	return 0;
}

static int
finish(struct xfer *x, struct registry_client *c, CURLcode code,
       struct err **errp)
{
	autofree char *why = NULL;
	struct store_blob *w;

	if (x->sink_err) {
		*errp = x->sink_err;
		x->sink_err = NULL;
		return -1;
	}
	/* every byte arrived before the connection broke: the digest says
	 * whether they are right */
	if (code != CURLE_OK && x->got == x->it->size && x->got > 0 &&
	    (x->resp.status == 200 || x->resp.status == 206))
		goto commit;
	if (code != CURLE_OK) {
		why = xasprintf("GET %s: %s", x->url,
				x->resp.errbuf[0] ? x->resp.errbuf : curl_easy_strerror(code));
		if (!http_code_retryable(code))
			return err_make(errp, 0, "%s", why);
		return retry(x, -1, why, errp);
	}
	if (x->resp.status == 401 && !x->reauthed) {
		if (auth_answer(&c->auth, &x->resp, errp) < 0)
			return -1;
		x->reauthed = true;
		x->state = XFER_WAITING;
		x->not_before = 0;
		return 0;
	}
	if (http_status_retryable(x->resp.status)) {
		why = xasprintf("GET %s: HTTP %ld", x->url, x->resp.status);
		return retry(x, http_retry_after(&x->resp), why, errp);
	}
	if (x->resp.status != 200 && x->resp.status != 206)
		return registry_client_error(c, "GET", x->url, &x->resp, errp);
	x->reauthed = false;
	if (x->got < x->it->size) {
		/* the body ended early without a transport error */
		why = xasprintf("GET %s: the body ended after %lld of %lld bytes", x->url,
				x->got, x->it->size);
		return retry(x, -1, why, errp);
	}
commit:
	w = x->w;
	x->w = NULL;
	if (store_blob_commit(w, x->it->digest, NULL, NULL, errp) < 0)
		return -1;
	x->state = XFER_DONE;
	return 0;
}

static void
report(struct xfer *x, double t, bool finished, progress_fn fn, void *ctx)
{
	struct progress p;

	if (!fn)
		return;
	if (!finished && (t - x->started < 1 || t - x->last_report < 1))
		return;
	if (finished && !x->reported)
		return;
	p.label = x->it->label;
	p.digest = x->it->digest;
	p.done = x->got;
	p.total = x->it->size;
	p.elapsed = t - x->started;
	p.finished = finished;
	if (finished)
		p.rate = p.elapsed > 0 ? (double)x->got / p.elapsed : 0;
	else
		p.rate = (double)(x->got - x->last_got) / (t - x->last_report);
	fn(ctx, &p);
	x->reported = true;
	x->last_report = t;
	x->last_got = x->got;
}

int
fetch_blobs(const struct store *st, struct registry_client *c,
	    const struct fetch_item *items, size_t n, progress_fn progress,
	    void *progress_ctx, struct err **errp)
{
	struct xfer *xs;
	CURLM *m;
	size_t done = 0;
	int r = -1;

	if (curl_dl_load(errp) < 0)
		return -1;
	m = curl_multi_init();
	if (!m)
		return err_make(errp, 0, "cannot initialise libcurl");
	xs = xcalloc(n ? n : 1, sizeof(*xs));
	for (size_t i = 0; i < n; i++) {
		xs[i].it = &items[i];
		xs[i].st = st;
		xs[i].url = registry_client_url(c, "blobs", items[i].digest);
		http_response_init(&xs[i].resp, HTTP_SMALL_MAX);
	}
	while (done < n) {
		size_t running = 0;
		double t = progress_now(), wake;
		int still, nmsg;
		CURLMsg *msg;

		for (size_t i = 0; i < n; i++)
			running += xs[i].state == XFER_RUNNING;
		for (size_t i = 0; i < n && running < FETCH_PARALLEL; i++) {
			struct xfer *x = &xs[i];

			if (x->state != XFER_WAITING)
				continue;
			if (x->not_before > t)
				continue;
			if (xfer_start(x, c, m, errp) < 0)
				goto fail;
			running++;
		}
		if (curl_multi_perform(m, &still) != CURLM_OK) {
			err_make(errp, 0, "downloading blobs: curl_multi_perform failed");
			goto fail;
		}
		while ((msg = curl_multi_info_read(m, &nmsg))) {
			struct xfer *x = NULL;

			if (msg->msg != CURLMSG_DONE)
				continue;
			for (size_t i = 0; i < n; i++)
				if (xs[i].e == msg->easy_handle)
					x = &xs[i];
			if (!x)
				continue;
			{
				CURLcode code = msg->data.result;

				xfer_release_handle(x, m);
				if (finish(x, c, code, errp) < 0) {
					err_wrap(errp, "%s %s", x->it->label, x->it->digest);
					goto fail;
				}
			}
			if (x->state == XFER_DONE) {
				report(x, progress_now(), true, progress, progress_ctx);
				done++;
			}
		}
		t = progress_now();
		for (size_t i = 0; i < n; i++)
			if (xs[i].state == XFER_RUNNING)
				report(&xs[i], t, false, progress, progress_ctx);
		if (done < n) {
			long ms;

			/* wake for the next retry, or in a second for progress */
			wake = t + 1;
			for (size_t i = 0; i < n; i++)
				if (xs[i].state == XFER_WAITING && xs[i].not_before < wake)
					wake = xs[i].not_before;
			ms = (long)((wake - t) * 1000);

			if (ms < 0)
				ms = 0;
			curl_multi_poll(m, NULL, 0, (int)(ms > 1000 ? 1000 : ms), NULL);
		}
	}
	r = 0;
fail:
	for (size_t i = 0; i < n; i++) {
		xfer_release_handle(&xs[i], m);
		store_blob_abort(xs[i].w);
		err_free(xs[i].sink_err);
		http_response_fini(&xs[i].resp);
		free(xs[i].url);
	}
	curl_multi_cleanup(m);
	free(xs);
	return r;
}
