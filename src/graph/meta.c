#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "oci/port.h"
#include "oci/signame.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "check.h"
#include "meta.h"

bool
meta_is_config(enum instr_kind k)
{
	switch (k) {
	case INSTR_ARG:
	case INSTR_CMD:
	case INSTR_ENTRYPOINT:
	case INSTR_ENV:
	case INSTR_EXPOSE:
	case INSTR_HEALTHCHECK:
	case INSTR_LABEL:
	case INSTR_MAINTAINER:
	case INSTR_ONBUILD:
	case INSTR_SHELL:
	case INSTR_STOPSIGNAL:
	case INSTR_USER:
	case INSTR_VOLUME:
		return true;
	case INSTR_UNKNOWN:
	case INSTR_ADD:
	case INSTR_COPY:
	case INSTR_FROM:
	case INSTR_RUN:
	case INSTR_WORKDIR:
		break;
	}
	return false;
}

static struct plan_strs
strings(struct resolver *r, const struct strv *sv)
{
	struct plan_strs a = { pj_alloc(&r->arena, sv->n, sizeof(*a.v)), sv->n };

	for (size_t i = 0; i < sv->n; i++)
		a.v[i] = resolve_str(r, sv->v[i]);
	return a;
}

/* a new config operation of the next plan */
static struct plan_op *
op(struct resolver *r, enum plan_op_kind kind)
{
	struct plan_op *o;

	xgrow(&r->ops, &r->capops, r->nops + 1, sizeof(*r->ops));
	o = &r->ops[r->nops++];
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	return o;
}

/* ENV and LABEL: key, value, separator triples (ast.h) */
static int
pairs(struct resolver *r, struct stage *s, const struct instr *in, bool is_env)
{
	struct sstate *ss = resolve_ss(r, s);
	size_t n = in->args.n / 3, i;
	struct plan_pair *list = pj_alloc(&r->arena, n, sizeof(*list));
	struct plan_op *o;
	char **keys = xcalloc(n, sizeof(*keys)), **vals = xcalloc(n, sizeof(*vals));
	int rc = 0;

	/* BuildKit expands every word first, then sets them in order */
	for (i = 0; i < n && rc == 0; i++) {
		if (resolve_word(r, s, in, in->args.v[3 * i], &list[i].name,
				 &keys[i]) < 0) {
			rc = -1;
			break;
		}
		if (resolve_word(r, s, in, in->args.v[3 * i + 1],
				 &list[i].value, &vals[i]) < 0) {
			rc = -1;
			break;
		}
		if (is_env && !keys[i])
			rc = resolve_fail(r, in, "ENV name '%s' uses a variable "
					  "of the base image: not supported",
					  in->args.v[3 * i]);
		else if (is_env && !*keys[i])
			rc = resolve_fail(r, in, "ENV name '%s' expands to "
					  "nothing", in->args.v[3 * i]);
	}
	for (i = 0; i < n && rc == 0 && is_env; i++) {
		env_set(&ss->env, keys[i], vals[i] ? vals[i] :
			in->args.v[3 * i + 1], !vals[i]);
		env_set(&ss->imgenv, keys[i], vals[i] ? vals[i] :
			in->args.v[3 * i + 1], !vals[i]);
	}
	for (i = 0; i < n; i++) {
		free(keys[i]);
		free(vals[i]);
	}
	free(keys);
	free(vals);
	if (rc < 0) {
		return -1;
	}
	o = op(r, is_env ? PLAN_OP_ENV : PLAN_OP_LABEL);
	o->pairs = list;
	o->npairs = n;
	return 0;
}

static void
scope_arg(struct sstate *ss, const char *name, const char *value, bool raw)
{
	size_t i;

	/* like BuildKit's history string: a redeclared ARG keeps its place */
	for (i = 0; i < ss->nargs; i++)
		if (!strcmp(ss->args[i].name, name))
			break;
	if (i == ss->nargs) {
		xgrow(&ss->args, &ss->capargs, ss->nargs + 1, sizeof(*ss->args));
		ss->args[i].name = xstrdup(name);
		ss->nargs++;
	} else {
		free(ss->args[i].value);
	}
	ss->args[i].value = xstrdup(value);
	ss->args[i].is_raw = raw;
}

/* dispatchArg: a build arg wins, then the default, then a global value */
static int
arg(struct resolver *r, struct stage *s, const struct instr *in)
{
	struct sstate *ss = resolve_ss(r, s);
	struct plan_arg *list = pj_alloc(&r->arena, in->args.n, sizeof(*list));
	struct plan_op *o;
	size_t i;

	for (i = 0; i < in->args.n; i++) {
		const char *word = in->args.v[i], *eq = strchr(word, '=');
		autofree char *name = eq ? xstrndup(word, (size_t)(eq - word)) :
				      xstrdup(word);
		const char *bv = vars_get(&r->bargs, name);
		const struct envvar *gv = env_get(&r->global, name);
		char *value = NULL;
		bool raw = false;
		struct plan_word *jv = &list[i].value;

		if (bv) {
			value = xstrdup(bv);
			jv->s = resolve_str(r, bv);
		} else if (eq) {
			/* earlier ARGs of this line are in scope already */
			if (resolve_word(r, s, in, eq + 1, jv, &value) < 0) {
				return -1;
			}
			if (!value) {
				value = xstrdup(eq + 1);
				raw = true;
			}
		} else if (gv) {
			value = xstrdup(gv->value);
			jv->s = resolve_str(r, gv->value);
		}
		if (value)
			env_set(&ss->env, name, value, raw);
		scope_arg(ss, name, value, raw);
		free(value);
		list[i].name = resolve_str(r, name);
	}
	o = op(r, PLAN_OP_ARG);
	o->args = list;
	o->nargs = in->args.n;
	return 0;
}

static void
command(struct resolver *r, struct stage *s, const struct instr *in,
	enum plan_op_kind kind)
{
	struct sstate *ss = resolve_ss(r, s);
	struct plan_op *o = op(r, kind);

	if (in->kind == INSTR_ENTRYPOINT && in->is_json && in->args.n == 0)
		o->is_null = true;
	else
		o->argv = strings(r, &in->args);
	o->shell_form = !in->is_json;
	if (in->kind == INSTR_ENTRYPOINT)
		o->reset_cmd = !ss->cmd_set;
	else
		ss->cmd_set = true;
}

/* append w to the words in r's arena */
static void
push_word(struct resolver *r, struct plan_words *words, struct plan_word w)
{
	/* a full array has a power of two elements: grow it twice as big */
	if (!(words->n & (words->n - 1))) {
		struct plan_word *v = pj_alloc(&r->arena, words->n ? 2 * words->n : 1,
					       sizeof(*v));

		if (words->n)
			memcpy(v, words->v, words->n * sizeof(*v));
		words->v = v;
	}
	words->v[words->n++] = w;
}

/* Docker's parsePortSpec (oci/port.h): the ports of spec onto out */
static int
port_spec(struct resolver *r, const struct instr *in, const char *spec,
	  struct plan_words *out)
{
	struct strv ports = STRV_INIT;
	struct err *e = NULL;

	if (port_parse(spec, &ports, &e) < 0)
		return resolve_fail_err(r, in, e);
	for (size_t i = 0; i < ports.n; i++)
		push_word(r, out, resolve_jword(r, ports.v[i], false));
	strv_fini(&ports);
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
expose(struct resolver *r, struct stage *s, const struct instr *in)
{
	struct plan_words ports = { NULL, 0 };
	struct expander x;
	autofree char **args = xcalloc(in->args.n + 1, sizeof(*args));
	size_t i, j;

	/* BuildKit's parser sorts the words as written (bytewise, before
	 * expansion), which orders the history's "EXPOSE [...]" */
	for (i = 0; i < in->args.n; i++)
		args[i] = in->args.v[i];
	qsort(args, in->args.n, sizeof(*args), cmp_str);
	resolve_expander(r, s, &x);
	for (i = 0; i < in->args.n; i++) {
		struct strv fields = STRV_INIT;
		struct err *e = NULL;
		bool deferred;

		if (expand_fields(&x, args[i], &fields, &deferred, &e) < 0) {
			return resolve_fail_err(r, in, e);
		}
		if (deferred)
			push_word(r, &ports, resolve_jword(r, args[i], true));
		for (j = 0; j < fields.n; j++)
			if (port_spec(r, in, fields.v[j], &ports) < 0) {
				strv_fini(&fields);
				return -1;
			}
		strv_fini(&fields);
	}
	op(r, PLAN_OP_EXPOSE)->words = ports;
	return 0;
}

static int
volume(struct resolver *r, struct stage *s, const struct instr *in)
{
	struct plan_words list = {
		pj_alloc(&r->arena, in->args.n, sizeof(*list.v)), in->args.n
	};
	size_t i;

	for (i = 0; i < in->args.n; i++) {
		char *v;

		if (resolve_word(r, s, in, in->args.v[i], &list.v[i], &v) < 0) {
			return -1;
		}
		if (v && !*v) {
			free(v);
			return resolve_fail(r, in, "VOLUME specified can not be "
					    "an empty string");
		}
		free(v);
	}
	op(r, PLAN_OP_VOLUME)->words = list;
	return 0;
}

static int
single(struct resolver *r, struct stage *s, const struct instr *in,
       enum plan_op_kind kind)
{
	struct plan_word w;
	char *v;

	if (resolve_word(r, s, in, in->args.v[0], &w, &v) < 0)
		return -1;
	if (in->kind == INSTR_STOPSIGNAL && v && !signame_is_valid(v)) {
		resolve_fail(r, in, "invalid signal: %s", v);
		free(v);
		return -1;
	}
	free(v);
	op(r, kind)->word = w;
	return 0;
}

static int
healthcheck(struct resolver *r, struct stage *s, const struct instr *in)
{
	struct flags f;
	struct plan_op *o;
	struct plan_strs test;
	int64_t ns[4] = { 0, 0, 0, 0 };
	long retries = 0;
	struct buf b = BUF_INIT;
	size_t i;

	char *msg;

	(void)s;
	if (flags_parse(in, &f, &msg) < 0) {
		resolve_fail(r, in, "%s", msg);
		free(msg);
		flags_fini(&f);
		return -1;
	}
	test.v = pj_alloc(&r->arena, in->args.n + 1, sizeof(*test.v));
	test.n = 1;
	if (!strcasecmp(in->args.v[0], "NONE")) {
		test.v[0] = "NONE";
	} else if (in->is_json) {
		test.v[0] = "CMD";
		for (i = 1; i < in->args.n; i++)
			test.v[test.n++] = resolve_str(r, in->args.v[i]);
	} else {
		for (i = 1; i < in->args.n; i++)
			buf_printf(&b, "%s%s", i > 1 ? " " : "", in->args.v[i]);
		test.v[0] = "CMD-SHELL";
		test.v[test.n++] = resolve_str(r, buf_str(&b));
		buf_fini(&b);
	}
	check_interval(r, in, "interval", f.interval, &ns[0]);
	check_interval(r, in, "timeout", f.timeout, &ns[1]);
	check_interval(r, in, "start-period", f.start_period, &ns[2]);
	check_interval(r, in, "start-interval", f.start_interval, &ns[3]);
	if (f.retries && *f.retries)
		retries = strtol(f.retries, NULL, 10);
	flags_fini(&f);
	o = op(r, PLAN_OP_HEALTHCHECK);
	o->argv = test;
	o->interval = ns[0];
	o->timeout = ns[1];
	o->start_period = ns[2];
	o->start_interval = ns[3];
	o->retries = retries;
	return 0;
}

/* the trigger as BuildKit stores it: the text after ONBUILD, then the
 * here-documents */
static void
onbuild(struct resolver *r, const struct instr *in)
{
	const char *s = in->original ? in->original : "";
	struct buf b = BUF_INIT;
	size_t i;

	s += strspn(s, " \t");
	s += strcspn(s, " \t");
	s += strspn(s, " \t");
	buf_puts(&b, s);
	for (i = 0; i < in->nheredocs; i++)
		buf_printf(&b, "\n%s%s", in->heredocs[i].content ?
			   in->heredocs[i].content : "", in->heredocs[i].name);
	op(r, PLAN_OP_ONBUILD)->text = resolve_str(r, buf_str(&b));
	buf_fini(&b);
}

int
meta_instr(struct resolver *r, struct stage *s, const struct instr *in)
{
	switch (in->kind) {
	case INSTR_ENV:
		return pairs(r, s, in, true);
	case INSTR_LABEL:
		return pairs(r, s, in, false);
	case INSTR_ARG:
		return arg(r, s, in);
	case INSTR_USER:
		return single(r, s, in, PLAN_OP_USER);
	case INSTR_STOPSIGNAL:
		return single(r, s, in, PLAN_OP_STOPSIGNAL);
	case INSTR_CMD:
		command(r, s, in, PLAN_OP_CMD);
		return 0;
	case INSTR_ENTRYPOINT:
		command(r, s, in, PLAN_OP_ENTRYPOINT);
		return 0;
	case INSTR_SHELL:
		op(r, PLAN_OP_SHELL)->argv = strings(r, &in->args);
		return 0;
	case INSTR_EXPOSE:
		return expose(r, s, in);
	case INSTR_VOLUME:
		return volume(r, s, in);
	case INSTR_HEALTHCHECK:
		return healthcheck(r, s, in);
	case INSTR_ONBUILD:
		onbuild(r, in);
		return 0;
	case INSTR_MAINTAINER:
		op(r, PLAN_OP_MAINTAINER)->text = resolve_str(r, in->args.v[0]);
		return 0;
	case INSTR_UNKNOWN:
	case INSTR_ADD:
	case INSTR_COPY:
	case INSTR_FROM:
	case INSTR_RUN:
	case INSTR_WORKDIR:
		break;
	}
	return resolve_fail(r, in, "BUG: %s is not a metadata instruction",
			    instr_name(in->kind));
}
