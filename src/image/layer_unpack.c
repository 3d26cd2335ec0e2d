#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/err.h"
#include "extract.h"
#include "layer.h"
#include "layer_in.h"
#include "store.h"
#include "tree.h"

/* move staging to its place in layers/; the first of several concurrent
 * unpackers wins, the others drop their copy */
static int
publish(const struct store *st, const char *staging, const char *diff_id,
	struct err **errp)
{
	autofree char *target = store_layer_path(st, diff_id);

	if (renameat2(AT_FDCWD, staging, AT_FDCWD, target, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno == EEXIST || errno == ENOTEMPTY)
		return tree_remove_path(staging, errp);
	return err_make(errp, errno, "cannot rename '%s' to '%s'", staging, target);
}

static int
unpack(const struct store *st, int fd, const char *staging, const char *expect,
       unsigned flags, char got[DIGEST_LEN], struct err **errp)
{
	autoclose int rootfd = open(staging, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r;

	if (rootfd < 0)
		return err_make(errp, errno, "cannot open '%s'", staging);
	/* mkdtemp made it 0700, and it becomes the rootfs's "/" unless the
	 * layer has a "./" entry */
	r = fchmod(rootfd, 0755);
	if (r < 0)
		err_make(errp, errno, "cannot chmod '%s'", staging);
	if (r == 0)
		r = extract_layer(fd, rootfd, EXTRACT_OVERLAY,
				  flags & LAYER_USERXATTR, got, errp);
	if (r == 0 && expect && strcmp(expect, got) != 0)
		r = err_make(errp, 0, "diff id mismatch: expected %s, got %s",
			     expect, got);
	/* the layer is renamed into place only once its data is on disk */
	if (r == 0 && syncfs(rootfd) < 0)
		r = err_make(errp, errno, "cannot sync '%s'", staging);
	if (r == 0)
		r = publish(st, staging, got, errp);
	return r;
}

/* the diff id of the layer read from fd, decompressed and hashed but not
 * unpacked */
static int
hash_only(int fd, char got[DIGEST_LEN], struct err **errp)
{
	struct layer_in *in;
	int r;

	if (layer_in_open(fd, &in, errp) < 0)
		return -1;
	r = layer_in_finish(in, got, errp);
	layer_in_free(in);
	return r;
}

int
layer_unpack_fd(const struct store *st, int fd, const char *label,
		const char *expect_diff_id, unsigned flags, char *diff_id,
		struct err **errp)
{
	autofree char *staging = NULL;
	char got[DIGEST_LEN];
	int lockfd, r;

	if (expect_diff_id && !digest_valid(expect_diff_id))
		return err_make(errp, 0, "unpacking layer '%s': invalid diff id '%s'",
				label, expect_diff_id);
	/*
	 * a layer the store has is not unpacked again, but this stream must
	 * still be its tar: an image whose blob is not what its config says
	 * is refused whatever the store holds
	 */
	if (expect_diff_id && store_has_layer(st, expect_diff_id)) {
		if (hash_only(fd, got, errp) < 0)
			return err_wrap(errp, "unpacking layer '%s'", label);
		if (strcmp(got, expect_diff_id) != 0)
			return err_make(errp, 0, "unpacking layer '%s': diff id mismatch: "
					"expected %s, got %s", label, expect_diff_id, got);
		if (diff_id)
			memcpy(diff_id, got, DIGEST_LEN);
		return 0;
	}
	if (store_tmpdir(st, &staging, &lockfd, errp) < 0)
		return err_wrap(errp, "unpacking layer '%s'", label);
	r = unpack(st, fd, staging, expect_diff_id, flags, got, errp);
	/* the first error is the one worth reporting */
	if (r < 0)
		tree_remove_path(staging, NULL);
	close(lockfd);
	if (r < 0)
		return err_wrap(errp, "unpacking layer '%s'", label);
	if (diff_id)
		memcpy(diff_id, got, DIGEST_LEN);
	return 0;
}

int
layer_unpack(const struct store *st, const char *blob, const char *expect_diff_id,
	     unsigned flags, char *diff_id, struct err **errp)
{
	autoclose int fd = open(blob, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return err_make(errp, errno, "unpacking layer '%s': cannot open it",
				blob);
	return layer_unpack_fd(st, fd, blob, expect_diff_id, flags, diff_id, errp);
}

int
layer_unpack_blob(const struct store *st, const char *digest, long long size,
		  const char *diff_id, unsigned flags, struct err **errp)
{
	autofree char *blob = store_blob_path(st, digest);
	char known[DIGEST_LEN];
	struct stat sb;
	autoclose int fd = -1;

	if (!blob)
		return err_make(errp, 0, "invalid blob digest '%s'", digest);
	fd = open(blob, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_make(errp, errno, "blob %s: cannot open '%s'", digest, blob);
	/* the store's copy was checked against its digest when it went in;
	 * a descriptor that came later may still disagree on its size */
	if (fstat(fd, &sb) < 0)
		return err_make(errp, errno, "blob %s: cannot stat '%s'", digest, blob);
	if (sb.st_size != size)
		return err_make(errp, 0, "blob %s: size mismatch: descriptor says %lld, "
				"the blob has %lld", digest, size, (long long)sb.st_size);
	/* a pair read once needs no reading again */
	if (store_get_diff_id(st, digest, known) && strcmp(known, diff_id) == 0 &&
	    store_has_layer(st, diff_id))
		return 0;
	if (layer_unpack_fd(st, fd, digest, diff_id, flags, NULL, errp) < 0)
		return -1;
	return store_put_diff_id(st, digest, diff_id, errp);
}
