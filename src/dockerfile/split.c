#include <string.h>

#include "util/buf.h"
#include "util/unicode.h"
#include "split.h"

/* the [\t\v\f\r ] class of BuildKit's tokenWhitespace */
static bool
is_token_space(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

/*
 * extractBuilderFlags walks bytes, not runes: it asks unicode.IsSpace about
 * each byte and writes each kept byte as the rune of that value, so bytes
 * 0x85 and 0xa0 split words and other bytes past 0x7f are re-encoded.
 */
static bool
is_byte_space(unsigned char c)
{
	return uni_is_space(c);
}

static void
put_byte_rune(struct buf *b, unsigned char c)
{
	utf8_put(b, c);
}

enum phase {
	IN_SPACES,
	IN_WORD,
	IN_QUOTE,
};

/* the rest of the line after the flags, untrimmed */
static const char *
extract_flags(const char *line, size_t n, struct strv *flags)
{
	struct buf word = BUF_INIT;
	enum phase phase = IN_SPACES;
	bool blank_ok = false;
	unsigned char ch = 0, quote = 0;
	const char *rest = line + n;
	size_t pos;

	for (pos = 0; pos <= n; pos++) {
		if (pos != n)
			ch = (unsigned char)line[pos];
		if (phase == IN_SPACES) {
			if (pos == n)
				break;
			if (is_byte_space(ch))
				continue;
			if (ch != '-' || pos + 1 == n || line[pos + 1] != '-') {
				rest = line + pos;
				break;
			}
			phase = IN_WORD;
		}
		if (pos == n) {
			if (strcmp(buf_str(&word), "--") != 0 &&
			    (blank_ok || word.len > 0))
				strv_add(flags, buf_str(&word));
			break;
		}
		if (phase == IN_WORD) {
			if (is_byte_space(ch)) {
				phase = IN_SPACES;
				if (strcmp(buf_str(&word), "--") == 0) {
					rest = line + pos;
					break;
				}
				if (blank_ok || word.len > 0)
					strv_add(flags, buf_str(&word));
				buf_reset(&word);
				blank_ok = false;
				continue;
			}
			if (ch == '\'' || ch == '"') {
				quote = ch;
				blank_ok = true;
				phase = IN_QUOTE;
				continue;
			}
			if (ch == '\\') {
				if (pos + 1 == n)
					continue;
				ch = (unsigned char)line[++pos];
			}
			put_byte_rune(&word, ch);
			continue;
		}
		/* IN_QUOTE */
		if (ch == quote) {
			phase = IN_WORD;
			continue;
		}
		if (ch == '\\') {
			if (pos + 1 == n) {
				phase = IN_WORD;
				continue;
			}
			ch = (unsigned char)line[++pos];
		}
		put_byte_rune(&word, ch);
	}
	buf_fini(&word);
	return rest;
}

char *
split_command(const char *line, size_t len, struct strv *flags,
	      const char **rest, size_t *restlen)
{
	struct buf kw = BUF_INIT;
	const char *s = line, *r;
	size_t n = len, k, t;

	/* strings.TrimSpace, then split once at the first blank run */
	t = uni_space_prefix(s, n);
	s += t;
	n -= t;
	n -= uni_space_suffix(s, n);
	for (k = 0; k < n && !is_token_space(s[k]); k++)
		;
	uni_put_lower(&kw, s, k);
	*rest = s + n;
	*restlen = 0;
	if (k < n) {
		while (k < n && is_token_space(s[k]))
			k++;
		r = extract_flags(s + k, n - k, flags);
		n -= (size_t)(r - s);
		s = r;
		t = uni_space_prefix(s, n);
		s += t;
		n -= t;
		n -= uni_space_suffix(s, n);
		*rest = s;
		*restlen = n;
	}
	return buf_steal(&kw);
}
