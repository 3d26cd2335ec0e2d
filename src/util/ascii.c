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
