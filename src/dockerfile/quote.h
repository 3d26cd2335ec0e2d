#ifndef DF2NINJA_QUOTE_H
#define DF2NINJA_QUOTE_H

#include <stddef.h>

#include "../util/buf.h"

/* append Go's strconv.Quote(s[0, n)) to b: "\"a\\tb\"", \xNN for invalid
 * UTF-8 and control bytes, \uNNNN for other runes that are not printable */
void quote_go(struct buf *b, const char *s, size_t n);

#endif
