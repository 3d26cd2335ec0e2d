#include <jansson.h>
#include <string.h>

#include "util/buf.h"
#include "util/unicode.h"
#include "jsonarr.h"

static int
hex4(const char *s, size_t n)
{
	int v = 0;

	if (n < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/*
 * jansson rejects what Go's decoder repairs: rewrite invalid UTF-8 bytes
 * and unpaired \uD800-\uDFFF escapes as U+FFFD, the way encoding/json
 * unquotes them, so that both accept the same texts.
 */
static void
sanitize(struct buf *out, const char *s, size_t n)
{
	bool in_string = false;
	size_t i = 0, w;
	int v, v2;

	while (i < n) {
		if (in_string && s[i] == '\\' && i + 1 < n) {
			if (s[i + 1] != 'u' || (v = hex4(s + i + 2, n - i - 2)) < 0 ||
			    v < 0xd800 || v > 0xdfff) {
				buf_putn(out, s + i, 2);
				i += 2;
				continue;
			}
			if (v <= 0xdbff && i + 12 <= n && s[i + 6] == '\\' &&
			    s[i + 7] == 'u' && (v2 = hex4(s + i + 8, n - i - 8)) >= 0xdc00 &&
			    v2 <= 0xdfff) {
				buf_putn(out, s + i, 12);
				i += 12;
				continue;
			}
			buf_puts(out, "\\ufffd");
			i += 6;
			continue;
		}
		if (s[i] == '"')
			in_string = !in_string;
		utf8_decode(s + i, n - i, &w);
		if (w == 1 && (unsigned char)s[i] >= 0x80)
			utf8_put(out, RUNE_ERROR);
		else
			buf_putn(out, s + i, w);
		i += w;
	}
}

enum jsonarr_result
jsonarr_parse(struct instr *in, const char *s, size_t n)
{
	enum jsonarr_result res = JSONARR_STRINGS;
	struct buf text = BUF_INIT;
	json_error_t jerr;
	json_t *arr, *v;
	size_t t, i;

	t = uni_space_prefix(s, n);
	if (t == n || s[t] != '[')
		return JSONARR_INVALID;
	sanitize(&text, s + t, n - t);
	arr = json_loadb(text.s, text.len, JSON_DISABLE_EOF_CHECK |
			 JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, &jerr);
	buf_fini(&text);
	if (!arr)
		return JSONARR_INVALID;
	if (!json_is_array(arr))
		res = JSONARR_INVALID;
	json_array_foreach(arr, i, v)
		if (!json_is_string(v))
			res = JSONARR_NOT_STRINGS;
	if (res == JSONARR_STRINGS)
		json_array_foreach(arr, i, v)
			instr_push_arg(in, json_string_value(v), json_string_length(v));
	json_decref(arr);
	return res;
}
