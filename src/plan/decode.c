#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "plan/decode.h"
#include "plan/keys.h"
#include "plan/names.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/epoch.h"
#include "util/ulimit.h"
#include "util/err.h"

/*
 * Every decoder reads one JSON value at a path ("mounts[0].target") that
 * names it in messages. An object is read through a cursor that notes the
 * keys read, so that a key no decoder asked for is an error too: the
 * decoders are the schema.
 */

#define AT 160			/* a path; longer ones are cut short */

struct dec {
	const char *file;
	struct pjarena *a;
	struct err **errp;
};

struct obj {
	struct dec *d;
	const json_t *j;
	const char *at;
	const char *seen[32];
	size_t nseen;
};

/* member flags: required, and null allowed (a word or string reads NULL) */
enum { OPT = 0, REQ = 1, NUL = 2 };

static int __attribute__((format(printf, 3, 4)))
bad(struct dec *d, const char *at, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	int r;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	r = err_make(d->errp, 0, "plan '%s': '%s' %s; rerun df2ninja", d->file, at,
		     buf_str(&b));
	buf_fini(&b);
	return r;
}

/* a path cut short ends in "..." */
static void
cut(char out[AT], int n)
{
	if (n >= AT)
		memcpy(out + AT - 4, "...", 4);
}

static void
key_path(char out[AT], const char *at, const char *key)
{
	cut(out, snprintf(out, AT, "%s%s%s", at, at[0] ? "." : "", key));
}

static void
index_path(char out[AT], const char *at, size_t i)
{
	cut(out, snprintf(out, AT, "%s[%zu]", at, i));
}

static int
open_obj(struct dec *d, const char *at, const json_t *v, struct obj *o)
{
	memset(o, 0, sizeof(*o));
	o->d = d;
	o->j = v;
	o->at = at;
	if (!json_is_object(v))
		return bad(d, at, "is not an object");
	return 0;
}

/* the member key of o, NULL when absent (an error when required) */
static int
member(struct obj *o, const char *key, unsigned how, const json_t **v, char at[AT])
{
	key_path(at, o->at, key);
	*v = json_object_get(o->j, key);
	if (!*v)
		return how & REQ ? bad(o->d, at, "is missing") : 0;
	if (o->nseen == sizeof(o->seen) / sizeof(*o->seen))
		BUG("plan objects have at most %zu keys", o->nseen);
	o->seen[o->nseen++] = key;
	if (json_is_null(*v) && !(how & NUL))
		return bad(o->d, at, "is null");
	if (json_is_null(*v))
		*v = NULL;
	return 0;
}

/* every member of o was read */
static int
close_obj(struct obj *o)
{
	const char *key;
	json_t *v;

	if (json_object_size(o->j) == o->nseen)
		return 0;
	json_object_foreach((json_t *)o->j, key, v) {
		size_t i;
		char at[AT];

		for (i = 0; i < o->nseen && strcmp(o->seen[i], key) != 0; i++)
			;
		if (i == o->nseen) {
			key_path(at, o->at, key);
			return bad(o->d, at, "is not a key of this plan");
		}
	}
	return 0;
}

static int
v_str(struct dec *d, const char *at, const json_t *v, const char **out)
{
	if (!json_is_string(v))
		return bad(d, at, "is not a string");
	*out = json_string_value(v);
	return 0;
}

static int
v_int(struct dec *d, const char *at, const json_t *v, long long *out)
{
	if (!json_is_integer(v))
		return bad(d, at, "is not an integer");
	*out = (long long)json_integer_value(v);
	return 0;
}

static int
v_bool(struct dec *d, const char *at, const json_t *v, bool *out)
{
	if (!json_is_boolean(v))
		return bad(d, at, "is not a boolean");
	*out = json_is_true(v);
	return 0;
}

static int
v_name(struct dec *d, const char *at, const json_t *v, const struct plan_names *set,
       int *out)
{
	const char *s = NULL;

	if (v_str(d, at, v, &s) < 0)
		return -1;
	*out = plan_value(set, s);
	if (*out < 0)
		return bad(d, at, "has the unknown value '%s'", s);
	return 0;
}

/* a word: a string, or {"raw": W}; null (NULL) when v is NULL */
static int
v_word(struct dec *d, const char *at, const json_t *v, struct plan_word *out)
{
	const json_t *raw;
	char rat[AT];
	struct obj o;

	out->s = NULL;
	out->is_raw = false;
	if (!v || json_is_string(v))
		return v ? v_str(d, at, v, &out->s) : 0;
	if (!json_is_object(v))
		return bad(d, at, "is neither a string nor {\"raw\": ...}");
	if (open_obj(d, at, v, &o) < 0 || member(&o, PLAN_KEY_RAW, REQ, &raw, rat) < 0 ||
	    v_str(d, rat, raw, &out->s) < 0)
		return -1;
	out->is_raw = true;
	return close_obj(&o);
}

/* an array: its elements in *n, each to be read at its path */
static int
v_array(struct dec *d, const char *at, const json_t *v, size_t *n)
{
	if (!json_is_array(v))
		return bad(d, at, "is not an array");
	*n = json_array_size(v);
	return 0;
}

static int
v_strs(struct dec *d, const char *at, const json_t *v, struct plan_strs *out)
{
	char eat[AT];

	if (v_array(d, at, v, &out->n) < 0)
		return -1;
	out->v = pj_alloc(d->a, out->n, sizeof(*out->v));
	for (size_t i = 0; i < out->n; i++) {
		index_path(eat, at, i);
		if (v_str(d, eat, json_array_get(v, i), &out->v[i]) < 0)
			return -1;
	}
	return 0;
}

static int
v_words(struct dec *d, const char *at, const json_t *v, struct plan_words *out)
{
	char eat[AT];

	if (v_array(d, at, v, &out->n) < 0)
		return -1;
	out->v = pj_alloc(d->a, out->n, sizeof(*out->v));
	for (size_t i = 0; i < out->n; i++) {
		const json_t *w = json_array_get(v, i);

		index_path(eat, at, i);
		if (json_is_null(w))
			return bad(d, eat, "is null");
		if (v_word(d, eat, w, &out->v[i]) < 0)
			return -1;
	}
	return 0;
}

/* the members: each reads key of o; absent, an optional one stays zero */

static int
o_str(struct obj *o, const char *key, unsigned how, const char **out)
{
	const json_t *v;
	char at[AT];

	*out = NULL;
	if (member(o, key, how, &v, at) < 0)
		return -1;
	return v ? v_str(o->d, at, v, out) : 0;
}

static int
o_int(struct obj *o, const char *key, unsigned how, bool *has, long long *out)
{
	const json_t *v;
	char at[AT];

	if (member(o, key, how, &v, at) < 0)
		return -1;
	if (has)
		*has = v != NULL;
	return v ? v_int(o->d, at, v, out) : 0;
}

static int
o_bool(struct obj *o, const char *key, unsigned how, bool *has, bool *out)
{
	const json_t *v;
	char at[AT];

	if (member(o, key, how, &v, at) < 0)
		return -1;
	if (has)
		*has = v != NULL;
	return v ? v_bool(o->d, at, v, out) : 0;
}

static int
o_name(struct obj *o, const char *key, unsigned how, const struct plan_names *set,
       bool *has, int *out)
{
	const json_t *v;
	char at[AT];

	if (member(o, key, how, &v, at) < 0)
		return -1;
	if (has)
		*has = v != NULL;
	return v ? v_name(o->d, at, v, set, out) : 0;
}

static int
o_word(struct obj *o, const char *key, unsigned how, struct plan_word *out)
{
	const json_t *v;
	char at[AT];

	if (member(o, key, how, &v, at) < 0)
		return -1;
	return v_word(o->d, at, v, out);
}

static int
o_strs(struct obj *o, const char *key, unsigned how, struct plan_strs *out)
{
	const json_t *v;
	char at[AT];

	if (member(o, key, how, &v, at) < 0)
		return -1;
	if (!v) {
		out->v = NULL;
		out->n = 0;
		return 0;
	}
	return v_strs(o->d, at, v, out);
}

static int
o_words(struct obj *o, const char *key, struct plan_words *out)
{
	const json_t *v;
	char at[AT];

	if (member(o, key, REQ, &v, at) < 0)
		return -1;
	return v_words(o->d, at, v, out);
}

/*
 * an array of objects of elements of size bytes in a, each read by fn at
 * its path; *out gets the elements and *n their count
 */
typedef int read_fn(struct dec *d, const char *at, const json_t *v, void *out);

static int
o_objects(struct obj *o, const char *key, size_t size, read_fn *fn, void *out,
	  size_t *n)
{
	const json_t *v;
	char at[AT], eat[AT];
	char *elems;

	if (member(o, key, REQ, &v, at) < 0 || v_array(o->d, at, v, n) < 0)
		return -1;
	elems = pj_alloc(o->d->a, *n, size);
	for (size_t i = 0; i < *n; i++) {
		index_path(eat, at, i);
		if (fn(o->d, eat, json_array_get(v, i), elems + i * size) < 0)
			return -1;
	}
	*(void **)out = elems;
	return 0;
}

/* ENV and LABEL pairs: [word, word] */
static int
read_pair(struct dec *d, const char *at, const json_t *v, void *out)
{
	struct plan_pair *p = out;
	char eat[AT];
	size_t n = 0;

	if (v_array(d, at, v, &n) < 0)
		return -1;
	if (n != 2)
		return bad(d, at, "is not a pair");
	index_path(eat, at, 0);
	if (json_is_null(json_array_get(v, 0)) || json_is_null(json_array_get(v, 1)))
		return bad(d, at, "holds a null");
	if (v_word(d, eat, json_array_get(v, 0), &p->name) < 0)
		return -1;
	index_path(eat, at, 1);
	return v_word(d, eat, json_array_get(v, 1), &p->value);
}

static int
read_arg(struct dec *d, const char *at, const json_t *v, void *out)
{
	struct plan_arg *a = out;
	struct obj o;

	if (open_obj(d, at, v, &o) < 0 || o_str(&o, PLAN_KEY_NAME, REQ, &a->name) < 0 ||
	    o_word(&o, PLAN_KEY_VALUE, REQ | NUL, &a->value) < 0)
		return -1;
	return close_obj(&o);
}

static int
read_heredoc(struct dec *d, const char *at, const json_t *v, void *out)
{
	struct plan_heredoc *h = out;
	struct obj o;

	if (open_obj(d, at, v, &o) < 0 || o_str(&o, PLAN_KEY_NAME, REQ, &h->name) < 0 ||
	    o_str(&o, PLAN_KEY_CONTENT, REQ, &h->content) < 0 ||
	    o_bool(&o, PLAN_KEY_EXPAND, REQ, NULL, &h->expand) < 0 ||
	    o_bool(&o, PLAN_KEY_CHOMP, REQ, NULL, &h->chomp) < 0)
		return -1;
	return close_obj(&o);
}

static int
read_source(struct dec *d, const char *at, const json_t *v, struct plan_source *s)
{
	struct obj o;

	if (open_obj(d, at, v, &o) < 0 || o_str(&o, PLAN_KEY_STAGE, OPT, &s->stage) < 0 ||
	    o_str(&o, PLAN_KEY_STEP, OPT, &s->step) < 0 ||
	    o_str(&o, PLAN_KEY_IMAGE, OPT, &s->image) < 0 ||
	    o_str(&o, PLAN_KEY_PLATFORM, OPT, &s->platform) < 0)
		return -1;
	if (s->image ? s->stage || s->step : !s->stage || !s->step || s->platform)
		return bad(d, at, "is neither {\"stage\", \"step\"} nor {\"image\"}");
	return close_obj(&o);
}

static int
o_source(struct obj *o, const char *key, unsigned how, bool *has,
	 struct plan_source *s)
{
	const json_t *v;
	char at[AT];

	if (member(o, key, how, &v, at) < 0)
		return -1;
	*has = v != NULL;
	return v ? read_source(o->d, at, v, s) : 0;
}

static int
read_op(struct dec *d, const char *at, const json_t *v, void *out)
{
	struct plan_op *op = out;
	struct obj o;
	int kind;

	if (open_obj(d, at, v, &o) < 0 ||
	    o_name(&o, PLAN_KEY_OP, REQ, &plan_op_names, NULL, &kind) < 0)
		return -1;
	op->kind = (enum plan_op_kind)kind;
	switch (op->kind) {
	case PLAN_OP_ENV:
	case PLAN_OP_LABEL:
		if (o_objects(&o, op->kind == PLAN_OP_ENV ? PLAN_KEY_ENV : PLAN_KEY_LABELS,
			      sizeof(*op->pairs), read_pair, &op->pairs, &op->npairs) < 0)
			return -1;
		for (size_t i = 0; op->kind == PLAN_OP_ENV && i < op->npairs; i++)
			if (op->pairs[i].name.is_raw)
				return bad(d, at, "sets a name that is not final");
		break;
	case PLAN_OP_ARG:
		if (o_objects(&o, PLAN_KEY_ARGS, sizeof(*op->args), read_arg, &op->args,
			      &op->nargs) < 0)
			return -1;
		break;
	case PLAN_OP_USER:
	case PLAN_OP_STOPSIGNAL:
		if (o_word(&o, op->kind == PLAN_OP_USER ? PLAN_KEY_USER : PLAN_KEY_SIGNAL,
			   REQ, &op->word) < 0)
			return -1;
		break;
	case PLAN_OP_CMD:
		if (o_strs(&o, PLAN_KEY_CMD, REQ, &op->argv) < 0 ||
		    o_bool(&o, PLAN_KEY_SHELL_FORM, REQ, NULL, &op->shell_form) < 0)
			return -1;
		break;
	case PLAN_OP_ENTRYPOINT: {
		const json_t *ep;
		char eat[AT];

		if (member(&o, PLAN_KEY_ENTRYPOINT, REQ | NUL, &ep, eat) < 0 ||
		    (ep && v_strs(d, eat, ep, &op->argv) < 0) ||
		    o_bool(&o, PLAN_KEY_SHELL_FORM, REQ, NULL, &op->shell_form) < 0 ||
		    o_bool(&o, PLAN_KEY_RESET_CMD, REQ, NULL, &op->reset_cmd) < 0)
			return -1;
		op->is_null = !ep;
		break;
	}
	case PLAN_OP_SHELL:
		if (o_strs(&o, PLAN_KEY_SHELL, REQ, &op->argv) < 0)
			return -1;
		break;
	case PLAN_OP_EXPOSE:
	case PLAN_OP_VOLUME:
		if (o_words(&o, op->kind == PLAN_OP_EXPOSE ? PLAN_KEY_PORTS : PLAN_KEY_VOLUMES,
			    &op->words) < 0)
			return -1;
		break;
	case PLAN_OP_HEALTHCHECK:
		if (o_strs(&o, PLAN_KEY_TEST, REQ, &op->argv) < 0 ||
		    o_int(&o, PLAN_KEY_INTERVAL, REQ, NULL, &op->interval) < 0 ||
		    o_int(&o, PLAN_KEY_TIMEOUT, REQ, NULL, &op->timeout) < 0 ||
		    o_int(&o, PLAN_KEY_START_PERIOD, REQ, NULL, &op->start_period) < 0 ||
		    o_int(&o, PLAN_KEY_START_INTERVAL, REQ, NULL, &op->start_interval) < 0 ||
		    o_int(&o, PLAN_KEY_RETRIES, REQ, NULL, &op->retries) < 0)
			return -1;
		break;
	case PLAN_OP_ONBUILD:
	case PLAN_OP_MAINTAINER:
		if (o_str(&o, op->kind == PLAN_OP_ONBUILD ? PLAN_KEY_TRIGGER :
			  PLAN_KEY_MAINTAINER, REQ, &op->text) < 0)
			return -1;
		break;
	}
	return close_obj(&o);
}

static int
read_from(struct obj *top, struct from_plan *f)
{
	const json_t *v;
	char at[AT];
	struct obj o;
	int base;

	if (member(top, PLAN_KEY_BASE, REQ, &v, at) < 0 || open_obj(top->d, at, v, &o) < 0 ||
	    o_name(&o, PLAN_KEY_TYPE, REQ, &plan_base_names, NULL, &base) < 0)
		return -1;
	f->base = (enum plan_base)base;
	if (f->base == PLAN_BASE_STAGE ? o_str(&o, PLAN_KEY_STAGE, REQ, &f->stage) < 0 :
	    o_str(&o, PLAN_KEY_PLATFORM, REQ, &f->platform) < 0)
		return -1;
	if (f->base == PLAN_BASE_IMAGE && o_str(&o, PLAN_KEY_REF, REQ, &f->ref) < 0)
		return -1;
	if (f->base == PLAN_BASE_CONTEXT && o_str(&o, PLAN_KEY_CONTEXT, REQ, &f->context) < 0)
		return -1;
	if (close_obj(&o) < 0 || o_bool(top, PLAN_KEY_PULL, OPT, NULL, &f->pull) < 0)
		return -1;
	if (f->pull && f->base != PLAN_BASE_IMAGE)
		return bad(top->d, PLAN_KEY_PULL, "is set for a base that is not an image");
	if (o_strs(top, PLAN_KEY_ONBUILD, OPT, &f->onbuild) < 0)
		return -1;
	if (f->onbuild.n && f->base != PLAN_BASE_IMAGE)
		return bad(top->d, PLAN_KEY_ONBUILD, "is set for a base that is not an image");
	return 0;
}

static int
read_mount(struct dec *d, const char *at, const json_t *v, void *out)
{
	struct plan_mount *m = out;
	struct obj o;
	int type, sharing = 0;

	if (open_obj(d, at, v, &o) < 0 ||
	    o_name(&o, PLAN_KEY_TYPE, REQ, &plan_mount_names, NULL, &type) < 0 ||
	    o_bool(&o, PLAN_KEY_READONLY, REQ, NULL, &m->readonly) < 0 ||
	    o_word(&o, PLAN_KEY_TARGET, OPT, &m->target) < 0 ||
	    o_word(&o, PLAN_KEY_SOURCE, OPT, &m->source) < 0 ||
	    o_word(&o, PLAN_KEY_ID, OPT, &m->id) < 0 ||
	    o_word(&o, PLAN_KEY_ENV, OPT, &m->env) < 0 ||
	    o_source(&o, PLAN_KEY_FROM, OPT, &m->has_from, &m->from) < 0 ||
	    o_name(&o, PLAN_KEY_SHARING, OPT, &plan_sharing_names, &m->has_sharing,
		   &sharing) < 0 ||
	    o_bool(&o, PLAN_KEY_REQUIRED, OPT, &m->has_required, &m->required) < 0 ||
	    o_int(&o, PLAN_KEY_MODE, OPT, &m->has_mode, &m->mode) < 0 ||
	    o_int(&o, PLAN_KEY_UID, OPT, &m->has_uid, &m->uid) < 0 ||
	    o_int(&o, PLAN_KEY_GID, OPT, &m->has_gid, &m->gid) < 0 ||
	    o_int(&o, PLAN_KEY_SIZE, OPT, &m->has_size, &m->size) < 0)
		return -1;
	m->type = (enum plan_mount_type)type;
	m->sharing = (enum plan_sharing)sharing;
	return close_obj(&o);
}

static int
read_proxy(struct obj *top, struct run_plan *r)
{
	const json_t *v;
	const char *key;
	json_t *val;
	char at[AT], eat[AT];

	if (member(top, PLAN_KEY_PROXY, OPT, &v, at) < 0 || !v)
		return 0;
	if (!json_is_object(v))
		return bad(top->d, at, "is not an object");
	r->proxy = pj_alloc(top->d->a, json_object_size(v), sizeof(*r->proxy));
	json_object_foreach((json_t *)v, key, val) {
		key_path(eat, at, key);
		r->proxy[r->nproxy].name = key;
		if (v_str(top->d, eat, val, &r->proxy[r->nproxy++].value) < 0)
			return -1;
	}
	return 0;
}

static int
read_run(struct obj *top, struct run_plan *r)
{
	const json_t *v;
	char at[AT];
	struct obj so;
	int network, security;

	if (o_strs(top, PLAN_KEY_CMD, REQ, &r->cmd) < 0 ||
	    o_bool(top, PLAN_KEY_SHELL_FORM, REQ, NULL, &r->shell_form) < 0 ||
	    o_objects(top, PLAN_KEY_MOUNTS, sizeof(*r->mounts), read_mount, &r->mounts,
		      &r->nmounts) < 0 ||
	    o_name(top, PLAN_KEY_NETWORK, REQ, &plan_network_names, NULL, &network) < 0 ||
	    o_name(top, PLAN_KEY_SECURITY, REQ, &plan_security_names, NULL, &security) < 0 ||
	    o_objects(top, PLAN_KEY_ARGS, sizeof(*r->args), read_arg, &r->args,
		      &r->nargs) < 0 ||
	    o_objects(top, PLAN_KEY_HEREDOCS, sizeof(*r->heredocs), read_heredoc,
		      &r->heredocs, &r->nheredocs) < 0 ||
	    read_proxy(top, r) < 0 ||
	    o_str(top, PLAN_KEY_CONTEXT, OPT, &r->context) < 0 ||
	    o_strs(top, PLAN_KEY_CONTEXT_OWN, OPT, &r->context_own) < 0 ||
	    o_str(top, PLAN_KEY_DOCKERIGNORE, OPT, &r->dockerignore) < 0 ||
	    o_strs(top, PLAN_KEY_ADD_HOSTS, OPT, &r->add_hosts) < 0 ||
	    o_strs(top, PLAN_KEY_ULIMITS, OPT, &r->ulimits) < 0 ||
	    member(top, PLAN_KEY_SCRIPT, OPT, &v, at) < 0)
		return -1;
	r->network = (enum plan_network)network;
	r->security = (enum plan_security)security;
	for (size_t i = 0; i < r->add_hosts.n; i++)
		if (!strchr(r->add_hosts.v[i], '=') || strpbrk(r->add_hosts.v[i], " \t\n"))
			return bad(top->d, PLAN_KEY_ADD_HOSTS, "holds a string that is not host=ip");
	for (size_t i = 0; i < r->ulimits.n; i++) {
		struct ulimit u;

		if (ulimit_parse(r->ulimits.v[i], &u, NULL) < 0)
			return bad(top->d, PLAN_KEY_ULIMITS, "holds '%s', not name=soft:hard",
				   r->ulimits.v[i]);
	}
	if (!v)
		return 0;
	if (open_obj(top->d, at, v, &so) < 0 ||
	    o_str(&so, PLAN_KEY_NAME, REQ, &r->script_name) < 0 ||
	    o_str(&so, PLAN_KEY_CONTENT, REQ, &r->script_content) < 0)
		return -1;
	return close_obj(&so);
}

static int
read_copy(struct obj *top, struct copy_plan *c, bool is_add)
{
	const json_t *v;
	char at[AT];

	if (o_words(top, PLAN_KEY_SOURCES, &c->sources) < 0 ||
	    o_word(top, PLAN_KEY_DEST, REQ, &c->dest) < 0 ||
	    o_source(top, PLAN_KEY_FROM, REQ | NUL, &c->has_from, &c->from) < 0 ||
	    o_str(top, PLAN_KEY_CONTEXT, OPT, &c->context) < 0 ||
	    o_strs(top, PLAN_KEY_CONTEXT_OWN, OPT, &c->context_own) < 0 ||
	    o_str(top, PLAN_KEY_DOCKERIGNORE, OPT, &c->dockerignore) < 0 ||
	    o_word(top, PLAN_KEY_CHOWN, REQ | NUL, &c->chown) < 0 ||
	    o_word(top, PLAN_KEY_CHMOD, REQ | NUL, &c->chmod) < 0 ||
	    o_bool(top, PLAN_KEY_LINK, REQ, NULL, &c->link) < 0 ||
	    o_words(top, PLAN_KEY_EXCLUDE, &c->exclude) < 0 ||
	    o_objects(top, PLAN_KEY_HEREDOCS, sizeof(*c->heredocs), read_heredoc,
		      &c->heredocs, &c->nheredocs) < 0)
		return -1;
	c->unpack = -1;
	if (!is_add)
		return o_bool(top, PLAN_KEY_PARENTS, REQ, NULL, &c->parents);
	if (o_word(top, PLAN_KEY_CHECKSUM, REQ | NUL, &c->checksum) < 0 ||
	    o_bool(top, PLAN_KEY_KEEP_GIT_DIR, REQ, NULL, &c->keep_git_dir) < 0 ||
	    member(top, PLAN_KEY_UNPACK, REQ | NUL, &v, at) < 0)
		return -1;
	if (v) {
		bool unpack = false;

		if (v_bool(top->d, at, v, &unpack) < 0)
			return -1;
		c->unpack = unpack;
	}
	return 0;
}

static int
check_version(struct dec *d, const json_t *j)
{
	if (!json_is_object(j) ||
	    json_integer_value(json_object_get(j, PLAN_KEY_VERSION)) != PLAN_VERSION)
		return err_make(d->errp, 0, "plan '%s' is not a version %d plan; rerun df2ninja",
				d->file, PLAN_VERSION);
	return 0;
}

static int
read_common(struct obj *o, struct step_plan *p)
{
	long long version, num;
	const char *escape = NULL;
	int kind;

	if (o_int(o, PLAN_KEY_VERSION, REQ, NULL, &version) < 0 ||
	    o_name(o, PLAN_KEY_KIND, REQ, &plan_kind_names, NULL, &kind) < 0 ||
	    o_str(o, PLAN_KEY_STAGE, REQ, &p->stage) < 0 ||
	    o_int(o, PLAN_KEY_STEP, REQ, NULL, &num) < 0 ||
	    o_str(o, PLAN_KEY_INSTRUCTION, REQ, &p->instruction) < 0 ||
	    o_str(o, PLAN_KEY_PARENT, REQ | NUL, &p->parent) < 0 ||
	    o_objects(o, PLAN_KEY_CONFIG, sizeof(*p->ops), read_op, &p->ops, &p->nops) < 0 ||
	    o_bool(o, PLAN_KEY_EXPAND, REQ, NULL, &p->expand) < 0 ||
	    o_str(o, PLAN_KEY_ESCAPE, p->expand ? REQ : OPT, &escape) < 0)
		return -1;
	p->kind = (enum plan_kind)kind;
	if (num < 0 || num > INT_MAX)
		return bad(o->d, PLAN_KEY_STEP, "is out of range");
	p->num = (int)num;
	p->escape = '\\';
	if (escape && strcmp(escape, "\\") && strcmp(escape, "`"))
		return bad(o->d, PLAN_KEY_ESCAPE, "is neither \"\\\\\" nor \"`\"");
	if (escape)
		p->escape = escape[0];
	return 0;
}

int
plan_decode_step(const char *file, const json_t *j, struct pjarena *a,
		 struct step_plan *p, struct err **errp)
{
	struct dec d = { file, a, errp };
	struct obj o;
	int r = 0;

	memset(p, 0, sizeof(*p));
	if (check_version(&d, j) < 0 || open_obj(&d, "", j, &o) < 0 ||
	    read_common(&o, p) < 0)
		return -1;
	switch (p->kind) {
	case PLAN_FROM:
		r = read_from(&o, &p->from);
		break;
	case PLAN_RUN:
		r = read_run(&o, &p->run);
		break;
	case PLAN_COPY:
	case PLAN_ADD:
		r = read_copy(&o, &p->copy, p->kind == PLAN_ADD);
		break;
	case PLAN_WORKDIR:
		r = o_word(&o, PLAN_KEY_PATH, REQ, &p->meta.path);
		break;
	case PLAN_CONFIG:
		break;
	}
	if (r < 0)
		return -1;
	return close_obj(&o);
}

static int
read_output(struct dec *d, const char *at, const json_t *v, void *out)
{
	struct plan_output *p = out;
	bool is_registry;
	struct obj o;
	int type;

	if (open_obj(d, at, v, &o) < 0 ||
	    o_name(&o, PLAN_KEY_TYPE, REQ, &plan_output_names, NULL, &type) < 0)
		return -1;
	p->type = (enum plan_output_type)type;
	/* a registry has a name to push to and nothing else */
	is_registry = p->type == PLAN_OUTPUT_REGISTRY;
	if (o_str(&o, PLAN_KEY_NAME, is_registry ? REQ : OPT, &p->name) < 0 ||
	    (!is_registry && o_str(&o, PLAN_KEY_DEST, REQ, &p->dest) < 0) ||
	    (!is_registry && o_bool(&o, PLAN_KEY_TAR, OPT, &p->has_tar, &p->tar) < 0) ||
	    (!is_registry && o_bool(&o, PLAN_KEY_IN_CONTEXT, OPT, NULL, &p->in_context) < 0) ||
	    (p->type == PLAN_OUTPUT_DOCKER &&
	     o_bool(&o, PLAN_KEY_LOAD, OPT, NULL, &p->load) < 0))
		return -1;
	return close_obj(&o);
}

static int
read_export_platform(struct dec *d, const char *at, const json_t *v, void *out)
{
	struct plan_export_platform *p = out;
	struct obj o;

	if (open_obj(d, at, v, &o) < 0 ||
	    o_str(&o, PLAN_KEY_PLATFORM, REQ, &p->platform) < 0 ||
	    o_str(&o, PLAN_KEY_STAGE, REQ, &p->stage) < 0 ||
	    o_str(&o, PLAN_KEY_LAST, REQ, &p->last) < 0 ||
	    o_str(&o, PLAN_KEY_CHAIN, REQ, &p->chain) < 0)
		return -1;
	return close_obj(&o);
}

int
plan_decode_export(const char *file, const json_t *j, struct pjarena *a,
		   struct export_plan *p, struct err **errp)
{
	struct dec d = { file, a, errp };
	long long version;
	struct obj o;

	memset(p, 0, sizeof(*p));
	if (check_version(&d, j) < 0 || open_obj(&d, "", j, &o) < 0 ||
	    o_int(&o, PLAN_KEY_VERSION, REQ, NULL, &version) < 0 ||
	    o_str(&o, PLAN_KEY_STAGE, REQ, &p->stage) < 0 ||
	    o_str(&o, PLAN_KEY_LAST, REQ, &p->last) < 0 ||
	    o_str(&o, PLAN_KEY_CHAIN, REQ, &p->chain) < 0 ||
	    o_objects(&o, PLAN_KEY_OUTPUTS, sizeof(*p->outputs), read_output, &p->outputs,
		      &p->noutputs) < 0 ||
	    o_strs(&o, PLAN_KEY_TAGS, REQ, &p->tags) < 0 ||
	    o_int(&o, PLAN_KEY_SOURCE_DATE_EPOCH, OPT, &p->has_epoch, &p->epoch) < 0 ||
	    o_strs(&o, PLAN_KEY_LABELS, OPT, &p->labels) < 0 ||
	    o_str(&o, PLAN_KEY_IIDFILE, OPT, &p->iidfile) < 0 ||
	    o_bool(&o, PLAN_KEY_QUIET, OPT, NULL, &p->quiet) < 0 ||
	    o_str(&o, PLAN_KEY_METADATA_FILE, OPT, &p->metadata_file) < 0 ||
	    (json_object_get(j, PLAN_KEY_PLATFORMS) &&
	     o_objects(&o, PLAN_KEY_PLATFORMS, sizeof(*p->platforms),
		       read_export_platform, &p->platforms, &p->nplatforms) < 0))
		return -1;
	if (p->platforms && p->nplatforms < 2)
		return bad(&d, PLAN_KEY_PLATFORMS, "holds fewer than two platforms");
	for (size_t i = 0; i < p->labels.n; i++)
		if (!strchr(p->labels.v[i], '=') || p->labels.v[i][0] == '=')
			return bad(&d, PLAN_KEY_LABELS, "holds a string that is not K=V");
	if (p->iidfile && p->iidfile[0] != '/')
		return bad(&d, PLAN_KEY_IIDFILE, "is not an absolute path");
	if (p->metadata_file && p->metadata_file[0] != '/')
		return bad(&d, PLAN_KEY_METADATA_FILE, "is not an absolute path");
	/* what the generator checked (util/epoch.h) */
	if (p->has_epoch && (p->epoch < 0 || p->epoch > EPOCH_MAX))
		return bad(&d, PLAN_KEY_SOURCE_DATE_EPOCH, "is not a time from 1970 to 9999");
	return close_obj(&o);
}

bool
plan_is_export(const json_t *j)
{
	return !json_object_get(j, PLAN_KEY_KIND) && json_object_get(j, PLAN_KEY_LAST);
}
