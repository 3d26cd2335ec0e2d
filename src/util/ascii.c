#include <string.h>

#include "util/alloc.h"
#include "util/ascii.h"

char *
ascii_lower(char *s)
{
	for (char *p = s; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return s;
}

char *
ascii_lower_dup(const char *s)
{
	return ascii_lower(xstrdup(s));
}

int
ascii_parse_bool(const char *s, bool *b)
{
	static const char *const t[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const f[] = { "0", "f", "F", "FALSE", "false", "False" };

	for (size_t i = 0; i < 6; i++) {
		if (!strcmp(s, t[i]) || !strcmp(s, f[i])) {
			*b = !strcmp(s, t[i]);
			return 0;
		}
	}
	return -1;
}
