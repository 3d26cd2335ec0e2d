#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/image.h"
#include "image/imgname.h"
#include "image/manifest.h"
#include "image/oci_out.h"
#include "image/store.h"
#include "image/tree.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"

#define OCI_LAYOUT "{\"imageLayoutVersion\":\"1.0.0\"}"

static int
copy_fd(int in, int out, struct err **errp)
{
	char chunk[1 << 16];
	ssize_t n;

	/* copy_file_range shares extents on btrfs and xfs */
	for (;;) {
		n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
		if (n == 0)
			return 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
	}
	if (errno != EXDEV && errno != ENOSYS && errno != EINVAL &&
	    errno != EOPNOTSUPP)
		return err_make(errp, errno, "cannot copy");
	for (;;) {
		char *p = chunk;

		n = TEMP_FAILURE_RETRY_INT(read(in, chunk, sizeof(chunk)));
		if (n < 0)
			return err_make(errp, errno, "cannot read");
		if (n == 0)
			return 0;
		while (n > 0) {
			ssize_t w = TEMP_FAILURE_RETRY_INT(write(out, p, (size_t)n));

			if (w < 0)
				return err_make(errp, errno, "cannot write");
			p += w;
			n -= w;
		}
	}
}

/* copy src to dst through a temporary name, so dst is whole or absent */
static int
copy_file(const char *src, const char *dst, struct err **errp)
{
	autofree char *tmp = xasprintf("%s.tmp-XXXXXX", dst);
	autoclose int in = open(src, O_RDONLY | O_CLOEXEC);
	int out, r;

	if (in < 0)
		return err_make(errp, errno, "cannot open '%s'", src);
	out = mkostemp(tmp, O_CLOEXEC);
	if (out < 0)
		return err_make(errp, errno, "cannot create '%s'", tmp);
	r = copy_fd(in, out, errp);
	if (r < 0)
		err_wrap(errp, "'%s' to '%s'", src, tmp);
	if (r == 0 && fchmod(out, 0444) < 0)
		r = err_make(errp, errno, "cannot chmod '%s'", tmp);
	if (close(out) < 0 && r == 0)
		r = err_make(errp, errno, "cannot write '%s'", tmp);
	if (r == 0 && rename(tmp, dst) < 0)
		r = err_make(errp, errno, "cannot rename '%s' to '%s'", tmp, dst);
	if (r < 0)
		unlink(tmp);
	return r;
}

/* put blob digest of the store into blobdir */
static int
place_blob(const struct store *st, const char *digest, const char *blobdir,
	   struct err **errp)
{
	autofree char *src = store_blob_path(st, digest);
	autofree char *dst = xasprintf("%s/%s", blobdir, digest + 7);

	if (!src || !store_has_blob(st, digest))
		return err_make(errp, 0, "blob %s is not in the store", digest);
	if (link(src, dst) == 0 || errno == EEXIST)
		return 0;
	if (errno != EXDEV && errno != EPERM && errno != EMLINK)
		return err_make(errp, errno, "cannot link '%s' to '%s'", src, dst);
	return copy_file(src, dst, errp);
}

/* what index.json lists: one image's manifest, or an index of several */
struct oci_top {
	struct image *const *imgs;
	size_t nimgs;
	const char *digest;	/* the manifest or the index */
	long long size;
	bool is_index;
};

static int
place_blobs(const struct store *st, const struct oci_top *t, const char *dir,
	    struct err **errp)
{
	autofree char *blobdir = xasprintf("%s/blobs/sha256", dir);

	if (fs_mkdir_p(blobdir, errp) < 0)
		return -1;
	for (size_t k = 0; k < t->nimgs; k++) {
		const struct image *img = t->imgs[k];

		if (place_blob(st, img->config_digest, blobdir, errp) < 0)
			return -1;
		for (size_t i = 0; i < img->n_layers; i++)
			if (place_blob(st, img->layers[i].digest, blobdir, errp) < 0)
				return -1;
		/* the manifest last: a reader that finds it finds what it names */
		if (place_blob(st, img->manifest_digest, blobdir, errp) < 0)
			return -1;
	}
	return t->is_index ? place_blob(st, t->digest, blobdir, errp) : 0;
}

/* manifest_index_add, the entry an image index when it is one */
static void
index_add(json_t *index, const struct oci_top *t, const struct imgname *name)
{
	json_t *list;

	manifest_index_add(index, t->digest, t->size, name);
	list = json_object_get(index, "manifests");
	if (t->is_index)
		json_object_set_new(json_array_get(list, json_array_size(list) - 1),
				    "mediaType", json_string(MEDIA_OCI_INDEX));
}

/* true when dir has no entries */
static bool
is_empty_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool empty = true;

	if (!d)
		return false;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			empty = false;
	closedir(d);
	return empty;
}

/* blobs and index.json for img in the layout dir, keeping what the
 * index already lists under other names */
static int
fill(const struct store *st, const struct oci_top *t, const struct imgname *names, size_t n_names, const char *dir,
     struct err **errp)
{
	autofree char *layout = xasprintf("%s/oci-layout", dir);
	autofree char *index_path = xasprintf("%s/index.json", dir);
	autofree char *data = NULL;
	json_t *index = NULL;
	struct stat sb;
	size_t len;
	int r = -1;

	if (place_blobs(st, t, dir, errp) < 0)
		return -1;
	if (stat(index_path, &sb) == 0) {
		if (manifest_read_file(index_path, MANIFEST_MAX, &index, errp) < 0)
			return -1;
	} else if (errno == ENOENT) {
		index = manifest_index_new();
	} else {
		return err_make(errp, errno, "cannot open '%s'", index_path);
	}
	if (n_names == 0) {
		/* untagged: the layout's tag "latest", so that `skopeo ...
		 * oci:DIR:latest` finds it, but no image name: BuildKit
		 * names nothing it was not given */
		const struct imgname latest = { .tag = (char *)"latest" };

		index_add(index, t, &latest);
	}
	for (size_t i = 0; i < n_names; i++)
		index_add(index, t, &names[i]);
	data = manifest_dump(index, &len);
	if (fs_write_if_changed(layout, OCI_LAYOUT, strlen(OCI_LAYOUT), NULL, errp) < 0 ||
	    fs_write_if_changed(index_path, data, len, NULL, errp) < 0)
		goto out;
	r = 0;
out:
	json_decref(index);
	return r;
}

/* build the layout in a fresh directory next to dest, then rename it */
static int
write_new(const struct store *st, const struct oci_top *t, const struct imgname *names,
	  size_t n_names, const char *dest, struct err **errp)
{
	autofree char *parent = fs_dirname(dest);
	autofree char *tmp = xasprintf("%s.tmp-XXXXXX", dest);
	int r;

	if (fs_mkdir_p(parent, errp) < 0)
		return -1;
	if (!mkdtemp(tmp))
		return err_make(errp, errno, "cannot create a directory next to '%s'", dest);
	chmod(tmp, 0755);
	r = fill(st, t, names, n_names, tmp, errp);
	if (r == 0 && rename(tmp, dest) < 0)
		r = err_make(errp, errno, "cannot rename '%s' to '%s'", tmp, dest);
	if (r < 0)
		tree_remove_path(tmp, NULL);
	return r;
}

/* lock the layout dir fd (creating it, with oci-layout, when missing) */
static int
lock_layout(const char *dest, int *fd, struct err **errp)
{
	autofree char *layout = xasprintf("%s/oci-layout", dest);

	if (fs_mkdir_p(dest, errp) < 0)
		return -1;
	if (access(layout, F_OK) < 0 && !is_empty_dir(dest))
		return err_make(errp, 0, "it exists and is not an OCI image layout");
	*fd = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0)
		return err_make(errp, errno, "cannot open '%s'", dest);
	if (TEMP_FAILURE_RETRY_INT(flock(*fd, LOCK_EX)) < 0)
		return err_make(errp, errno, "cannot lock '%s'", dest);
	return fs_write_if_changed(layout, OCI_LAYOUT, strlen(OCI_LAYOUT), NULL, errp);
}

static int
write_into(const struct store *st, const struct oci_top *t, const struct imgname *names,
	   size_t n_names, const char *dest, struct err **errp)
{
	autoclose int fd = -1;

	/* held until the layout is whole */
	if (lock_layout(dest, &fd, errp) < 0)
		return -1;
	return fill(st, t, names, n_names, dest, errp);
}

static int
write_top(const struct store *st, const struct oci_top *t,
	  const char *const *tags, size_t n_tags, const char *dest,
	  struct err **errp)
{
	autofree char *clean = xstrdup(dest);
	struct imgname *names = NULL;
	struct stat sb;
	size_t len = strlen(clean);
	int r = -1;

	while (len > 1 && clean[len - 1] == '/')
		clean[--len] = '\0';
	if (imgname_parse_all(tags, n_tags, &names, errp) < 0)
		goto out;
	if (stat(clean, &sb) < 0) {
		if (errno == ENOENT)
			r = write_new(st, t, names, n_tags, clean, errp);
		else
			err_make(errp, errno, "cannot stat '%s'", clean);
	} else if (S_ISDIR(sb.st_mode))
		r = write_into(st, t, names, n_tags, clean, errp);
	else
		err_make(errp, 0, "it exists and is not a directory");
out:
	if (r < 0)
		err_wrap(errp, "writing OCI layout '%s'", dest);
	imgname_free_all(names, n_tags);
	return r;
}

int
oci_out_write(const struct store *st, struct image *img,
	      const char *const *tags, size_t n_tags, const char *dest,
	      struct err **errp)
{
	struct image *const one[1] = { img };
	struct oci_top t = { one, 1, NULL, 0, false };

	if (image_store_meta(st, img, NULL, &t.size, errp) < 0)
		return err_wrap(errp, "writing OCI layout '%s'", dest);
	t.digest = img->manifest_digest;
	return write_top(st, &t, tags, n_tags, dest, errp);
}

int
oci_out_write_index(const struct store *st, struct image *const *imgs,
		    size_t n, const char *index_digest, long long index_size,
		    const char *const *tags, size_t n_tags, const char *dest,
		    struct err **errp)
{
	struct oci_top t = { imgs, n, index_digest, index_size, true };

	return write_top(st, &t, tags, n_tags, dest, errp);
}

int
oci_out_add_manifest(const struct store *st, const char *manifest_digest,
		     long long manifest_size, const char *const *blobs,
		     size_t n_blobs, const char *tag, const char *dest,
		     struct err **errp)
{
	autofree char *blobdir = xasprintf("%s/blobs/sha256", dest);
	autofree char *index_path = xasprintf("%s/index.json", dest);
	autofree char *data = NULL;
	const struct imgname name = { .tag = (char *)tag };
	autoclose int fd = -1;
	json_t *index = NULL;
	size_t len;
	int r = -1;

	if (lock_layout(dest, &fd, errp) < 0 || fs_mkdir_p(blobdir, errp) < 0)
		goto out;
	for (size_t i = 0; i < n_blobs; i++)
		if (place_blob(st, blobs[i], blobdir, errp) < 0)
			goto out;
	if (place_blob(st, manifest_digest, blobdir, errp) < 0)
		goto out;
	if (access(index_path, F_OK) == 0) {
		if (manifest_read_file(index_path, MANIFEST_MAX, &index, errp) < 0)
			goto out;
	} else {
		index = manifest_index_new();
	}
	manifest_index_add(index, manifest_digest, manifest_size, &name);
	data = manifest_dump(index, &len);
	r = fs_write_if_changed(index_path, data, len, NULL, errp);
out:
	if (r < 0)
		err_wrap(errp, "writing OCI layout '%s'", dest);
	json_decref(index);
	return r;
}
