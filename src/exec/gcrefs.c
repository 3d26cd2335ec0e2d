#include <dirent.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "exec/flatten.h"
#include "exec/gcrefs.h"
#include "exec/packmemo.h"
#include "exec/state.h"
#include "oci/digest.h"
#include "registry/pin.h"
#include "util/alloc.h"
#include "util/jsonfile.h"
#include "util/strv.h"

static void
add_digest(struct strv *out, const char *kind, const char *digest)
{
	if (digest && digest_valid(digest))
		strv_push(out, xasprintf("%s/sha256/%s", kind, digest + 7));
}

/* the entries of dir, names only ("." and ".." left out) */
static void
list_dir(const char *dir, struct strv *names)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, ".."))
			strv_add(names, e->d_name);
	closedir(d);
}

static bool
has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcmp(s + n - m, suffix) == 0;
}

static void
state_refs(const char *builddir, const char *name, struct strv *out)
{
	struct state s;
	char key[DIGEST_LEN];

	if (state_load(builddir, name, &s, NULL) == 0) {
		for (size_t i = 0; i < s.nlayers; i++) {
			if (s.layers[i].dir)
				continue;
			add_digest(out, "layers", s.layers[i].diff_id);
			add_digest(out, "blobs", s.layers[i].digest);
		}
		if (flatten_key(&s, key))
			strv_push(out, xasprintf("flat/%s", key + 7));
	}
	state_fini(&s);
}

/* every state under <builddir>/state/<rel> */
static void
walk_states(const char *builddir, const char *rel, struct strv *out)
{
	autofree char *dir = xasprintf("%s/state%s%s", builddir, *rel ? "/" : "", rel);
	struct strv names = STRV_INIT;

	list_dir(dir, &names);
	for (size_t i = 0; i < names.n; i++) {
		autofree char *sub = *rel ? xasprintf("%s/%s", rel, names.v[i]) :
					    xstrdup(names.v[i]);

		if (has_suffix(sub, ".json")) {
			sub[strlen(sub) - strlen(".json")] = '\0';
			state_refs(builddir, sub, out);
		} else if (!strchr(names.v[i], '.')) {
			walk_states(builddir, sub, out);
		}
	}
	strv_fini(&names);
}

/* the config and layer blobs the manifest in the file path names */
static void
manifest_refs(const char *path, struct strv *out)
{
	json_t *m = jsonfile_load(path, 0, NULL), *v;
	size_t i;

	if (!m)
		return;
	add_digest(out, "blobs", json_string_value(json_object_get(
		json_object_get(m, "config"), "digest")));
	json_array_foreach(json_object_get(m, "layers"), i, v)
		add_digest(out, "blobs", json_string_value(json_object_get(v, "digest")));
	json_decref(m);
}

/* the blob at digest in the blobs dir of layout (or the store), and
 * the blobs it names */
static void
blob_refs(const char *layout, const char *digest, struct strv *out)
{
	autofree char *path = NULL;

	if (!digest || !digest_valid(digest))
		return;
	add_digest(out, "blobs", digest);
	path = xasprintf("%s/blobs/sha256/%s", layout, digest + 7);
	manifest_refs(path, out);
}

/* the image the export wrote into the build dir (an OCI layout whose
 * blobs are links to the store's) */
static void
export_refs(const char *builddir, struct strv *out)
{
	autofree char *layout = xasprintf("%s/image", builddir);
	autofree char *index = xasprintf("%s/index.json", layout);
	json_t *o = jsonfile_load(index, 0, NULL), *v;
	size_t i;

	json_array_foreach(json_object_get(o, "manifests"), i, v)
		blob_refs(layout, json_string_value(json_object_get(v, "digest")), out);
	json_decref(o);
}

/* the files of <builddir>/<sub> ending in suffix, as paths */
static void
records(const char *builddir, const char *sub, const char *suffix,
	struct strv *paths)
{
	autofree char *dir = xasprintf("%s/%s", builddir, sub);
	struct strv names = STRV_INIT;

	list_dir(dir, &names);
	for (size_t i = 0; i < names.n; i++)
		if (has_suffix(names.v[i], suffix))
			strv_push(paths, xasprintf("%s/%s", dir, names.v[i]));
	strv_fini(&names);
}

void
gcrefs_collect(const char *store_root, const char *builddir, struct strv *out)
{
	struct strv paths = STRV_INIT, blobs = STRV_INIT;
	struct packmemo memo;
	char digest[DIGEST_LEN];

	walk_states(builddir, "", out);
	export_refs(builddir, out);
	records(builddir, "pulls", ".digest", &paths);
	for (size_t i = 0; i < paths.n; i++)
		if (pin_read(paths.v[i], digest, NULL) == 0)
			blob_refs(store_root, digest, out);
	strv_fini(&paths);
	records(builddir, "downloads", ".json", &paths);
	for (size_t i = 0; i < paths.n; i++) {
		json_t *o = jsonfile_load(paths.v[i], 0, NULL);

		add_digest(out, "blobs", json_string_value(json_object_get(o, "digest")));
		json_decref(o);
	}
	strv_fini(&paths);
	packmemo_load(&memo, builddir);
	packmemo_blobs(&memo, &blobs);
	packmemo_fini(&memo);
	for (size_t i = 0; i < blobs.n; i++)
		add_digest(out, "blobs", blobs.v[i]);
	strv_fini(&blobs);
}
