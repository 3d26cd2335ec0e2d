#include "../util/unicode.h"
#include "quote.h"

static const char hex[] = "0123456789abcdef";

static void
put_hex(struct buf *b, const char *prefix, uint32_t v, int digits)
{
	buf_puts(b, prefix);
	while (digits-- > 0)
		buf_putc(b, hex[v >> (4 * digits) & 0xf]);
}

void
quote_go(struct buf *b, const char *s, size_t n)
{
	size_t i, w;
	uint32_t r;

	buf_putc(b, '"');
	for (i = 0; i < n; i += w) {
		r = utf8_decode(s + i, n - i, &w);
		if (r == RUNE_ERROR && w == 1) {
			put_hex(b, "\\x", (unsigned char)s[i], 2);
			continue;
		}
		if (r == '"' || r == '\\') {
			buf_putc(b, '\\');
			buf_putc(b, (char)r);
			continue;
		}
		if (uni_is_print(r)) {
			buf_putn(b, s + i, w);
			continue;
		}
		switch (r) {
		case '\a': buf_puts(b, "\\a"); break;
		case '\b': buf_puts(b, "\\b"); break;
		case '\f': buf_puts(b, "\\f"); break;
		case '\n': buf_puts(b, "\\n"); break;
		case '\r': buf_puts(b, "\\r"); break;
		case '\t': buf_puts(b, "\\t"); break;
		case '\v': buf_puts(b, "\\v"); break;
		default:
			if (r < ' ' || r == 0x7f)
				put_hex(b, "\\x", r, 2);
			else if (r < 0x10000)
				put_hex(b, "\\u", r, 4);
			else
				put_hex(b, "\\U", r, 8);
		}
	}
	buf_putc(b, '"');
}
