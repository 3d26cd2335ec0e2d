#ifndef DF2NINJA_UNICODE_H
#define DF2NINJA_UNICODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/*
 * the few pieces of Go's string handling that BuildKit's parser output
 * depends on, so that we split, trim, lower-case and quote the same way.
 */

#define RUNE_ERROR 0xfffdu

/* decode the rune at s (n > 0 bytes) like utf8.DecodeRune: an invalid or
 * truncated sequence gives RUNE_ERROR with *width 1 */
uint32_t utf8_decode(const char *s, size_t n, size_t *width);
/* append the UTF-8 encoding of r (RUNE_ERROR when r is not a valid rune) */
void utf8_put(struct buf *b, uint32_t r);

/* unicode.IsSpace */
bool uni_is_space(uint32_t r);
/* strconv.IsPrint: letters, marks, numbers, punctuation, symbols, ' ' */
bool uni_is_print(uint32_t r);
/* a character of a shell variable name: ASCII letters, digits and '_',
 * and Go's unicode.IsLetter (exact for Latin-1; above it, everything
 * outside the punctuation, symbol and private-use blocks) */
bool uni_is_name_char(uint32_t r);
/* unicode.ToLower (simple case mapping) */
uint32_t uni_to_lower(uint32_t r);

/* bytes of unicode.IsSpace runes at the start of s[0, n) */
size_t uni_space_prefix(const char *s, size_t n);
/* bytes of unicode.IsSpace runes at the end of s[0, n) */
size_t uni_space_suffix(const char *s, size_t n);
/* append strings.ToLower(s[0, n)) to b */
void uni_put_lower(struct buf *b, const char *s, size_t n);

/* append Go's strconv.Quote(s[0, n)) to b: "\"a\\tb\"", \xNN for invalid
 * UTF-8 and control bytes, \uNNNN for other runes that are not printable */
void quote_go(struct buf *b, const char *s, size_t n);

#endif
