#include <errno.h>
#include <stdlib.h>

#include "util/epoch.h"
#include "util/err.h"

int
epoch_parse(const char *s, time_t *t, bool *set, struct err **errp)
{
	unsigned long long v;
	char *end;

	*t = 0;
	*set = false;
	if (!s || !*s)
		return 0;
	/* strtoull alone would take a sign or leading blanks */
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || v > (unsigned long long)EPOCH_MAX ||
	    (unsigned long long)(time_t)v != v)
		return err_make(errp, 0, "invalid SOURCE_DATE_EPOCH '%s': "
				"expected seconds since 1970, up to the year 9999", s);
	*t = (time_t)v;
	*set = true;
	return 0;
}
