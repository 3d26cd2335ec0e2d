#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/csv.h"
#include "util/strv.h"

/* a quoted field from s (past its opening quote) into f; NULL on error */
static const char *
quoted(const char *s, struct buf *f, const char **why)
{
	for (;; s++) {
		if (!*s)
			break;
		if (*s == '"') {
			if (s[1] != '"') {
				s++;
				if (*s && *s != ',')
					break;
				return s;
			}
			s++;
		}
		buf_putc(f, *s);
	}
	*why = "extraneous or missing \" in quoted-field";
	return NULL;
}

int
csv_split(const char *s, struct strv *out, const char **why)
{
	struct buf f = BUF_INIT;

	for (;;) {
		buf_reset(&f);
		buf_putn(&f, "", 0);
		if (*s == '"') {
			if (!(s = quoted(s + 1, &f, why)))
				goto bad;
		} else {
			for (; *s && *s != ','; s++) {
				if (*s == '"') {
					*why = "bare \" in non-quoted-field";
					goto bad;
				}
				buf_putc(&f, *s);
			}
		}
		strv_add(out, buf_str(&f));
		if (!*s)
			break;
		s++;
	}
	buf_fini(&f);
	return 0;
bad:
	buf_fini(&f);
	return -1;
}

char *
csv_field(const char *f)
{
	struct buf b = BUF_INIT;

	if (!strpbrk(f, ",\"\r\n"))
		return xstrdup(f);
	buf_putc(&b, '"');
	for (; *f; f++) {
		if (*f == '"')
			buf_putc(&b, '"');
		buf_putc(&b, *f);
	}
	buf_putc(&b, '"');
	return buf_steal(&b);
}
