#ifndef DF2NINJA_REGISTRY_MIRRORS_H
#define DF2NINJA_REGISTRY_MIRRORS_H

#include <stdbool.h>
#include <stddef.h>

struct err;
struct ref;

/* one place to pull a repository from */
struct mirror_endpoint {
	char *host;	/* "registry-1.docker.io", "127.0.0.1:5000" */
	char *repo;	/* "library/debian" */
};

struct mirror_list {
	struct mirror_endpoint *v;
	size_t n;
};

/*
 * where to pull r from, in order:
 *   1. the mirrors $DF2NINJA_REGISTRY_MIRRORS lists for r's domain: a
 *      comma-separated list of "host[:port]" (a mirror of docker.io) and
 *      "registry=host[:port]" (a mirror of that registry)
 *   2. the [[registry.mirror]]s of the [[registry]] in registries.conf
 *      ($DF2NINJA_REGISTRIES_CONF, else /etc/containers/registries.conf;
 *      see regconf.h) whose prefix matches r's name best, the prefix
 *      replaced by the mirror's location; pull-from-mirror and
 *      mirror-by-digest-only are honoured (by_digest: the pull asks for a
 *      digest)
 *   3. for docker.io, the "registry-mirrors" of daemon.json
 *      ($DF2NINJA_DAEMON_JSON, else /etc/docker/daemon.json)
 *   4. the registry itself: that [[registry]]'s location when it has one,
 *      else r's API host (ref_api_host())
 * A scheme and a trailing '/' on a mirror are dropped (http.h decides the
 * scheme). A [[registry]] with blocked = true, or a malformed config file,
 * is an error. The files are read once per process.
 */
int mirrors_for(const struct ref *r, bool by_digest, struct mirror_list *out,
		struct err **errp);
void mirrors_list_fini(struct mirror_list *l);
/*
 * true when the config files mark host[:port] insecure: a registries.conf
 * [[registry]] or mirror with insecure = true, a daemon.json
 * "insecure-registries" entry, or an http:// daemon.json mirror. A config
 * that cannot be read marks nothing (mirrors_for() reports it).
 */
bool mirrors_host_is_insecure(const char *host);

#endif
