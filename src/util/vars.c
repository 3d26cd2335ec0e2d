#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "vars.h"

struct var *
vars_find(const struct vars *vs, const char *name)
{
	for (size_t i = 0; i < vs->n; i++)
		if (strcmp(vs->v[i].name, name) == 0)
			return &vs->v[i];
	return NULL;
}

void
vars_set(struct vars *vs, const char *name, const char *value)
{
	struct var *v = vars_find(vs, name);

	if (v) {
		free(v->value);
		v->value = xstrdup(value);
		return;
	}
	xgrow(&vs->v, &vs->cap, vs->n + 1, sizeof(*vs->v));
	vs->v[vs->n].name = xstrdup(name);
	vs->v[vs->n].value = xstrdup(value);
	vs->n++;
}

const char *
vars_get(const struct vars *vs, const char *name)
{
	struct var *v = vars_find(vs, name);

	return v ? v->value : NULL;
}

void
vars_unset(struct vars *vs, const char *name)
{
	struct var *v = vars_find(vs, name);
	size_t i;

	if (!v)
		return;
	i = (size_t)(v - vs->v);
	free(v->name);
	free(v->value);
	memmove(&vs->v[i], &vs->v[i + 1], (vs->n - i - 1) * sizeof(*vs->v));
	vs->n--;
}

void
vars_copy(struct vars *dst, const struct vars *src)
{
	for (size_t i = 0; i < src->n; i++)
		vars_set(dst, src->v[i].name, src->v[i].value);
}

void
vars_fini(struct vars *vs)
{
	for (size_t i = 0; i < vs->n; i++) {
		free(vs->v[i].name);
		free(vs->v[i].value);
	}
	free(vs->v);
	vs->v = NULL;
	vs->n = vs->cap = 0;
}
