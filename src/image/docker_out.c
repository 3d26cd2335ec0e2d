#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/archive_dl.h"
#include "image/docker_out.h"
#include "image/image.h"
#include "image/imgname.h"
#include "image/manifest.h"
#include "image/store.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/strv.h"

#define OCI_LAYOUT "{\"imageLayoutVersion\":\"1.0.0\"}"

struct tarw {
	struct archive *a;
	const char *path;	/* for messages */
};

static int
tar_fail(struct tarw *t, struct err **errp)
{
	const char *s = archive_error_string(t->a);
	int e = archive_errno(t->a);

	/* libarchive says only "Write error" when write(2) fails: the
	 * errno behind it (ENOSPC, EIO, EDQUOT) is what tells why */
	if (e > 0 && (!s || strcmp(s, "Write error") == 0))
		return err_make(errp, e, "cannot write '%s'", t->path);
	if (e > 0)
		return err_make(errp, e, "cannot write '%s': %s", t->path, s);
	return err_make(errp, 0, "cannot write '%s': %s", t->path,
			s ? s : "unknown error");
}

static int
tar_header(struct tarw *t, const char *name, mode_t type, long long size,
	   struct err **errp)
{
	struct archive_entry *e = archive_entry_new();
	int r;

	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, type == AE_IFDIR ? 0755 : 0644);
	archive_entry_set_size(e, type == AE_IFDIR ? 0 : size);
	archive_entry_set_mtime(e, 0, 0);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	r = archive_write_header(t->a, e);
	archive_entry_free(e);
	return r == ARCHIVE_OK ? 0 : tar_fail(t, errp);
}

static int
tar_data(struct tarw *t, const void *data, size_t len, struct err **errp)
{
	if (len && archive_write_data(t->a, data, len) != (la_ssize_t)len)
		return tar_fail(t, errp);
	return 0;
}

static int
tar_buf(struct tarw *t, const char *name, const char *data, size_t len,
	struct err **errp)
{
	if (tar_header(t, name, AE_IFREG, (long long)len, errp) < 0)
		return -1;
	return tar_data(t, data, len, errp);
}

/* blobs/sha256/<hex> from the store */
static int
tar_blob(struct tarw *t, const struct store *st, const char *digest,
	 struct err **errp)
{
	autofree char *src = store_blob_path(st, digest);
	autofree char *name = xasprintf("blobs/sha256/%s", digest + 7);
	char chunk[1 << 16];
	long long left;
	struct stat sb;
	int fd, r = -1;

	if (!src)
		return err_make(errp, 0, "invalid digest '%s'", digest);
	fd = open(src, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_make(errp, errno, "blob %s is not in the store", digest);
	if (fstat(fd, &sb) < 0) {
		err_make(errp, errno, "cannot stat '%s'", src);
		goto out;
	}
	if (tar_header(t, name, AE_IFREG, (long long)sb.st_size, errp) < 0)
		goto out;
	/* exactly the size in the header, whatever happens to the file */
	for (left = (long long)sb.st_size; left > 0;) {
		ssize_t n = TEMP_FAILURE_RETRY_INT(read(fd, chunk,
			left < (long long)sizeof(chunk) ? (size_t)left : sizeof(chunk)));

		if (n < 0) {
			err_make(errp, errno, "cannot read '%s'", src);
			goto out;
		}
		if (n == 0) {
			err_make(errp, 0, "'%s' shrank while being read", src);
			goto out;
		}
		if (tar_data(t, chunk, (size_t)n, errp) < 0)
			goto out;
		left -= n;
	}
	r = 0;
out:
	close(fd);
	return r;
}

/* manifest.json: what docker load reads */
static char *
docker_manifest(const struct image *img, const struct imgname *names,
		size_t n_names, size_t *len)
{
	json_t *list = json_array(), *e = json_object(), *layers, *tags;
	char *s;

	json_object_set_new(e, "Config",
			    json_sprintf("blobs/sha256/%s", img->config_digest + 7));
	tags = n_names ? json_array() : json_null();
	for (size_t i = 0; i < n_names; i++)
		json_array_append_new(tags, json_string(names[i].familiar));
	json_object_set_new(e, "RepoTags", tags);
	layers = json_array();
	for (size_t i = 0; i < img->n_layers; i++)
		json_array_append_new(layers, json_sprintf("blobs/sha256/%s",
							   img->layers[i].digest + 7));
	json_object_set_new(e, "Layers", layers);
	json_array_append_new(list, e);
	s = manifest_dump(list, len);
	json_decref(list);
	return s;
}

/* repositories: {"repo": {"tag": id}}, the pre-1.10 index; nothing reads
 * it when manifest.json is there, but docker save still writes it */
static char *
repositories(const struct image *img, const struct imgname *names,
	     size_t n_names, size_t *len)
{
	json_t *repos = json_object();
	const char *top = img->n_layers ? img->layers[img->n_layers - 1].digest
					: img->config_digest;
	char *s;

	for (size_t i = 0; i < n_names; i++) {
		json_t *r = json_object_get(repos, names[i].repo);

		if (!r) {
			r = json_object();
			json_object_set_new(repos, names[i].repo, r);
		}
		json_object_set_new(r, names[i].tag, json_string(top + 7));
	}
	s = manifest_dump(repos, len);
	json_decref(repos);
	return s;
}

static int
write_tar(const struct store *st, const struct image *img,
	  long long manifest_size, const struct imgname *names,
	  size_t n_names, int fd, const char *path, struct err **errp)
{
	struct tarw t = { .path = path };
	struct strv blobs = STRV_INIT;
	autofree char *index = NULL, *manifest = NULL, *repos = NULL;
	size_t index_len, manifest_len, repos_len;
	json_t *idx;
	int r = -1;

	idx = manifest_index_new();
	for (size_t i = 0; i < n_names; i++)
		manifest_index_add(idx, img->manifest_digest, manifest_size, &names[i]);
	if (!n_names)
		manifest_index_add(idx, img->manifest_digest, manifest_size, NULL);
	index = manifest_dump(idx, &index_len);
	json_decref(idx);
	manifest = docker_manifest(img, names, n_names, &manifest_len);
	repos = repositories(img, names, n_names, &repos_len);

	strv_add(&blobs, img->config_digest);
	strv_add(&blobs, img->manifest_digest);
	for (size_t i = 0; i < img->n_layers; i++)
		if (strv_find(&blobs, img->layers[i].digest) < 0)
			strv_add(&blobs, img->layers[i].digest);
	strv_sort(&blobs);

	if (archive_dl_load(errp) < 0)
		goto out;
	t.a = archive_write_new();
	if (archive_write_set_format_pax_restricted(t.a) != ARCHIVE_OK ||
	    archive_write_open_fd(t.a, fd) != ARCHIVE_OK) {
		tar_fail(&t, errp);
		goto out;
	}
	/* sorted by name */
	if (tar_header(&t, "blobs/", AE_IFDIR, 0, errp) < 0 ||
	    tar_header(&t, "blobs/sha256/", AE_IFDIR, 0, errp) < 0)
		goto out;
	for (size_t i = 0; i < blobs.n; i++)
		if (tar_blob(&t, st, blobs.v[i], errp) < 0)
			goto out;
	if (tar_buf(&t, "index.json", index, index_len, errp) < 0 ||
	    tar_buf(&t, "manifest.json", manifest, manifest_len, errp) < 0 ||
	    tar_buf(&t, "oci-layout", OCI_LAYOUT, strlen(OCI_LAYOUT), errp) < 0 ||
	    tar_buf(&t, "repositories", repos, repos_len, errp) < 0)
		goto out;
	if (archive_write_close(t.a) != ARCHIVE_OK) {
		tar_fail(&t, errp);
		goto out;
	}
	r = 0;
out:
	if (t.a)
		archive_write_free(t.a);
	strv_fini(&blobs);
	return r;
}

int
docker_out_write(const struct store *st, struct image *img,
		 const char *const *tags, size_t n_tags, const char *dest,
		 struct err **errp)
{
	autofree char *parent = fs_dirname(dest);
	autofree char *tmp = xasprintf("%s.tmp-XXXXXX", dest);
	struct imgname *names = NULL;
	long long manifest_size;
	int fd = -1, r = -1;
	bool made = false;

	if (imgname_parse_all(tags, n_tags, &names, errp) < 0 ||
	    image_store_meta(st, img, NULL, &manifest_size, errp) < 0 ||
	    fs_mkdir_p(parent, errp) < 0)
		goto out;
	/* a device or a FIFO (dest=/dev/stdout) is written in place: never
	 * renamed over, which as root would replace a device node */
	if (fs_is_special(dest)) {
		fd = open(dest, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			err_make(errp, errno, "cannot open '%s'", dest);
		else if (write_tar(st, img, manifest_size, names, n_tags, fd, dest, errp) == 0)
			r = 0;
		goto out;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		err_make(errp, errno, "cannot create '%s'", tmp);
		goto out;
	}
	made = true;
	if (write_tar(st, img, manifest_size, names, n_tags, fd, tmp, errp) < 0)
		goto out;
	if (fchmod(fd, 0644) < 0 || fsync(fd) < 0) {
		err_make(errp, errno, "cannot write '%s'", tmp);
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		err_make(errp, errno, "cannot write '%s'", tmp);
		goto out;
	}
	fd = -1;
	if (rename(tmp, dest) < 0) {
		err_make(errp, errno, "cannot rename '%s' to '%s'", tmp, dest);
		goto out;
	}
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	if (r < 0) {
		if (made)
			unlink(tmp);
		err_wrap(errp, "writing docker-archive '%s'", dest);
	}
	imgname_free_all(names, n_tags);
	return r;
}
