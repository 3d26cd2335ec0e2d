#ifndef DF2NINJA_ALLOC_H
#define DF2NINJA_ALLOC_H

#include <stddef.h>

/* allocation helpers: each aborts with "df2ninja: out of memory" on failure */
void *xmalloc(size_t n);
/* zeroed array of nmemb * size bytes, overflow-checked */
void *xcalloc(size_t nmemb, size_t size);
/* resize p to nmemb * size bytes, overflow-checked */
void *xreallocarray(void *p, size_t nmemb, size_t size);
/* copy of s; xstrdup(NULL) is NULL */
char *xstrdup(const char *s);
/* copy of the first n bytes of s, NUL-terminated */
char *xstrndup(const char *s, size_t n);
/* printf into a new string owned by the caller */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* grow *p (holding *cap elements of size) so that it holds at least need */
void xgrow(void *pp, size_t *cap, size_t need, size_t size);

/* free the pointer a cleanup-scoped local points to */
void freep(void *pp);
#define autofree __attribute__((cleanup(freep)))
/* close the fd a cleanup-scoped local holds, unless it is negative (errno
 * kept); hand the fd out with steal_fd */
void closep(int *fd);
#define autoclose __attribute__((cleanup(closep)))

/* return *fd and set it to -1, to hand an fd out of an autoclose local */
static inline int
steal_fd(int *fd)
{
	int r = *fd;

	*fd = -1;
	return r;
}

/* return *pp and set it to NULL, to hand a pointer out of an autofree
 * local; the result has *pp's type */
static inline void *
steal_pointer_(void *pp)
{
	void **p = pp, *r = *p;

	*p = NULL;
	return r;
}
#define steal_pointer(pp) ((__typeof__(*(pp)))steal_pointer_(pp))

/* the number of elements of array a; a pointer does not compile */
#define countof(a) (sizeof(a) / sizeof((a)[0]) + \
		    0 * sizeof(char[1 - 2 * __builtin_types_compatible_p( \
			__typeof__(a), __typeof__(&(a)[0]))]))

#endif
