#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dockerfile/words.h"
#include "exec/ops.h"
#include "exec/state.h"
#include "exec/stepplan.h"
#include "image/port.h"
#include "image/signame.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/strv.h"

int
ops_word(const struct state *s, char escape, const json_t *w, char **out,
	 struct err **errp)
{
	struct shlex lx = { escape, shlex_vars_lookup, (void *)&s->env };
	const char *raw;

	if (json_is_string(w)) {
		*out = xstrdup(json_string_value(w));
		return 0;
	}
	if (json_is_null(w) || !w) {
		*out = NULL;
		return 0;
	}
	raw = json_string_value(json_object_get(w, "raw"));
	if (!raw)
		return err_make(errp, 0, "plan: a word is neither a string nor {\"raw\": ...}");
	return shlex_word(&lx, raw, out, errp);
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
ops_argv(const struct state *s, const json_t *arr, bool shell_form, struct strv *out)
{
	size_t i;
	json_t *v;

	if (shell_form) {
		ops_shell_argv(s, json_string_value(json_array_get(arr, 0)) ?: "", out);
		return;
	}
	json_array_foreach(arr, i, v)
		strv_add(out, json_string_value(v) ?: "");
}

static char *
argv_text(const struct strv *sv)
{
	json_t *a = json_array();
	char *t;

	for (size_t i = 0; i < sv->n; i++)
		json_array_append_new(a, json_string(sv->v[i]));
	t = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return t;
}

static int
op_env(struct state *s, const json_t *op, char escape, struct buf *hist, struct err **errp)
{
	const json_t *pairs = json_object_get(op, "env");
	struct strv vals = STRV_INIT;
	size_t i;
	json_t *p;

	/* every value sees the env as it was before the instruction */
	json_array_foreach(pairs, i, p) {
		char *v;

		if (ops_word(s, escape, json_array_get(p, 1), &v, errp) < 0) {
			strv_fini(&vals);
			return -1;
		}
		strv_push(&vals, v ? v : xstrdup(""));
	}
	buf_puts(hist, "ENV");
	json_array_foreach(pairs, i, p) {
		const char *k = json_string_value(json_array_get(p, 0));

		config_env_set(&s->config, k, vals.v[i]);
		vars_set(&s->env, k, vals.v[i]);
		buf_printf(hist, " %s=%s", k, vals.v[i]);
	}
	strv_fini(&vals);
	return 0;
}

static int
op_label(struct state *s, const json_t *op, char escape, struct buf *hist, struct err **errp)
{
	size_t i;
	json_t *p;

	buf_puts(hist, "LABEL");
	json_array_foreach(json_object_get(op, "labels"), i, p) {
		autofree char *k = NULL, *v = NULL;

		if (ops_word(s, escape, json_array_get(p, 0), &k, errp) < 0 ||
		    ops_word(s, escape, json_array_get(p, 1), &v, errp) < 0)
			return -1;
		config_label_set(&s->config, k, v ? v : "");
		buf_printf(hist, " %s=%s", k, v ? v : "");
	}
	return 0;
}

static int
op_arg(struct state *s, const json_t *op, char escape, struct buf *hist, struct err **errp)
{
	size_t i;
	json_t *a;

	buf_puts(hist, "ARG");
	json_array_foreach(json_object_get(op, "args"), i, a) {
		const char *name = json_string_value(json_object_get(a, "name"));
		autofree char *v = NULL;

		if (!name)
			continue;
		if (ops_word(s, escape, json_object_get(a, "value"), &v, errp) < 0)
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

/* Docker's parsePortSpec (image/port.h); deferred words are checked here
 * as the resolver checks the others */
static int
port_spec(struct state *s, const char *spec, struct buf *hist, struct err **errp)
{
	struct strv ports = STRV_INIT;

	if (port_parse(spec, &ports, errp) < 0)
		return err_wrap(errp, "EXPOSE");
	for (size_t i = 0; i < ports.n; i++) {
		config_add_port(&s->config, ports.v[i]);
		buf_printf(hist, " %s", ports.v[i]);
	}
	strv_fini(&ports);
	return 0;
}

static int
op_ports(struct state *s, const json_t *op, char escape, struct buf *hist, struct err **errp)
{
	struct shlex lx = { escape, shlex_vars_lookup, (void *)&s->env };
	size_t i;
	json_t *p;

	buf_puts(hist, "EXPOSE");
	json_array_foreach(json_object_get(op, "ports"), i, p) {
		struct strv fields = STRV_INIT;

		if (json_is_string(p)) {
			/* checked and normalised by the resolver */
			config_add_port(&s->config, json_string_value(p));
			buf_printf(hist, " %s", json_string_value(p));
			continue;
		}
		if (shlex_words(&lx, json_string_value(json_object_get(p, "raw")) ?: "",
				&fields, errp) < 0)
			return -1;
		for (size_t k = 0; k < fields.n; k++) {
			if (port_spec(s, fields.v[k], hist, errp) < 0) {
				strv_fini(&fields);
				return -1;
			}
		}
		strv_fini(&fields);
	}
	return 0;
}

static int
op_list(struct state *s, const json_t *op, char escape, struct buf *hist, struct err **errp)
{
	size_t i;
	json_t *p;

	buf_puts(hist, "VOLUME");
	json_array_foreach(json_object_get(op, "volumes"), i, p) {
		autofree char *v = NULL;

		if (ops_word(s, escape, p, &v, errp) < 0)
			return -1;
		if (!v || !v[0])
			return err_make(errp, 0, "VOLUME specified can not be an empty string");
		config_add_volume(&s->config, v);
		buf_printf(hist, " %s", v);
	}
	return 0;
}

static int
op_healthcheck(struct state *s, const json_t *op, struct buf *hist)
{
	json_t *hc = json_object(), *test = json_object_get(op, "test");
	static const char *const durs[][2] = {
		{ "interval", "Interval" }, { "timeout", "Timeout" },
		{ "start_period", "StartPeriod" }, { "start_interval", "StartInterval" },
	};

	json_object_set(hc, "Test", test);
	for (size_t i = 0; i < sizeof(durs) / sizeof(durs[0]); i++) {
		json_int_t v = json_integer_value(json_object_get(op, durs[i][0]));

		if (v)
			json_object_set_new(hc, durs[i][1], json_integer(v));
	}
	if (json_integer_value(json_object_get(op, "retries")))
		json_object_set(hc, "Retries", json_object_get(op, "retries"));
	config_set_healthcheck(&s->config, hc);
	buf_puts(hist, "HEALTHCHECK ");
	{
		char *t = json_dumps(test, JSON_COMPACT);

		buf_puts(hist, t);
		free(t);
	}
	return 0;
}

static int
apply_one(struct state *s, const json_t *op, char escape, struct buf *hist,
	  struct err **errp)
{
	const char *kind = json_string_value(json_object_get(op, "op"));
	struct strv argv = STRV_INIT;
	autofree char *w = NULL;
	char *t;

	if (!kind)
		return err_make(errp, 0, "plan: a config operation has no \"op\"");
	if (strcmp(kind, "env") == 0)
		return op_env(s, op, escape, hist, errp);
	if (strcmp(kind, "label") == 0)
		return op_label(s, op, escape, hist, errp);
	if (strcmp(kind, "arg") == 0)
		return op_arg(s, op, escape, hist, errp);
	if (strcmp(kind, "expose") == 0)
		return op_ports(s, op, escape, hist, errp);
	if (strcmp(kind, "volume") == 0)
		return op_list(s, op, escape, hist, errp);
	if (strcmp(kind, "healthcheck") == 0)
		return op_healthcheck(s, op, hist);
	if (strcmp(kind, "user") == 0 || strcmp(kind, "stopsignal") == 0) {
		bool user = kind[0] == 'u';

		if (ops_word(s, escape, json_object_get(op, user ? "user" : "signal"), &w, errp) < 0)
			return -1;
		if (!user && w && w[0] && !signame_is_valid(w))
			return err_make(errp, 0, "STOPSIGNAL: invalid signal: %s", w);
		config_set_str(&s->config, user ? "User" : "StopSignal", w && w[0] ? w : NULL);
		buf_printf(hist, "%s %s", user ? "USER" : "STOPSIGNAL", w ? w : "");
		return 0;
	}
	if (strcmp(kind, "cmd") == 0 || strcmp(kind, "entrypoint") == 0) {
		bool cmd = kind[0] == 'c';
		const json_t *arr = json_object_get(op, kind);

		if (json_is_null(arr) || !arr) {
			config_set_argv(&s->config, "Entrypoint", NULL, 0);
		} else {
			ops_argv(s, arr, json_is_true(json_object_get(op, "shell_form")), &argv);
			config_set_argv(&s->config, cmd ? "Cmd" : "Entrypoint",
					(const char *const *)argv.v, argv.n);
		}
		if (!cmd && json_is_true(json_object_get(op, "reset_cmd")))
			config_set_argv(&s->config, "Cmd", NULL, 0);
		t = argv_text(&argv);
		buf_printf(hist, "%s %s", cmd ? "CMD" : "ENTRYPOINT", t);
		free(t);
		strv_fini(&argv);
		return 0;
	}
	if (strcmp(kind, "shell") == 0) {
		ops_argv(s, json_object_get(op, "shell"), false, &argv);
		config_set_argv(&s->config, "Shell", (const char *const *)argv.v, argv.n);
		t = argv_text(&argv);
		buf_printf(hist, "SHELL %s", t);
		free(t);
		strv_fini(&argv);
		return 0;
	}
	if (strcmp(kind, "onbuild") == 0) {
		const char *trig = json_string_value(json_object_get(op, "trigger")) ?: "";

		config_add_onbuild(&s->config, trig);
		buf_printf(hist, "ONBUILD %s", trig);
		return 0;
	}
	if (strcmp(kind, "maintainer") == 0) {
		const char *m = json_string_value(json_object_get(op, "maintainer")) ?: "";

		json_object_set_new(s->config.json, "author", json_string(m));
		buf_printf(hist, "MAINTAINER %s", m);
		return 0;
	}
	return err_make(errp, 0, "plan: unknown config operation '%s'; rerun df2ninja", kind);
}

int
ops_apply(struct state *s, const json_t *plan, char escape, struct err **errp)
{
	struct buf hist = BUF_INIT;
	size_t i;
	json_t *op;

	json_array_foreach(json_object_get(plan, "config"), i, op) {
		buf_reset(&hist);
		if (apply_one(s, op, escape, &hist, errp) < 0 ||
		    config_add_history(&s->config, buf_str(&hist), "df2ninja", true, errp) < 0) {
			buf_fini(&hist);
			return -1;
		}
	}
	buf_fini(&hist);
	return 0;
}

int
ops_start_state(const struct stepplan *p, struct state *s, struct err **errp)
{
	if (p->parent) {
		if (state_load(p->builddir, p->parent, s, errp) < 0)
			return -1;
		state_set_parent(s, p->parent);
	} else {
		state_init(s);
	}
	return ops_apply(s, p->j, p->escape, errp);
}
