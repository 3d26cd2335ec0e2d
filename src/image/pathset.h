#ifndef DF2NINJA_PATHSET_H
#define DF2NINJA_PATHSET_H

#include <stdbool.h>
#include <stddef.h>

/* a hash set of strings, each with an optional string value (both owned
 * by the set) */
struct pathset {
	struct pathset_slot *slots;
	size_t n, cap;
};

#define PATHSET_INIT { NULL, 0, 0 }

/* add key with a copy of value (may be NULL); false when key was already
 * there, and then its value is kept */
bool pathset_add(struct pathset *ps, const char *key, const char *value);
bool pathset_has(const struct pathset *ps, const char *key);
/* the value stored with key, or NULL */
const char *pathset_get(const struct pathset *ps, const char *key);
/* free every key and value */
void pathset_fini(struct pathset *ps);

#endif
