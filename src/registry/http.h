#ifndef DF2NINJA_REGISTRY_HTTP_H
#define DF2NINJA_REGISTRY_HTTP_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

#include "registry/curl_dl.h"
#include "util/buf.h"
#include "util/strv.h"

struct err;

/*
 * HTTP over libcurl, the way every registry request is made:
 *   - HTTPS with certificate and host name checks, trusting the system's
 *     CAs and those of the host's certs.d directory, presenting its client
 *     certificate (certs.h); plain HTTP only for a loopback host
 *     (localhost, 127.0.0.0/8, ::1) without a certs.d directory, the
 *     hosts listed in $DF2NINJA_INSECURE_REGISTRIES ("host[:port],...":
 *     an entry without a port names every port of that host) and those
 *     the config files mark insecure (mirrors_host_is_insecure())
 *   - only http and https; GET and HEAD follow redirects (at most 10, and
 *     from HTTPS only to HTTPS); curl never sends a caller's
 *     Authorization header to another host
 *   - a connection that moves less than 1 byte/s for 60 s is dropped
 *   - transport errors, 429 and 5xx are retried with exponential backoff
 *     (250 ms doubling to 8 s, or the server's Retry-After up to 60 s),
 *     $DF2NINJA_REGISTRY_RETRIES times (default 4)
 */

/* an error body, a token, anything read into memory without another
 * limit */
#define HTTP_SMALL_MAX (64 << 10)
/* response headers kept per response; more are dropped */
#define HTTP_MAX_HEADERS 256

struct http_response;

/* where the body of a 2xx response goes instead of into memory: return
 * -1 to stop the transfer */
typedef int (*http_sink_fn)(void *ctx, struct http_response *resp,
			    const char *data, size_t len);

/* one response: after redirects and 1xx, the last one */
struct http_response {
	long status;		/* 0 until a status line arrived */
	struct strv headers;	/* "name: value", names lower-cased */
	struct buf body;	/* the body, unless sink took it */
	size_t max;		/* limit of body; past it the transfer stops */
	bool too_big;		/* the body passed max */
	http_sink_fn sink;	/* NULL: every body goes to body */
	void *sink_ctx;
	bool sink_failed;	/* the sink stopped the transfer */
	char errbuf[CURL_ERROR_SIZE];
};

/* an empty response whose body may hold max bytes */
void http_response_init(struct http_response *r, size_t max);
/* forget the last response (status, headers, body), keeping max and the
 * sink */
void http_response_reset(struct http_response *r);
void http_response_fini(struct http_response *r);
/* the value of the first header called name (lower case), or NULL */
const char *http_header(const struct http_response *r, const char *name);
/* the values of header name one by one: *it starts at 0; NULL at the end */
const char *http_header_next(const struct http_response *r, const char *name,
			     size_t *it);
/* Retry-After in seconds (delta or HTTP date), -1 when absent or bad */
long http_retry_after(const struct http_response *r);

/* true for a loopback host[:port] */
bool http_host_is_loopback(const char *host);
/* true when host[:port] is spoken to over plain HTTP (see above) */
bool http_host_is_insecure(const char *host);
/* "https://host" or "http://host"; caller frees */
char *http_base_url(const char *host);

/* worth another try: 408, 425, 429 and 5xx but 501 and 505 */
bool http_status_retryable(long status);
/* worth another try: a transfer that broke (connect, send, receive,
 * time-out, a short body) */
bool http_code_retryable(CURLcode code);
/* the number of tries for one request: 1 + $DF2NINJA_REGISTRY_RETRIES */
int http_attempts(void);
/*
 * quick mode, for a question whose answer is only a shortcut (a step
 * cache lookup): every request of this process gives up after 1.5 s to
 * connect and 1.9 s in all, and is made once, never retried; off again
 * for the transfers that follow
 */
void http_set_quick(bool on);
/* milliseconds to wait before retry n (1 for the first); retry_after is
 * the server's wish in seconds, -1 for none */
long http_backoff_ms(int n, long retry_after);
/* sleep ms milliseconds (a signal ends the process as usual) */
void http_sleep_ms(long ms);

/*
 * a new easy handle for method on url, set up as above, its response
 * captured in resp (which must outlive it). headers (may be NULL) stay
 * the caller's and must outlive the transfer. NULL when curl cannot be
 * initialised, with *errp set.
 */
CURL *http_easy(const char *method, const char *url,
		struct curl_slist *headers, struct http_response *resp,
		struct err **errp);
/* a curl header list from "Name: value" strings; NULL when v is empty */
struct curl_slist *http_slist(const struct strv *v);

/* one request, made and retried by http_do */
struct http_request {
	const char *method;		/* "GET", "HEAD", "PUT", ... */
	const char *url;
	const struct strv *headers;	/* may be NULL */
	const char *body;		/* a body in memory, or NULL */
	size_t body_len;
	int body_fd;			/* or body_size bytes of a file from
					 * body_off; -1 for none */
	long long body_off, body_size;
	bool once;			/* no retries (a request that cannot
					 * be repeated safely) */
};

/*
 * make the request, retrying as above; resp (its max and sink as set by
 * the caller) receives the last response. Any HTTP status is a success
 * here; a transfer that failed every try, a body past resp->max and a
 * sink that failed are errors naming the method and URL.
 */
int http_do(const struct http_request *rq, struct http_response *resp,
	    struct err **errp);

#endif
