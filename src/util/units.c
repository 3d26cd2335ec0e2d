#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/units.h"

int
units_parse_size(const char *spec, long long *bytes)
{
	static const char units[] = "kmgtp";
	char *end = NULL;
	const char *u;
	double n;

	if (spec[0] < '0' || spec[0] > '9')
		return -1;
	n = strtod(spec, &end);
	if ((size_t)(end - spec) != strspn(spec, "0123456789."))
		return -1;
	if (*end == ' ')
		end++;
	if (*end && (u = strchr(units, *end | 0x20))) {
		for (const char *p = units; p <= u; p++)
			n *= 1024;
		end++;
	}
	if ((*end | 0x20) == 'i')
		end++;
	if ((*end | 0x20) == 'b')
		end++;
	if (*end || n < 1 || n >= 9.2e18)
		return -1;
	*bytes = (long long)n;
	return 0;
}

int
units_parse_duration(const char *spec, long long *secs)
{
	static const struct {
		const char *name;
		double secs;
	} units[] = {
		/* the longer names first: "ms" before "m" */
		{ "ns", 1e-9 }, { "us", 1e-6 }, { "ms", 1e-3 },
		{ "s", 1 }, { "m", 60 }, { "h", 3600 }, { "d", 86400 },
	};
	const char *p = spec;
	double total = 0;

	if (strcmp(spec, "0") == 0) {
		*secs = 0;
		return 0;
	}
	if (!*p)
		return -1;
	while (*p) {
		size_t digits = strspn(p, "0123456789."), i;
		char *end = NULL;
		double n;

		if (digits == 0 || (p[0] == '.' && digits == 1))
			return -1;
		n = strtod(p, &end);
		if (end != p + digits)
			return -1;
		p = end;
		for (i = 0; i < countof(units); i++)
			if (strncmp(p, units[i].name, strlen(units[i].name)) == 0)
				break;
		if (i == countof(units))
			return -1;
		total += n * units[i].secs;
		p += strlen(units[i].name);
	}
	if (total >= 9.2e18)
		return -1;
	*secs = (long long)total;
	return 0;
}
