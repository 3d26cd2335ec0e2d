#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec/buildlock.h"
#include "exec/cachecfg.h"
#include "exec/cachelocal.h"
#include "exec/stepcache.h"
#include "exec/stepctx.h"
#include "image/layer.h"
#include "image/manifest.h"
#include "oci/ref.h"
#include "registry/client.h"
#include "registry/fetch.h"
#include "registry/http.h"
#include "registry/push.h"
#include "run/procinfo.h"
#include "sandbox/userns.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"

/* what a manifest or the config of an entry may weigh */
#define ENTRY_MAX (256 * 1024)

/* the ninja (or samu) this step runs under: the nearest such ancestor,
 * else the parent */
static long
build_pid(void)
{
	long pid = (long)buildlock_parent();

	for (int depth = 0; depth < 8 && pid > 1; depth++) {
		char comm[64];

		if (proc_read((pid_t)pid, "comm", comm, sizeof(comm)) &&
		    (strcmp(comm, "ninja\n") == 0 || strcmp(comm, "samu\n") == 0))
			return pid;
		pid = (long)proc_stat_field((pid_t)pid, 4);
	}
	return (long)buildlock_parent();
}

/* "<builddir>/cache/unreachable.<ninja's pid>": the build that found a
 * registry out of reach (one ninja runs every step of a build) */
static char *
marker_path(const char *builddir)
{
	return xasprintf("%s/cache/unreachable.%ld", builddir, build_pid());
}

bool
stepcache_unreachable(const char *builddir)
{
	autofree char *path = marker_path(builddir);

	return access(path, F_OK) == 0;
}

/* the markers of builds that are over (their ninja is gone) */
static void
drop_old_markers(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char *end;
		long pid;

		if (strncmp(de->d_name, "unreachable.", 12) != 0)
			continue;
		pid = strtol(de->d_name + 12, &end, 10);
		if (*end || pid <= 0 || (kill((pid_t)pid, 0) < 0 && errno == ESRCH))
			unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
}

/* say once per build that a cache is out of reach: the first step to
 * find it so makes the marker, and says it */
static void
mark_unreachable(const char *builddir, const char *ref, struct err *e)
{
	autofree char *path = marker_path(builddir), *dir = fs_dirname(path);
	int fd;

	if (fs_mkdir_p(dir, NULL) < 0)
		return;
	drop_old_markers(dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	close(fd);
	fprintf(stderr, "df2ninja: warning: cache '%s' cannot be reached (%s): "
		"steps run here\n", ref, e ? e->msg : "no answer");
}

/* GET the manifest of key from c: 1 found (*m), 0 absent, -1 failed */
static int
get_entry(struct registry_client *cl, const char *key, json_t **m,
	  struct err **errp)
{
	struct http_request rq = { .method = "GET", .body_fd = -1 };
	struct http_response resp;
	struct strv h = STRV_INIT;
	autofree char *tag = xasprintf("step-%s", key + strlen("sha256:"));
	autofree char *url = registry_client_url(cl, "manifests", tag);
	int r = -1;

	strv_add(&h, "Accept: " MEDIA_OCI_MANIFEST);
	rq.url = url;
	rq.headers = &h;
	http_response_init(&resp, ENTRY_MAX);
	if (registry_client_do(cl, &rq, &resp, errp) < 0)
		goto out;
	if (resp.status == 404) {
		r = 0;
		goto out;
	}
	if (resp.status != 200) {
		registry_client_error(cl, "GET", url, &resp, errp);
		goto out;
	}
	r = manifest_parse(resp.body.s ? resp.body.s : "", resp.body.len, url, m, errp) < 0 ? -1 : 1;
out:
	strv_fini(&h);
	http_response_fini(&resp);
	return r;
}

/* the descriptors of entry m: its config and its one layer */
static int
entry_descriptors(const json_t *m, struct descriptor *cd, struct descriptor *ld,
		  struct err **errp)
{
	if (manifest_descriptor(json_object_get(m, "config"), cd, errp) < 0 ||
	    json_array_size(json_object_get(m, "layers")) != 1 ||
	    manifest_descriptor(json_array_get(json_object_get(m, "layers"), 0), ld, errp) < 0 ||
	    strcmp(cd->media_type, STEPCACHE_CONFIG_TYPE) != 0)
		return *errp ? -1 : err_make(errp, 0, "not a df2ninja step entry");
	if (cd->size > ENTRY_MAX)
		return err_make(errp, 0, "config of %lld bytes", cd->size);
	return 0;
}

/* the entry m found for key, whose blobs are in the store: its layer
 * unpacked, and into c->st with the step's history */
static int
apply_entry(struct step_ctx *c, const char *key, const json_t *m,
	    struct err **errp)
{
	struct descriptor cd, ld;
	autofree char *cpath = NULL, *data = NULL;
	const char *diff_id, *sum, *ckey;
	json_t *cfg = NULL, *hist, *v, *to;
	size_t len, i;
	int r = -1;

	if (entry_descriptors(m, &cd, &ld, errp) < 0)
		return -1;
	cpath = store_blob_path(&c->store, cd.digest);
	if (manifest_read_bytes(cpath, ENTRY_MAX, &data, &len, errp) < 0 ||
	    manifest_parse(data, len, cd.digest, &cfg, errp) < 0)
		return -1;
	ckey = json_string_value(json_object_get(cfg, "key"));
	diff_id = json_string_value(json_object_get(cfg, "diff_id"));
	sum = json_string_value(json_object_get(cfg, "sum"));
	hist = json_object_get(cfg, "history");
	if (!ckey || strcmp(ckey, key) != 0 || !diff_id || !digest_valid(diff_id) ||
	    !sum || !digest_valid(sum) || !json_is_array(hist)) {
		err_make(errp, 0, "config %s is not this step's", cd.digest);
		goto out;
	}
	if (layer_unpack_blob(&c->store, ld.digest, ld.size, diff_id,
			      userns_is_rootless() ? LAYER_USERXATTR : 0, errp) < 0)
		goto out;
	state_add_layer(&c->st, diff_id, ld.digest, ld.media_type, ld.size);
	snprintf(c->st.layers[c->st.nlayers - 1].sum, DIGEST_LEN, "%s", sum);
	to = json_object_get(c->st.config.json, "history");
	if (!json_is_array(to)) {
		to = json_array();
		json_object_set_new(c->st.config.json, "history", to);
	}
	json_array_foreach(hist, i, v)
		json_array_append(to, v);
	r = 0;
out:
	json_decref(cfg);
	return r;
}

/* the blobs of entry m from the registry into the store */
static int
fetch_entry(struct step_ctx *c, struct registry_client *cl, const json_t *m,
	    struct err **errp)
{
	struct descriptor cd, ld;
	struct fetch_item items[2];

	if (entry_descriptors(m, &cd, &ld, errp) < 0)
		return -1;
	memset(items, 0, sizeof(items));
	strcpy(items[0].digest, cd.digest);
	items[0].size = cd.size;
	items[0].label = "cached step's config";
	strcpy(items[1].digest, ld.digest);
	items[1].size = ld.size;
	items[1].label = "cached step's layer";
	return fetch_blobs(&c->store, cl, items, 2, NULL, NULL, errp);
}

/* one cache: 1 hit, 0 miss, -1 out of reach (said) */
static int
lookup_one(struct step_ctx *c, const char *refstr, const char *key)
{
	struct registry_client cl = { 0 };
	struct err *e = NULL;
	struct ref r = { 0 };
	json_t *m = NULL;
	int found = 0;

	if (ref_parse(refstr, &r, &e) < 0)
		goto bad;
	http_set_quick(true);
	if (registry_client_open(&cl, ref_api_host(&r), r.path, false, &e) < 0) {
		http_set_quick(false);
		mark_unreachable(c->plan.builddir, refstr, e);
		err_free(e);
		ref_fini(&r);
		return -1;
	}
	found = get_entry(&cl, key, &m, &e);
	http_set_quick(false);
	if (found < 0) {
		mark_unreachable(c->plan.builddir, refstr, e);
		found = -1;
	} else if (found > 0 && (fetch_entry(c, &cl, m, &e) < 0 ||
				 apply_entry(c, key, m, &e) < 0)) {
		goto bad;
	}
	goto out;
bad:
	fprintf(stderr, "df2ninja: warning: cache '%s': %s: the step runs here\n",
		refstr, e ? e->msg : "unknown error");
	found = 0;
out:
	json_decref(m);
	err_free(e);
	registry_client_close(&cl);
	ref_fini(&r);
	return found;
}

/* one local cache: true on a hit */
static bool
lookup_local(struct step_ctx *c, const char *dir, const char *key)
{
	struct err *e = NULL;
	json_t *m = NULL;
	int found = cachelocal_get(&c->store, dir, key, &m, &e);

	if (found > 0 && apply_entry(c, key, m, &e) < 0)
		found = -1;
	if (found < 0)
		fprintf(stderr, "df2ninja: warning: cache '%s': %s: the step runs here\n",
			dir, e ? e->msg : "unknown error");
	json_decref(m);
	err_free(e);
	return found > 0;
}

const char *
stepcache_lookup(struct step_ctx *c, const struct cachecfg *cfg,
		 const char key[DIGEST_LEN])
{
	for (size_t i = 0; i < cfg->from_local.n; i++)
		if (lookup_local(c, cfg->from_local.v[i], key))
			return cfg->from_local.v[i];
	if (stepcache_unreachable(c->plan.builddir))
		return NULL;
	for (size_t i = 0; i < cfg->from_registry.n; i++)
		if (lookup_one(c, cfg->from_registry.v[i], key) > 0)
			return cfg->from_registry.v[i];
	return NULL;
}

char *
stepcache_key_path(const char *builddir, const char *flat)
{
	return xasprintf("%s/cache/%s.key", builddir, flat);
}

int
stepcache_note_key(const struct step_ctx *c, const char *key, const char *from,
		   struct err **errp)
{
	autofree char *path = stepcache_key_path(c->plan.builddir, c->plan.flat), *dir = NULL;
	autofree char *text = NULL;

	if (!key) {
		if (unlink(path) < 0 && errno != ENOENT)
			return err_make(errp, errno, "cannot remove '%s'", path);
		return 0;
	}
	dir = fs_dirname(path);
	if (fs_mkdir_p(dir, errp) < 0)
		return -1;
	text = from ? xasprintf("%s\nfrom %s\n", key, from) : xasprintf("%s\n", key);
	return fs_write_if_changed(path, text, strlen(text), NULL, errp);
}
