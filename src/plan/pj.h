#ifndef DF2NINJA_PJ_H
#define DF2NINJA_PJ_H

#include <stdbool.h>
#include <stddef.h>

/*
 * plan JSON: the small JSON trees plans are built as, allocated from an
 * arena and written in exactly the text json_dumps(v, JSON_SORT_KEYS |
 * JSON_INDENT(2)) gives. jansson's own objects cost a hash table and a
 * malloc per key: on a 10,000-step Dockerfile building, freeing and
 * dumping them took three times as long as the rest of the resolver.
 */

struct pjblock;

/* where the values live; everything goes at once with pj_reset */
struct pjarena {
	struct pjblock *blocks;
	char *p, *end;
	char *scratch;		/* pj_dump's buffer */
	size_t scratch_cap;
};

#define PJARENA_INIT { NULL, NULL, NULL, NULL, 0 }

enum pj_type { PJ_NULL, PJ_TRUE, PJ_FALSE, PJ_INT, PJ_STRING, PJ_ARRAY,
	       PJ_OBJECT };

struct pjitem;

struct pj {
	enum pj_type type;
	long long i;
	const char *s;			/* PJ_STRING, in the arena */
	struct pjitem *head, **tail;	/* PJ_ARRAY and PJ_OBJECT */
	size_t n;
};

struct pjitem {
	const char *key;		/* PJ_OBJECT members */
	struct pj *v;
	struct pjitem *next;
};

/* new values in a: an empty object or array, an integer, a boolean, null */
struct pj *pj_object(struct pjarena *a);
struct pj *pj_array(struct pjarena *a);
/* s is valid UTF-8 (RFC 3629) */
bool pj_utf8(const char *s);
/* n zeroed elements of size bytes in a, gone with the arena */
void *pj_alloc(struct pjarena *a, size_t n, size_t size);
/* a copy of s in a; NULL when s is not valid UTF-8 */
const char *pj_strdup(struct pjarena *a, const char *s);
/* a copy of s; NULL when s is not valid UTF-8 (as json_string) */
struct pj *pj_string(struct pjarena *a, const char *s);
struct pj *pj_int(struct pjarena *a, long long i);
struct pj *pj_bool(struct pjarena *a, bool b);
struct pj *pj_null(struct pjarena *a);
/* add member key (copied) to object o; key must not be in o yet */
void pj_set(struct pjarena *a, struct pj *o, const char *key, struct pj *v);
/* set member key of object o to v, replacing what it had */
void pj_put(struct pjarena *a, struct pj *o, const char *key, struct pj *v);
/* append v to array a */
void pj_push(struct pjarena *a, struct pj *arr, struct pj *v);
/* the member key of o, or NULL */
struct pj *pj_get(const struct pj *o, const char *key);
/* the text json_dumps(v, JSON_SORT_KEYS | JSON_INDENT(2)) makes, and a
 * '\n'; owned by the caller */
char *pj_dump(struct pjarena *a, const struct pj *v);
/* free every value of the arena; it stays usable */
void pj_reset(struct pjarena *a);
/* free the arena */
void pj_fini(struct pjarena *a);

#endif
