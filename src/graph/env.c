#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shlex/words.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "env.h"

const struct envvar *
env_get(const struct env *e, const char *name)
{
	uintptr_t i = (uintptr_t)symtab_get(&e->idx, name);

	return i ? &e->v[i - 1] : NULL;
}

void
env_set(struct env *e, const char *name, const char *value, bool is_raw)
{
	uintptr_t i = (uintptr_t)symtab_get(&e->idx, name);
	struct envvar *v;

	if (i) {
		v = &e->v[i - 1];
		free(v->value);
		v->value = xstrdup(value);
		v->is_raw = is_raw;
		return;
	}
	xgrow(&e->v, &e->cap, e->n + 1, sizeof(*e->v));
	v = &e->v[e->n++];
	v->name = xstrdup(name);
	v->value = xstrdup(value);
	v->is_raw = is_raw;
	/* names are separate allocations: they stay put when v moves */
	symtab_put(&e->idx, v->name, (void *)(uintptr_t)e->n);
}

void
env_copy(struct env *dst, const struct env *src)
{
	for (size_t i = 0; i < src->n; i++)
		env_set(dst, src->v[i].name, src->v[i].value, src->v[i].is_raw);
}

void
env_fini(struct env *e)
{
	for (size_t i = 0; i < e->n; i++) {
		free(e->v[i].name);
		free(e->v[i].value);
	}
	free(e->v);
	symtab_fini(&e->idx);
	e->v = NULL;
	e->n = e->cap = 0;
}

static bool
lookup(void *ctx, const char *name, const char **value)
{
	struct expander *x = ctx;
	const struct envvar *v = env_get(x->env, name);

	if (v && !v->is_raw) {
		*value = v->value;
		return true;
	}
	if (v) {
		/* its value is known only to the executor */
		x->used_unknown = true;
		*value = "";
		return true;
	}
	if (x->from_image)
		x->used_unknown = true;
	return false;
}

static void
start(struct expander *x, struct shlex *lx, char escape)
{
	x->used_unknown = false;
	lx->escape = escape;
	lx->lookup = lookup;
	lx->ctx = x;
}

int
expand_word(struct expander *x, const char *word, char **out, bool *deferred,
	    struct err **errp)
{
	struct err *e = NULL;
	struct shlex lx;
	int r;

	start(x, &lx, x->escape);
	*out = NULL;
	r = shlex_word(&lx, word, out, &e);
	*deferred = x->used_unknown;
	if (*deferred) {
		/* with the base image's values the word may well expand
		 * (${HOME:?} for one): the executor decides */
		err_free(e);
		free(*out);
		*out = xstrdup(word);
		return 0;
	}
	if (r < 0) {
		free(*out);
		*out = NULL;
		if (errp) {
			err_free(*errp);
			*errp = e;
		} else {
			err_free(e);
		}
		return -1;
	}
	return 0;
}

int
expand_fields(struct expander *x, const char *text, struct strv *out,
	      bool *deferred, struct err **errp)
{
	struct strv tmp = STRV_INIT;
	struct err *e = NULL;
	struct shlex lx;
	int r;

	start(x, &lx, x->escape);
	r = shlex_words(&lx, text, &tmp, &e);
	*deferred = x->used_unknown;
	if (*deferred || r < 0) {
		strv_fini(&tmp);
		if (*deferred) {
			err_free(e);
			return 0;
		}
		if (errp) {
			err_free(*errp);
			*errp = e;
		} else {
			err_free(e);
		}
		return -1;
	}
	for (size_t i = 0; i < tmp.n; i++)
		strv_push(out, tmp.v[i]);
	free(tmp.v);
	return 0;
}

int
expand_heredoc(struct expander *x, const char *content, char **out,
	       bool *deferred, struct err **errp)
{
	autofree char *word = shlex_heredoc_text(content);
	char escape = x->escape;
	int r;

	/* BuildKit expands here-documents with a lexer of its own that
	 * always escapes with a backslash */
	x->escape = '\\';
	r = expand_word(x, word, out, deferred, errp);
	x->escape = escape;
	if (r == 0 && *deferred) {
		free(*out);
		*out = xstrdup(content);
	}
	return r;
}
