#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/history.h"
#include "exec/ops.h"
#include "exec/state.h"
#include "exec/stepplan.h"
#include "oci/port.h"
#include "oci/signame.h"
#include "shlex/words.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/strv.h"

int
ops_word(const struct state *s, char escape, const struct plan_word *w, char **out,
	 struct err **errp)
{
	struct shlex lx = { escape, shlex_vars_lookup, (void *)&s->env };

	*out = NULL;
	if (!w->s)
		return 0;
	if (!w->is_raw) {
		*out = xstrdup(w->s);
		return 0;
	}
	return shlex_word(&lx, w->s, out, errp);
}

void
ops_shell_argv(const struct state *s, const char *cmd, struct strv *out)
{
	if (!config_get_argv(&s->config, "Shell", out) || out->n == 0) {
		strv_add(out, "/bin/sh");
		strv_add(out, "-c");
	}
	strv_add(out, cmd);
}

void
ops_argv(const struct state *s, const struct plan_strs *arr, bool shell_form,
	 struct strv *out)
{
	if (shell_form) {
		ops_shell_argv(s, arr->n ? arr->v[0] : "", out);
		return;
	}
	for (size_t i = 0; i < arr->n; i++)
		strv_add(out, arr->v[i]);
}

static int
op_env(struct state *s, const struct plan_op *op, char escape, struct buf *hist,
       struct err **errp)
{
	struct strv vals = STRV_INIT;
	size_t i;

	/* every value sees the env as it was before the instruction */
	for (i = 0; i < op->npairs; i++) {
		char *v;

		if (ops_word(s, escape, &op->pairs[i].value, &v, errp) < 0) {
			strv_fini(&vals);
			return -1;
		}
		strv_push(&vals, v ? v : xstrdup(""));
	}
	buf_puts(hist, "ENV");
	for (i = 0; i < op->npairs; i++) {
		/* a final word (plan/decode.h) */
		const char *k = op->pairs[i].name.s;

		config_env_set(&s->config, k, vals.v[i]);
		vars_set(&s->env, k, vals.v[i]);
		buf_printf(hist, " %s=%s", k, vals.v[i]);
	}
	strv_fini(&vals);
	return 0;
}

static int
op_label(struct state *s, const struct plan_op *op, char escape, struct buf *hist,
	 struct err **errp)
{
	buf_puts(hist, "LABEL");
	for (size_t i = 0; i < op->npairs; i++) {
		autofree char *k = NULL, *v = NULL;

		if (ops_word(s, escape, &op->pairs[i].name, &k, errp) < 0 ||
		    ops_word(s, escape, &op->pairs[i].value, &v, errp) < 0)
			return -1;
		config_label_set(&s->config, k, v ? v : "");
		buf_printf(hist, " %s=%s", k, v ? v : "");
	}
	return 0;
}

static int
op_arg(struct state *s, const struct plan_op *op, char escape, struct buf *hist,
       struct err **errp)
{
	buf_puts(hist, "ARG");
	for (size_t i = 0; i < op->nargs; i++) {
		const char *name = op->args[i].name;
		autofree char *v = NULL;

		if (ops_word(s, escape, &op->args[i].value, &v, errp) < 0)
			return -1;
		if (v) {
			vars_set(&s->env, name, v);
			buf_printf(hist, " %s=%s", name, v);
		} else {
			buf_printf(hist, " %s", name);
		}
	}
	return 0;
}

/* Docker's parsePortSpec (oci/port.h); deferred words are checked here
 * as the resolver checks the others */
static int
port_spec(struct state *s, const char *spec, struct strv *shown, struct err **errp)
{
	struct strv ports = STRV_INIT;

	if (port_parse(spec, &ports, errp) < 0)
		return err_wrap(errp, "EXPOSE");
	for (size_t i = 0; i < ports.n; i++) {
		config_add_port(&s->config, ports.v[i]);
		strv_add(shown, ports.v[i]);
	}
	strv_fini(&ports);
	return 0;
}

static int
op_ports(struct state *s, const struct plan_op *op, char escape, struct buf *hist,
	 struct err **errp)
{
	struct shlex lx = { escape, shlex_vars_lookup, (void *)&s->env };
	/* BuildKit's "EXPOSE %v" of the parsed "port/proto" list */
	struct strv shown = STRV_INIT;
	int r = 0;

	for (size_t i = 0; i < op->words.n && r == 0; i++) {
		const struct plan_word *p = &op->words.v[i];
		struct strv fields = STRV_INIT;

		if (!p->is_raw) {
			/* checked and normalised by the resolver */
			config_add_port(&s->config, p->s);
			strv_add(&shown, p->s);
			continue;
		}
		r = shlex_words(&lx, p->s, &fields, errp);
		for (size_t k = 0; k < fields.n && r == 0; k++)
			r = port_spec(s, fields.v[k], &shown, errp);
		strv_fini(&fields);
	}
	buf_puts(hist, "EXPOSE ");
	history_list(hist, (const char *const *)shown.v, shown.n);
	strv_fini(&shown);
	return r;
}

static int
op_list(struct state *s, const struct plan_op *op, char escape, struct buf *hist,
	struct err **errp)
{
	/* BuildKit's "VOLUME %v" of the expanded list */
	struct strv shown = STRV_INIT;
	int r = 0;

	for (size_t i = 0; i < op->words.n && r == 0; i++) {
		char *v = NULL;

		r = ops_word(s, escape, &op->words.v[i], &v, errp);
		if (r == 0 && (!v || !v[0]))
			r = err_make(errp, 0, "VOLUME specified can not be an empty string");
		if (r == 0)
			config_add_volume(&s->config, v);
		strv_push(&shown, v ? v : xstrdup(""));
	}
	buf_puts(hist, "VOLUME ");
	history_list(hist, (const char *const *)shown.v, shown.n);
	strv_fini(&shown);
	return r;
}

static int
op_healthcheck(struct state *s, const struct plan_op *op, struct buf *hist)
{
	json_t *hc = json_object(), *test = json_array();
	const struct {
		const char *key;
		long long v;
	} durs[] = {
		{ "Interval", op->interval }, { "Timeout", op->timeout },
		{ "StartPeriod", op->start_period }, { "StartInterval", op->start_interval },
	};

	for (size_t i = 0; i < op->argv.n; i++)
		json_array_append_new(test, json_string(op->argv.v[i]));
	json_object_set(hc, "Test", test);
	for (size_t i = 0; i < countof(durs); i++)
		if (durs[i].v)
			json_object_set_new(hc, durs[i].key, json_integer(durs[i].v));
	if (op->retries)
		json_object_set_new(hc, "Retries", json_integer(op->retries));
	config_set_healthcheck(&s->config, hc);
	/* BuildKit's "HEALTHCHECK %+v" of Docker's HealthcheckConfig */
	buf_puts(hist, "HEALTHCHECK {Test:");
	history_list(hist, op->argv.v, op->argv.n);
	for (size_t i = 0; i < countof(durs); i++) {
		buf_printf(hist, " %s:", durs[i].key);
		history_duration(hist, durs[i].v);
	}
	buf_printf(hist, " Retries:%lld}", op->retries);
	json_decref(test);
	return 0;
}

static int
apply_one(struct state *s, const struct plan_op *op, char escape, struct buf *hist,
	  struct err **errp)
{
	struct strv argv = STRV_INIT;
	autofree char *w = NULL;
	bool user, cmd;

	switch (op->kind) {
	case PLAN_OP_ENV:
		return op_env(s, op, escape, hist, errp);
	case PLAN_OP_LABEL:
		return op_label(s, op, escape, hist, errp);
	case PLAN_OP_ARG:
		return op_arg(s, op, escape, hist, errp);
	case PLAN_OP_EXPOSE:
		return op_ports(s, op, escape, hist, errp);
	case PLAN_OP_VOLUME:
		return op_list(s, op, escape, hist, errp);
	case PLAN_OP_HEALTHCHECK:
		return op_healthcheck(s, op, hist);
	case PLAN_OP_USER:
	case PLAN_OP_STOPSIGNAL:
		user = op->kind == PLAN_OP_USER;
		if (ops_word(s, escape, &op->word, &w, errp) < 0)
			return -1;
		if (!user && w && w[0] && !signame_is_valid(w))
			return err_make(errp, 0, "STOPSIGNAL: invalid signal: %s", w);
		config_set_str(&s->config, user ? "User" : "StopSignal", w && w[0] ? w : NULL);
		buf_printf(hist, "%s %s", user ? "USER" : "STOPSIGNAL", w ? w : "");
		return 0;
	case PLAN_OP_CMD:
	case PLAN_OP_ENTRYPOINT:
		cmd = op->kind == PLAN_OP_CMD;
		if (op->is_null) {
			config_set_argv(&s->config, "Entrypoint", NULL, 0);
		} else {
			ops_argv(s, &op->argv, op->shell_form, &argv);
			config_set_argv(&s->config, cmd ? "Cmd" : "Entrypoint",
					(const char *const *)argv.v, argv.n);
		}
		if (!cmd && op->reset_cmd)
			config_set_argv(&s->config, "Cmd", NULL, 0);
		/* BuildKit's dispatchCmd sets it for every CMD, whatever its
		 * form; dispatchEntrypoint leaves it alone */
		if (cmd)
			config_set_bool(&s->config, "ArgsEscaped", true);
		/* "CMD %q" of the final argv */
		buf_puts(hist, cmd ? "CMD " : "ENTRYPOINT ");
		history_quoted(hist, (const char *const *)argv.v, argv.n);
		strv_fini(&argv);
		return 0;
	case PLAN_OP_SHELL:
		ops_argv(s, &op->argv, false, &argv);
		config_set_argv(&s->config, "Shell", (const char *const *)argv.v, argv.n);
		buf_puts(hist, "SHELL ");
		history_list(hist, (const char *const *)argv.v, argv.n);
		strv_fini(&argv);
		return 0;
	case PLAN_OP_ONBUILD:
		/* stored, but BuildKit adds no history entry for it */
		config_add_onbuild(&s->config, op->text);
		return 0;
	case PLAN_OP_MAINTAINER:
		json_object_set_new(s->config.json, "author", json_string(op->text));
		buf_printf(hist, "MAINTAINER %s", op->text);
		return 0;
	}
	BUG("config operation %d", (int)op->kind);
}

int
ops_apply(struct state *s, const struct step_plan *plan, struct err **errp)
{
	struct buf hist = BUF_INIT;

	for (size_t i = 0; i < plan->nops; i++) {
		buf_reset(&hist);
		if (apply_one(s, &plan->ops[i], plan->escape, &hist, errp) < 0) {
			buf_fini(&hist);
			return -1;
		}
		/* ONBUILD records no entry, as in BuildKit */
		if (hist.len)
			config_add_history(&s->config, buf_str(&hist), HISTORY_COMMENT, true);
	}
	buf_fini(&hist);
	return 0;
}

int
ops_start_state(const struct stepplan *p, struct state *s, struct err **errp)
{
	if (p->sp.parent) {
		if (state_load(p->builddir, p->sp.parent, s, errp) < 0)
			return -1;
		state_set_parent(s, p->sp.parent);
	} else {
		state_init(s);
	}
	return ops_apply(s, &p->sp, errp);
}
