#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "image/archive_dl.h"
#include "util/alloc.h"
#include "util/err.h"
#include "layer.h"
#include "layer_sum.h"
#include "layer_walk.h"
#include "store.h"
#include "tarlocale.h"

/* where the tar bytes go */
typedef int sink_fn(void *ctx, const void *data, size_t len, struct err **errp);

struct packer {
	struct archive *a;
	struct archive_entry *e;
	const time_t *clamp;	/* the latest mtime, or NULL */
	struct digest *sum;	/* also computed when not NULL (layer_sum.h) */
	sink_fn *sink;
	void *ctx;
	struct err *sink_err;
};

static la_ssize_t
on_write(struct archive *a, void *ctx, const void *data, size_t len)
{
	struct packer *p = ctx;

	if (p->sink(p->ctx, data, len, &p->sink_err) < 0) {
		archive_set_error(a, EIO, "writing the layer failed");
		return -1;
	}
	return (la_ssize_t)len;
}

/* report a libarchive failure, or the sink's error behind it */
static int
ar_error(struct packer *p, struct err **errp)
{
	const char *msg;

	if (p->sink_err) {
		if (errp) {
			err_free(*errp);
			*errp = p->sink_err;
		} else {
			err_free(p->sink_err);
		}
		p->sink_err = NULL;
		return -1;
	}
	msg = archive_error_string(p->a);
	return err_make(errp, 0, "%s", msg ? msg : "unknown libarchive error");
}

static int
on_data(void *ctx, const void *data, size_t len, struct err **errp)
{
	struct packer *p = ctx;

	if (p->sum)
		digest_update(p->sum, data, len);
	if (archive_write_data(p->a, data, len) < 0)
		return ar_error(p, errp);
	return 0;
}

/* one entry of the walk (layer_walk.h) as a tar entry */
static int
on_entry(void *ctx, const struct layer_entry *le, struct err **errp)
{
	struct packer *p = ctx;
	struct archive_entry *e = p->e;

	if (p->sum)
		layer_sum_entry(p->sum, le);
	archive_entry_clear(e);
	archive_entry_copy_pathname(e, le->path);
	archive_entry_set_filetype(e, le->type);
	archive_entry_set_perm(e, le->perm);
	archive_entry_set_uid(e, le->uid);
	archive_entry_set_gid(e, le->gid);
	/* no atime or ctime: unset, they stay out of the pax header */
	archive_entry_set_mtime(e, p->clamp && le->mtime > *p->clamp ? *p->clamp :
				le->mtime, 0);
	if (le->type == S_IFREG)
		archive_entry_set_size(e, le->size);
	if (le->hardlink)
		archive_entry_copy_hardlink(e, le->hardlink);
	if (le->symlink)
		archive_entry_copy_symlink(e, le->symlink);
	if (le->type == S_IFCHR || le->type == S_IFBLK) {
		archive_entry_set_rdevmajor(e, le->rdev_major);
		archive_entry_set_rdevminor(e, le->rdev_minor);
	}
	if (le->caps)
		archive_entry_xattr_add_entry(e, "security.capability", le->caps, le->caps_len);
	/* ARCHIVE_WARN: a name that is not UTF-8, written as raw bytes */
	if (archive_write_header(p->a, e) < ARCHIVE_WARN)
		return ar_error(p, errp);
	return 0;
}

static int
start_archive(struct packer *p, struct err **errp)
{
	if (archive_dl_load(errp) < 0)
		return -1;
	p->a = archive_write_new();
	p->e = archive_entry_new();
	if (!p->a || !p->e)
		return err_make(errp, ENOMEM, "cannot start libarchive");
	if (archive_write_set_format_pax_restricted(p->a) != ARCHIVE_OK ||
	    archive_write_add_filter_none(p->a) != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(p->a, 1 << 16) != ARCHIVE_OK ||
	    /* no padding after the end-of-archive blocks */
	    archive_write_set_bytes_in_last_block(p->a, 1) != ARCHIVE_OK)
		return ar_error(p, errp);
	/* xattrs as SCHILY.xattr (what Go's archive/tar reads) and not also
	 * as LIBARCHIVE.xattr */
	if (archive_write_set_format_option(p->a, "pax", "xattrheader",
					    "SCHILY") < ARCHIVE_WARN)
		return ar_error(p, errp);
	if (archive_write_open(p->a, p, NULL, on_write, NULL) != ARCHIVE_OK)
		return ar_error(p, errp);
	return 0;
}

/* write the tar of dir to sink; its sum into sum when not NULL */
static int
pack(const char *dir, const time_t *clamp, sink_fn *sink, void *ctx, bool *empty,
     char *sum, struct err **errp)
{
	struct packer p = { .clamp = clamp, .sink = sink, .ctx = ctx };
	locale_t saved;
	int r;

	if (sum)
		p.sum = layer_sum_new();
	saved = tarlocale_enter(TARLOCALE_WRITE);
	r = start_archive(&p, errp);
	if (r == 0)
		r = layer_walk(dir, on_entry, on_data, &p, empty, errp);
	if (r == 0 && archive_write_close(p.a) != ARCHIVE_OK)
		r = ar_error(&p, errp);
	if (p.a)
		archive_write_free(p.a);
	if (p.e)
		archive_entry_free(p.e);
	tarlocale_leave(saved);
	err_free(p.sink_err);
	if (r == 0 && p.sum)
		digest_final(p.sum, sum);
	else
		digest_free(p.sum);
	if (r < 0)
		return err_wrap(errp, "packing '%s'", dir);
	return 0;
}

static int
digest_sink(void *ctx, const void *data, size_t len, struct err **errp)
{
	(void)errp;
	digest_update(ctx, data, len);
	return 0;
}

int
layer_digest_dir(const char *dir, const time_t *clamp, char diff_id[DIGEST_LEN],
		 bool *empty, struct err **errp)
{
	struct digest *d = digest_new();

	if (pack(dir, clamp, digest_sink, d, empty, NULL, errp) < 0) {
		digest_free(d);
		return -1;
	}
	digest_final(d, diff_id);
	return 0;
}

struct gz {
	z_stream z;
	struct digest *diff;
	struct store_blob *blob;
	unsigned char out[1 << 16];
};

/* deflate what is in g->z, sending the output to the blob */
static int
gz_run(struct gz *g, int flush, struct err **errp)
{
	int zr;

	do {
		size_t have;

		g->z.next_out = g->out;
		g->z.avail_out = sizeof(g->out);
		zr = deflate(&g->z, flush);
		if (zr == Z_STREAM_ERROR)
			return err_make(errp, 0, "zlib: deflate failed");
		have = sizeof(g->out) - g->z.avail_out;
		if (have && store_blob_write(g->blob, g->out, have, errp) < 0)
			return -1;
	} while (g->z.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
	return 0;
}

static int
gz_sink(void *ctx, const void *data, size_t len, struct err **errp)
{
	struct gz *g = ctx;
	const unsigned char *p = data;

	digest_update(g->diff, data, len);
	while (len > 0) {
		uInt n = len > UINT_MAX ? UINT_MAX : (uInt)len;

		g->z.next_in = (Bytef *)p;
		g->z.avail_in = n;
		if (gz_run(g, Z_NO_FLUSH, errp) < 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

int
layer_pack_dir(const struct store *st, const char *dir, const time_t *clamp,
	       char diff_id[DIGEST_LEN], char blob_digest[DIGEST_LEN],
	       long long *blob_size, char *sum, struct err **errp)
{
	struct gz *g = xcalloc(1, sizeof(*g));
	int r;

	if (store_blob_begin(st, &g->blob, errp) < 0) {
		free(g);
		return err_wrap(errp, "packing '%s'", dir);
	}
	/* windowBits 16 + 15: a gzip wrapper with zlib's fixed header (no
	 * name, mtime 0); level 6 is what gzip and Go use by default */
	if (deflateInit2(&g->z, 6, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		store_blob_abort(g->blob);
		free(g);
		return err_make(errp, 0, "packing '%s': zlib: cannot start", dir);
	}
	g->diff = digest_new();
	r = pack(dir, clamp, gz_sink, g, NULL, sum, errp);
	if (r == 0 && gz_run(g, Z_FINISH, errp) < 0)
		r = err_wrap(errp, "packing '%s'", dir);
	deflateEnd(&g->z);
	if (r == 0) {
		digest_final(g->diff, diff_id);
		g->diff = NULL;
		r = store_blob_commit(g->blob, NULL, blob_digest, blob_size, errp);
		if (r < 0)
			err_wrap(errp, "packing '%s'", dir);
	} else {
		store_blob_abort(g->blob);
	}
	digest_free(g->diff);
	free(g);
	return r;
}
