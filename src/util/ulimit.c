#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "util/alloc.h"
#include "util/err.h"
#include "util/ulimit.h"

static const struct {
	const char *name;
	int resource;
} names[] = {
	{ "core", RLIMIT_CORE }, { "cpu", RLIMIT_CPU }, { "data", RLIMIT_DATA },
	{ "fsize", RLIMIT_FSIZE }, { "locks", RLIMIT_LOCKS },
	{ "memlock", RLIMIT_MEMLOCK }, { "msgqueue", RLIMIT_MSGQUEUE },
	{ "nice", RLIMIT_NICE }, { "nofile", RLIMIT_NOFILE },
	{ "nproc", RLIMIT_NPROC }, { "rss", RLIMIT_RSS },
	{ "rtprio", RLIMIT_RTPRIO }, { "rttime", RLIMIT_RTTIME },
	{ "sigpending", RLIMIT_SIGPENDING }, { "stack", RLIMIT_STACK },
};

/* a decimal integer from s to the first of stop (or the end) */
static bool
number(const char *s, const char *stop, long long *out, const char **end)
{
	char *e = NULL;

	errno = 0;
	*out = strtoll(s, &e, 10);
	if (e == s || errno || (*e && !strchr(stop, *e)))
		return false;
	*end = e;
	return true;
}

int
ulimit_parse(const char *spec, struct ulimit *out, struct err **errp)
{
	const char *eq = strchr(spec, '='), *end;
	size_t i, n;

	if (!eq)
		return err_make(errp, 0, "--ulimit '%s': expected NAME=SOFT[:HARD]", spec);
	n = (size_t)(eq - spec);
	for (i = 0; i < countof(names); i++)
		if (strlen(names[i].name) == n && strncmp(names[i].name, spec, n) == 0)
			break;
	if (i == countof(names))
		return err_make(errp, 0, "--ulimit '%s': unknown limit '%.*s'", spec, (int)n,
				spec);
	out->name = names[i].name;
	out->resource = names[i].resource;
	if (!number(eq + 1, ":", &out->soft, &end))
		return err_make(errp, 0, "--ulimit '%s': the soft limit is not a number", spec);
	out->hard = out->soft;
	if (*end == ':' && !number(end + 1, "", &out->hard, &end))
		return err_make(errp, 0, "--ulimit '%s': the hard limit is not a number", spec);
	if (out->soft < -1 || out->hard < -1)
		return err_make(errp, 0, "--ulimit '%s': a limit is -1 (unlimited) or more", spec);
	/* compared as numbers, as docker does (-1 below all) */
	if (out->soft > out->hard)
		return err_make(errp, 0, "--ulimit '%s': the soft limit is above the hard one",
				spec);
	return 0;
}

char *
ulimit_format(const struct ulimit *u)
{
	return xasprintf("%s=%lld:%lld", u->name, u->soft, u->hard);
}
