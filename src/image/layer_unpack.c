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
	int rootfd, r;

	rootfd = open(staging, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
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
	close(rootfd);
	if (r == 0)
		r = publish(st, staging, got, errp);
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
	if (expect_diff_id && store_has_layer(st, expect_diff_id)) {
		if (diff_id)
			memcpy(diff_id, expect_diff_id, DIGEST_LEN);
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
	int fd, r;

	/* a known layer is not read at all */
	if (expect_diff_id && digest_valid(expect_diff_id) &&
	    store_has_layer(st, expect_diff_id)) {
		if (diff_id)
			memcpy(diff_id, expect_diff_id, DIGEST_LEN);
		return 0;
	}
	fd = open(blob, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_make(errp, errno, "unpacking layer '%s': cannot open it",
				blob);
	r = layer_unpack_fd(st, fd, blob, expect_diff_id, flags, diff_id, errp);
	close(fd);
	return r;
}
