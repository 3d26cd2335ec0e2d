/*
 * the layer reader: the input is a layer blob (a tar, maybe compressed),
 * read from a memfd the way a pulled layer is read from its file, and
 * written into a new directory that is removed after each input: once with
 * whiteouts made for overlayfs, once applied to a plain directory, then
 * applied again onto what the first pass wrote (so its whiteouts find
 * something to delete).
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/extract.h"
#include "oci/digest.h"
#include "util/alloc.h"
#include "util/err.h"
#include "fuzz.h"

static char *overlay, *apply;	/* two directories below our temp dir */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *top = fuzz_tmpdir("layer");

	overlay = xasprintf("%s/overlay", top);
	apply = xasprintf("%s/apply", top);
	return 0;
}

/* extract the layer in fd, from its start, into rootfd */
static int
extract(int fd, int rootfd, enum extract_mode mode, bool userxattr)
{
	char diff_id[DIGEST_LEN];
	struct err *err = NULL;
	int r;

	if (lseek(fd, 0, SEEK_SET) < 0)
		BUG("lseek on a memfd");
	r = extract_layer(fd, rootfd, mode, userxattr, diff_id, &err);
	if (r < 0 && !err)
		BUG("extract_layer failed without an error");
	err_free(err);
	return r;
}

/* make the directory path and open it */
static int
new_root(const char *path)
{
	int fd;

	if (mkdir(path, 0755) < 0)
		BUG("mkdir '%s'", path);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		BUG("open '%s'", path);
	return fd;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("layer", MFD_CLOEXEC), rootfd;

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		BUG("cannot write the input to a memfd");

	rootfd = new_root(overlay);
	extract(fd, rootfd, EXTRACT_OVERLAY, size & 1);
	close(rootfd);

	rootfd = new_root(apply);
	if (extract(fd, rootfd, EXTRACT_APPLY, false) == 0)
		extract(fd, rootfd, EXTRACT_APPLY, false);
	close(rootfd);

	fuzz_remove_tree(overlay);
	fuzz_remove_tree(apply);
	close(fd);
	return 0;
}
