#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "symtab.h"

/* FNV-1a: short keys, no adversary that matters for a Dockerfile */
static size_t
hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

static struct sym *
find(const struct sym *slots, size_t cap, const char *key)
{
	size_t i = hash(key) & (cap - 1);

	while (slots[i].key && strcmp(slots[i].key, key) != 0)
		i = (i + 1) & (cap - 1);
	return (struct sym *)&slots[i];
}

void *
symtab_get(const struct symtab *t, const char *key)
{
	if (!t->cap)
		return NULL;
	return find(t->slots, t->cap, key)->val;
}

static void
grow(struct symtab *t)
{
	size_t cap = t->cap ? t->cap * 2 : 16, i;
	struct sym *slots = xcalloc(cap, sizeof(*slots));

	for (i = 0; i < t->cap; i++)
		if (t->slots[i].key)
			*find(slots, cap, t->slots[i].key) = t->slots[i];
	free(t->slots);
	t->slots = slots;
	t->cap = cap;
}

void
symtab_put(struct symtab *t, const char *key, void *val)
{
	struct sym *s;

	/* keep the load at most one half so probes stay short */
	if ((t->n + 1) * 2 > t->cap)
		grow(t);
	s = find(t->slots, t->cap, key);
	if (!s->key) {
		s->key = key;
		t->n++;
	}
	s->val = val;
}

void
symtab_fini(struct symtab *t)
{
	free(t->slots);
	t->slots = NULL;
	t->cap = t->n = 0;
}
