#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "image/archive_dl.h"
#include "image/config.h"
#include "image/docker_in.h"
#include "image/image.h"
#include "image/imgname.h"
#include "image/manifest.h"
#include "image/pathset.h"
#include "image/store.h"
#include "oci/digest.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/path.h"

/* a chain of symlinks in an archive longer than this is a loop */
#define MAX_LINKS 16

/* one wanted file of the archive and what became of it */
struct wanted {
	char *name;		/* clean path in the archive */
	bool found;
	char digest[DIGEST_LEN];
	const char *media_type;
	long long size;
};

struct load {
	const struct store *st;
	const char *path;
	struct pathset links;	/* archive name -> what it links to */
	json_t *manifest;	/* manifest.json */
	json_t *entry;		/* the chosen element of it */
	struct wanted config;
	char *config_data;
	size_t config_len;
	struct wanted *layers;
	size_t n_layers;
};

/* name with "." and ".." resolved lexically, relative to the archive
 * root; NULL when it climbs out of it. Caller frees. */
static char *
clean(const char *name)
{
	return path_clean(name, PATH_RELATIVE | PATH_NO_ESCAPE);
}

static int
open_archive(const char *path, struct archive **ap, struct err **errp)
{
	struct archive *a;

	if (archive_dl_load(errp) < 0)
		return -1;
	a = archive_read_new();

	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK) {
		int e = archive_errno(a);

		err_make(errp, e > 0 ? e : 0, "cannot open '%s'%s%s", path,
			 e > 0 ? "" : ": ",
			 e > 0 ? "" : archive_error_string(a));
		archive_read_free(a);
		return -1;
	}
	*ap = a;
	return 0;
}

static int
archive_fail(struct archive *a, const char *path, struct err **errp)
{
	const char *s = archive_error_string(a);

	return err_make(errp, 0, "cannot read '%s': %s", path, s ? s : "unknown error");
}

/* read the current entry (at most max bytes) into memory */
static int
read_small(struct archive *a, const char *what, size_t max, char **data,
	   size_t *len, struct err **errp)
{
	struct buf b = BUF_INIT;
	char chunk[1 << 16];
	la_ssize_t n;

	while ((n = archive_read_data(a, chunk, sizeof(chunk))) > 0) {
		if (b.len + (size_t)n > max) {
			buf_fini(&b);
			return err_make(errp, 0, "'%s' is larger than %zu bytes", what, max);
		}
		buf_putn(&b, chunk, (size_t)n);
	}
	if (n < 0) {
		buf_fini(&b);
		return err_make(errp, 0, "'%s': %s", what, archive_error_string(a));
	}
	*len = b.len;
	*data = buf_steal(&b);
	return 0;
}

/* first pass: manifest.json and the links */
static int
scan(struct load *l, struct err **errp)
{
	struct archive_entry *ae;
	struct archive *a;
	int r = -1, ar;

	if (open_archive(l->path, &a, errp) < 0)
		return -1;
	while ((ar = archive_read_next_header(a, &ae)) == ARCHIVE_OK) {
		const char *pn = archive_entry_pathname(ae);
		autofree char *name = pn ? clean(pn) : NULL;
		const char *hard = archive_entry_hardlink(ae);

		if (!name)
			continue;
		if (hard) {
			autofree char *t = clean(hard);

			if (t)
				pathset_add(&l->links, name, t);
		} else if (archive_entry_filetype(ae) == AE_IFLNK) {
			autofree char *dir = xstrdup(name);
			autofree char *joined = NULL, *t = NULL;
			char *slash = strrchr(dir, '/');
			const char *target = archive_entry_symlink(ae);

			if (!target)
				continue;
			if (slash)
				*slash = '\0';
			else
				*dir = '\0';
			joined = target[0] == '/' ? xstrdup(target)
						  : xasprintf("%s/%s", dir, target);
			t = clean(joined);
			if (t)
				pathset_add(&l->links, name, t);
		} else if (strcmp(name, "manifest.json") == 0 && !l->manifest) {
			autofree char *data = NULL;
			size_t len;

			if (read_small(a, "manifest.json", MANIFEST_MAX, &data, &len, errp) < 0)
				goto out;
			l->manifest = json_loadb(data, len, 0, NULL);
			if (!json_is_array(l->manifest)) {
				err_make(errp, 0, "manifest.json is not a JSON array");
				goto out;
			}
		}
	}
	if (ar != ARCHIVE_EOF) {
		archive_fail(a, l->path, errp);
		goto out;
	}
	if (!l->manifest) {
		err_make(errp, 0, "no manifest.json: not a docker-archive");
		goto out;
	}
	r = 0;
out:
	archive_read_free(a);
	return r;
}

/* "a:1, b:2" for error messages; caller frees */
static char *
list_tags(const json_t *manifest)
{
	struct buf b = BUF_INIT;
	json_t *e, *t;
	size_t i, j;

	json_array_foreach(manifest, i, e) {
		json_array_foreach(json_object_get(e, "RepoTags"), j, t) {
			if (!json_is_string(t))
				continue;
			buf_puts(&b, b.len ? ", " : "");
			buf_puts(&b, json_string_value(t));
		}
	}
	if (!b.len)
		buf_puts(&b, "none");
	return buf_steal(&b);
}

static bool
has_tag(const json_t *entry, const struct imgname *want)
{
	json_t *t;
	size_t i;

	json_array_foreach(json_object_get(entry, "RepoTags"), i, t) {
		struct imgname n;
		bool same;

		if (!json_is_string(t) || imgname_parse(json_string_value(t), &n, NULL) < 0)
			continue;
		same = strcmp(n.full, want->full) == 0;
		imgname_fini(&n);
		if (same)
			return true;
	}
	return false;
}

static int
pick(struct load *l, const char *tag, struct err **errp)
{
	autofree char *tags = NULL;
	struct imgname want;
	json_t *e;
	size_t i;

	if (!tag) {
		if (json_array_size(l->manifest) == 1) {
			l->entry = json_array_get(l->manifest, 0);
			return 0;
		}
		tags = list_tags(l->manifest);
		return err_make(errp, 0, "it holds %zu images; name one (tags: %s)",
				json_array_size(l->manifest), tags);
	}
	if (imgname_parse(tag, &want, errp) < 0)
		return -1;
	json_array_foreach(l->manifest, i, e) {
		if (has_tag(e, &want)) {
			l->entry = e;
			break;
		}
	}
	imgname_fini(&want);
	if (l->entry)
		return 0;
	tags = list_tags(l->manifest);
	return err_make(errp, 0, "no image tagged '%s' (tags: %s)", tag, tags);
}

/* the file a manifest.json path stands for, links followed */
static int
want_path(struct load *l, const char *p, struct wanted *w, struct err **errp)
{
	char *name = p ? clean(p) : NULL;

	if (!name || !*name) {
		free(name);
		return err_make(errp, 0, "manifest.json: bad path '%s'", p ? p : "(none)");
	}
	for (int i = 0; pathset_has(&l->links, name); i++) {
		char *t;

		if (i == MAX_LINKS) {
			err_make(errp, 0, "'%s': too many levels of links", p);
			free(name);
			return -1;
		}
		t = xstrdup(pathset_get(&l->links, name));
		free(name);
		name = t;
	}
	w->name = name;
	return 0;
}

static int
plan(struct load *l, struct err **errp)
{
	json_t *layers = json_object_get(l->entry, "Layers"), *e;
	size_t i;

	if (want_path(l, json_string_value(json_object_get(l->entry, "Config")),
		      &l->config, errp) < 0)
		return err_wrap(errp, "Config");
	if (!json_is_array(layers))
		return err_make(errp, 0, "manifest.json: no Layers list");
	l->n_layers = json_array_size(layers);
	l->layers = xcalloc(l->n_layers ? l->n_layers : 1, sizeof(*l->layers));
	json_array_foreach(layers, i, e)
		if (want_path(l, json_string_value(e), &l->layers[i], errp) < 0)
			return err_wrap(errp, "layer %zu", i + 1);
	return 0;
}

/* stream the current entry into the store as a blob */
static int
put_entry(struct load *l, struct archive *a, struct wanted *w,
	  struct err **errp)
{
	struct store_blob *b;
	char chunk[1 << 16];
	bool first = true;
	la_ssize_t n;

	if (store_blob_begin(l->st, &b, errp) < 0)
		return -1;
	while ((n = archive_read_data(a, chunk, sizeof(chunk))) > 0) {
		if (first) {
			w->media_type = manifest_sniff_layer((unsigned char *)chunk,
							     (size_t)n);
			first = false;
		}
		if (store_blob_write(b, chunk, (size_t)n, errp) < 0) {
			store_blob_abort(b);
			return -1;
		}
	}
	if (n < 0) {
		store_blob_abort(b);
		return err_make(errp, 0, "'%s': %s", w->name, archive_error_string(a));
	}
	if (first)
		w->media_type = MEDIA_OCI_LAYER;
	return store_blob_commit(b, NULL, w->digest, &w->size, errp);
}

/* copy what another wanted file with the same name already got */
static bool
same_as_earlier(struct load *l, size_t i)
{
	for (size_t j = 0; j < i; j++) {
		if (l->layers[j].found && strcmp(l->layers[j].name, l->layers[i].name) == 0) {
			struct wanted *w = &l->layers[i];

			w->found = true;
			memcpy(w->digest, l->layers[j].digest, DIGEST_LEN);
			w->media_type = l->layers[j].media_type;
			w->size = l->layers[j].size;
			return true;
		}
	}
	return false;
}

/* second pass: the config into memory, the layers into the store */
static int
extract(struct load *l, struct err **errp)
{
	struct archive_entry *ae;
	struct archive *a;
	int r = -1, ar;

	if (open_archive(l->path, &a, errp) < 0)
		return -1;
	while ((ar = archive_read_next_header(a, &ae)) == ARCHIVE_OK) {
		const char *pn = archive_entry_pathname(ae);
		autofree char *name = pn ? clean(pn) : NULL;
		size_t i;

		if (!name || archive_entry_filetype(ae) != AE_IFREG ||
		    archive_entry_hardlink(ae))
			continue;
		if (!l->config.found && strcmp(name, l->config.name) == 0) {
			if (read_small(a, name, CONFIG_MAX, &l->config_data,
				       &l->config_len, errp) < 0)
				goto out;
			l->config.found = true;
			continue;
		}
		for (i = 0; i < l->n_layers; i++)
			if (!l->layers[i].found && strcmp(name, l->layers[i].name) == 0)
				break;
		if (i == l->n_layers)
			continue;
		if (put_entry(l, a, &l->layers[i], errp) < 0) {
			err_wrap(errp, "layer %zu", i + 1);
			goto out;
		}
		l->layers[i].found = true;
		for (size_t j = i + 1; j < l->n_layers; j++)
			same_as_earlier(l, j);
	}
	if (ar != ARCHIVE_EOF) {
		archive_fail(a, l->path, errp);
		goto out;
	}
	r = 0;
out:
	archive_read_free(a);
	return r;
}

/* the digest a file name claims ("<hex>.json", "blobs/sha256/<hex>"), or
 * NULL */
static char *
claimed_digest(const char *name)
{
	const char *base = strrchr(name, '/');
	char *d;

	base = base ? base + 1 : name;
	d = xasprintf("sha256:%.64s", base);
	if (digest_valid(d) &&
	    (base[64] == '\0' || strcmp(base + 64, ".json") == 0))
		return d;
	free(d);
	return NULL;
}

/* fill img from the extracted files */
static int
finish(struct load *l, struct image *img, struct err **errp)
{
	autofree char *claimed = NULL;
	char got[DIGEST_LEN];

	if (!l->config.found)
		return err_make(errp, 0, "config '%s' is not in the archive", l->config.name);
	for (size_t i = 0; i < l->n_layers; i++)
		if (!l->layers[i].found)
			return err_make(errp, 0, "layer %zu '%s' is not in the archive",
					i + 1, l->layers[i].name);
	digest_buf(l->config_data, l->config_len, got);
	claimed = claimed_digest(l->config.name);
	if (claimed && strcmp(claimed, got) != 0)
		return err_make(errp, 0, "config '%s': digest mismatch: content hashes to %s",
				l->config.name, got);
	image_init(img);
	config_fini(&img->config);
	if (config_parse(&img->config, l->config_data, l->config_len, errp) < 0)
		return err_wrap(errp, "config '%s'", l->config.name);
	if (config_n_diff_ids(&img->config) != l->n_layers)
		return err_make(errp, 0, "config lists %zu layers, manifest.json has %zu",
				config_n_diff_ids(&img->config), l->n_layers);
	for (size_t i = 0; i < l->n_layers; i++) {
		struct wanted *w = &l->layers[i];
		const char *diff_id = config_diff_id(&img->config, i);

		/* a plain tar is its own diff id; compressed ones are checked
		 * when they are unpacked */
		if (strcmp(w->media_type, MEDIA_OCI_LAYER) == 0 &&
		    strcmp(w->digest, diff_id) != 0)
			return err_make(errp, 0, "layer %zu '%s': digest mismatch: config says %s, content hashes to %s",
					i + 1, w->name, diff_id, w->digest);
		image_add_layer(img, w->digest, diff_id, w->media_type, w->size);
	}
	if (store_put_blob_buf(l->st, l->config_data, l->config_len,
			       img->config_digest, errp) < 0)
		return err_wrap(errp, "config '%s'", l->config.name);
	return 0;
}

int
docker_in_load(const struct store *st, const char *path, const char *tag,
	       struct image *img, struct err **errp)
{
	struct load l = { .st = st, .path = path, .links = PATHSET_INIT };
	int r = -1;

	memset(img, 0, sizeof(*img));
	if (scan(&l, errp) < 0 || pick(&l, tag, errp) < 0 || plan(&l, errp) < 0 ||
	    extract(&l, errp) < 0)
		goto out;
	if (finish(&l, img, errp) < 0) {
		image_fini(img);
		goto out;
	}
	r = 0;
out:
	if (r < 0) {
		if (tag)
			err_wrap(errp, "docker-archive '%s' image '%s'", path, tag);
		else
			err_wrap(errp, "docker-archive '%s'", path);
	}
	pathset_fini(&l.links);
	json_decref(l.manifest);
	free(l.config.name);
	free(l.config_data);
	for (size_t i = 0; i < l.n_layers; i++)
		free(l.layers[i].name);
	free(l.layers);
	return r;
}
