#include <getopt.h>
#include <string.h>
#include <strings.h>

#include "cli/dockeropts.h"
#include "util/alloc.h"
#include "util/err.h"

enum how {
	REFUSE,		/* whatever the value */
	ACCEPT,		/* whatever the value: it means nothing here */
	ACCEPT_IF,	/* accepted when the value is one of ok (NULL: none
			 * given), refused otherwise */
};

struct dockeropt {
	const char *name;
	int has_arg;		/* getopt's */
	char shortopt;
	enum how how;
	const char *ok;		/* ACCEPT_IF: values that mean nothing here,
				 * separated by '|' ("" stands for none) */
	const char *why;
};

/* docker's boolean words (strconv.ParseBool) */
#define FALSES "0|f|F|false|FALSE|False"
#define TRUES "|1|t|T|true|TRUE|True"

static const struct dockeropt opts[] = {
	{ "rm", optional_argument, 0, ACCEPT, NULL, NULL },
	{ "force-rm", optional_argument, 0, ACCEPT, NULL, NULL },
	{ "compress", optional_argument, 0, ACCEPT, NULL, NULL },
	{ "disable-content-trust", optional_argument, 0, ACCEPT_IF, TRUES,
	  "image signatures are not verified (content trust is not supported)" },
	{ "isolation", required_argument, 0, ACCEPT_IF, "default",
	  "only the default isolation exists on Linux" },
	{ "call", required_argument, 0, ACCEPT_IF, "build",
	  "only --call=build is supported (a build)" },
	{ "provenance", optional_argument, 0, ACCEPT_IF, FALSES,
	  "provenance attestations are not produced" },
	{ "sbom", optional_argument, 0, ACCEPT_IF, FALSES,
	  "SBOM attestations are not produced" },
	{ "attest", required_argument, 0, REFUSE, NULL,
	  "attestations are not produced" },
	{ "annotation", required_argument, 0, REFUSE, NULL,
	  "annotations are not supported yet (use --label for the config)" },
	{ "builder", required_argument, 0, REFUSE, NULL,
	  "there are no builder instances: ninja runs the steps here" },
	{ "squash", optional_argument, 0, REFUSE, NULL,
	  "squashing layers is not supported" },
	{ "memory", required_argument, 'm', REFUSE, NULL,
	  "resource limits of RUN are not supported" },
	{ "memory-swap", required_argument, 0, REFUSE, NULL,
	  "resource limits of RUN are not supported" },
	{ "cpu-shares", required_argument, 'c', REFUSE, NULL,
	  "resource limits of RUN are not supported" },
	{ "cpu-period", required_argument, 0, REFUSE, NULL,
	  "resource limits of RUN are not supported" },
	{ "cpu-quota", required_argument, 0, REFUSE, NULL,
	  "resource limits of RUN are not supported" },
	{ "cpuset-cpus", required_argument, 0, REFUSE, NULL,
	  "resource limits of RUN are not supported" },
	{ "cpuset-mems", required_argument, 0, REFUSE, NULL,
	  "resource limits of RUN are not supported" },
	{ "cgroup-parent", required_argument, 0, REFUSE, NULL,
	  "RUN steps are not placed in cgroups" },
	{ "security-opt", required_argument, 0, REFUSE, NULL,
	  "security options are not supported (RUN --security=insecure "
	  "with --allow security.insecure is)" },
	{ "debug", no_argument, 'D', REFUSE, NULL,
	  "no debugger: `df2ninja shell STAGE/N --failed` enters a failed step" },
	{ "detach", no_argument, 0, REFUSE, NULL,
	  "there is no buildx server to detach" },
};

size_t
dockeropts_count(void)
{
	return countof(opts);
}

void
dockeropts_longopts(struct option *o, size_t *n, int val_base)
{
	for (size_t i = 0; i < countof(opts); i++)
		o[(*n)++] = (struct option){ opts[i].name, opts[i].has_arg, NULL,
					     val_base + (int)i };
}

long
dockeropts_short(int c)
{
	for (size_t i = 0; i < countof(opts); i++)
		if (c && opts[i].shortopt == c)
			return (long)i;
	return -1;
}

/* v is one of the '|'-separated words of list ("" matches a missing v) */
static bool
is_listed(const char *list, const char *v)
{
	size_t n = strlen(v ? v : "");

	for (const char *p = list;; p++) {
		const char *end = strchrnul(p, '|');

		if ((size_t)(end - p) == n && strncmp(p, v ? v : "", n) == 0)
			return true;
		if (!*end)
			return false;
		p = end;
	}
}

int
dockeropts_check(size_t i, const char *value, struct err **errp)
{
	const struct dockeropt *d = &opts[i];

	if (d->how == ACCEPT || (d->how == ACCEPT_IF && is_listed(d->ok, value)))
		return 0;
	if (value)
		return err_make(errp, 0, "--%s '%s': %s", d->name, value, d->why);
	return err_make(errp, 0, "--%s: %s", d->name, d->why);
}
