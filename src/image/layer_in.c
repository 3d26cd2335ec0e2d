#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "image/archive_dl.h"
#include "util/alloc.h"
#include "util/err.h"
#include "layer_in.h"
#include "tarlocale.h"

struct layer_in {
	struct archive *raw;	/* decompresses */
	struct archive *tar;	/* parses what raw gives */
	struct digest *d;
	int64_t total;
	bool raw_eof, raw_failed;
};

/* the tar reader's read callback: the next decompressed block, hashed */
static la_ssize_t
pull(struct archive *tar, void *ctx, const void **buf)
{
	struct layer_in *in = ctx;
	const void *p;
	size_t n;
	la_int64_t off;
	int r;

	for (;;) {
		if (in->raw_eof)
			return 0;
		r = archive_read_data_block(in->raw, &p, &n, &off);
		if (r == ARCHIVE_EOF) {
			in->raw_eof = true;
			return 0;
		}
		if (r != ARCHIVE_OK || off != in->total) {
			const char *msg = r != ARCHIVE_OK
					  ? archive_error_string(in->raw)
					  : "decompressed data out of order";

			in->raw_failed = true;
			archive_set_error(tar, EIO, "%s",
					  msg ? msg : "corrupt or truncated data");
			return -1;
		}
		if (n == 0)
			continue;
		digest_update(in->d, p, n);
		in->total += (int64_t)n;
		*buf = p;
		return (la_ssize_t)n;
	}
}

static int
ar_error(struct layer_in *in, struct archive *a, struct err **errp)
{
	const char *msg;

	/* a decompression failure says more than the tar reader's echo */
	if (in->raw_failed && archive_error_string(in->raw))
		a = in->raw;
	msg = archive_error_string(a);
	/* libarchive fails some short reads (a gzip trailer cut off) without
	 * saying why */
	return err_make(errp, 0, "%s", msg ? msg : "corrupt or truncated data");
}

static int
open_both(struct layer_in *in, int fd, struct err **errp)
{
	struct archive_entry *e;
	int r;

	in->raw = archive_read_new();
	in->tar = archive_read_new();
	if (!in->raw || !in->tar)
		return err_make(errp, ENOMEM, "cannot start libarchive");
	/* exactly the compressions images use; archive_read_support_filter_all
	 * would also run external programs (lrzip, lzop, grzip) */
	archive_read_support_filter_gzip(in->raw);
	archive_read_support_filter_bzip2(in->raw);
	archive_read_support_filter_xz(in->raw);
	archive_read_support_filter_zstd(in->raw);
	archive_read_support_format_raw(in->raw);
	/* no bytes at all: a layer without entries, as Docker reads it */
	archive_read_support_format_empty(in->raw);
	if (archive_read_open_fd(in->raw, fd, 1 << 17) != ARCHIVE_OK)
		return ar_error(in, in->raw, errp);
	r = archive_read_next_header(in->raw, &e);
	if (r == ARCHIVE_EOF)
		in->raw_eof = true;
	else if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
		return ar_error(in, in->raw, errp);

	archive_read_support_format_tar(in->tar);
	/* no bytes at all: a layer without entries, as Docker reads it */
	archive_read_support_format_empty(in->tar);
	if (archive_read_open(in->tar, in, NULL, pull, NULL) != ARCHIVE_OK)
		return ar_error(in, in->tar, errp);
	return 0;
}

int
layer_in_open(int fd, struct layer_in **inp, struct err **errp)
{
	struct layer_in *in;
	locale_t saved;
	int r;

	if (archive_dl_load(errp) < 0)
		return -1;
	in = xcalloc(1, sizeof(*in));
	saved = tarlocale_enter(TARLOCALE_READ);

	in->d = digest_new();
	r = open_both(in, fd, errp);
	tarlocale_leave(saved);
	if (r < 0) {
		layer_in_free(in);
		return -1;
	}
	*inp = in;
	return 0;
}

int
layer_in_next(struct layer_in *in, struct archive_entry **ep, struct err **errp)
{
	locale_t saved = tarlocale_enter(TARLOCALE_READ);
	int r = archive_read_next_header(in->tar, ep);

	tarlocale_leave(saved);
	if (r == ARCHIVE_EOF)
		return 0;
	/* a warning is a name that is not valid in the locale: the raw
	 * bytes are kept, which is what we want */
	if (r == ARCHIVE_OK || r == ARCHIVE_WARN)
		return 1;
	return ar_error(in, in->tar, errp);
}

int
layer_in_data(struct layer_in *in, const void **buf, size_t *len,
	      int64_t *offset, struct err **errp)
{
	la_int64_t off;
	int r = archive_read_data_block(in->tar, buf, len, &off);

	if (r == ARCHIVE_EOF)
		return 0;
	if (r != ARCHIVE_OK)
		return ar_error(in, in->tar, errp);
	*offset = off;
	return 1;
}

int
layer_in_finish(struct layer_in *in, char diff_id[DIGEST_LEN], struct err **errp)
{
	const void *p;

	/* what the tar reader left: the end-of-archive blocks and the
	 * padding of the last record are part of the diff id */
	for (;;) {
		la_ssize_t n = pull(in->tar, in, &p);

		if (n < 0)
			return ar_error(in, in->raw, errp);
		if (n == 0)
			break;
	}
	digest_final(in->d, diff_id);
	in->d = NULL;
	return 0;
}

void
layer_in_free(struct layer_in *in)
{
	if (!in)
		return;
	if (in->tar)
		archive_read_free(in->tar);
	if (in->raw)
		archive_read_free(in->raw);
	digest_free(in->d);
	free(in);
}
