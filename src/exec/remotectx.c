#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec/download.h"
#include "exec/gitsrc.h"
#include "exec/remotectx.h"
#include "exec/untar.h"
#include "image/store.h"
#include "image/tree.h"
#include "oci/digest.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/giturl.h"

/* a regular file holding a tar archive */
static bool
is_tar_file(const char *path)
{
	struct stat sb;
	bool is = false;
	int fd;

	if (stat(path, &sb) < 0 || !S_ISREG(sb.st_mode))
		return false;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (untar_is_archive(fd, &is, NULL) < 0)
		is = false;
	close(fd);
	return is;
}

bool
remotectx_is(const char *path)
{
	struct stat sb;

	/* a directory first, as docker build looks */
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		return false;
	/* "-" is a Dockerfile on stdin (genpaths.h), not a context */
	return giturl_is(path) ||
	       download_kind(path) == DOWNLOAD_HTTP || is_tar_file(path);
}

/* unpack the archive at file (named what) into <builddir>/context/<digest> */
static int
unpack(const char *builddir, const char *file, const char *what, char **dir,
       struct err **errp)
{
	char sum[DIGEST_LEN];
	autofree char *top = fs_join(builddir, "context"), *tmp = NULL, *path = NULL;
	autoclose int fd = -1;
	struct digest *dg;
	int dfd, r;
	bool is = false;

	if (digest_file(file, sum, NULL, errp) < 0)
		return -1;
	path = xasprintf("%s/%.16s", top, sum + strlen("sha256:"));
	if (access(path, F_OK) == 0) {
		*dir = steal_pointer(&path);
		return 0;
	}
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_make(errp, errno, "cannot open '%s'", file);
	if (untar_is_archive(fd, &is, errp) < 0)
		return -1;
	if (!is)
		return err_make(errp, 0, "'%s' is no tar archive (a Dockerfile "
				"alone as the context is not supported)", what);
	if (lseek(fd, 0, SEEK_SET) < 0)
		return err_make(errp, errno, "cannot read '%s'", file);
	tmp = xasprintf("%s/tmp.%ld", top, (long)getpid());
	if (fs_mkdir_p(top, errp) < 0)
		return -1;
	if (access(tmp, F_OK) == 0 && tree_remove_path(tmp, errp) < 0)
		return -1;
	if (mkdir(tmp, 0755) < 0)
		return err_make(errp, errno, "cannot make '%s'", tmp);
	dfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dg = digest_new();
	/* the caller's files: the owners a downloaded archive names are
	 * not made on the host (COPY makes its files root's anyway) */
	r = dfd < 0 ? -1 : untar_extract(fd, dfd, tmp, (long)geteuid(), (long)getegid(), dg, errp);
	digest_free(dg);
	if (r < 0) {
		if (dfd < 0)
			err_make(errp, errno, "cannot open '%s'", tmp);
		else
			close(dfd);
		tree_remove_path(tmp, NULL);
		return -1;
	}
	close(dfd);
	if (rename(tmp, path) < 0 && errno != ENOTEMPTY && errno != EEXIST) {
		err_make(errp, errno, "cannot rename '%s'", tmp);
		tree_remove_path(tmp, NULL);
		return -1;
	}
	if (access(tmp, F_OK) == 0)
		tree_remove_path(tmp, NULL);
	*dir = steal_pointer(&path);
	return 0;
}

/* an http(s) archive: downloaded into the store, then unpacked */
static int
download(const char *builddir, const char *url, char **dir, struct err **errp)
{
	struct store st;
	struct download d;
	autofree char *blob = NULL;
	int r;

	if (store_open(&st, errp) < 0)
		return -1;
	r = download_fetch(&st, builddir, url, NULL, &d, errp);
	if (r == 0) {
		blob = store_blob_path(&st, d.digest);
		r = unpack(builddir, blob, url, dir, errp);
	}
	store_close(&st);
	return r;
}

int
remotectx_fetch(const char *builddir, const char *path, char **dir,
		struct err **errp)
{
	int r;

	*dir = NULL;
	if (!strcmp(path, "-"))
		return err_make(errp, 0, "a context read from stdin ('-') is not "
				"supported: give the archive's file name instead");
	if (giturl_is(path))
		return gitsrc_fetch(builddir, path, NULL, NULL, false, dir, errp);
	if (download_kind(path) == DOWNLOAD_HTTP)
		r = download(builddir, path, dir, errp);
	else
		r = unpack(builddir, path, path, dir, errp);
	return r < 0 ? err_wrap(errp, "fetching the context '%s'", path) : 0;
}
