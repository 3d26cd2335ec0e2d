#ifndef DF2NINJA_REGISTRY_REGCONF_H
#define DF2NINJA_REGISTRY_REGCONF_H

#include <stdbool.h>
#include <stddef.h>

struct err;

/* when a mirror is used ("pull-from-mirror") */
enum regconf_when {
	REGCONF_ALWAYS,		/* "all" */
	REGCONF_DIGEST_ONLY,	/* "digest-only" */
	REGCONF_TAG_ONLY,	/* "tag-only" */
};

struct regconf_mirror {
	char *location;		/* "host[:port][/path]" */
	bool insecure;
	enum regconf_when when;
};

/* one [[registry]] table */
struct regconf_registry {
	char *prefix;		/* "docker.io/library/x": what it applies to */
	char *location;		/* where it is pulled from, "" for the
				 * reference itself */
	bool insecure, blocked, mirror_by_digest_only;
	struct regconf_mirror *mirrors;
	size_t n_mirrors;
};

/* what df2ninja reads of containers-registries.conf(5) */
struct regconf {
	struct regconf_registry *regs;
	size_t n_regs;
};

/*
 * parse text, the TOML of a version 2 registries.conf, into out. Read:
 * [[registry]] with prefix, location, insecure, blocked and
 * mirror-by-digest-only, and [[registry.mirror]] with location, insecure
 * and pull-from-mirror. Ignored, as they have no meaning when an
 * unqualified name is docker.io's (Docker's rule): the top-level keys
 * unqualified-search-registries, short-name-mode, credential-helpers and
 * the [aliases] table. Anything else (another key, the version 1 format,
 * a wildcard prefix, inline tables) is an error naming path:line.
 */
int regconf_parse(const char *path, const char *text, struct regconf *out,
		  struct err **errp);
/* the [[registry]] whose prefix is the longest that matches name
 * ("docker.io/library/busybox"), or NULL */
const struct regconf_registry *regconf_match(const struct regconf *c,
					     const char *name);
/* release c; accepts a zeroed c */
void regconf_fini(struct regconf *c);

#endif
