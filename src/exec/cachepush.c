#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "exec/cachecfg.h"
#include "exec/cachelocal.h"
#include "exec/cachepush.h"
#include "exec/state.h"
#include "exec/stepcache.h"
#include "exec/stepplan.h"
#include "image/layer.h"
#include "image/manifest.h"
#include "image/store.h"
#include "oci/ref.h"
#include "registry/push.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"

/* the key the step noted, or "", and the cache it came from (*from,
 * caller frees) or NULL */
static void
read_key(const struct stepplan *p, char key[DIGEST_LEN], char **from)
{
	autofree char *path = stepcache_key_path(p->builddir, p->flat), *text = NULL;
	char *nl;
	size_t len;

	key[0] = '\0';
	*from = NULL;
	if (access(path, F_OK) < 0 || fs_read_file(path, &text, &len, NULL) < 0)
		return;
	nl = text + strcspn(text, "\n");
	if (*nl && strncmp(nl + 1, "from ", 5) == 0) {
		*from = xstrdup(nl + 6);
		(*from)[strcspn(*from, "\n")] = '\0';
	}
	*nl = '\0';
	if (digest_valid(text))
		snprintf(key, DIGEST_LEN, "%s", text);
}

/* the clamp the export packs with (SOURCE_DATE_EPOCH): the layer pushed
 * is then the very blob of the image */
static bool
export_clamp(const struct stepplan *p, time_t *clamp)
{
	autofree char *path = xasprintf("%s/plans/export.json", p->builddir);
	struct stepplan ep;
	bool has = false;

	if (stepplan_load(path, &ep, NULL) == 0) {
		has = ep.ep.has_epoch;
		*clamp = (time_t)ep.ep.epoch;
	}
	stepplan_fini(&ep);
	return has;
}

/* the entry's blobs in the store; *manifest gets the manifest's digest */
static int
make_entry(const struct stepplan *p, const struct store *st, const char *key,
	   char manifest[DIGEST_LEN], long long *msize, struct err **errp)
{
	struct state s;
	struct state_layer *l;
	char diff_id[DIGEST_LEN], digest[DIGEST_LEN], sum[DIGEST_LEN], cdigest[DIGEST_LEN];
	const char *mt = MEDIA_OCI_LAYER_GZIP;
	long long size;
	json_t *cfg, *hist, *env, *c, *m;
	char *text;
	size_t len;
	int r = -1;

	if (state_load(p->builddir, p->name, &s, errp) < 0)
		return -1;
	if (s.nlayers == 0) {
		err_make(errp, 0, "the step left no layer");
		goto out;
	}
	l = &s.layers[s.nlayers - 1];
	if (l->dir) {
		time_t t;
		bool has = export_clamp(p, &t);

		if (layer_pack_dir(st, l->dir, has ? &t : NULL, diff_id, digest, &size,
				   sum, errp) < 0)
			goto out;
	} else {
		/* a step this build took from a cache: its blob as it came */
		snprintf(diff_id, sizeof(diff_id), "%s", l->diff_id);
		snprintf(digest, sizeof(digest), "%s", l->digest);
		snprintf(sum, sizeof(sum), "%s", l->sum);
		size = l->size;
		mt = l->media_type ? l->media_type : mt;
		if (!sum[0]) {
			err_make(errp, 0, "the step's layer has no sum");
			goto out;
		}
	}
	hist = json_array();
	for (size_t i = s.history_from; i < json_array_size(json_object_get(s.config.json, "history")); i++)
		json_array_append(hist, json_array_get(json_object_get(s.config.json, "history"), i));
	env = json_array();
	for (size_t i = 0; i < s.env.n; i++)
		if (s.env.v[i].value)
			json_array_append_new(env, json_pack("[ss]", s.env.v[i].name, s.env.v[i].value));
	c = json_copy(s.config.json);
	json_object_del(c, "history");
	cfg = json_pack("{sssssssssssososo}", "key", key, "step", p->name,
			"instruction", p->sp.instruction ? p->sp.instruction : "",
			"diff_id", diff_id, "sum", sum, "history", hist, "config", c,
			"env", env);
	text = manifest_dump(cfg, &len);
	json_decref(cfg);
	r = store_put_blob_buf(st, text, len, cdigest, errp);
	free(text);
	if (r < 0)
		goto out;
	m = json_pack("{sisss{sssssI}s[{sssssI}]}", "schemaVersion", 2,
		      "mediaType", MEDIA_OCI_MANIFEST,
		      "config", "mediaType", STEPCACHE_CONFIG_TYPE, "digest", cdigest,
		      "size", (json_int_t)len,
		      "layers", "mediaType", mt, "digest", digest, "size", (json_int_t)size);
	text = manifest_dump(m, &len);
	json_decref(m);
	*msize = (long long)len;
	r = store_put_blob_buf(st, text, len, manifest, errp);
	free(text);
out:
	state_fini(&s);
	return r;
}

/* push the entry to every --cache-to registry and dir; false when one
 * failed (said) */
static bool
push_all(const struct stepplan *p, const struct store *st,
	 const struct cachecfg *cfg, const char *key, const char *from,
	 const char *manifest, long long msize)
{
	bool ok = true;

	for (size_t i = 0; i < cfg->to_local.n; i++) {
		struct err *e = NULL;

		if (from && strcmp(from, cfg->to_local.v[i]) == 0)
			continue;	/* the step came from there */
		if (cachelocal_put(st, cfg->to_local.v[i], key, manifest, msize, &e) < 0) {
			fprintf(stderr, "df2ninja: warning: sharing step '%s' with cache '%s': %s\n",
				p->name, cfg->to_local.v[i], e->msg);
			err_free(e);
			ok = false;
		}
	}
	if (cfg->to_registry.n && stepcache_unreachable(p->builddir))
		return false;	/* said already; the next build tries again */

	for (size_t i = 0; i < cfg->to_registry.n; i++) {
		const char *to = cfg->to_registry.v[i];
		struct err *e = NULL;
		struct ref r = { 0 };
		autofree char *ref = NULL;

		if (from && strcmp(from, to) == 0)
			continue;	/* the step came from there */
		if (ref_parse(to, &r, &e) == 0) {
			ref = xasprintf("%s/%s:step-%s", r.domain, r.path, key + strlen("sha256:"));
			registry_push(st, ref, manifest, NULL, &e);
		}
		ref_fini(&r);
		if (e) {
			fprintf(stderr, "df2ninja: warning: sharing step '%s' with cache '%s': %s\n",
				p->name, to, e->msg);
			err_free(e);
			ok = false;
		}
	}
	return ok;
}

int
cachepush_exec(const char *plan, const char *out, struct err **errp)
{
	struct stepplan p;
	struct cachecfg cfg = { 0 };
	struct store st = { 0 };
	struct err *e = NULL;
	char key[DIGEST_LEN], manifest[DIGEST_LEN];
	long long msize = 0;
	autofree char *from = NULL;
	autofree char *line = NULL, *dir = NULL;
	int r = -1;

	if (stepplan_load(plan, &p, errp) < 0)
		return -1;
	if (cachecfg_load(&cfg, p.builddir, errp) < 0)
		goto out;
	read_key(&p, key, &from);
	if (key[0] && cachecfg_has_to(&cfg)) {
		if (store_open(&st, &e) < 0 || make_entry(&p, &st, key, manifest, &msize, &e) < 0) {
			fprintf(stderr, "df2ninja: warning: sharing step '%s': %s\n", p.name, e->msg);
			err_free(e);
			r = 0;
			goto out;
		}
		if (!push_all(&p, &st, &cfg, key, from, manifest, msize)) {
			r = 0;
			goto out;
		}
	}
	dir = fs_dirname(out);
	line = xasprintf("%s\n", key);
	r = fs_mkdir_p(dir, errp) < 0 ? -1 : fs_write_if_changed(out, line, strlen(line), NULL, errp);
out:
	store_close(&st);
	cachecfg_fini(&cfg);
	stepplan_fini(&p);
	return r;
}
