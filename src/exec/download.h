#ifndef DF2NINJA_DOWNLOAD_H
#define DF2NINJA_DOWNLOAD_H

#include <time.h>

#include "oci/digest.h"

struct err;
struct store;

/*
 * ADD <url>: an http(s) file streamed into the store (hashed as it
 * arrives, kept only when complete and, with --checksum, matching), then
 * copied into the image by copy.c.
 *
 * Without a checksum the server is asked again on every build, with the
 * validators of the last answer: <builddir>/downloads/<download_record_path
 * name> records, per URL, the blob it gave and its ETag and Last-Modified,
 * sent back as If-None-Match and If-Modified-Since. A 304 reuses the blob;
 * a 200 with the same bytes gives the same blob: either way the step's
 * layer, and so its stamp, stays the same. With a checksum a blob already
 * in the store is used without asking.
 *
 * Requests go through registry/http.h (certificate checks, redirects, the
 * retries of $DF2NINJA_REGISTRY_RETRIES); the URL's own scheme is used, as
 * Docker does: http:// is plain HTTP to any host.
 */

/* what an ADD source names */
enum download_kind {
	DOWNLOAD_NONE,		/* a path */
	DOWNLOAD_HTTP,		/* an http:// or https:// file */
	DOWNLOAD_GIT,		/* a Git repository: git@..., git://,
				 * ssh://, http(s) ending in ".git" */
	DOWNLOAD_OTHER,		/* another "scheme://" */
};

enum download_kind download_kind(const char *src);

/*
 * the name BuildKit gives the file of an ADD <url>: the last element of
 * the URL's path, percent-decoded ("__unnamed__" for an empty path, "/"
 * or "."); NULL when that element is ".." or holds a NUL byte. The
 * returned string is owned by the caller.
 */
char *download_file_name(const char *url);

/* what is remembered about a URL between builds */
struct download_record {
	char *url;
	char digest[DIGEST_LEN];	/* the blob it gave */
	long long size;
	char *etag;			/* the ETag header, or NULL */
	char *last_modified;		/* the Last-Modified header, or NULL */
};

/* the record of url in builddir: downloads/<the URL made a file name,
 * with a digest of it>.json; caller frees */
char *download_record_path(const char *builddir, const char *url);
/*
 * read the record at path into rec: 0, or 1 when there is none or it is
 * not a record of url (a damaged record is only a lost cache entry)
 */
int download_record_read(const char *path, const char *url,
			 struct download_record *rec);
/* write rec at path (atomically: readers see the old or the new one) */
int download_record_write(const char *path,
			  const struct download_record *rec, struct err **errp);
void download_record_fini(struct download_record *rec);

/* the seconds since the epoch of an HTTP date (IMF-fixdate, RFC 9110),
 * or -1 when it is none */
time_t download_http_date(const char *s);

/* a file downloaded into the store */
struct download {
	char digest[DIGEST_LEN];
	long long size;
	struct timespec mtime;	/* Last-Modified when known, else now */
};

/*
 * make sure the file at url (http or https) is in st: fetched, or
 * revalidated as above, and recorded in builddir. checksum ("sha256:<hex>")
 * or NULL. Errors name the URL: the transfer's failure, a status other
 * than 2xx (or 304 to a conditional request), a checksum that is no
 * sha256 digest or does not match (nothing is then kept).
 */
int download_fetch(const struct store *st, const char *builddir,
		   const char *url, const char *checksum, struct download *out,
		   struct err **errp);

#endif
