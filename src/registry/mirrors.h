#ifndef DF2NINJA_REGISTRY_MIRRORS_H
#define DF2NINJA_REGISTRY_MIRRORS_H

struct strv;

/*
 * the hosts to pull from for a registry domain, in order: the mirrors
 * that $DF2NINJA_REGISTRY_MIRRORS lists for it, then the registry's own
 * API host. The variable is a comma-separated list of "host[:port]"
 * (a mirror of docker.io, as Docker's "registry-mirrors") and
 * "registry=host[:port]" (a mirror of that registry); a scheme and a
 * trailing '/' on a mirror are dropped (http.h decides the scheme).
 * api_host is the registry's own (ref_api_host()).
 */
void mirrors_for(const char *domain, const char *api_host, struct strv *out);

#endif
