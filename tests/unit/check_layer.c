#include <archive.h>
#include <archive_entry.h>
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <zlib.h>

#include "image/layer.h"
#include "image/layer_sum.h"
#include "image/store.h"
#include "oci/digest.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "unit.h"

/* sha256 of 1024 zero bytes: Docker's empty layer */
#define EMPTY_TAR "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"

static char tmpdir[] = "/tmp/check_layer.XXXXXX";
static struct store st;

static void
setup(void)
{
	autofree char *root = NULL;
	struct err *e = NULL;

	strcpy(tmpdir, "/tmp/check_layer.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	root = xasprintf("%s/store", tmpdir);
	setenv("DF2NINJA_STORE", root, 1);
	unsetenv("SOURCE_DATE_EPOCH");
	ck_assert_int_eq(store_open(&st, &e), 0);
}

static void
teardown(void)
{
	store_close(&st);
	unit_rm_rf(tmpdir);
}

/* tmpdir/name; caller frees */
static char *
tpath(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

/* root, mknod and trusted.* xattrs: what most of these tests need */
static bool
privileged(void)
{
	autofree char *p = xasprintf("%s/probe", tmpdir);
	bool ok;

	if (geteuid() != 0)
		return false;
	ok = mknod(p, S_IFCHR | 0600, makedev(0, 0)) == 0;
	unlink(p);
	ok = ok && mkdir(p, 0755) == 0 &&
	     setxattr(p, "trusted.overlay.opaque", "y", 1, 0) == 0;
	rmdir(p);
	if (!ok)
		printf("# SKIP needs root, mknod and trusted xattrs\n");
	return ok;
}

static int
count_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int n = 0;

	ck_assert_msg(d != NULL, "opendir %s", path);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void
assert_store_clean(void)
{
	autofree char *layers = tpath("store/layers/sha256");
	autofree char *tmp = tpath("store/tmp");

	ck_assert_int_eq(count_entries(layers), 0);
	ck_assert_int_eq(count_entries(tmp), 0);
}

static void
put_file(const char *path, const char *data, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	ck_assert_msg(fd >= 0, "create %s: %s", path, strerror(errno));
	ck_assert_int_eq(write(fd, data, strlen(data)), (ssize_t)strlen(data));
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

static void
put_in(const char *dir, const char *name, const char *data, mode_t mode)
{
	autofree char *p = xasprintf("%s/%s", dir, name);

	put_file(p, data, mode);
}

static char *
get_file(const char *path)
{
	char *data = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "r");
	struct buf b = BUF_INIT;
	char chunk[256];

	ck_assert_msg(f != NULL, "open %s: %s", path, strerror(errno));
	while ((len = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_putn(&b, chunk, len);
	fclose(f);
	data = buf_steal(&b);
	return data;
}

static bool
exists(const char *path)
{
	struct stat sb;

	return lstat(path, &sb) == 0;
}

/* ---- building tars with libarchive ---- */

struct tent {
	const char *name;
	char type;		/* f d l h p c */
	const char *data;	/* content, or link target */
	unsigned mode;
	unsigned uid, gid;
	long mtime;
	unsigned maj, min;
	const char *xname, *xvalue;
};

static la_ssize_t
to_buf(struct archive *a, void *ctx, const void *data, size_t len)
{
	(void)a;
	buf_putn(ctx, data, len);
	return (la_ssize_t)len;
}

/* the uncompressed tar of entries, in b */
static void
make_tar(struct buf *b, const struct tent *t, size_t n)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();

	archive_write_set_format_pax_restricted(a);
	archive_write_add_filter_none(a);
	ck_assert_int_eq(archive_write_open(a, b, NULL, to_buf, NULL), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		size_t len = 0;

		archive_entry_clear(e);
		archive_entry_set_pathname(e, t[i].name);
		archive_entry_set_uid(e, t[i].uid);
		archive_entry_set_gid(e, t[i].gid);
		archive_entry_set_mtime(e, t[i].mtime, 0);
		archive_entry_set_perm(e, t[i].mode ? t[i].mode : 0644);
		switch (t[i].type) {
		case 'f':
			archive_entry_set_filetype(e, AE_IFREG);
			len = t[i].data ? strlen(t[i].data) : 0;
			archive_entry_set_size(e, (la_int64_t)len);
			break;
		case 'd':
			archive_entry_set_filetype(e, AE_IFDIR);
			break;
		case 'l':
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_symlink(e, t[i].data);
			break;
		case 'h':
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_hardlink(e, t[i].data);
			break;
		case 'p':
			archive_entry_set_filetype(e, AE_IFIFO);
			break;
		case 'c':
			archive_entry_set_filetype(e, AE_IFCHR);
			archive_entry_set_rdevmajor(e, t[i].maj);
			archive_entry_set_rdevminor(e, t[i].min);
			break;
		default:
			ck_abort_msg("bad type %c", t[i].type);
		}
		if (t[i].xname)
			archive_entry_xattr_add_entry(e, t[i].xname, t[i].xvalue,
						      strlen(t[i].xvalue));
		ck_assert_int_eq(archive_write_header(a, e), ARCHIVE_OK);
		if (len)
			ck_assert_int_eq(archive_write_data(a, t[i].data, len),
					 (la_ssize_t)len);
	}
	ck_assert_int_eq(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	archive_entry_free(e);
}

/* write data to path compressed with filter ("none", "gzip", "xz", ...) */
static void
write_blob(const char *path, const struct buf *data, const char *filter)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();

	archive_write_set_format_raw(a);
	if (strcmp(filter, "none") == 0)
		ck_assert_int_eq(archive_write_add_filter_none(a), ARCHIVE_OK);
	else
		ck_assert_int_eq(archive_write_add_filter_by_name(a, filter), ARCHIVE_OK);
	/* no padding: the blob is exactly the compressed stream */
	archive_write_set_bytes_in_last_block(a, 1);
	ck_assert_int_eq(archive_write_open_filename(a, path), ARCHIVE_OK);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_pathname(e, "data");
	archive_entry_set_size(e, (la_int64_t)data->len);
	ck_assert_int_eq(archive_write_header(a, e), ARCHIVE_OK);
	if (data->len)
		ck_assert_int_eq(archive_write_data(a, data->s, data->len),
				 (la_ssize_t)data->len);
	ck_assert_int_eq(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	archive_entry_free(e);
}

/* a blob in tmpdir holding the tar of t, compressed with filter; the
 * diff id (digest of the uncompressed tar) in diff */
static char *
tar_blob(const char *name, const struct tent *t, size_t n, const char *filter,
	 char diff[DIGEST_LEN])
{
	struct buf b = BUF_INIT;
	char *path = xasprintf("%s/%s", tmpdir, name);

	make_tar(&b, t, n);
	if (diff)
		digest_buf(b.s, b.len, diff);
	write_blob(path, &b, filter);
	buf_fini(&b);
	return path;
}

/* the diff id of a gzip blob, by zlib alone */
static void
gunzip_digest(const char *path, char out[DIGEST_LEN])
{
	char *gz = get_file(path);
	struct stat sb;
	struct digest *d = digest_new();
	unsigned char chunk[4096];
	z_stream z = { 0 };
	int zr;

	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(inflateInit2(&z, 16 + 15), Z_OK);
	z.next_in = (Bytef *)gz;
	z.avail_in = (uInt)sb.st_size;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		zr = inflate(&z, Z_NO_FLUSH);
		ck_assert_msg(zr == Z_OK || zr == Z_STREAM_END, "inflate %d", zr);
		digest_update(d, chunk, sizeof(chunk) - z.avail_out);
	} while (zr != Z_STREAM_END);
	ck_assert_uint_eq(z.avail_in, 0);
	inflateEnd(&z);
	digest_final(d, out);
	free(gz);
}

/* ---- unpacking ---- */

static const struct tent sample[] = {
	{ .name = "etc/", .type = 'd', .mode = 0750, .uid = 7, .gid = 8, .mtime = 111 },
	{ .name = "etc/hosts", .type = 'f', .data = "127.0.0.1 localhost\n",
	  .mode = 0640, .uid = 1234, .gid = 5678, .mtime = 1000000,
	  .xname = "user.test", .xvalue = "v1" },
	{ .name = "bin/su", .type = 'f', .data = "#!/bin/sh\n", .mode = 04755,
	  .mtime = 5 },
	{ .name = "etc/link", .type = 'l', .data = "hosts", .uid = 3, .gid = 4,
	  .mtime = 77 },
	{ .name = "etc/hard", .type = 'h', .data = "etc/hosts" },
	{ .name = "dev/fifo", .type = 'p', .mode = 0600 },
	{ .name = "dev/null", .type = 'c', .mode = 0666, .maj = 1, .min = 3 },
	{ .name = "/abs/file", .type = 'f', .data = "abs" },
	{ .name = "./dot/./file", .type = 'f', .data = "dot" },
	{ .name = "empty", .type = 'f' },
};

static void
check_sample(const char *layer)
{
	autofree char *hosts = xasprintf("%s/etc/hosts", layer);
	struct stat sb, sb2;
	char v[16];
	char *p, *s;

	s = get_file(hosts);
	ck_assert_str_eq(s, "127.0.0.1 localhost\n");
	free(s);
	ck_assert_int_eq(lstat(hosts, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 07777, 0640);
	ck_assert_int_eq(sb.st_uid, 1234);
	ck_assert_int_eq(sb.st_gid, 5678);
	ck_assert_int_eq(sb.st_mtime, 1000000);
	ck_assert_int_eq(sb.st_nlink, 2);
	if (getxattr(hosts, "user.test", v, sizeof(v)) >= 0)
		ck_assert_int_eq(memcmp(v, "v1", 2), 0);

	p = xasprintf("%s/etc/hard", layer);
	ck_assert_int_eq(lstat(p, &sb2), 0);
	ck_assert_int_eq(sb.st_ino, sb2.st_ino);
	free(p);

	p = xasprintf("%s/etc", layer);
	ck_assert_int_eq(lstat(p, &sb), 0);
	ck_assert(S_ISDIR(sb.st_mode));
	ck_assert_int_eq(sb.st_mode & 07777, 0750);
	ck_assert_int_eq(sb.st_uid, 7);
	/* set after its contents were written */
	ck_assert_int_eq(sb.st_mtime, 111);
	free(p);

	p = xasprintf("%s/etc/link", layer);
	ck_assert_int_eq(lstat(p, &sb), 0);
	ck_assert(S_ISLNK(sb.st_mode));
	ck_assert_int_eq(sb.st_uid, 3);
	ck_assert_int_eq(sb.st_mtime, 77);
	ck_assert_int_eq(readlink(p, v, sizeof(v)), 5);
	ck_assert_int_eq(memcmp(v, "hosts", 5), 0);
	free(p);

	p = xasprintf("%s/bin/su", layer);
	ck_assert_int_eq(lstat(p, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 07777, 04755);
	free(p);
	/* a directory the tar did not list */
	p = xasprintf("%s/bin", layer);
	ck_assert_int_eq(lstat(p, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 07777, 0755);
	free(p);

	p = xasprintf("%s/dev/fifo", layer);
	ck_assert_int_eq(lstat(p, &sb), 0);
	ck_assert(S_ISFIFO(sb.st_mode));
	free(p);
	p = xasprintf("%s/dev/null", layer);
	ck_assert_int_eq(lstat(p, &sb), 0);
	ck_assert(S_ISCHR(sb.st_mode));
	ck_assert_int_eq(sb.st_rdev, makedev(1, 3));
	ck_assert_int_eq(sb.st_mode & 07777, 0666);
	free(p);

	p = xasprintf("%s/abs/file", layer);
	ck_assert(exists(p));
	free(p);
	p = xasprintf("%s/dot/file", layer);
	ck_assert(exists(p));
	free(p);
	p = xasprintf("%s/empty", layer);
	ck_assert_int_eq(lstat(p, &sb), 0);
	ck_assert_int_eq(sb.st_size, 0);
	free(p);

	/* the root of a layer is the rootfs's "/" */
	ck_assert_int_eq(lstat(layer, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 07777, 0755);
}

START_TEST(test_unpack_formats)
{
	static const char *const filters[] = { "none", "gzip", "xz", "bzip2", "zstd" };
	char diff[DIGEST_LEN], got[DIGEST_LEN];
	struct err *e = NULL;
	autofree char *layer = NULL;

	if (!privileged())
		return;
	for (size_t i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
		autofree char *blob = tar_blob(filters[i], sample,
					       sizeof(sample) / sizeof(sample[0]),
					       filters[i], diff);

		memset(got, 0, sizeof(got));
		ck_assert_msg(layer_unpack(&st, blob, NULL, 0, got, &e) == 0,
			      "%s: %s", filters[i], e ? e->msg : "");
		ck_assert_str_eq(got, diff);
		ck_assert(store_has_layer(&st, diff));
		/* known layer: the blob is still read, to check it */
		ck_assert_int_eq(layer_unpack(&st, "/nonexistent", diff, 0, got, &e), -1);
		err_free(e);
		e = NULL;
		ck_assert_int_eq(layer_unpack(&st, blob, diff, 0, got, &e), 0);
	}
	layer = store_layer_path(&st, diff);
	check_sample(layer);
	{
		autofree char *tmp = tpath("store/tmp");
		autofree char *layers = tpath("store/layers/sha256");

		ck_assert_int_eq(count_entries(tmp), 0);
		ck_assert_int_eq(count_entries(layers), 1);
	}
}
END_TEST

START_TEST(test_unpack_expect)
{
	char diff[DIGEST_LEN], got[DIGEST_LEN];
	struct err *e = NULL;
	autofree char *blob = NULL;
	const char *wrong = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

	if (!privileged())
		return;
	blob = tar_blob("l.tgz", sample, sizeof(sample) / sizeof(sample[0]), "gzip", diff);
	ck_assert_int_eq(layer_unpack(&st, blob, wrong, 0, got, &e), -1);
	ck_assert_ptr_nonnull(strstr(e->msg, "diff id mismatch"));
	ck_assert_ptr_nonnull(strstr(e->msg, blob));
	err_free(e);
	e = NULL;
	assert_store_clean();
	ck_assert_int_eq(layer_unpack(&st, blob, "nonsense", 0, got, &e), -1);
	err_free(e);
	e = NULL;
	ck_assert_int_eq(layer_unpack(&st, blob, diff, 0, got, &e), 0);
	ck_assert_str_eq(got, diff);
	/* another blob under that diff id: refused though the layer is
	 * unpacked already, with the message a fresh store gives */
	{
		static const struct tent other[] = { { .name = "x", .type = 'f', .data = "x" } };
		autofree char *bad = tar_blob("o.tgz", other, 1, "gzip", NULL);

		ck_assert_int_eq(layer_unpack(&st, bad, diff, 0, got, &e), -1);
		ck_assert_ptr_nonnull(strstr(e->msg, "diff id mismatch"));
		ck_assert_ptr_nonnull(strstr(e->msg, bad));
		err_free(e);
	}
}
END_TEST

/* path into the store as a blob; its digest and size */
static void
store_blob(const char *path, char digest[DIGEST_LEN], long long *size)
{
	struct err *e = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(store_put_blob_fd(&st, fd, NULL, digest, size, &e), 0);
	close(fd);
}

START_TEST(test_unpack_blob)
{
	static const struct tent other[] = { { .name = "x", .type = 'f', .data = "x" } };
	char diff[DIGEST_LEN], good[DIGEST_LEN], bad[DIGEST_LEN], rec[DIGEST_LEN];
	autofree char *gpath = NULL, *bpath = NULL, *stored = NULL;
	long long gsize, bsize;
	struct err *e = NULL;
	struct stat sb;

	if (!privileged())
		return;
	gpath = tar_blob("g.tgz", sample, sizeof(sample) / sizeof(sample[0]), "gzip", diff);
	bpath = tar_blob("b.tgz", other, 1, "gzip", NULL);
	store_blob(gpath, good, &gsize);
	store_blob(bpath, bad, &bsize);

	/* a descriptor's size must be the blob's */
	ck_assert_int_eq(layer_unpack_blob(&st, good, gsize + 1, diff, 0, &e), -1);
	ck_assert_ptr_nonnull(strstr(e->msg, "size mismatch"));
	ck_assert_ptr_nonnull(strstr(e->msg, good));
	err_free(e);
	e = NULL;
	ck_assert(!store_has_layer(&st, diff));
	ck_assert(!store_get_diff_id(&st, good, rec));

	ck_assert_msg(layer_unpack_blob(&st, good, gsize, diff, 0, &e) == 0, "%s",
		      e ? e->msg : "");
	ck_assert(store_has_layer(&st, diff));
	ck_assert(store_get_diff_id(&st, good, rec));
	ck_assert_str_eq(rec, diff);

	/* the layer is there, but this blob is not its tar */
	ck_assert_int_eq(layer_unpack_blob(&st, bad, bsize, diff, 0, &e), -1);
	ck_assert_ptr_nonnull(strstr(e->msg, "diff id mismatch"));
	ck_assert_ptr_nonnull(strstr(e->msg, bad));
	err_free(e);
	e = NULL;
	ck_assert(!store_get_diff_id(&st, bad, rec));
	/* the size is checked even for a blob read once */
	ck_assert_int_eq(layer_unpack_blob(&st, good, gsize - 1, diff, 0, &e), -1);
	err_free(e);
	e = NULL;

	/* a blob read once is not read again: garble the store's copy */
	stored = store_blob_path(&st, good);
	ck_assert_int_eq(stat(stored, &sb), 0);
	{
		char *junk = xcalloc(1, (size_t)sb.st_size + 1);

		memset(junk, 'j', (size_t)sb.st_size);
		ck_assert_int_eq(unlink(stored), 0);
		put_file(stored, junk, 0444);
		free(junk);
	}
	ck_assert_msg(layer_unpack_blob(&st, good, gsize, diff, 0, &e) == 0, "%s",
		      e ? e->msg : "");
	ck_assert_int_eq(layer_unpack_blob(&st, "sha256:nonsense", 1, diff, 0, &e), -1);
	err_free(e);
}
END_TEST

/* a file holding the first len bytes of path */
static char *
truncated_copy(const char *path, double frac)
{
	char *out = xasprintf("%s.cut", path);
	char *data = get_file(path);
	struct stat sb;
	int fd;

	ck_assert_int_eq(stat(path, &sb), 0);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, (size_t)(sb.st_size * frac)),
			 (ssize_t)(size_t)(sb.st_size * frac));
	close(fd);
	free(data);
	return out;
}

START_TEST(test_unpack_truncated)
{
	static const char *const filters[] = { "gzip", "none", "xz" };
	struct tent big[] = {
		{ .name = "f", .type = 'f', .data = NULL },
		{ .name = "g", .type = 'f', .data = "tail" },
	};
	char *content = xmalloc(200001);
	struct err *e = NULL;
	char got[DIGEST_LEN];

	if (!privileged())
		return;
	/* enough data that a cut lands inside it */
	for (int i = 0; i < 200000; i++)
		content[i] = (char)('a' + (i * 7919) % 26);
	content[200000] = '\0';
	big[0].data = content;
	for (size_t i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
		autofree char *blob = tar_blob(filters[i], big, 2, filters[i], NULL);
		autofree char *cut = truncated_copy(blob, 0.5);

		ck_assert_msg(layer_unpack(&st, cut, NULL, 0, got, &e) == -1,
			      "truncated %s accepted", filters[i]);
		ck_assert_ptr_nonnull(strstr(e->msg, cut));
		err_free(e);
		e = NULL;
		assert_store_clean();
	}
	/* garbage is not a layer either */
	{
		autofree char *junk = tpath("junk");

		put_file(junk, "this is not a tar archive, not even close to one", 0644);
		ck_assert_int_eq(layer_unpack(&st, junk, NULL, 0, got, &e), -1);
		ck_assert_ptr_nonnull(strstr(e->msg, junk));
		err_free(e);
		assert_store_clean();
	}
	free(content);
}
END_TEST

START_TEST(test_unpack_empty_blob)
{
	autofree char *blob = tpath("zero");
	char got[DIGEST_LEN];
	struct err *e = NULL;

	if (!privileged())
		return;
	/* no bytes at all reads as a layer with no entries */
	put_file(blob, "", 0644);
	ck_assert_msg(layer_unpack(&st, blob, NULL, 0, got, &e) == 0, "%s", e ? e->msg : "");
	ck_assert_str_eq(got, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
END_TEST

/* each of these must be refused without writing outside the target */
static void
check_refused(const char *name, const struct tent *t, size_t n, int outside_n)
{
	autofree char *blob = tar_blob(name, t, n, "gzip", NULL);
	autofree char *outside = tpath("outside");
	autofree char *rootfs = tpath("rootfs");
	char got[DIGEST_LEN];
	struct err *e = NULL;
	struct stat pw1, pw2;

	ck_assert_int_eq(stat("/etc/passwd", &pw1), 0);
	ck_assert_msg(layer_unpack(&st, blob, NULL, 0, got, &e) == -1,
		      "%s: unpack accepted", name);
	ck_assert_ptr_nonnull(strstr(e->msg, blob));
	err_free(e);
	e = NULL;
	assert_store_clean();

	ck_assert_int_eq(mkdir(rootfs, 0755), 0);
	ck_assert_msg(layer_apply_tar(blob, rootfs, got, &e) == -1,
		      "%s: apply accepted", name);
	err_free(e);

	/* nothing escaped */
	ck_assert_int_eq(count_entries(outside), outside_n);
	ck_assert(!exists("/evil") && !exists("/df2ninja-check-evil"));
	{
		autofree char *evil = tpath("evil");

		ck_assert(!exists(evil));
	}
	ck_assert_int_eq(stat("/etc/passwd", &pw2), 0);
	ck_assert_int_eq(pw1.st_nlink, pw2.st_nlink);
	ck_assert_int_eq(pw1.st_size, pw2.st_size);
	{
		autofree char *cmd = xasprintf("rm -rf '%s'", rootfs);

		ck_assert_int_eq(system(cmd), 0);
	}
}

START_TEST(test_unpack_malicious)
{
	autofree char *outside = tpath("outside");
	struct tent dotdot[] = {
		{ .name = "ok", .type = 'f', .data = "fine" },
		{ .name = "../evil", .type = 'f', .data = "evil" },
	};
	struct tent deep_dotdot[] = {
		{ .name = "a/b/../../../evil", .type = 'f', .data = "evil" },
	};
	struct tent hardlink[] = {
		{ .name = "passwd", .type = 'h', .data = "/etc/passwd" },
	};
	struct tent hardlink_up[] = {
		{ .name = "passwd", .type = 'h', .data = "../../../../../../etc/passwd" },
	};
	struct tent symlink_root[] = {
		{ .name = "link", .type = 'l', .data = "/" },
		{ .name = "link/df2ninja-check-evil", .type = 'f', .data = "evil" },
	};
	struct tent symlink_out[] = {
		{ .name = "link", .type = 'l', .data = NULL },
		{ .name = "link/x", .type = 'f', .data = "evil" },
	};
	struct tent symlink_hardlink[] = {
		{ .name = "link", .type = 'l', .data = NULL },
		{ .name = "x", .type = 'h', .data = "link/x" },
	};
	struct tent bad_whiteout[] = {
		{ .name = "a/.wh..", .type = 'f' },
	};

	if (!privileged())
		return;
	ck_assert_int_eq(mkdir(outside, 0755), 0);
	symlink_out[0].data = outside;
	symlink_hardlink[0].data = outside;
	check_refused("dotdot", dotdot, 2, 0);
	check_refused("deep_dotdot", deep_dotdot, 1, 0);
	check_refused("hardlink", hardlink, 1, 0);
	check_refused("hardlink_up", hardlink_up, 1, 0);
	check_refused("symlink_root", symlink_root, 2, 0);
	check_refused("symlink_out", symlink_out, 2, 0);
	check_refused("bad_whiteout", bad_whiteout, 1, 0);
	{
		autofree char *x = xasprintf("%s/x", outside);
		struct stat sb;

		/* with a file there to link to; outside must stay as it was */
		put_file(x, "secret", 0600);
		check_refused("symlink_hardlink", symlink_hardlink, 2, 1);
		ck_assert_int_eq(stat(x, &sb), 0);
		ck_assert_int_eq(sb.st_nlink, 1);
		unlink(x);
	}
}
END_TEST

/* ---- packing ---- */

/* security.capability for cap_net_raw+ep (VFS_CAP_REVISION_2) */
static const unsigned char caps[20] = {
	0x01, 0x00, 0x00, 0x02, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static char *
in(const char *dir, const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

/* an overlayfs upper directory as a step may leave it */
static void
make_upper(const char *dir)
{
	autofree char *longdir = NULL;
	char longname[200];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *p;
	int s;

	ck_assert_int_eq(mkdir(dir, 0755), 0);
	put_file(p = in(dir, "a.txt"), "hello\n", 0644);
	free(p);
	ck_assert_int_eq(mkdir(p = in(dir, "a"), 0700), 0);
	free(p);
	put_file(p = in(dir, "a/b"), "b\n", 0600);
	ck_assert_int_eq(chown(p, 1000, 1001), 0);
	free(p);
	put_file(p = in(dir, "a-b"), "a-b\n", 0644);
	free(p);
	ck_assert_int_eq(mkdir(p = in(dir, "bin"), 0755), 0);
	free(p);
	put_file(p = in(dir, "bin/su"), "su\n", 04755);
	free(p);
	put_file(p = in(dir, "bin/ping"), "ping\n", 0755);
	ck_assert_int_eq(setxattr(p, "security.capability", caps, sizeof(caps), 0), 0);
	/* not kept: only security.capability is */
	setxattr(p, "user.junk", "x", 1, 0);
	free(p);
	ck_assert_int_eq(symlink("a.txt", p = in(dir, "link")), 0);
	free(p);
	ck_assert_int_eq(link(p = in(dir, "a.txt"), longdir = in(dir, "a/hl")), 0);
	free(p);
	free(longdir);
	ck_assert_int_eq(mkfifo(p = in(dir, "fifo"), 0644), 0);
	free(p);
	ck_assert_int_eq(mknod(p = in(dir, "null"), S_IFCHR | 0666, makedev(1, 3)), 0);
	ck_assert_int_eq(chmod(p, 0666), 0);
	free(p);
	/* deletions: a whiteout and an opaque directory */
	ck_assert_int_eq(mknod(p = in(dir, "gone"), S_IFCHR, makedev(0, 0)), 0);
	free(p);
	ck_assert_int_eq(mkdir(p = in(dir, "opq"), 0755), 0);
	ck_assert_int_eq(setxattr(p, "trusted.overlay.opaque", "y", 1, 0), 0);
	free(p);
	put_file(p = in(dir, "opq/new.txt"), "new\n", 0644);
	free(p);
	/* names ustar cannot hold */
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	longdir = in(dir, "long");
	ck_assert_int_eq(mkdir(longdir, 0755), 0);
	put_file(p = in(longdir, longname), "long\n", 0644);
	free(p);
	put_file(p = in(dir, "caf\xc3\xa9"), "utf8\n", 0644);
	free(p);
	put_file(p = in(dir, "cafe\xcc\x81"), "nfd\n", 0644);
	free(p);
	put_file(p = in(dir, "bad\xff"), "latin\n", 0644);
	free(p);
	/* a socket is left out */
	p = in(dir, "sock");
	if (strlen(p) < sizeof(sa.sun_path)) {
		strcpy(sa.sun_path, p);
		s = socket(AF_UNIX, SOCK_STREAM, 0);
		ck_assert_int_eq(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
		close(s);
	}
	free(p);
}

/* run cmd (taken over) with the shell */
static void
run(char *cmd)
{
	ck_assert_msg(system(cmd) == 0, "%s", cmd);
	free(cmd);
}

START_TEST(test_pack_deterministic)
{
	autofree char *up = tpath("upper");
	autofree char *copy = tpath("copy");
	char d1[DIGEST_LEN], d2[DIGEST_LEN], d3[DIGEST_LEN], dd[DIGEST_LEN];
	char b1[DIGEST_LEN], b2[DIGEST_LEN], b3[DIGEST_LEN], gz[DIGEST_LEN];
	char sum1[DIGEST_LEN], sum2[DIGEST_LEN], sum3[DIGEST_LEN];
	long long s1 = 0, s2 = 0;
	struct err *e = NULL;
	bool empty = true;
	autofree char *blob = NULL;

	if (!privileged())
		return;
	make_upper(up);
	ck_assert_msg(layer_pack_dir(&st, up, NULL, d1, b1, &s1, sum1, &e) == 0, "%s", e ? e->msg : "");
	ck_assert_int_eq(layer_pack_dir(&st, up, NULL, d2, b2, &s2, NULL, &e), 0);
	ck_assert_str_eq(d1, d2);
	ck_assert_str_eq(b1, b2);
	ck_assert_int_eq(s1, s2);
	ck_assert(store_has_blob(&st, b1));
	ck_assert_int_eq(layer_digest_dir(up, NULL, dd, &empty, &e), 0);
	ck_assert_str_eq(dd, d1);
	ck_assert(!empty);
	/* the sum the pack computes on the way is the step's */
	empty = true;
	ck_assert_int_eq(layer_sum_dir(up, sum2, &empty, &e), 0);
	ck_assert_str_eq(sum1, sum2);
	ck_assert(!empty);
	ck_assert(digest_valid(sum1));
	ck_assert_str_ne(sum1, d1);

	/* the blob really is the gzip of the tar the diff id names */
	blob = store_blob_path(&st, b1);
	gunzip_digest(blob, gz);
	ck_assert_str_eq(gz, d1);

	/* a copy: other inodes, readdir order, atimes and ctimes, the same
	 * mtimes */
	run(xasprintf("cp -a '%s' '%s'", up, copy));
	run(xasprintf("find '%s' '%s' -exec touch -h -m -d @123456789 {} + && "
		      "touch -a -d @5 '%s'/a.txt", up, copy, copy));
	ck_assert_int_eq(layer_pack_dir(&st, up, NULL, d1, b1, NULL, sum1, &e), 0);
	ck_assert_int_eq(layer_pack_dir(&st, copy, NULL, d3, b3, NULL, sum3, &e), 0);
	ck_assert_str_eq(d3, d1);
	ck_assert_str_eq(b3, b1);
	ck_assert_str_eq(sum3, sum1);
	ck_assert_int_eq(layer_digest_dir(copy, NULL, dd, NULL, &e), 0);
	ck_assert_str_eq(dd, d1);

	/* content and mode are content */
	put_in(copy, "a-b", "A-B\n", 0644);
	ck_assert_int_eq(layer_digest_dir(copy, NULL, dd, NULL, &e), 0);
	ck_assert_str_ne(dd, d1);
	put_in(copy, "a-b", "a-b\n", 0644);
	run(xasprintf("touch -m -d @123456789 '%s/a-b'", copy));
	ck_assert_int_eq(layer_digest_dir(copy, NULL, dd, NULL, &e), 0);
	ck_assert_str_eq(dd, d1);
	put_in(copy, "a-b", "a-b\n", 0640);
	ck_assert_int_eq(layer_digest_dir(copy, NULL, dd, NULL, &e), 0);
	ck_assert_str_ne(dd, d1);
}
END_TEST

/* dir's diff id and sum; true when both differ from the last ones, false
 * when neither does (the test fails when only one does) */
static bool
changed(const char *dir, char diff[DIGEST_LEN], char sum[DIGEST_LEN],
	const char *what)
{
	char d[DIGEST_LEN], s[DIGEST_LEN];
	struct err *e = NULL;
	bool dc, sc;

	ck_assert_msg(layer_digest_dir(dir, NULL, d, NULL, &e) == 0, "%s", e ? e->msg : "");
	ck_assert_msg(layer_sum_dir(dir, s, NULL, &e) == 0, "%s", e ? e->msg : "");
	dc = strcmp(d, diff) != 0;
	sc = strcmp(s, sum) != 0;
	ck_assert_msg(dc == sc, "%s: the diff id %s but the sum %s", what,
		      dc ? "changed" : "did not change", sc ? "changed" : "did not");
	memcpy(diff, d, DIGEST_LEN);
	memcpy(sum, s, DIGEST_LEN);
	return dc;
}

/* dir's mtimes changed: its diff id changes, its sum does not */
static void
times_changed(const char *dir, char diff[DIGEST_LEN], const char sum[DIGEST_LEN])
{
	char d[DIGEST_LEN], s[DIGEST_LEN];
	struct err *e = NULL;

	ck_assert_msg(layer_digest_dir(dir, NULL, d, NULL, &e) == 0, "%s", e ? e->msg : "");
	ck_assert_msg(layer_sum_dir(dir, s, NULL, &e) == 0, "%s", e ? e->msg : "");
	ck_assert_str_ne(d, diff);
	ck_assert_str_eq(s, sum);
	memcpy(diff, d, DIGEST_LEN);
}

/* a step's layer is named by its sum, its tar by the diff id: the sum
 * must change exactly when the tar does, but for the mtimes, which the
 * tar holds and the sum leaves out (layer_sum.h) */
START_TEST(test_sum_follows_tar)
{
	autofree char *up = tpath("upper");
	char diff[DIGEST_LEN] = "", sum[DIGEST_LEN] = "";
	char *p;

	if (!privileged())
		return;
	make_upper(up);
	ck_assert(changed(up, diff, sum, "first"));
	run(xasprintf("find '%s' -exec touch -h -d @99 {} +", up));
	times_changed(up, diff, sum);
	put_in(up, "a.txt", "hellO\n", 0644);
	ck_assert(changed(up, diff, sum, "data of the same size"));
	put_in(up, "a.txt", "hellO!\n", 0644);
	ck_assert(changed(up, diff, sum, "size"));
	run(xasprintf("chmod 0640 '%s/a/b'", up));
	ck_assert(changed(up, diff, sum, "mode"));
	run(xasprintf("chown 5:6 '%s/a-b'", up));
	ck_assert(changed(up, diff, sum, "owner"));
	run(xasprintf("chown 5:7 '%s/a-b'", up));
	ck_assert(changed(up, diff, sum, "group"));
	run(xasprintf("ln -sfn a-b '%s/link'", up));
	ck_assert(changed(up, diff, sum, "symlink target"));
	run(xasprintf("rm '%s/a/hl' && cp '%s/a.txt' '%s/a/hl'", up, up, up));
	ck_assert(changed(up, diff, sum, "hard link made a copy"));
	/* a whiteout's time is 0, whatever the whiteout device's */
	run(xasprintf("touch -h -d @77 '%s/gone'", up));
	ck_assert(!changed(up, diff, sum, "a whiteout's time"));
	run(xasprintf("rm '%s/gone'", up));
	ck_assert(changed(up, diff, sum, "whiteout"));
	ck_assert_int_eq(removexattr(p = in(up, "opq"), "trusted.overlay.opaque"), 0);
	free(p);
	ck_assert(changed(up, diff, sum, "opaque"));
	ck_assert_int_eq(removexattr(p = in(up, "bin/ping"), "security.capability"), 0);
	free(p);
	ck_assert(changed(up, diff, sum, "capabilities"));
	run(xasprintf("rm '%s/null' && mknod -m 0666 '%s/null' c 1 5", up, up));
	ck_assert(changed(up, diff, sum, "device numbers"));
	run(xasprintf("mv '%s/a-b' '%s/a-c'", up, up));
	ck_assert(changed(up, diff, sum, "name"));
	run(xasprintf("mkdir '%s/a-c.d'", up));
	ck_assert(changed(up, diff, sum, "new directory"));
}
END_TEST

/* a real file named like a whiteout would read as one: refused */
START_TEST(test_pack_whiteout_name)
{
	autofree char *up = tpath("upper");
	char d[DIGEST_LEN];
	struct err *e = NULL;

	ck_assert_int_eq(mkdir(up, 0755), 0);
	put_in(up, ".wh.gone", "", 0644);
	ck_assert_int_eq(layer_sum_dir(up, d, NULL, &e), -1);
	ck_assert_msg(strstr(e->msg, ".wh.gone") && strstr(e->msg, "whiteout"), "%s", e->msg);
	err_free(e);
	e = NULL;
	ck_assert_int_eq(layer_digest_dir(up, NULL, d, NULL, &e), -1);
	ck_assert_ptr_nonnull(strstr(e->msg, ".wh.gone"));
	err_free(e);
}
END_TEST

START_TEST(test_pack_empty)
{
	autofree char *up = tpath("upper");
	char d[DIGEST_LEN], b[DIGEST_LEN];
	struct err *e = NULL;
	bool empty = false;
	long long size = 0;

	ck_assert_int_eq(mkdir(up, 0755), 0);
	ck_assert_int_eq(layer_digest_dir(up, NULL, d, &empty, &e), 0);
	ck_assert(empty);
	ck_assert_str_eq(d, EMPTY_TAR);
	ck_assert_int_eq(layer_pack_dir(&st, up, NULL, d, b, &size, NULL, &e), 0);
	ck_assert_str_eq(d, EMPTY_TAR);
	ck_assert_int_gt(size, 0);

	put_in(up, "x", "", 0644);
	ck_assert_int_eq(layer_digest_dir(up, NULL, d, &empty, &e), 0);
	ck_assert(!empty);
	ck_assert_str_ne(d, EMPTY_TAR);

	ck_assert_int_eq(layer_digest_dir("/nonexistent/upper", NULL, d, &empty, &e), -1);
	ck_assert_ptr_nonnull(strstr(e->msg, "/nonexistent/upper"));
	err_free(e);
}
END_TEST

/* the tar holds each mtime, or the clamp when it is earlier */
START_TEST(test_pack_clamp)
{
	autofree char *up = tpath("upper");
	char d0[DIGEST_LEN], d1[DIGEST_LEN], d2[DIGEST_LEN], s0[DIGEST_LEN], s1[DIGEST_LEN];
	const time_t late = 2000, early = 500;
	struct err *e = NULL;

	ck_assert_int_eq(mkdir(up, 0755), 0);
	put_in(up, "x", "x", 0644);
	run(xasprintf("touch -d @1000 '%s/x'", up));
	ck_assert_int_eq(layer_digest_dir(up, NULL, d0, NULL, &e), 0);
	ck_assert_int_eq(layer_sum_dir(up, s0, NULL, &e), 0);
	/* nothing later than the clamp: the same tar */
	ck_assert_int_eq(layer_digest_dir(up, &late, d1, NULL, &e), 0);
	ck_assert_str_eq(d0, d1);
	ck_assert_int_eq(layer_digest_dir(up, &early, d1, NULL, &e), 0);
	ck_assert_str_ne(d0, d1);
	/* another time later than the clamp: the same clamped tar */
	run(xasprintf("touch -d @600 '%s/x'", up));
	ck_assert_int_eq(layer_digest_dir(up, &early, d2, NULL, &e), 0);
	ck_assert_str_eq(d1, d2);
	ck_assert_int_eq(layer_digest_dir(up, NULL, d2, NULL, &e), 0);
	ck_assert_str_ne(d0, d2);
	ck_assert_int_eq(layer_sum_dir(up, s1, NULL, &e), 0);
	ck_assert_str_eq(s0, s1);
}
END_TEST

START_TEST(test_pack_redirect)
{
	autofree char *up = tpath("upper");
	autofree char *dir = tpath("upper/moved");
	char d[DIGEST_LEN];
	struct err *e = NULL;

	if (!privileged())
		return;
	/* a renamed lower directory: its contents are not in the upper */
	ck_assert_int_eq(mkdir(up, 0755), 0);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	ck_assert_int_eq(setxattr(dir, "trusted.overlay.redirect", "/orig", 5, 0), 0);
	ck_assert_int_eq(layer_digest_dir(up, NULL, d, NULL, &e), -1);
	ck_assert_ptr_nonnull(strstr(e->msg, "redirect_dir=off"));
	ck_assert_ptr_nonnull(strstr(e->msg, "moved"));
	err_free(e);
}
END_TEST

/* the names in a gzip blob, in order, joined by spaces */
static char *
list_blob(const char *path, bool details)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	struct buf b = BUF_INIT;
	int r;

	archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	ck_assert_int_eq(archive_read_open_filename(a, path, 4096), ARCHIVE_OK);
	/* ARCHIVE_WARN: a name not valid in this locale, kept as bytes */
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		if (b.len)
			buf_putc(&b, ' ');
		buf_puts(&b, archive_entry_pathname(e));
		if (!details)
			continue;
		/* test_pack_contents's time, to the second; 0 for whiteouts */
		ck_assert_int_eq(archive_entry_mtime(e),
				 strstr(archive_entry_pathname(e), ".wh.") ? 0 : 1700000007);
		ck_assert_int_eq(archive_entry_mtime_nsec(e), 0);
		ck_assert(!archive_entry_atime_is_set(e));
		ck_assert(!archive_entry_ctime_is_set(e));
		ck_assert(archive_entry_uname(e) == NULL || !*archive_entry_uname(e));
		ck_assert(archive_entry_gname(e) == NULL || !*archive_entry_gname(e));
		if (archive_entry_hardlink(e))
			buf_printf(&b, "=>%s", archive_entry_hardlink(e));
		else if (archive_entry_filetype(e) == AE_IFLNK)
			buf_printf(&b, "->%s", archive_entry_symlink(e));
		buf_printf(&b, "[%o %lld:%lld", (unsigned)archive_entry_mode(e),
			   (long long)archive_entry_uid(e), (long long)archive_entry_gid(e));
		if (archive_entry_xattr_reset(e)) {
			const char *name;
			const void *v;
			size_t len;

			while (archive_entry_xattr_next(e, &name, &v, &len) == ARCHIVE_OK)
				buf_printf(&b, " %s", name);
		}
		buf_putc(&b, ']');
	}
	ck_assert_int_eq(r, ARCHIVE_EOF);
	archive_read_free(a);
	return buf_steal(&b);
}

START_TEST(test_pack_contents)
{
	autofree char *up = tpath("upper");
	autofree char *blob = NULL;
	autofree char *names = NULL;
	char d[DIGEST_LEN], b[DIGEST_LEN];
	struct err *e = NULL;
	struct buf want = BUF_INIT;
	char longname[200];

	if (!privileged())
		return;
	make_upper(up);
	/* with nanoseconds, which the tar leaves out */
	run(xasprintf("find '%s' -exec touch -h -d @1700000007.5 {} +", up));
	ck_assert_int_eq(layer_pack_dir(&st, up, NULL, d, b, NULL, NULL, &e), 0);
	blob = store_blob_path(&st, b);
	names = list_blob(blob, true);
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	/* byte order per directory, each directory before its contents,
	 * whiteouts named as in the tar, the opaque marker first */
	buf_printf(&want,
		   ".wh.gone[100000 0:0] "
		   "a/[40700 0:0] a/b[100600 1000:1001] a/hl[100644 0:0] "
		   "a-b[100644 0:0] "
		   "a.txt=>a/hl[644 0:0] "
		   "bad\xff[100644 0:0] "
		   "bin/[40755 0:0] bin/ping[100755 0:0 security.capability] "
		   "bin/su[104755 0:0] "
		   "cafe\xcc\x81[100644 0:0] caf\xc3\xa9[100644 0:0] "
		   "fifo[10644 0:0] "
		   "link->a.txt[120777 0:0] "
		   "long/[40755 0:0] long/%s[100644 0:0] "
		   "null[20666 0:0] "
		   "opq/[40755 0:0] opq/.wh..wh..opq[100000 0:0] opq/new.txt[100644 0:0]",
		   longname);
	ck_assert_str_eq(names, buf_str(&want));
	buf_fini(&want);
}
END_TEST

START_TEST(test_whiteout_roundtrip)
{
	autofree char *up = tpath("upper");
	autofree char *rootfs = tpath("rootfs");
	autofree char *layer = NULL;
	autofree char *blob = NULL;
	char d[DIGEST_LEN], b[DIGEST_LEN], got[DIGEST_LEN], again[DIGEST_LEN];
	struct err *e = NULL;
	struct stat sb;
	char v[4];
	char *p, *s;

	if (!privileged())
		return;
	make_upper(up);
	ck_assert_int_eq(layer_pack_dir(&st, up, NULL, d, b, NULL, NULL, &e), 0);
	blob = store_blob_path(&st, b);

	/* into the store, for overlayfs */
	ck_assert_msg(layer_unpack(&st, blob, d, 0, got, &e) == 0, "%s", e ? e->msg : "");
	ck_assert_str_eq(got, d);
	layer = store_layer_path(&st, d);
	p = in(layer, "gone");
	ck_assert_int_eq(lstat(p, &sb), 0);
	ck_assert(S_ISCHR(sb.st_mode));
	ck_assert_int_eq(sb.st_rdev, makedev(0, 0));
	free(p);
	p = in(layer, ".wh.gone");
	ck_assert(!exists(p));
	free(p);
	p = in(layer, "opq");
	ck_assert_int_eq(getxattr(p, "trusted.overlay.opaque", v, sizeof(v)), 1);
	ck_assert_int_eq(v[0], 'y');
	free(p);
	p = in(layer, "opq/.wh..wh..opq");
	ck_assert(!exists(p));
	free(p);
	p = in(layer, "bin/ping");
	ck_assert_int_eq(getxattr(p, "security.capability", NULL, 0), (ssize_t)sizeof(caps));
	free(p);
	/* the unpacked layer packs to the very same tar */
	ck_assert_int_eq(layer_digest_dir(layer, NULL, again, NULL, &e), 0);
	ck_assert_str_eq(again, d);

	/* onto a plain rootfs: whiteouts delete */
	ck_assert_int_eq(mkdir(rootfs, 0755), 0);
	put_file(p = in(rootfs, "gone"), "old", 0644);
	free(p);
	ck_assert_int_eq(mkdir(p = in(rootfs, "opq"), 0755), 0);
	free(p);
	ck_assert_int_eq(mkdir(p = in(rootfs, "opq/sub"), 0755), 0);
	free(p);
	put_file(p = in(rootfs, "opq/sub/old"), "old", 0644);
	free(p);
	put_file(p = in(rootfs, "opq/new.txt"), "old", 0644);
	free(p);
	put_file(p = in(rootfs, "keep"), "keep", 0644);
	free(p);
	ck_assert_msg(layer_apply_tar(blob, rootfs, got, &e) == 0, "%s", e ? e->msg : "");
	ck_assert_str_eq(got, d);
	p = in(rootfs, "gone");
	ck_assert(!exists(p));
	free(p);
	p = in(rootfs, "opq/sub");
	ck_assert(!exists(p));
	free(p);
	s = get_file(p = in(rootfs, "opq/new.txt"));
	ck_assert_str_eq(s, "new\n");
	free(s);
	free(p);
	p = in(rootfs, "keep");
	ck_assert(exists(p));
	free(p);
	p = in(rootfs, "opq");
	ck_assert_int_eq(getxattr(p, "trusted.overlay.opaque", v, sizeof(v)), -1);
	free(p);
	p = in(rootfs, ".wh.gone");
	ck_assert(!exists(p));
	free(p);
	p = in(rootfs, "a/hl");
	ck_assert_int_eq(lstat(p, &sb), 0);
	ck_assert_int_eq(sb.st_nlink, 2);
	free(p);
}
END_TEST

/*
 * applied over a tree, entries below a lower layer's symlink or file,
 * with no entry for the directory, make that directory, as the merged
 * view shows; below this layer's own symlink they are refused
 */
START_TEST(test_apply_below_lower)
{
	struct tent t[] = {
		{ .name = "lib/x", .type = 'f', .data = "x" },
		{ .name = "plain/y", .type = 'f', .data = "y" },
		{ .name = "wl/.wh.q", .type = 'f' },
	};
	struct tent own[] = {
		{ .name = "own", .type = 'l', .data = "usr" },
		{ .name = "own/z", .type = 'f', .data = "z" },
	};
	autofree char *rootfs = tpath("rootfs");
	autofree char *blob = NULL, *blob2 = NULL;
	char d[DIGEST_LEN], got[DIGEST_LEN];
	struct err *e = NULL;
	struct stat sb;
	char *p;

	blob = tar_blob("below.tar", t, sizeof(t) / sizeof(t[0]), "none", d);
	blob2 = tar_blob("own.tar", own, sizeof(own) / sizeof(own[0]), "none", d);
	ck_assert_int_eq(mkdir(rootfs, 0755), 0);
	ck_assert_int_eq(mkdir(p = in(rootfs, "usr"), 0755), 0);
	free(p);
	put_file(p = in(rootfs, "usr/q"), "q", 0644);
	free(p);
	ck_assert_int_eq(symlink("usr", p = in(rootfs, "lib")), 0);
	free(p);
	ck_assert_int_eq(symlink("usr", p = in(rootfs, "wl")), 0);
	free(p);
	put_file(p = in(rootfs, "plain"), "f", 0644);
	free(p);
	ck_assert_msg(layer_apply_tar(blob, rootfs, got, &e) == 0, "%s", e ? e->msg : "");
	p = in(rootfs, "lib");
	ck_assert_int_eq(lstat(p, &sb), 0);
	ck_assert(S_ISDIR(sb.st_mode));
	ck_assert_uint_eq(sb.st_mode & 07777, 0755);
	free(p);
	p = in(rootfs, "lib/x");
	ck_assert(exists(p));
	free(p);
	p = in(rootfs, "usr/x");
	ck_assert(!exists(p));
	free(p);
	p = in(rootfs, "plain/y");
	ck_assert(exists(p));
	free(p);
	p = in(rootfs, "wl");
	ck_assert_int_eq(lstat(p, &sb), 0);
	ck_assert(S_ISDIR(sb.st_mode));
	free(p);
	p = in(rootfs, "usr/q");
	ck_assert(exists(p));
	free(p);

	ck_assert_int_eq(layer_apply_tar(blob2, rootfs, got, &e), -1);
	ck_assert_ptr_nonnull(strstr(e->msg, "refusing to follow a symlink in 'own'"));
	err_free(e);
}
END_TEST

START_TEST(test_whiteout_same_layer)
{
	/* a whiteout never hides this layer's own entries, whatever the
	 * order; a directory replacing a whiteout hides the one below */
	struct tent t[] = {
		{ .name = "d/", .type = 'd', .mode = 0755 },
		{ .name = "d/mine", .type = 'f', .data = "mine" },
		{ .name = "d/.wh..wh..opq", .type = 'f' },
		{ .name = "f", .type = 'f', .data = "mine" },
		{ .name = ".wh.f", .type = 'f' },
		{ .name = ".wh.r", .type = 'f' },
		{ .name = "r/", .type = 'd', .mode = 0755 },
		{ .name = ".wh..wh.plnk/x", .type = 'f' },
	};
	autofree char *rootfs = tpath("rootfs");
	autofree char *blob = NULL;
	autofree char *layer = NULL;
	char d[DIGEST_LEN], got[DIGEST_LEN];
	struct err *e = NULL;
	struct stat sb;
	char v[4];
	char *p;

	if (!privileged())
		return;
	blob = tar_blob("same.tar", t, sizeof(t) / sizeof(t[0]), "none", d);
	ck_assert_int_eq(mkdir(rootfs, 0755), 0);
	ck_assert_int_eq(mkdir(p = in(rootfs, "d"), 0755), 0);
	free(p);
	put_file(p = in(rootfs, "d/lower"), "lower", 0644);
	free(p);
	ck_assert_int_eq(mkdir(p = in(rootfs, "r"), 0755), 0);
	free(p);
	put_file(p = in(rootfs, "r/lower"), "lower", 0644);
	free(p);
	ck_assert_msg(layer_apply_tar(blob, rootfs, got, &e) == 0, "%s", e ? e->msg : "");
	ck_assert_str_eq(got, d);
	p = in(rootfs, "d/mine");
	ck_assert(exists(p));
	free(p);
	p = in(rootfs, "d/lower");
	ck_assert(!exists(p));
	free(p);
	p = in(rootfs, "f");
	ck_assert(exists(p));
	free(p);
	p = in(rootfs, "r/lower");
	ck_assert(!exists(p));
	free(p);
	p = in(rootfs, ".wh..wh.plnk");
	ck_assert(!exists(p));
	free(p);

	ck_assert_int_eq(layer_unpack(&st, blob, d, 0, got, &e), 0);
	layer = store_layer_path(&st, d);
	p = in(layer, "f");
	ck_assert_int_eq(lstat(p, &sb), 0);
	ck_assert(S_ISREG(sb.st_mode));
	free(p);
	p = in(layer, "r");
	ck_assert_int_eq(lstat(p, &sb), 0);
	ck_assert(S_ISDIR(sb.st_mode));
	ck_assert_int_eq(getxattr(p, "trusted.overlay.opaque", v, sizeof(v)), 1);
	free(p);
	p = in(layer, "d");
	ck_assert_int_eq(getxattr(p, "trusted.overlay.opaque", v, sizeof(v)), 1);
	free(p);
}
END_TEST

START_TEST(test_unpack_userxattr)
{
	struct tent t[] = {
		{ .name = "d/", .type = 'd', .mode = 0755 },
		{ .name = "d/.wh..wh..opq", .type = 'f' },
		/* a tar cannot set overlayfs' own xattrs */
		{ .name = "e/", .type = 'd', .mode = 0755,
		  .xname = "trusted.overlay.redirect", .xvalue = "/etc" },
	};
	autofree char *blob = NULL;
	autofree char *layer = NULL;
	char d[DIGEST_LEN];
	struct err *e = NULL;
	char v[16];
	char *p;

	if (!privileged())
		return;
	blob = tar_blob("ux.tar", t, sizeof(t) / sizeof(t[0]), "none", d);
	ck_assert_int_eq(layer_unpack(&st, blob, NULL, LAYER_USERXATTR, NULL, &e), 0);
	layer = store_layer_path(&st, d);
	p = in(layer, "d");
	ck_assert_int_eq(getxattr(p, "trusted.overlay.opaque", v, sizeof(v)), -1);
	if (getxattr(p, "user.overlay.opaque", v, sizeof(v)) < 0)
		ck_assert_int_eq(errno, ENOTSUP);
	else
		ck_assert_int_eq(v[0], 'y');
	free(p);
	p = in(layer, "e");
	ck_assert_int_eq(getxattr(p, "trusted.overlay.redirect", v, sizeof(v)), -1);
	free(p);
}
END_TEST

static void
add_case(Suite *s, const char *name, const TTest *fn)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, fn);
	suite_add_tcase(s, tc);
}

static Suite *
layer_suite(void)
{
	Suite *s = suite_create("layer");

	add_case(s, "unpack_formats", test_unpack_formats);
	add_case(s, "unpack_expect", test_unpack_expect);
	add_case(s, "unpack_blob", test_unpack_blob);
	add_case(s, "unpack_truncated", test_unpack_truncated);
	add_case(s, "unpack_empty_blob", test_unpack_empty_blob);
	add_case(s, "unpack_malicious", test_unpack_malicious);
	add_case(s, "unpack_userxattr", test_unpack_userxattr);
	add_case(s, "pack_deterministic", test_pack_deterministic);
	add_case(s, "sum_follows_tar", test_sum_follows_tar);
	add_case(s, "pack_whiteout_name", test_pack_whiteout_name);
	add_case(s, "pack_empty", test_pack_empty);
	add_case(s, "pack_clamp", test_pack_clamp);
	add_case(s, "pack_contents", test_pack_contents);
	add_case(s, "pack_redirect", test_pack_redirect);
	add_case(s, "whiteout_roundtrip", test_whiteout_roundtrip);
	add_case(s, "whiteout_same_layer", test_whiteout_same_layer);
	add_case(s, "apply_below_lower", test_apply_below_lower);
	return s;
}

int
main(void)
{
	return unit_run(layer_suite());
}
