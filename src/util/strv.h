#ifndef DF2NINJA_STRV_H
#define DF2NINJA_STRV_H

#include <stdbool.h>
#include <stddef.h>

/* a growable array of owned strings; v[n] is always NULL once non-empty */
struct strv {
	char **v;
	size_t n, cap;
};

#define STRV_INIT { NULL, 0, 0 }

/* append s, taking ownership */
void strv_push(struct strv *sv, char *s);
/* append a copy of s */
void strv_add(struct strv *sv, const char *s);
/* free every string and the array */
void strv_fini(struct strv *sv);
/* index of s in sv, or -1 */
long strv_find(const struct strv *sv, const char *s);
/* sort in strcmp order */
void strv_sort(struct strv *sv);

#endif
