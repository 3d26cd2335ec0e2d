#ifndef DF2NINJA_BUF_H
#define DF2NINJA_BUF_H

#include <stdarg.h>
#include <stddef.h>

/* a growable byte string, always NUL-terminated once anything was added */
struct buf {
	char *s;
	size_t len, cap;
};

#define BUF_INIT { NULL, 0, 0 }

void buf_init(struct buf *b);
/* release the memory; b is empty afterwards */
void buf_fini(struct buf *b);
/* make the string empty, keeping the memory */
void buf_reset(struct buf *b);
/* make room for need bytes in all, the NUL included */
void buf_reserve(struct buf *b, size_t need);

/* inline: the escapers add most of the output a byte at a time */
static inline void
buf_putc(struct buf *b, char c)
{
	if (b->len + 2 > b->cap)
		buf_reserve(b, b->len + 2);
	b->s[b->len++] = c;
	b->s[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s);
void buf_putn(struct buf *b, const char *s, size_t n);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* the string (never NULL), owned by b */
const char *buf_str(struct buf *b);
/* hand the string to the caller (never NULL); b is empty afterwards */
char *buf_steal(struct buf *b);

#endif
