#ifndef DF2NINJA_REGISTRY_DAEMONCFG_H
#define DF2NINJA_REGISTRY_DAEMONCFG_H

#include <stdbool.h>
#include <stddef.h>

#include "util/strv.h"

struct err;

/* what df2ninja reads of Docker's daemon.json */
struct daemoncfg {
	struct strv mirrors;	/* "registry-mirrors": URLs as written */
	struct strv insecure;	/* "insecure-registries": "host[:port]" or
				 * a CIDR range */
};

/*
 * parse the JSON text of a daemon.json (path names it in errors):
 * "registry-mirrors" (http or https URLs without a path, as Docker
 * checks them) and "insecure-registries" (host[:port] or a CIDR range).
 * Every other key is the daemon's business and left alone.
 */
int daemoncfg_parse(const char *path, const char *text, size_t len,
		    struct daemoncfg *out, struct err **errp);
/* does an "insecure-registries" entry of c name host[:port]: the same
 * string, or a CIDR range holding host's address when host is an IP
 * address (names are not resolved) */
bool daemoncfg_is_insecure(const struct daemoncfg *c, const char *host);
/* release c; accepts a zeroed c */
void daemoncfg_fini(struct daemoncfg *c);

#endif
