#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "exec/upper.h"
#include "image/layer_sum.h"
#include "image/tree.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"

int
upper_begin(struct upper *u, const char *builddir, const char *name,
	    struct err **errp)
{
	memset(u, 0, sizeof(*u));
	u->upper = xasprintf("%s/layers/%s.upper", builddir, name);
	u->work = xasprintf("%s/layers/%s.work", builddir, name);
	u->keep = xasprintf("%s/layers/%s", builddir, name);
	u->failed = xasprintf("%s/failed/%s", builddir, name);
	/* every entry made here is an inode made and, for the work dir, freed
	 * again at every step: no more of them than needed */
	if (fs_mkdir_p(u->keep, errp) < 0 || tree_remove_path(u->upper, errp) < 0 ||
	    tree_remove_path(u->work, errp) < 0)
		return -1;
	if (mkdir(u->upper, 0755) < 0 || mkdir(u->work, 0755) < 0)
		return err_make(errp, errno, "cannot make '%s'", u->upper);
	/* the root of the rootfs: 0755 root, as an image's / is */
	chmod(u->upper, 0755);
	return 0;
}

/* path is a directory holding nothing (false when it cannot be read: the
 * careful path then reports why) */
static bool
dir_is_empty(const char *path)
{
	struct dirent *de;
	bool empty = true;
	DIR *d = opendir(path);

	if (!d)
		return false;
	errno = 0;
	while (empty && (de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			empty = false;
	if (errno)
		empty = false;
	closedir(d);
	return empty;
}

/* the upper dir (unless it was kept) and the work dir */
static int
remove_dirs(struct upper *u, struct err **errp)
{
	if (tree_remove_path(u->upper, errp) < 0)
		return -1;
	return tree_remove_path(u->work, errp);
}

int
upper_commit(struct upper *u, char sum[DIGEST_LEN], char **dir,
	     struct err **errp)
{
	bool empty = false;
	char *final;

	*dir = NULL;
	/* many RUN steps of a build change nothing (or only write outside
	 * the rootfs): an upper dir with no entries is an empty layer, which
	 * is known without a walk and a digest */
	if (dir_is_empty(u->upper)) {
		sum[0] = '\0';
		return remove_dirs(u, errp);
	}
	if (layer_sum_dir(u->upper, sum, &empty, errp) < 0)
		return err_wrap(errp, "reading the step's changes");
	if (empty)
		return remove_dirs(u, errp);
	if (fs_mkdir_p(u->keep, errp) < 0)
		return -1;
	final = xasprintf("%s/%s", u->keep, sum + 7);
	if (rename(u->upper, final) < 0) {
		if (errno != EEXIST && errno != ENOTEMPTY) {
			int e = errno;

			free(final);
			return err_make(errp, e, "cannot keep the layer of '%s'", u->keep);
		}
		/* the same content is kept already */
	}
	*dir = final;
	return remove_dirs(u, errp);
}

void
upper_fail(struct upper *u)
{
	autofree char *parent = fs_dirname(u->failed);

	if (!u->upper)
		return;
	tree_remove_path(u->failed, NULL);
	if (fs_mkdir_p(parent, NULL) == 0)
		rename(u->upper, u->failed);
	remove_dirs(u, NULL);
}

void
upper_forget_failure(const char *builddir, const char *name)
{
	autofree char *failed = xasprintf("%s/failed/%s", builddir, name);
	struct stat sb;

	/* the common case, no earlier failure, costs one lstat */
	if (lstat(failed, &sb) == 0)
		tree_remove_path(failed, NULL);
}

void
upper_prune(struct upper *u, const char *keep_dir)
{
	const char *base = keep_dir ? strrchr(keep_dir, '/') + 1 : NULL;
	struct dirent *de;
	DIR *d;

	d = opendir(u->keep);
	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		char *p;

		if (de->d_name[0] == '.' || (base && strcmp(de->d_name, base) == 0))
			continue;
		/* only the hex-named layer dirs of this step */
		if (strlen(de->d_name) != 64)
			continue;
		p = xasprintf("%s/%s", u->keep, de->d_name);
		tree_remove_path(p, NULL);
		free(p);
	}
	closedir(d);
}

void
upper_fini(struct upper *u)
{
	free(u->upper);
	free(u->work);
	free(u->keep);
	free(u->failed);
	memset(u, 0, sizeof(*u));
}
