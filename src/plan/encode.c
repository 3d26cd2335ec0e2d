#include "plan/encode.h"
#include "plan/keys.h"
#include "plan/names.h"

struct enc {
	struct pjarena *a;
	bool is_bad;		/* a string is not valid UTF-8 */
};

static void
set(struct enc *e, struct pj *o, const char *key, struct pj *v)
{
	pj_set(e->a, o, key, v);
}

static struct pj *
str(struct enc *e, const char *s)
{
	struct pj *v = pj_string(e->a, s);

	if (!v) {
		e->is_bad = true;
		v = pj_null(e->a);
	}
	return v;
}

static struct pj *
str_or_null(struct enc *e, const char *s)
{
	return s ? str(e, s) : pj_null(e->a);
}

static struct pj *
name(struct enc *e, const struct plan_names *set, int value)
{
	return str(e, plan_name(set, value));
}

static struct pj *
word(struct enc *e, const struct plan_word *w)
{
	struct pj *o;

	if (!w->s)
		return pj_null(e->a);
	if (!w->is_raw)
		return str(e, w->s);
	o = pj_object(e->a);
	set(e, o, PLAN_KEY_RAW, str(e, w->s));
	return o;
}

static struct pj *
words(struct enc *e, const struct plan_words *w)
{
	struct pj *arr = pj_array(e->a);

	for (size_t i = 0; i < w->n; i++)
		pj_push(e->a, arr, word(e, &w->v[i]));
	return arr;
}

static struct pj *
strs(struct enc *e, const struct plan_strs *s)
{
	struct pj *arr = pj_array(e->a);

	for (size_t i = 0; i < s->n; i++)
		pj_push(e->a, arr, str(e, s->v[i]));
	return arr;
}

static struct pj *
pairs(struct enc *e, const struct plan_pair *v, size_t n)
{
	struct pj *arr = pj_array(e->a);

	for (size_t i = 0; i < n; i++) {
		struct pj *pair = pj_array(e->a);

		pj_push(e->a, pair, word(e, &v[i].name));
		pj_push(e->a, pair, word(e, &v[i].value));
		pj_push(e->a, arr, pair);
	}
	return arr;
}

static struct pj *
args(struct enc *e, const struct plan_arg *v, size_t n)
{
	struct pj *arr = pj_array(e->a);

	for (size_t i = 0; i < n; i++) {
		struct pj *o = pj_object(e->a);

		set(e, o, PLAN_KEY_NAME, str(e, v[i].name));
		set(e, o, PLAN_KEY_VALUE, word(e, &v[i].value));
		pj_push(e->a, arr, o);
	}
	return arr;
}

static struct pj *
op(struct enc *e, const struct plan_op *op)
{
	struct pj *o = pj_object(e->a);

	set(e, o, PLAN_KEY_OP, name(e, &plan_op_names, op->kind));
	switch (op->kind) {
	case PLAN_OP_ENV:
		set(e, o, PLAN_KEY_ENV, pairs(e, op->pairs, op->npairs));
		break;
	case PLAN_OP_LABEL:
		set(e, o, PLAN_KEY_LABELS, pairs(e, op->pairs, op->npairs));
		break;
	case PLAN_OP_ARG:
		set(e, o, PLAN_KEY_ARGS, args(e, op->args, op->nargs));
		break;
	case PLAN_OP_USER:
		set(e, o, PLAN_KEY_USER, word(e, &op->word));
		break;
	case PLAN_OP_STOPSIGNAL:
		set(e, o, PLAN_KEY_SIGNAL, word(e, &op->word));
		break;
	case PLAN_OP_CMD:
		set(e, o, PLAN_KEY_CMD, strs(e, &op->argv));
		set(e, o, PLAN_KEY_SHELL_FORM, pj_bool(e->a, op->shell_form));
		break;
	case PLAN_OP_ENTRYPOINT:
		set(e, o, PLAN_KEY_ENTRYPOINT, op->is_null ? pj_null(e->a) :
		    strs(e, &op->argv));
		set(e, o, PLAN_KEY_SHELL_FORM, pj_bool(e->a, op->shell_form));
		set(e, o, PLAN_KEY_RESET_CMD, pj_bool(e->a, op->reset_cmd));
		break;
	case PLAN_OP_SHELL:
		set(e, o, PLAN_KEY_SHELL, strs(e, &op->argv));
		break;
	case PLAN_OP_EXPOSE:
		set(e, o, PLAN_KEY_PORTS, words(e, &op->words));
		break;
	case PLAN_OP_VOLUME:
		set(e, o, PLAN_KEY_VOLUMES, words(e, &op->words));
		break;
	case PLAN_OP_HEALTHCHECK:
		set(e, o, PLAN_KEY_TEST, strs(e, &op->argv));
		set(e, o, PLAN_KEY_INTERVAL, pj_int(e->a, op->interval));
		set(e, o, PLAN_KEY_TIMEOUT, pj_int(e->a, op->timeout));
		set(e, o, PLAN_KEY_START_PERIOD, pj_int(e->a, op->start_period));
		set(e, o, PLAN_KEY_START_INTERVAL, pj_int(e->a, op->start_interval));
		set(e, o, PLAN_KEY_RETRIES, pj_int(e->a, op->retries));
		break;
	case PLAN_OP_ONBUILD:
		set(e, o, PLAN_KEY_TRIGGER, str(e, op->text));
		break;
	case PLAN_OP_MAINTAINER:
		set(e, o, PLAN_KEY_MAINTAINER, str(e, op->text));
		break;
	}
	return o;
}

static struct pj *
source(struct enc *e, const struct plan_source *s)
{
	struct pj *o = pj_object(e->a);

	if (s->stage) {
		set(e, o, PLAN_KEY_STAGE, str(e, s->stage));
		set(e, o, PLAN_KEY_STEP, str(e, s->step));
	} else {
		set(e, o, PLAN_KEY_IMAGE, str(e, s->image));
		if (s->platform)
			set(e, o, PLAN_KEY_PLATFORM, str(e, s->platform));
	}
	return o;
}

static struct pj *
heredocs(struct enc *e, const struct plan_heredoc *v, size_t n)
{
	struct pj *arr = pj_array(e->a);

	for (size_t i = 0; i < n; i++) {
		struct pj *o = pj_object(e->a);

		set(e, o, PLAN_KEY_NAME, str(e, v[i].name));
		set(e, o, PLAN_KEY_CONTENT, str(e, v[i].content));
		set(e, o, PLAN_KEY_EXPAND, pj_bool(e->a, v[i].expand));
		set(e, o, PLAN_KEY_CHOMP, pj_bool(e->a, v[i].chomp));
		pj_push(e->a, arr, o);
	}
	return arr;
}

static void
from(struct enc *e, struct pj *o, const struct from_plan *f)
{
	struct pj *base = pj_object(e->a);

	set(e, base, PLAN_KEY_TYPE, name(e, &plan_base_names, f->base));
	if (f->base == PLAN_BASE_STAGE)
		set(e, base, PLAN_KEY_STAGE, str(e, f->stage));
	else
		set(e, base, PLAN_KEY_PLATFORM, str(e, f->platform));
	if (f->base == PLAN_BASE_IMAGE)
		set(e, base, PLAN_KEY_REF, str(e, f->ref));
	if (f->base == PLAN_BASE_CONTEXT)
		set(e, base, PLAN_KEY_CONTEXT, str(e, f->context));
	set(e, o, PLAN_KEY_BASE, base);
	if (f->pull)
		set(e, o, PLAN_KEY_PULL, pj_bool(e->a, true));
	if (f->onbuild.n)
		set(e, o, PLAN_KEY_ONBUILD, strs(e, &f->onbuild));
}

/* optional members: only those given are written */
static void
opt_word(struct enc *e, struct pj *o, const char *key, const struct plan_word *w)
{
	if (w->s)
		set(e, o, key, word(e, w));
}

static void
opt_int(struct enc *e, struct pj *o, const char *key, bool has, long long v)
{
	if (has)
		set(e, o, key, pj_int(e->a, v));
}

static struct pj *
mount(struct enc *e, const struct plan_mount *m)
{
	struct pj *o = pj_object(e->a);

	set(e, o, PLAN_KEY_TYPE, name(e, &plan_mount_names, m->type));
	set(e, o, PLAN_KEY_READONLY, pj_bool(e->a, m->readonly));
	opt_word(e, o, PLAN_KEY_TARGET, &m->target);
	opt_word(e, o, PLAN_KEY_SOURCE, &m->source);
	opt_word(e, o, PLAN_KEY_ID, &m->id);
	opt_word(e, o, PLAN_KEY_ENV, &m->env);
	if (m->has_from)
		set(e, o, PLAN_KEY_FROM, source(e, &m->from));
	if (m->has_sharing)
		set(e, o, PLAN_KEY_SHARING, name(e, &plan_sharing_names, m->sharing));
	if (m->has_required)
		set(e, o, PLAN_KEY_REQUIRED, pj_bool(e->a, m->required));
	opt_int(e, o, PLAN_KEY_MODE, m->has_mode, m->mode);
	opt_int(e, o, PLAN_KEY_UID, m->has_uid, m->uid);
	opt_int(e, o, PLAN_KEY_GID, m->has_gid, m->gid);
	opt_int(e, o, PLAN_KEY_SIZE, m->has_size, m->size);
	return o;
}

static void
run(struct enc *e, struct pj *o, const struct run_plan *r)
{
	struct pj *mounts = pj_array(e->a);

	for (size_t i = 0; i < r->nmounts; i++)
		pj_push(e->a, mounts, mount(e, &r->mounts[i]));
	set(e, o, PLAN_KEY_CMD, strs(e, &r->cmd));
	set(e, o, PLAN_KEY_SHELL_FORM, pj_bool(e->a, r->shell_form));
	set(e, o, PLAN_KEY_MOUNTS, mounts);
	set(e, o, PLAN_KEY_NETWORK, name(e, &plan_network_names, r->network));
	set(e, o, PLAN_KEY_SECURITY, name(e, &plan_security_names, r->security));
	set(e, o, PLAN_KEY_ARGS, args(e, r->args, r->nargs));
	set(e, o, PLAN_KEY_HEREDOCS, heredocs(e, r->heredocs, r->nheredocs));
	if (r->script_name) {
		struct pj *script = pj_object(e->a);

		set(e, script, PLAN_KEY_NAME, str(e, r->script_name));
		set(e, script, PLAN_KEY_CONTENT, str(e, r->script_content));
		set(e, o, PLAN_KEY_SCRIPT, script);
	}
	if (r->nproxy) {
		struct pj *proxy = pj_object(e->a);

		for (size_t i = 0; i < r->nproxy; i++)
			set(e, proxy, r->proxy[i].name, str(e, r->proxy[i].value));
		set(e, o, PLAN_KEY_PROXY, proxy);
	}
	if (r->context)
		set(e, o, PLAN_KEY_CONTEXT, str(e, r->context));
	if (r->context_own.n)
		set(e, o, PLAN_KEY_CONTEXT_OWN, strs(e, &r->context_own));
	if (r->dockerignore)
		set(e, o, PLAN_KEY_DOCKERIGNORE, str(e, r->dockerignore));
	if (r->add_hosts.n)
		set(e, o, PLAN_KEY_ADD_HOSTS, strs(e, &r->add_hosts));
	if (r->ulimits.n)
		set(e, o, PLAN_KEY_ULIMITS, strs(e, &r->ulimits));
}

static void
copy(struct enc *e, struct pj *o, const struct copy_plan *c, bool is_add)
{
	set(e, o, PLAN_KEY_SOURCES, words(e, &c->sources));
	set(e, o, PLAN_KEY_DEST, word(e, &c->dest));
	set(e, o, PLAN_KEY_FROM, c->has_from ? source(e, &c->from) : pj_null(e->a));
	if (c->context)
		set(e, o, PLAN_KEY_CONTEXT, str(e, c->context));
	if (c->context_own.n)
		set(e, o, PLAN_KEY_CONTEXT_OWN, strs(e, &c->context_own));
	if (c->dockerignore)
		set(e, o, PLAN_KEY_DOCKERIGNORE, str(e, c->dockerignore));
	set(e, o, PLAN_KEY_CHOWN, word(e, &c->chown));
	set(e, o, PLAN_KEY_CHMOD, word(e, &c->chmod));
	set(e, o, PLAN_KEY_LINK, pj_bool(e->a, c->link));
	set(e, o, PLAN_KEY_EXCLUDE, words(e, &c->exclude));
	set(e, o, PLAN_KEY_HEREDOCS, heredocs(e, c->heredocs, c->nheredocs));
	if (!is_add) {
		set(e, o, PLAN_KEY_PARENTS, pj_bool(e->a, c->parents));
		return;
	}
	set(e, o, PLAN_KEY_CHECKSUM, word(e, &c->checksum));
	set(e, o, PLAN_KEY_KEEP_GIT_DIR, pj_bool(e->a, c->keep_git_dir));
	set(e, o, PLAN_KEY_UNPACK, c->unpack < 0 ? pj_null(e->a) :
	    pj_bool(e->a, c->unpack > 0));
}

struct pj *
plan_encode_step(struct pjarena *a, const struct step_plan *p)
{
	struct enc e = { a, false };
	struct pj *o = pj_object(a), *ops = pj_array(a);

	for (size_t i = 0; i < p->nops; i++)
		pj_push(a, ops, op(&e, &p->ops[i]));
	set(&e, o, PLAN_KEY_VERSION, pj_int(a, PLAN_VERSION));
	set(&e, o, PLAN_KEY_KIND, name(&e, &plan_kind_names, p->kind));
	set(&e, o, PLAN_KEY_STAGE, str(&e, p->stage));
	set(&e, o, PLAN_KEY_STEP, pj_int(a, p->num));
	set(&e, o, PLAN_KEY_INSTRUCTION, str(&e, p->instruction));
	set(&e, o, PLAN_KEY_PARENT, str_or_null(&e, p->parent));
	set(&e, o, PLAN_KEY_CONFIG, ops);
	set(&e, o, PLAN_KEY_EXPAND, pj_bool(a, p->expand));
	if (p->expand) {
		char esc[2] = { p->escape, '\0' };

		set(&e, o, PLAN_KEY_ESCAPE, str(&e, esc));
	}
	switch (p->kind) {
	case PLAN_FROM:
		from(&e, o, &p->from);
		break;
	case PLAN_RUN:
		run(&e, o, &p->run);
		break;
	case PLAN_COPY:
	case PLAN_ADD:
		copy(&e, o, &p->copy, p->kind == PLAN_ADD);
		break;
	case PLAN_WORKDIR:
		set(&e, o, PLAN_KEY_PATH, word(&e, &p->meta.path));
		break;
	case PLAN_CONFIG:
		break;
	}
	return e.is_bad ? NULL : o;
}

struct pj *
plan_encode_export(struct pjarena *a, const struct export_plan *p)
{
	struct enc e = { a, false };
	struct pj *o = pj_object(a), *outs = pj_array(a);

	for (size_t i = 0; i < p->noutputs; i++) {
		const struct plan_output *out = &p->outputs[i];
		struct pj *j = pj_object(a);

		set(&e, j, PLAN_KEY_TYPE, name(&e, &plan_output_names, out->type));
		if (out->dest)
			set(&e, j, PLAN_KEY_DEST, str(&e, out->dest));
		if (out->name)
			set(&e, j, PLAN_KEY_NAME, str(&e, out->name));
		if (out->has_tar)
			set(&e, j, PLAN_KEY_TAR, pj_bool(a, out->tar));
		if (out->in_context)
			set(&e, j, PLAN_KEY_IN_CONTEXT, pj_bool(a, true));
		if (out->load)
			set(&e, j, PLAN_KEY_LOAD, pj_bool(a, true));
		pj_push(a, outs, j);
	}
	set(&e, o, PLAN_KEY_VERSION, pj_int(a, PLAN_VERSION));
	set(&e, o, PLAN_KEY_STAGE, str(&e, p->stage));
	set(&e, o, PLAN_KEY_LAST, str(&e, p->last));
	set(&e, o, PLAN_KEY_CHAIN, str(&e, p->chain));
	set(&e, o, PLAN_KEY_OUTPUTS, outs);
	set(&e, o, PLAN_KEY_TAGS, strs(&e, &p->tags));
	if (p->has_epoch)
		set(&e, o, PLAN_KEY_SOURCE_DATE_EPOCH, pj_int(a, p->epoch));
	if (p->labels.n)
		set(&e, o, PLAN_KEY_LABELS, strs(&e, &p->labels));
	if (p->iidfile)
		set(&e, o, PLAN_KEY_IIDFILE, str(&e, p->iidfile));
	if (p->quiet)
		set(&e, o, PLAN_KEY_QUIET, pj_bool(a, true));
	if (p->metadata_file)
		set(&e, o, PLAN_KEY_METADATA_FILE, str(&e, p->metadata_file));
	if (p->nplatforms) {
		struct pj *ps = pj_array(a);

		for (size_t i = 0; i < p->nplatforms; i++) {
			const struct plan_export_platform *pl = &p->platforms[i];
			struct pj *j = pj_object(a);

			set(&e, j, PLAN_KEY_PLATFORM, str(&e, pl->platform));
			set(&e, j, PLAN_KEY_STAGE, str(&e, pl->stage));
			set(&e, j, PLAN_KEY_LAST, str(&e, pl->last));
			set(&e, j, PLAN_KEY_CHAIN, str(&e, pl->chain));
			pj_push(a, ps, j);
		}
		set(&e, o, PLAN_KEY_PLATFORMS, ps);
	}
	return e.is_bad ? NULL : o;
}
