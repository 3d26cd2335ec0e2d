#ifndef DF2NINJA_STOREREG_H
#define DF2NINJA_STOREREG_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct err;
struct store;
struct strv;

/*
 * The build dirs that used the store, so that `df2ninja gc` knows whose
 * references to keep: <root>/builddirs/<hash> holds "<absolute path>\n",
 * hash the first 32 hex digits of the path's sha256. Its mtime is when
 * a step or export of that build dir last ran: the last use of what it
 * references. gc writes beside it <hash>.refs, what the build dir
 * referenced then (store paths, one a line), so that once the build dir
 * is gone its data is still known to have been used until then.
 */

/* record builddir (any path to it) as a user of st, now: a rewrite only
 * the first time, else a touch */
int storereg_add(const struct store *st, const char *builddir,
		 struct err **errp);

struct storereg_entry {
	char *name;		/* <hash> */
	char *path;		/* the build dir, absolute */
	time_t used;		/* the entry's mtime */
	bool is_live;		/* path is (still) a directory */
};

/* every entry of st, into a new array *out of *n (storereg_free) */
int storereg_list(const struct store *st, struct storereg_entry **out,
		  size_t *n, struct err **errp);
void storereg_free(struct storereg_entry *v, size_t n);

/* write the refs of entry name (store paths, as gc knows them) */
int storereg_write_refs(const struct store *st, const char *name,
			const struct strv *refs, struct err **errp);
/* append the refs last written for entry name to out: 0, or 1 when
 * there are none */
int storereg_read_refs(const struct store *st, const char *name,
		       struct strv *out);
/* forget entry name and its refs */
void storereg_remove(const struct store *st, const char *name);
/* the entry name of builddir (any path to it); caller frees */
int storereg_name(const char *builddir, char **name, struct err **errp);

#endif
