#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "registry/certs.h"
#include "registry/http.h"
#include "registry/mirrors.h"
#include "util/alloc.h"
#include "util/err.h"

#define USER_AGENT "df2ninja/" PACKAGE_VERSION
#define RETRY_AFTER_MAX 60
#define DEFAULT_RETRIES 4

void
http_response_init(struct http_response *r, size_t max)
{
	memset(r, 0, sizeof(*r));
	r->max = max;
}

void
http_response_reset(struct http_response *r)
{
	r->status = 0;
	strv_fini(&r->headers);
	buf_fini(&r->body);
	r->too_big = false;
	r->sink_failed = false;
	r->errbuf[0] = '\0';
}

void
http_response_fini(struct http_response *r)
{
	http_response_reset(r);
}

const char *
http_header_next(const struct http_response *r, const char *name, size_t *it)
{
	size_t n = strlen(name);

	for (; *it < r->headers.n; (*it)++) {
		const char *h = r->headers.v[*it];

		if (strncmp(h, name, n) == 0 && h[n] == ':') {
			(*it)++;
			return h + n + 2;
		}
	}
	return NULL;
}

const char *
http_header(const struct http_response *r, const char *name)
{
	size_t it = 0;

	return http_header_next(r, name, &it);
}

long
http_retry_after(const struct http_response *r)
{
	const char *v = http_header(r, "retry-after");
	char *end;
	long s;

	if (!v || !*v)
		return -1;
	if (isdigit((unsigned char)*v)) {
		errno = 0;
		s = strtol(v, &end, 10);
		if (errno || *end)
			return -1;
	} else {
		time_t t = curl_getdate(v, NULL);

		if (t < 0)
			return -1;
		s = (long)(t - time(NULL));
		if (s < 0)
			s = 0;
	}
	return s > RETRY_AFTER_MAX ? RETRY_AFTER_MAX : s;
}

/* the host of "host", "host:port" or "[v6]:port" into out */
static void
host_part(const char *host, char *out, size_t size)
{
	const char *end;

	if (host[0] == '[') {
		end = strchr(host, ']');
		snprintf(out, size, "%.*s", end ? (int)(end - host - 1) : 0, host + 1);
		return;
	}
	end = strchr(host, ':');
	/* a bare IPv6 address has more than one ':' */
	if (end && strchr(end + 1, ':'))
		end = NULL;
	snprintf(out, size, "%.*s", end ? (int)(end - host) : (int)strlen(host), host);
}

bool
http_host_is_loopback(const char *host)
{
	char h[256];
	struct in_addr a4;
	struct in6_addr a6;

	host_part(host, h, sizeof(h));
	if (strcasecmp(h, "localhost") == 0)
		return true;
	if (inet_pton(AF_INET, h, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, h, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return false;
}

bool
http_host_is_insecure(const char *host)
{
	const char *list = getenv("DF2NINJA_INSECURE_REGISTRIES");
	char h[256];

	/* a loopback host with a certs.d directory speaks TLS */
	if ((http_host_is_loopback(host) && !certs_has_dir(host)) || mirrors_host_is_insecure(host))
		return true;
	if (!list)
		return false;
	host_part(host, h, sizeof(h));
	for (const char *p = list; *p;) {
		size_t n;

		while (*p == ',' || *p == ' ' || *p == '\t')
			p++;
		n = strcspn(p, ", \t");
		if (n == 0)
			break;
		/* "host:port" names that port, "host" every port */
		if ((strlen(host) == n && strncasecmp(p, host, n) == 0) ||
		    (strlen(h) == n && strncasecmp(p, h, n) == 0))
			return true;
		p += n;
	}
	return false;
}

char *
http_base_url(const char *host)
{
	return xasprintf("%s://%s", http_host_is_insecure(host) ? "http" : "https", host);
}

bool
http_status_retryable(long status)
{
	return status == 408 || status == 425 || status == 429 ||
	       (status >= 500 && status <= 599 && status != 501 && status != 505);
}

bool
http_code_retryable(CURLcode code)
{
	static const CURLcode transient[] = {
		CURLE_COULDNT_CONNECT, CURLE_OPERATION_TIMEDOUT, CURLE_SEND_ERROR,
		CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE,
		CURLE_HTTP2, CURLE_HTTP2_STREAM,
	};

	for (size_t i = 0; i < countof(transient); i++)
		if (code == transient[i])
			return true;
	return false;
}

static bool quick;

void
http_set_quick(bool on)
{
	quick = on;
}

int
http_attempts(void)
{
	const char *v = getenv("DF2NINJA_REGISTRY_RETRIES");
	char *end;
	long n;

	if (!v || !*v)
		return 1 + DEFAULT_RETRIES;
	n = strtol(v, &end, 10);
	if (*end || n < 0)
		return 1 + DEFAULT_RETRIES;
	return n > 100 ? 101 : (int)n + 1;
}

long
http_backoff_ms(int n, long retry_after)
{
	long ms = 250;

	if (retry_after >= 0)
		return (retry_after > RETRY_AFTER_MAX ? RETRY_AFTER_MAX : retry_after) * 1000;
	for (int i = 1; i < n && ms < 8000; i++)
		ms *= 2;
	return ms > 8000 ? 8000 : ms;
}

void
http_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static size_t
on_header(char *data, size_t size, size_t n, void *ctx)
{
	struct http_response *r = ctx;
	size_t len = size * n, name_len;
	const char *colon;
	char *line;

	if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		const char *sp = memchr(data, ' ', len);

		/* a new response (a redirect, a 100 Continue): start over */
		strv_fini(&r->headers);
		buf_reset(&r->body);
		r->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		return len;
	}
	colon = memchr(data, ':', len);
	if (!colon || r->headers.n >= HTTP_MAX_HEADERS)
		return len;
	name_len = (size_t)(colon - data);
	colon++;
	while (colon < data + len && (*colon == ' ' || *colon == '\t'))
		colon++;
	while (len > 0 && (data[len - 1] == '\r' || data[len - 1] == '\n' ||
			   data[len - 1] == ' ' || data[len - 1] == '\t'))
		len--;
	line = xasprintf("%.*s: %.*s", (int)name_len, data,
			 (int)(data + len > colon ? data + len - colon : 0), colon);
	for (size_t i = 0; i < name_len; i++)
		line[i] = (char)tolower((unsigned char)line[i]);
	strv_push(&r->headers, line);
	return size * n;
}

static size_t
on_body(char *data, size_t size, size_t n, void *ctx)
{
	struct http_response *r = ctx;
	size_t len = size * n;

	if (r->sink && r->status >= 200 && r->status < 300) {
		if (r->sink(r->sink_ctx, r, data, len) < 0) {
			r->sink_failed = true;
			return 0;
		}
		return len;
	}
	if (r->body.len + len > r->max) {
		r->too_big = true;
		return 0;
	}
	buf_putn(&r->body, data, len);
	return len;
}

/* connections, DNS answers and TLS sessions shared by the requests of
 * http_do, so that a session's requests to one registry reuse one
 * connection (the multi handle of a download keeps its own) */
static CURLSH *share;

static int
global_init(struct err **errp)
{
	static bool done;
	CURLcode c;

	if (done)
		return 0;
	if (curl_dl_load(errp) < 0)
		return -1;
	c = curl_global_init(CURL_GLOBAL_DEFAULT);
	if (c != CURLE_OK)
		return err_make(errp, 0, "cannot initialise libcurl: %s", curl_easy_strerror(c));
	share = curl_share_init();
	if (share) {
		curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
		curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
		curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	}
	done = true;
	return 0;
}

/* the system's CA bundle as libcurl knows it; NULL when unknown */
static const char *
system_ca(CURL *e)
{
	static const char *const known[] = { "/etc/ssl/certs/ca-certificates.crt",
					     "/etc/pki/tls/certs/ca-bundle.crt" };
	char *path = NULL;

#if LIBCURL_VERSION_NUM >= 0x075400
	if (curl_easy_getinfo(e, CURLINFO_CAINFO, &path) == CURLE_OK && path &&
	    access(path, R_OK) == 0)
		return path;
#endif
	(void)e;
	for (size_t i = 0; i < countof(known); i++)
		if (access(known[i], R_OK) == 0)
			return known[i];
	return path;
}

/* the certs.d files of the host of https url, set on e (see certs.h): the
 * host's CAs are trusted besides the system's, its client certificate
 * is presented; kept for the last host asked about */
static int
setup_tls(CURL *e, const char *url, struct err **errp)
{
	static char *host;
	static struct certs c;
	static char *pem;
	static size_t pem_len;
	const char *h = url + 8;
	size_t n = strcspn(h, "/?#");

	if (!host || strlen(host) != n || strncmp(host, h, n) != 0) {
		free(host);
		free(pem);
		pem = NULL;
		certs_fini(&c);
		host = xstrndup(h, n);
		if (certs_find(host, &c, errp) < 0 ||
		    (c.cas.n && certs_bundle(&c, system_ca(e), &pem, &pem_len, errp) < 0)) {
			free(host);
			host = NULL;
			return err_wrap(errp, "the TLS files of '%.*s'", (int)n, h);
		}
	}
	if (pem) {
		struct curl_blob blob = { pem, pem_len, CURL_BLOB_COPY };

		if (curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &blob) != CURLE_OK)
			return err_make(errp, 0, "this libcurl cannot take the CA certificates in '%s'",
					c.cas.v[0]);
	}
	if (c.cert) {
		curl_easy_setopt(e, CURLOPT_SSLCERT, c.cert);
		curl_easy_setopt(e, CURLOPT_SSLKEY, c.key);
	}
	return 0;
}

CURL *
http_easy(const char *method, const char *url, struct curl_slist *headers,
	  struct http_response *resp, struct err **errp)
{
	bool is_https = strncmp(url, "https://", 8) == 0;
	bool follow = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	CURL *e;

	if (global_init(errp) < 0)
		return NULL;
	e = curl_easy_init();
	if (!e) {
		err_make(errp, 0, "cannot initialise libcurl");
		return NULL;
	}
	curl_easy_setopt(e, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, is_https ? "https" : "http,https");
#else
	curl_easy_setopt(e, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS,
			 (long)(is_https ? CURLPROTO_HTTPS : CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (is_https && setup_tls(e, url, errp) < 0) {
		curl_easy_cleanup(e);
		return NULL;
	}
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, USER_AGENT);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, quick ? 1500L : 30000L);
	if (quick)
		curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 1900L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, follow ? 1L : 0L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, resp);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, resp->errbuf);
	if (headers)
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET") != 0)
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	return e;
}

struct curl_slist *
http_slist(const struct strv *v)
{
	struct curl_slist *l = NULL;

	for (size_t i = 0; v && i < v->n; i++) {
		struct curl_slist *n = curl_slist_append(l, v->v[i]);

		if (!n) {
			fprintf(stderr, "df2ninja: out of memory\n");
			abort();
		}
		l = n;
	}
	return l;
}

/* a request body read from a file */
struct upload {
	int fd;
	long long off, left;
};

static size_t
on_read(char *buf, size_t size, size_t n, void *ctx)
{
	struct upload *u = ctx;
	size_t want = size * n;
	ssize_t got;

	if ((long long)want > u->left)
		want = (size_t)u->left;
	if (want == 0)
		return 0;
	got = TEMP_FAILURE_RETRY_INT(pread(u->fd, buf, want, u->off));
	if (got <= 0)
		return CURL_READFUNC_ABORT;
	u->off += got;
	u->left -= got;
	return (size_t)got;
}

/* one try; *code gets curl's result */
static int
attempt(const struct http_request *rq, struct curl_slist *hdrs,
	struct http_response *resp, CURLcode *code, struct err **errp)
{
	struct upload up = { rq->body_fd, rq->body_off, rq->body_size };
	CURL *e;

	http_response_reset(resp);
	e = http_easy(rq->method, rq->url, hdrs, resp, errp);
	if (!e)
		return -1;
	if (share)
		curl_easy_setopt(e, CURLOPT_SHARE, share);
	if (rq->body_fd >= 0) {
		curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(e, CURLOPT_READDATA, &up);
		curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)rq->body_size);
	} else if (rq->body || strcmp(rq->method, "POST") == 0 ||
		   strcmp(rq->method, "PUT") == 0 || strcmp(rq->method, "PATCH") == 0) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, rq->body ? rq->body : "");
	}
	*code = curl_easy_perform(e);
	curl_easy_cleanup(e);
	return 0;
}

int
http_do(const struct http_request *rq, struct http_response *resp,
	struct err **errp)
{
	struct strv h = STRV_INIT;
	struct curl_slist *hdrs;
	int tries = rq->once || quick ? 1 : http_attempts();
	CURLcode code = CURLE_OK;
	int r = -1;

	if (global_init(errp) < 0)
		return -1;
	for (size_t i = 0; rq->headers && i < rq->headers->n; i++)
		strv_add(&h, rq->headers->v[i]);
	/* no "Expect: 100-continue" round trip before a body */
	strv_add(&h, "Expect:");
	hdrs = http_slist(&h);
	for (int n = 1;; n++) {
		if (attempt(rq, hdrs, resp, &code, errp) < 0)
			goto out;
		if (resp->too_big) {
			err_make(errp, 0, "%s %s: the response is larger than %zu bytes",
				 rq->method, rq->url, resp->max);
			goto out;
		}
		if (resp->sink_failed) {
			err_make(errp, 0, "%s %s: the response body was refused", rq->method, rq->url);
			goto out;
		}
		if (code == CURLE_OK && !http_status_retryable(resp->status))
			break;
		if (code != CURLE_OK && !http_code_retryable(code)) {
			err_make(errp, 0, "%s %s: %s", rq->method, rq->url,
				 resp->errbuf[0] ? resp->errbuf : curl_easy_strerror(code));
			goto out;
		}
		if (n >= tries) {
			if (code == CURLE_OK)
				break;	/* the caller reports the last status */
			err_make(errp, 0, "%s %s: %s (tried %d time%s)", rq->method, rq->url,
				 resp->errbuf[0] ? resp->errbuf : curl_easy_strerror(code),
				 n, n == 1 ? "" : "s");
			goto out;
		}
		http_sleep_ms(http_backoff_ms(n, code == CURLE_OK ? http_retry_after(resp) : -1));
	}
	r = 0;
out:
	curl_slist_free_all(hdrs);
	strv_fini(&h);
	return r;
}
