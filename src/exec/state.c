#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/state.h"
#include "image/image.h"
#include "image/store.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/jsonfile.h"
#include "util/path.h"
#include "util/strv.h"
#include "util/vars.h"

void
state_init(struct state *s)
{
	memset(s, 0, sizeof(*s));
	config_init(&s->config);
	config_env_set(&s->config, "PATH", DEFAULT_PATH);
	vars_set(&s->env, "PATH", DEFAULT_PATH);
}

void
state_fini(struct state *s)
{
	config_fini(&s->config);
	vars_fini(&s->env);
	for (size_t i = 0; i < s->nlayers; i++) {
		free(s->layers[i].media_type);
		free(s->layers[i].dir);
	}
	free(s->layers);
	free(s->parent);
	memset(s, 0, sizeof(*s));
}

void
state_set_parent(struct state *s, const char *parent)
{
	free(s->parent);
	s->parent = xstrdup(parent);
	s->history_from = json_array_size(json_object_get(s->config.json, "history"));
}

static struct state_layer *
new_layer(struct state *s)
{
	struct state_layer *l;

	xgrow(&s->layers, &s->cap, s->nlayers + 1, sizeof(*s->layers));
	l = &s->layers[s->nlayers++];
	memset(l, 0, sizeof(*l));
	return l;
}

void
state_add_layer(struct state *s, const char *diff_id, const char *digest,
		const char *media_type, long long size)
{
	struct state_layer *l = new_layer(s);

	snprintf(l->diff_id, sizeof(l->diff_id), "%s", diff_id);
	snprintf(l->digest, sizeof(l->digest), "%s", digest ? digest : "");
	l->media_type = xstrdup(media_type);
	l->size = size;
}

void
state_add_image_layers(struct state *s, const struct image *img)
{
	for (size_t i = 0; i < img->n_layers; i++)
		state_add_layer(s, img->layers[i].diff_id, img->layers[i].digest,
				img->layers[i].media_type, img->layers[i].size);
}

void
state_add_step_layer(struct state *s, const char *sum, const char *dir)
{
	struct state_layer *l = new_layer(s);

	snprintf(l->sum, sizeof(l->sum), "%s", sum);
	l->dir = xstrdup(dir);
}

const char *
state_layer_id(const struct state_layer *l)
{
	return l->dir ? l->sum : l->diff_id;
}

static char *
state_path(const char *builddir, const char *name)
{
	return xasprintf("%s/state/%s.json", builddir, name);
}

/*
 * the config with only the step's own history entries (state.h): the
 * parents' are in their own files, so a state stays the same size however
 * long the chain above it (shallow: the other members are shared)
 */
static json_t *
own_history(const struct state *s)
{
	json_t *h = json_object_get(s->config.json, "history"), *c, *own;

	if (s->history_from == 0 || !json_is_array(h))
		return json_incref(s->config.json);
	c = json_copy(s->config.json);
	own = json_array();
	for (size_t i = s->history_from; i < json_array_size(h); i++)
		json_array_append(own, json_array_get(h, i));
	json_object_set_new(c, "history", own);
	return c;
}

/*
 * a step layer's dir as its file has it: under <builddir>/layers/ (where
 * every step puts its layers) as "in": the rest of the path, its trailing
 * sum's hex left out (the entry has the sum); elsewhere, as "dir"
 */
static json_t *
step_layer_json(const struct state_layer *l, const char *builddir)
{
	autofree char *under = builddir ? xasprintf("%s/layers/", builddir) : NULL;
	size_t n = under ? strlen(under) : 0, len = strlen(l->dir), hex = strlen(l->sum + 7);

	if (!under || strncmp(l->dir, under, n) != 0 || len <= n)
		return json_pack("{ssss}", "sum", l->sum, "dir", l->dir);
	if (len - n > hex && strcmp(l->dir + len - hex, l->sum + 7) == 0 &&
	    l->dir[len - hex - 1] == '.')
		return json_pack("{ssss#}", "sum", l->sum, "in", l->dir + n, (int)(len - n - hex));
	return json_pack("{ssss}", "sum", l->sum, "in", l->dir + n);
}

/* the dir of a step layer entry (step_layer_json), a new string or NULL */
static char *
step_layer_dir(json_t *v, const char *builddir, const char *sum)
{
	const char *dir = json_string_value(json_object_get(v, "dir"));
	const char *in = json_string_value(json_object_get(v, "in"));
	autofree char *clean = NULL;
	size_t n;

	if (dir)
		return xstrdup(dir);
	if (!in || !*in || *in == '/')
		return NULL;
	clean = path_clean(in, PATH_RELATIVE | PATH_NO_DOTDOT);
	if (!clean)
		return NULL;
	n = strlen(in);
	return in[n - 1] == '.' ? xasprintf("%s/layers/%s%s", builddir, in, sum + 7) :
				  xasprintf("%s/layers/%s", builddir, in);
}

/* the state as JSON, without its identity, and without what the identity
 * does not cover (history, parent) unless full; its step layers' dirs as
 * the file has them (step_layer_json) when builddir is not NULL, else as
 * they are */
static json_t *
to_json(const struct state *s, bool full, const char *builddir)
{
	json_t *o = json_object(), *env = json_array(), *layers = json_array();

	if (full) {
		json_object_set_new(o, "config", own_history(s));
		if (s->parent)
			json_object_set_new(o, "parent", json_string(s->parent));
		json_object_set_new(o, "history_from", json_integer(0));
	} else {
		json_t *c = json_copy(s->config.json);	/* shallow: members shared */

		json_object_del(c, "history");
		json_object_set_new(o, "config", c);
	}
	for (size_t i = 0; i < s->env.n; i++) {
		if (!s->env.v[i].value)
			continue;
		json_array_append_new(env, json_pack("[ss]", s->env.v[i].name, s->env.v[i].value));
	}
	json_object_set_new(o, "env", env);
	for (size_t i = 0; i < s->nlayers; i++) {
		const struct state_layer *l = &s->layers[i];
		json_t *lj;

		if (l->dir) {
			lj = step_layer_json(l, builddir);
		} else {
			lj = json_pack("{sssssI}", "diff_id", l->diff_id, "digest", l->digest,
				       "size", (json_int_t)l->size);
			if (l->media_type)
				json_object_set_new(lj, "media_type", json_string(l->media_type));
			if (l->sum[0])
				json_object_set_new(lj, "sum", json_string(l->sum));
		}
		json_array_append_new(layers, lj);
	}
	json_object_set_new(o, "layers", layers);
	return o;
}

/*
 * states already read, when state_memo_start asked for it: the export
 * reads every state of its chain twice (the history, then the build
 * dir's references for gc), and a state's JSON costs far more to parse
 * than its copy
 */
static struct memo {
	char *path;
	struct state s;
} *memo;
static size_t nmemo, capmemo;
static bool is_memo_on;

void
state_memo_start(void)
{
	is_memo_on = true;
}

static void
state_copy(struct state *dst, const struct state *src)
{
	memset(dst, 0, sizeof(*dst));
	memcpy(dst->identity, src->identity, sizeof(dst->identity));
	config_copy(&dst->config, &src->config);
	vars_copy(&dst->env, &src->env);
	dst->layers = xreallocarray(NULL, src->nlayers ? src->nlayers : 1, sizeof(*dst->layers));
	dst->nlayers = dst->cap = src->nlayers;
	for (size_t i = 0; i < src->nlayers; i++) {
		dst->layers[i] = src->layers[i];
		dst->layers[i].media_type = xstrdup(src->layers[i].media_type);
		dst->layers[i].dir = xstrdup(src->layers[i].dir);
	}
	dst->parent = xstrdup(src->parent);
	dst->history_from = src->history_from;
}

static struct memo *
memo_find(const char *path)
{
	for (size_t i = 0; i < nmemo; i++)
		if (strcmp(memo[i].path, path) == 0)
			return &memo[i];
	return NULL;
}

static void
memo_forget(const char *path)
{
	struct memo *m = memo_find(path);

	if (!m)
		return;
	free(m->path);
	state_fini(&m->s);
	*m = memo[--nmemo];
}

int
state_save(const char *builddir, const char *name, struct state *s,
	   struct err **errp)
{
	autofree char *path = state_path(builddir, name), *dir = NULL;
	json_t *o = to_json(s, false, NULL);
	char *text;
	int r;

	memo_forget(path);
	text = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(o);
	digest_buf(text, strlen(text), s->identity);
	free(text);
	o = to_json(s, true, builddir);
	json_object_set_new(o, "identity", json_string(s->identity));
	text = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(o);
	dir = fs_dirname(path);
	r = fs_mkdir_p(dir, errp);
	if (r == 0) {
		size_t n = strlen(text);

		text = xreallocarray(text, n + 2, 1);
		text[n] = '\n';
		text[n + 1] = '\0';
		r = fs_write_if_changed(path, text, n + 1, NULL, errp);
	}
	free(text);
	return r;
}

void
state_portable_id(const struct state *s, char out[DIGEST_LEN])
{
	json_t *o = json_object(), *c = json_copy(s->config.json), *env = json_array();
	json_t *layers = json_array();
	char *text;

	json_object_del(c, "history");
	json_object_set_new(o, "config", c);
	for (size_t i = 0; i < s->env.n; i++)
		if (s->env.v[i].value)
			json_array_append_new(env, json_pack("[ss]", s->env.v[i].name,
							     s->env.v[i].value));
	json_object_set_new(o, "env", env);
	for (size_t i = 0; i < s->nlayers; i++)
		json_array_append_new(layers, json_string(s->layers[i].sum[0] ?
							  s->layers[i].sum :
							  s->layers[i].diff_id));
	json_object_set_new(o, "layers", layers);
	text = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(o);
	digest_buf(text, strlen(text), out);
	free(text);
}

char *
state_target(const char *name)
{
	const char *slash = strrchr(name, '/');
	const char *n = slash ? slash + 1 : name;

	if (!slash || *n != '0')
		return xstrdup(name);
	while (n[0] == '0' && n[1] >= '0' && n[1] <= '9')
		n++;
	return xasprintf("%.*s/%s", (int)(slash - name), name, n);
}

static int load(const char *path, const char *name, const char *builddir,
		struct state *s, struct err **errp);

int
state_load(const char *builddir, const char *name, struct state *s,
	   struct err **errp)
{
	autofree char *path = state_path(builddir, name);
	struct memo *m = is_memo_on ? memo_find(path) : NULL;

	if (m) {
		state_copy(s, &m->s);
		return 0;
	}
	if (load(path, name, builddir, s, errp) < 0)
		return -1;
	if (is_memo_on) {
		xgrow(&memo, &capmemo, nmemo + 1, sizeof(*memo));
		memo[nmemo].path = steal_pointer(&path);
		state_copy(&memo[nmemo++].s, s);
	}
	return 0;
}

static int
load(const char *path, const char *name, const char *builddir, struct state *s,
     struct err **errp)
{
	json_error_t jerr;
	json_t *o, *v;
	size_t i;

	memset(s, 0, sizeof(*s));
	o = jsonfile_load(path, 0, &jerr);
	if (!o) {
		if (errno == ENOENT || strstr(jerr.text, "No such file")) {
			autofree char *target = state_target(name);

			return err_make(errp, 0, "step '%s' has not been built (no '%s'); "
					"run ninja %s first", target, path, target);
		}
		return err_make(errp, 0, "cannot read '%s': %s", path, jerr.text);
	}
	v = json_object_get(o, "config");
	if (!json_is_object(v)) {
		json_decref(o);
		return err_make(errp, 0, "'%s' has no config; rebuild the step", path);
	}
	/* o goes below: the config is then the state's alone, no copy needed */
	s->config.json = json_incref(v);
	snprintf(s->identity, sizeof(s->identity), "%s", json_string_value(json_object_get(o, "identity")) ?: "");
	s->parent = xstrdup(json_string_value(json_object_get(o, "parent")));
	s->history_from = (size_t)json_integer_value(json_object_get(o, "history_from"));
	json_array_foreach(json_object_get(o, "env"), i, v)
		vars_set(&s->env, json_string_value(json_array_get(v, 0)) ?: "",
			 json_string_value(json_array_get(v, 1)) ?: "");
	json_array_foreach(json_object_get(o, "layers"), i, v) {
		bool is_step = json_object_get(v, "dir") || json_object_get(v, "in");
		const char *id = json_string_value(json_object_get(v, is_step ? "sum" : "diff_id"));
		autofree char *dir = NULL;
		const char *missing = NULL;

		if (!id || !digest_valid(id))
			missing = is_step ? "sum" : "diff id";
		else if (is_step && !(dir = step_layer_dir(v, builddir, id)))
			missing = "dir";
		if (missing) {
			json_decref(o);
			state_fini(s);
			return err_make(errp, 0, "'%s': layer %zu has no %s; rebuild the step",
					path, i, missing);
		}
		if (is_step) {
			state_add_step_layer(s, id, dir);
		} else {
			const char *sum = json_string_value(json_object_get(v, "sum"));

			state_add_layer(s, id, json_string_value(json_object_get(v, "digest")),
					json_string_value(json_object_get(v, "media_type")),
					json_integer_value(json_object_get(v, "size")));
			if (sum && digest_valid(sum))
				snprintf(s->layers[s->nlayers - 1].sum, DIGEST_LEN, "%s", sum);
		}
	}
	json_decref(o);
	return 0;
}

int
state_history(const char *builddir, const char *name, json_t **history,
	      size_t *nbase, struct err **errp)
{
	/* of each state of the chain, only its history is kept: the chain
	 * may be long, and its states' layers are not needed here */
	struct own {
		json_t *h;
		size_t from;
	} *chain = NULL;
	size_t n = 0, cap = 0;
	char *next = xstrdup(name);
	int r = -1;

	*history = NULL;
	*nbase = 0;
	/* from the step back to the first of its chain */
	while (next) {
		struct state s;

		if (n > 4096) {
			err_make(errp, 0, "the states before '%s' form a loop; rebuild", name);
			goto out;
		}
		if (state_load(builddir, next, &s, errp) < 0)
			goto out;
		xgrow(&chain, &cap, n + 1, sizeof(*chain));
		chain[n].h = json_incref(json_object_get(s.config.json, "history"));
		chain[n++].from = s.history_from;
		free(next);
		next = steal_pointer(&s.parent);
		state_fini(&s);
	}
	*history = json_array();
	for (size_t k = n; k-- > 0;) {
		size_t i = chain[k].from;

		if (i > json_array_size(chain[k].h)) {
			json_decref(*history);
			*history = NULL;
			err_make(errp, 0, "the state of a step before '%s' is inconsistent; "
				 "rebuild it", name);
			goto out;
		}
		for (; i < json_array_size(chain[k].h); i++)
			json_array_append(*history, json_array_get(chain[k].h, i));
		if (k == n - 1)
			*nbase = json_array_size(*history);
	}
	r = 0;
out:
	for (size_t k = 0; k < n; k++)
		json_decref(chain[k].h);
	free(chain);
	free(next);
	return r;
}

int
state_stamp(const struct state *s, const char *stamp, struct err **errp)
{
	autofree char *dir = fs_dirname(stamp);
	char line[DIGEST_LEN + 1];

	if (fs_mkdir_p(dir, errp) < 0)
		return -1;
	snprintf(line, sizeof(line), "%s\n", s->identity);
	return fs_write_if_changed(stamp, line, strlen(line), NULL, errp);
}

void
state_lowerdirs(const struct state *s, const struct store *st, struct strv *out)
{
	for (size_t i = s->nlayers; i-- > 0;) {
		const struct state_layer *l = &s->layers[i];

		if (l->dir)
			strv_add(out, l->dir);
		else
			strv_push(out, store_layer_path(st, l->diff_id));
	}
}

void
state_envp(const struct state *s, struct strv *out)
{
	for (size_t i = 0; i < s->env.n; i++)
		if (s->env.v[i].value)
			strv_push(out, xasprintf("%s=%s", s->env.v[i].name, s->env.v[i].value));
}
