#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/image.h"
#include "image/layer.h"
#include "image/local_out.h"
#include "image/store.h"
#include "image/tree.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"

/* 1 when dir has entries, 0 when empty, -1 (errno set) when unreadable */
static int
has_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int r = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			r = 1;
	closedir(d);
	return r;
}

static int
apply_all(const struct store *st, const struct image *img, const char *dir,
	  struct err **errp)
{
	for (size_t i = 0; i < img->n_layers; i++) {
		const struct image_layer *l = &img->layers[i];
		autofree char *blob = store_blob_path(st, l->digest);
		char got[DIGEST_LEN];

		if (!blob || !store_has_blob(st, l->digest))
			return err_make(errp, 0, "layer %zu: blob %s is not in the store",
					i + 1, l->digest);
		if (layer_apply_tar(blob, dir, got, errp) < 0)
			return err_wrap(errp, "layer %zu", i + 1);
		if (strcmp(got, l->diff_id) != 0)
			return err_make(errp, 0, "layer %zu (%s): diff id mismatch: expected %s, got %s",
					i + 1, l->digest, l->diff_id, got);
	}
	return 0;
}

/* put tmp at dest, which exists: swap the two, then remove the old tree */
static int
swap_in(const char *tmp, const char *dest, struct err **errp)
{
	autofree char *old = NULL;

	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dest, RENAME_EXCHANGE) == 0)
		return tree_remove_path(tmp, errp);
	if (errno != EINVAL && errno != ENOSYS)
		return err_make(errp, errno, "cannot exchange '%s' and '%s'", tmp, dest);
	/* no RENAME_EXCHANGE here: two renames, with a short gap */
	old = xasprintf("%s.old", tmp);
	if (rename(dest, old) < 0)
		return err_make(errp, errno, "cannot rename '%s' to '%s'", dest, old);
	if (rename(tmp, dest) < 0) {
		int e = errno;

		rename(old, dest);
		return err_make(errp, e, "cannot rename '%s' to '%s'", tmp, dest);
	}
	return tree_remove_path(old, errp);
}

int
local_out_write(const struct store *st, const struct image *img,
		const char *dest, bool replace, struct err **errp)
{
	autofree char *clean = xstrdup(dest), *parent = NULL, *tmp = NULL;
	size_t len = strlen(clean);
	bool exists = true;
	struct stat sb;
	int full, r = -1;

	while (len > 1 && clean[len - 1] == '/')
		clean[--len] = '\0';
	if (image_check(img, errp) < 0)
		goto fail;
	if (stat(clean, &sb) < 0) {
		if (errno != ENOENT) {
			err_make(errp, errno, "cannot stat '%s'", clean);
			goto fail;
		}
		exists = false;
	} else if (!S_ISDIR(sb.st_mode)) {
		err_make(errp, 0, "it exists and is not a directory");
		goto fail;
	} else if ((full = has_entries(clean)) != 0) {
		if (full < 0) {
			err_make(errp, errno, "cannot read '%s'", clean);
			goto fail;
		}
		if (!replace) {
			err_make(errp, 0, "it exists and is not empty");
			goto fail;
		}
	}
	parent = fs_dirname(clean);
	if (fs_mkdir_p(parent, errp) < 0)
		goto fail;
	tmp = xasprintf("%s.tmp-XXXXXX", clean);
	if (!mkdtemp(tmp)) {
		err_make(errp, errno, "cannot create a directory next to '%s'", clean);
		goto fail;
	}
	/* the mode of the image's root, unless a layer sets it */
	if (chmod(tmp, 0755) < 0) {
		err_make(errp, errno, "cannot chmod '%s'", tmp);
		goto out;
	}
	if (apply_all(st, img, tmp, errp) < 0)
		goto out;
	/* rename() also replaces an empty directory */
	if (!exists || !replace) {
		if (rename(tmp, clean) < 0) {
			err_make(errp, errno, "cannot rename '%s' to '%s'", tmp, clean);
			goto out;
		}
	} else if (swap_in(tmp, clean, errp) < 0) {
		goto out;
	}
	r = 0;
out:
	if (r < 0 && access(tmp, F_OK) == 0)
		tree_remove_path(tmp, NULL);
fail:
	if (r < 0)
		err_wrap(errp, "writing '%s'", dest);
	return r;
}
