#ifndef DF2NINJA_SYMTAB_H
#define DF2NINJA_SYMTAB_H

#include <stddef.h>

/*
 * a hash table from strings to pointers, for lookups the resolver makes per
 * instruction (stage names, variables). Keys are borrowed: they must outlive
 * the table and not change.
 */
struct symtab {
	struct sym {
		const char *key;
		void *val;
	} *slots;
	size_t cap, n;
};

#define SYMTAB_INIT { NULL, 0, 0 }

/* the value stored for key, or NULL */
void *symtab_get(const struct symtab *t, const char *key);
/* store val (not NULL) for key, replacing an earlier value */
void symtab_put(struct symtab *t, const char *key, void *val);
/* release the table; it is empty afterwards */
void symtab_fini(struct symtab *t);

#endif
