#include <errno.h>
#include <stdlib.h>

#include "util/epoch.h"
#include "util/err.h"

/* 9999-12-31T23:59:59Z */
#define EPOCH_MAX 253402300799ULL

int
epoch_from_env(time_t *t, struct err **errp)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	unsigned long long v;
	char *end;

	*t = 0;
	if (!s || !*s)
		return 0;
	/* strtoull alone would take a sign or leading blanks */
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || v > EPOCH_MAX ||
	    (unsigned long long)(time_t)v != v)
		return err_make(errp, 0, "invalid SOURCE_DATE_EPOCH '%s': "
				"expected seconds since 1970, up to the year 9999", s);
	*t = (time_t)v;
	return 0;
}
