#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "exec/download.h"
#include "image/store.h"
#include "registry/http.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/giturl.h"
#include "util/jsonfile.h"
#include "util/strv.h"

/* how much of the URL a record's file name keeps; the digest after it
 * keeps names apart */
#define NAME_KEEP 100

static bool
has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* the length of a "scheme://" prefix of s, 0 when there is none */
static size_t
scheme_len(const char *s)
{
	size_t n = 0;

	if (!isalpha((unsigned char)s[0]))
		return 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '+' || s[n] == '-' ||
	       s[n] == '.')
		n++;
	return strncmp(s + n, "://", 3) == 0 ? n + 3 : 0;
}

enum download_kind
download_kind(const char *src)
{
	/* the resolver's rules (graph/steps.c), which are BuildKit's */
	if (giturl_is(src))
		return DOWNLOAD_GIT;
	if (has_prefix(src, "http://") || has_prefix(src, "https://"))
		return DOWNLOAD_HTTP;
	return scheme_len(src) ? DOWNLOAD_OTHER : DOWNLOAD_NONE;
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* s[0..n) with %XX decoded; NULL for a bad escape, or (*nul set) for
 * one that makes a NUL byte */
static char *
unescape(const char *s, size_t n, bool *nul)
{
	char *out = xmalloc(n + 1), *w = out;

	*nul = false;
	for (size_t i = 0; i < n; i++) {
		int hi, lo;

		if (s[i] != '%') {
			*w++ = s[i];
			continue;
		}
		hi = i + 2 < n ? hex_value(s[i + 1]) : -1;
		lo = i + 2 < n ? hex_value(s[i + 2]) : -1;
		*nul = hi == 0 && lo == 0;
		if (hi < 0 || lo < 0 || *nul) {
			free(out);
			return NULL;
		}
		*w++ = (char)(hi * 16 + lo);
		i += 2;
	}
	*w = '\0';
	return out;
}

char *
download_file_name(const char *url)
{
	const char *p = url + scheme_len(url), *end;
	autofree char *path = NULL;
	char *base;
	bool nul;
	size_t n;

	/* BuildKit: path.Base(url.Parse(src).Path), "__unnamed__" for "."
	 * and "/" (and when the URL does not parse) */
	p += strcspn(p, "/?#");
	if (*p != '/')
		return xstrdup("__unnamed__");
	end = p + strcspn(p, "?#");
	path = unescape(p, (size_t)(end - p), &nul);
	if (!path) {
		/* a NUL byte names no file; Go's parser refuses the rest */
		return nul ? NULL : xstrdup("__unnamed__");
	}
	n = strlen(path);
	while (n > 0 && path[n - 1] == '/')
		path[--n] = '\0';
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (!*base || strcmp(base, ".") == 0)
		return xstrdup("__unnamed__");
	if (strcmp(base, "..") == 0)
		return NULL;
	return xstrdup(base);
}

char *
download_record_path(const char *builddir, const char *url)
{
	const char *p = url + scheme_len(url);
	char d[DIGEST_LEN], name[NAME_KEEP + 1];
	size_t n = 0;

	for (; *p && n < NAME_KEEP; p++) {
		unsigned char c = (unsigned char)*p;

		name[n] = isalnum(c) || c == '-' || (c == '.' && n > 0) ?
				  (char)c : '_';
		n++;
	}
	name[n] = '\0';
	digest_buf(url, strlen(url), d);
	return xasprintf("%s/downloads/%s-%.16s.json", builddir, name, d + 7);
}

static char *
str_member(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

int
download_record_read(const char *path, const char *url,
		     struct download_record *rec)
{
	json_t *o = jsonfile_load(path, 0, NULL);
	const char *u = json_string_value(json_object_get(o, "url"));
	const char *d = json_string_value(json_object_get(o, "digest"));
	const json_t *size = json_object_get(o, "size");
	int r = 1;

	memset(rec, 0, sizeof(*rec));
	if (!json_is_object(o) || !u || strcmp(u, url) != 0 || !d ||
	    !digest_valid(d) || !json_is_integer(size))
		goto out;
	rec->url = xstrdup(u);
	memcpy(rec->digest, d, DIGEST_LEN);
	rec->size = (long long)json_integer_value(size);
	rec->etag = str_member(o, "etag");
	rec->last_modified = str_member(o, "last_modified");
	r = 0;
out:
	json_decref(o);
	return r;
}

int
download_record_write(const char *path, const struct download_record *rec,
		      struct err **errp)
{
	autofree char *dir = fs_dirname(path), *text = NULL, *line = NULL;
	json_t *o = json_object();

	json_object_set_new(o, "url", json_string(rec->url));
	json_object_set_new(o, "digest", json_string(rec->digest));
	json_object_set_new(o, "size", json_integer(rec->size));
	if (rec->etag)
		json_object_set_new(o, "etag", json_string(rec->etag));
	if (rec->last_modified)
		json_object_set_new(o, "last_modified",
				    json_string(rec->last_modified));
	text = json_dumps(o, JSON_SORT_KEYS | JSON_INDENT(2));
	json_decref(o);
	if (!text)
		return err_make(errp, 0, "cannot write '%s': a header is not "
				"valid UTF-8", path);
	if (fs_mkdir_p(dir, errp) < 0)
		return -1;
	/* steps running at once may record one URL: each writes a
	 * temporary of its own and renames it */
	line = xasprintf("%s\n", text);
	return fs_write_atomic(path, line, strlen(line), FS_WRITE_0644, errp);
}

void
download_record_fini(struct download_record *rec)
{
	free(rec->url);
	free(rec->etag);
	free(rec->last_modified);
	memset(rec, 0, sizeof(*rec));
}

time_t
download_http_date(const char *s)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char wday[4], mon[4];
	struct tm tm;
	int n = 0;
	const char *m;

	/* "Sun, 06 Nov 1994 08:49:37 GMT"; by hand, so that no locale
	 * changes the names */
	memset(&tm, 0, sizeof(tm));
	if (!s || sscanf(s, "%3[A-Za-z], %2d %3[A-Za-z] %4d %2d:%2d:%2d GMT%n",
			 wday, &tm.tm_mday, mon, &tm.tm_year, &tm.tm_hour,
			 &tm.tm_min, &tm.tm_sec, &n) != 7 || s[n] != '\0')
		return -1;
	m = strlen(mon) == 3 ? strstr(months, mon) : NULL;
	if (!m || (m - months) % 3 != 0 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 60)
		return -1;
	tm.tm_mon = (int)(m - months) / 3;
	tm.tm_year -= 1900;
	return timegm(&tm);
}

static void
set_mtime(struct download *out, const char *last_modified)
{
	time_t t = download_http_date(last_modified);

	/* BuildKit gives the file the Last-Modified time; without one it is
	 * the time of the download, which the layer holds (clamped to
	 * SOURCE_DATE_EPOCH when that is given) */
	if (t >= 0) {
		out->mtime.tv_sec = t;
		out->mtime.tv_nsec = 0;
	} else {
		clock_gettime(CLOCK_REALTIME, &out->mtime);
	}
}

/* the body of a 2xx response, into a staged store blob */
struct sink {
	struct store_blob *w;
	struct err *err;
};

static int
on_data(void *ctx, struct http_response *resp, const char *data, size_t len)
{
	struct sink *s = ctx;

	(void)resp;
	if (s->err)
		return -1;
	return store_blob_write(s->w, data, len, &s->err);
}

/*
 * GET url into a staged blob (*wp), retried as http.h says: every try
 * starts the blob afresh, so a broken transfer leaves nothing behind.
 * hdrs are the conditional headers. resp gets the last response.
 */
static int
get(const struct store *st, const char *url, struct curl_slist *hdrs,
    struct http_response *resp, struct store_blob **wp, struct err **errp)
{
	struct sink s = { NULL, NULL };
	int tries = http_attempts(), r = -1;
	CURLcode code;

	resp->sink = on_data;
	resp->sink_ctx = &s;
	for (int n = 1;; n++) {
		CURL *e;

		store_blob_abort(s.w);
		s.w = NULL;
		if (store_blob_begin(st, &s.w, errp) < 0)
			goto out;
		http_response_reset(resp);
		e = http_easy("GET", url, hdrs, resp, errp);
		if (!e)
			goto out;
		code = curl_easy_perform(e);
		curl_easy_cleanup(e);
		if (s.err) {
			err_free(*errp);
			*errp = steal_pointer(&s.err);
			err_wrap(errp, "cannot download '%s'", url);
			goto out;
		}
		/* an error page past the limit: its status says enough */
		if (resp->too_big)
			code = CURLE_OK;
		if (code == CURLE_OK && !http_status_retryable(resp->status))
			break;
		if (code != CURLE_OK && !http_code_retryable(code)) {
			err_make(errp, 0, "cannot download '%s': %s", url,
				 resp->errbuf[0] ? resp->errbuf :
						   curl_easy_strerror(code));
			goto out;
		}
		if (n >= tries) {
			if (code == CURLE_OK)
				break;
			err_make(errp, 0, "cannot download '%s': %s (tried %d "
				 "time%s)", url, resp->errbuf[0] ? resp->errbuf :
				 curl_easy_strerror(code), n, n == 1 ? "" : "s");
			goto out;
		}
		http_sleep_ms(http_backoff_ms(n, code == CURLE_OK ?
						 http_retry_after(resp) : -1));
	}
	*wp = steal_pointer(&s.w);
	r = 0;
out:
	store_blob_abort(s.w);
	err_free(s.err);
	resp->sink = NULL;
	resp->sink_ctx = NULL;
	return r;
}

/* fetch url (conditionally when old is not NULL) and record the answer */
static int
fetch(const struct store *st, const char *rpath, const char *url,
      const struct download_record *old, const char *checksum,
      struct download *out, struct err **errp)
{
	struct http_response resp;
	struct strv h = STRV_INIT;
	struct curl_slist *hdrs = NULL;
	struct store_blob *w = NULL;
	struct download_record rec;
	int r = -1;

	if (curl_dl_load(errp) < 0)
		return -1;
	if (old && old->etag)
		strv_push(&h, xasprintf("If-None-Match: %s", old->etag));
	if (old && old->last_modified)
		strv_push(&h, xasprintf("If-Modified-Since: %s",
					old->last_modified));
	hdrs = http_slist(&h);
	http_response_init(&resp, HTTP_SMALL_MAX);
	if (get(st, url, hdrs, &resp, &w, errp) < 0)
		goto out;
	if (resp.status == 304 && old) {
		/* unchanged: the blob we have */
		memcpy(out->digest, old->digest, DIGEST_LEN);
		out->size = old->size;
		set_mtime(out, old->last_modified);
		r = 0;
		goto out;
	}
	if (resp.status < 200 || resp.status > 299) {
		err_make(errp, 0, "cannot download '%s': HTTP status %ld", url,
			 resp.status);
		goto out;
	}
	memset(&rec, 0, sizeof(rec));
	if (store_blob_commit(w, checksum, rec.digest, &rec.size, errp) < 0) {
		w = NULL;
		/* a mismatch says "digest mismatch: expected ..., got ..." */
		if (checksum)
			err_wrap(errp, "--checksum of '%s'", url);
		else
			err_wrap(errp, "cannot store the download of '%s'", url);
		goto out;
	}
	w = NULL;
	rec.url = (char *)url;
	rec.etag = (char *)http_header(&resp, "etag");
	rec.last_modified = (char *)http_header(&resp, "last-modified");
	if (download_record_write(rpath, &rec, errp) < 0)
		goto out;
	memcpy(out->digest, rec.digest, DIGEST_LEN);
	out->size = rec.size;
	set_mtime(out, rec.last_modified);
	r = 0;
out:
	store_blob_abort(w);
	http_response_fini(&resp);
	curl_slist_free_all(hdrs);
	strv_fini(&h);
	return r;
}

int
download_fetch(const struct store *st, const char *builddir, const char *url,
	       const char *checksum, struct download *out, struct err **errp)
{
	autofree char *rpath = download_record_path(builddir, url);
	struct download_record rec;
	bool have;
	int r;

	memset(out, 0, sizeof(*out));
	if (download_kind(url) != DOWNLOAD_HTTP)
		return err_make(errp, 0, "cannot download '%s': not an http or "
				"https URL", url);
	if (checksum && !digest_valid(checksum))
		return err_make(errp, 0, "invalid --checksum '%s': expected "
				"sha256:<64 lower-case hex digits>", checksum);
	have = download_record_read(rpath, url, &rec) == 0 &&
	       store_has_blob(st, rec.digest);
	if (checksum && store_has_blob(st, checksum)) {
		/* pinned, and here already: nothing to ask */
		long long size = 0;
		struct stat sb;
		autofree char *blob = store_blob_path(st, checksum);

		if (stat(blob, &sb) == 0)
			size = (long long)sb.st_size;
		memcpy(out->digest, checksum, DIGEST_LEN);
		out->size = size;
		set_mtime(out, have && strcmp(rec.digest, checksum) == 0 ?
				       rec.last_modified : NULL);
		download_record_fini(&rec);
		return 0;
	}
	/* a pinned download not in the store needs the bytes, whatever the
	 * server's validators say */
	r = fetch(st, rpath, url, have && !checksum ? &rec : NULL, checksum,
		  out, errp);
	download_record_fini(&rec);
	return r;
}
