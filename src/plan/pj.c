#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/err.h"
#include "pj.h"

struct pjblock {
	struct pjblock *next;
	size_t size;
	/* the memory follows, aligned for any value */
	max_align_t data[];
};

#define BLOCK 65536

static void *
alloc(struct pjarena *a, size_t n)
{
	struct pjblock *b;
	void *p;

	/* never NULL, even for nothing: callers memset and memcpy into it */
	n = n ? (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1) : sizeof(max_align_t);
	if ((size_t)(a->end - a->p) < n) {
		size_t size = n > BLOCK ? n : BLOCK;

		b = xmalloc(sizeof(*b) + size);
		b->size = size;
		b->next = a->blocks;
		a->blocks = b;
		a->p = (char *)b->data;
		a->end = a->p + size;
	}
	p = a->p;
	a->p += n;
	return p;
}

static struct pj *
node(struct pjarena *a, enum pj_type t)
{
	struct pj *v = alloc(a, sizeof(*v));

	memset(v, 0, sizeof(*v));
	v->type = t;
	v->tail = &v->head;
	return v;
}

struct pj *
pj_object(struct pjarena *a)
{
	return node(a, PJ_OBJECT);
}

struct pj *
pj_array(struct pjarena *a)
{
	return node(a, PJ_ARRAY);
}

struct pj *
pj_int(struct pjarena *a, long long i)
{
	struct pj *v = node(a, PJ_INT);

	v->i = i;
	return v;
}

struct pj *
pj_bool(struct pjarena *a, bool b)
{
	return node(a, b ? PJ_TRUE : PJ_FALSE);
}

struct pj *
pj_null(struct pjarena *a)
{
	return node(a, PJ_NULL);
}

/* RFC 3629 UTF-8, as jansson's utf8_check_string */
static bool
utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		uint32_t cp;
		size_t len, k;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			len = 2, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			len = 3, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			len = 4, cp = c & 0x07;
		else
			return false;
		if (i + len > n)
			return false;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

bool
pj_utf8(const char *s)
{
	return utf8_valid((const unsigned char *)s, strlen(s));
}

void *
pj_alloc(struct pjarena *a, size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		BUG("an arena array of %zu elements of %zu bytes", n, size);
	p = alloc(a, n * size);
	memset(p, 0, n * size);
	return p;
}

const char *
pj_strdup(struct pjarena *a, const char *s)
{
	size_t n = strlen(s);
	char *copy;

	if (!utf8_valid((const unsigned char *)s, n))
		return NULL;
	copy = alloc(a, n + 1);
	memcpy(copy, s, n + 1);
	return copy;
}

struct pj *
pj_string(struct pjarena *a, const char *s)
{
	const char *copy = pj_strdup(a, s);
	struct pj *v;

	if (!copy)
		return NULL;
	v = node(a, PJ_STRING);
	v->s = copy;
	return v;
}

static void
append(struct pjarena *a, struct pj *c, const char *key, struct pj *v)
{
	struct pjitem *it = alloc(a, sizeof(*it));

	it->key = key;
	it->v = v;
	it->next = NULL;
	*c->tail = it;
	c->tail = &it->next;
	c->n++;
}

void
pj_set(struct pjarena *a, struct pj *o, const char *key, struct pj *v)
{
	size_t n = strlen(key) + 1;
	char *k = alloc(a, n);

	memcpy(k, key, n);
	append(a, o, k, v);
}

void
pj_put(struct pjarena *a, struct pj *o, const char *key, struct pj *v)
{
	for (struct pjitem *it = o->head; it; it = it->next)
		if (!strcmp(it->key, key)) {
			it->v = v;
			return;
		}
	pj_set(a, o, key, v);
}

void
pj_push(struct pjarena *a, struct pj *arr, struct pj *v)
{
	append(a, arr, NULL, v);
}

struct pj *
pj_get(const struct pj *o, const char *key)
{
	for (const struct pjitem *it = o->head; it; it = it->next)
		if (it->key && !strcmp(it->key, key))
			return it->v;
	return NULL;
}

void
pj_reset(struct pjarena *a)
{
	struct pjblock *keep = a->blocks, *b, *next;

	if (!keep)
		return;
	/* keep the newest block: the next plan needs about as much */
	for (b = keep->next; b; b = next) {
		next = b->next;
		free(b);
	}
	keep->next = NULL;
	a->p = (char *)keep->data;
	a->end = a->p + keep->size;
}

void
pj_fini(struct pjarena *a)
{
	struct pjblock *b = a->blocks, *next;

	for (; b; b = next) {
		next = b->next;
		free(b);
	}
	a->blocks = NULL;
	a->p = a->end = NULL;
	free(a->scratch);
	a->scratch = NULL;
	a->scratch_cap = 0;
}

struct out {
	char *s;
	size_t len, cap;
};

/* room for n more bytes (and the final NUL) */
static inline char *
reserve(struct out *o, size_t n)
{
	if (o->len + n + 1 > o->cap)
		xgrow(&o->s, &o->cap, o->len + n + 1, 1);
	return o->s + o->len;
}

static inline void
put(struct out *o, const char *s, size_t n)
{
	memcpy(reserve(o, n), s, n);
	o->len += n;
}

static void
indent(struct out *o, int depth)
{
	size_t n = (size_t)depth * 2 + 1;
	char *p = reserve(o, n);

	p[0] = '\n';
	memset(p + 1, ' ', n - 1);
	o->len += n;
}

/* jansson's dump_string without flags: \uXXXX in upper case */
static void
dump_string(struct out *o, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s);
	/* at worst every byte becomes \u00XX */
	char *start = reserve(o, n * 6 + 2), *p = start;

	*p++ = '"';
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c != '"' && c != '\\') {
			*p++ = (char)c;
			continue;
		}
		*p++ = '\\';
		switch (c) {
		case '"': *p++ = '"'; break;
		case '\\': *p++ = '\\'; break;
		case '\b': *p++ = 'b'; break;
		case '\f': *p++ = 'f'; break;
		case '\n': *p++ = 'n'; break;
		case '\r': *p++ = 'r'; break;
		case '\t': *p++ = 't'; break;
		default:
			memcpy(p, "u00", 3);
			p[3] = hex[c >> 4];
			p[4] = hex[c & 15];
			p += 5;
			break;
		}
	}
	*p++ = '"';
	o->len += (size_t)(p - start);
}

static void
dump_int(struct out *o, long long i)
{
	char buf[24], *p = buf + sizeof(buf);
	unsigned long long u = i < 0 ? 0ULL - (unsigned long long)i :
			       (unsigned long long)i;

	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (i < 0)
		*--p = '-';
	put(o, p, (size_t)(buf + sizeof(buf) - p));
}

/* strcmp(a, b) < 0, mostly settled by the first byte */
static inline bool
before(const char *a, const char *b)
{
	if (*a != *b)
		return (unsigned char)*a < (unsigned char)*b;
	return strcmp(a, b) < 0;
}

static void dump(struct out *o, const struct pj *v, int depth);

static void
dump_members(struct out *o, const struct pj *v, int depth)
{
	const struct pjitem *small[32], **m = small, *it;
	size_t i = 0, k;

	if (v->n > 32)
		m = xcalloc(v->n, sizeof(*m));
	for (it = v->head; it; it = it->next) {
		/* insertion sort: plans have a handful of keys */
		for (k = i++; k > 0 && before(it->key, m[k - 1]->key); k--)
			m[k] = m[k - 1];
		m[k] = it;
	}
	put(o, "{", 1);
	for (i = 0; i < v->n; i++) {
		indent(o, depth + 1);
		dump_string(o, m[i]->key);
		put(o, ": ", 2);
		dump(o, m[i]->v, depth + 1);
		if (i + 1 < v->n)
			put(o, ",", 1);
	}
	indent(o, depth);
	put(o, "}", 1);
	if (m != small)
		free(m);
}

static void
dump(struct out *o, const struct pj *v, int depth)
{
	const struct pjitem *it;

	switch (v->type) {
	case PJ_OBJECT:
		if (!v->n)
			put(o, "{}", 2);
		else
			dump_members(o, v, depth);
		break;
	case PJ_ARRAY:
		if (!v->n) {
			put(o, "[]", 2);
			break;
		}
		put(o, "[", 1);
		for (it = v->head; it; it = it->next) {
			indent(o, depth + 1);
			dump(o, it->v, depth + 1);
			if (it->next)
				put(o, ",", 1);
		}
		indent(o, depth);
		put(o, "]", 1);
		break;
	case PJ_STRING:
		dump_string(o, v->s);
		break;
	case PJ_INT:
		dump_int(o, v->i);
		break;
	case PJ_TRUE:
		put(o, "true", 4);
		break;
	case PJ_FALSE:
		put(o, "false", 5);
		break;
	case PJ_NULL:
		put(o, "null", 4);
		break;
	}
}

char *
pj_dump(struct pjarena *a, const struct pj *v)
{
	struct out o = { a->scratch, 0, a->scratch_cap };
	char *text;

	dump(&o, v, 0);
	put(&o, "\n", 1);
	/* the scratch buffer is reused; plans stay until the end */
	text = xstrndup(o.s, o.len);
	a->scratch = o.s;
	a->scratch_cap = o.cap;
	return text;
}
