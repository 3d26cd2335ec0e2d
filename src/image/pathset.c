#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "pathset.h"

struct pathset_slot {
	char *key;
	char *value;
	uint64_t hash;
};

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 14695981039346656037ULL;	/* FNV-1a */

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static struct pathset_slot *
find(const struct pathset *ps, const char *key, uint64_t h)
{
	size_t mask = ps->cap - 1;

	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct pathset_slot *sl = &ps->slots[i];

		if (!sl->key || (sl->hash == h && strcmp(sl->key, key) == 0))
			return sl;
	}
}

static void
grow(struct pathset *ps)
{
	struct pathset_slot *old = ps->slots;
	size_t oldcap = ps->cap;

	ps->cap = oldcap ? oldcap * 2 : 64;
	ps->slots = xcalloc(ps->cap, sizeof(*ps->slots));
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].key)
			*find(ps, old[i].key, old[i].hash) = old[i];
	free(old);
}

bool
pathset_add(struct pathset *ps, const char *key, const char *value)
{
	uint64_t h = hash_str(key);
	struct pathset_slot *sl;

	/* keep the load factor under 3/4 so probing always ends */
	if ((ps->n + 1) * 4 > ps->cap * 3)
		grow(ps);
	sl = find(ps, key, h);
	if (sl->key)
		return false;
	sl->key = xstrdup(key);
	sl->value = xstrdup(value);
	sl->hash = h;
	ps->n++;
	return true;
}

const char *
pathset_get(const struct pathset *ps, const char *key)
{
	struct pathset_slot *sl;

	if (!ps->cap)
		return NULL;
	sl = find(ps, key, hash_str(key));
	return sl->key ? sl->value : NULL;
}

bool
pathset_has(const struct pathset *ps, const char *key)
{
	if (!ps->cap)
		return false;
	return find(ps, key, hash_str(key))->key != NULL;
}

void
pathset_fini(struct pathset *ps)
{
	for (size_t i = 0; i < ps->cap; i++) {
		free(ps->slots[i].key);
		free(ps->slots[i].value);
	}
	free(ps->slots);
	ps->slots = NULL;
	ps->n = ps->cap = 0;
}
