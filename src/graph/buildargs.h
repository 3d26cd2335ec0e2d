#ifndef DF2NINJA_BUILDARGS_H
#define DF2NINJA_BUILDARGS_H

#include <stdbool.h>

#include "resolve.h"

/*
 * build args and the global scope, as BuildKit has them: --build-arg
 * values (K=V, or K to take V from the environment, ignored when unset),
 * the predefined platform ARGs (BUILDPLATFORM, BUILDOS, BUILDARCH,
 * BUILDVARIANT, TARGETPLATFORM, TARGETOS, TARGETARCH, TARGETVARIANT,
 * TARGETSTAGE: the host, a build arg overrides them) and the ARGs before
 * the first FROM.
 */

/* note the names ARG instruction in declares (for buildargs_warn_unused) */
void buildargs_declare(struct resolver *r, const struct instr *in);
/* r->bargs from the options' build args; checks --platform */
int buildargs_build(struct resolver *r);
/* r->global: platform ARGs, then the meta ARGs (needs stage names) */
int buildargs_global(struct resolver *r);
/* warn about build args no ARG declares (proxies and platform excepted) */
void buildargs_warn_unused(struct resolver *r);
/* http_proxy, https_proxy, ftp_proxy, no_proxy, all_proxy in any case */
bool buildargs_is_proxy(const char *name);

#endif
