#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci/port.h"
#include "util/err.h"
#include "util/strv.h"

/* strconv.ParseUint(s, 10, 16) */
static int
port_num(const char *s, size_t n, unsigned long *v)
{
	char buf[8];

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)buf[i]))
			return -1;
	*v = strtoul(buf, NULL, 10);
	return *v > 65535 ? -1 : 0;
}

static int
port_range(const char *s, size_t n, unsigned long *lo, unsigned long *hi)
{
	const char *dash = memchr(s, '-', n);

	if (!dash) {
		if (port_num(s, n, lo) < 0)
			return -1;
		*hi = *lo;
		return 0;
	}
	if (memchr(dash + 1, '-', n - (size_t)(dash + 1 - s)) ||
	    port_num(s, (size_t)(dash - s), lo) < 0 ||
	    port_num(dash + 1, n - (size_t)(dash + 1 - s), hi) < 0 || *hi < *lo)
		return -1;
	return 0;
}

int
port_parse(const char *spec, struct strv *out, struct err **errp)
{
	const char *colon = strrchr(spec, ':'), *cport = colon ? colon + 1 : spec;
	const char *slash = strchr(cport, '/');
	size_t plen = slash ? (size_t)(slash - cport) : strlen(cport);
	char proto[8] = "tcp";
	unsigned long lo, hi, hlo, hhi;

	if (slash) {
		size_t n = strlen(slash + 1);

		if (n >= sizeof(proto))
			return err_make(errp, 0, "invalid proto: %s", slash + 1);
		for (size_t i = 0; i <= n; i++)
			proto[i] = (char)tolower((unsigned char)slash[1 + i]);
		if (!*proto)
			strcpy(proto, "tcp");
		else if (strcmp(proto, "tcp") && strcmp(proto, "udp") &&
			 strcmp(proto, "sctp"))
			return err_make(errp, 0, "invalid proto: %s", proto);
	}
	if (plen == 0)
		return err_make(errp, 0, "no port specified: %s<empty>", spec);
	if (port_range(cport, plen, &lo, &hi) < 0)
		return err_make(errp, 0, "invalid containerPort: %.*s", (int)plen,
				cport);
	if (colon) {
		/* a host port (range) before it, maybe an IP before that */
		const char *hp = spec;

		for (const char *c = spec; c < colon; c++)
			if (*c == ':')
				hp = c + 1;
		if (hp < colon &&
		    (port_range(hp, (size_t)(colon - hp), &hlo, &hhi) < 0 ||
		     (hhi - hlo != hi - lo && hi != lo)))
			return err_make(errp, 0, "invalid hostPort in '%s'", spec);
	}
	for (unsigned long p = lo; p <= hi; p++) {
		char buf[32];

		snprintf(buf, sizeof(buf), "%lu/%s", p, proto);
		strv_add(out, buf);
	}
	return 0;
}
