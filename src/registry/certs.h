#ifndef DF2NINJA_REGISTRY_CERTS_H
#define DF2NINJA_REGISTRY_CERTS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/strv.h"

struct err;

/* the TLS files of one registry host, as Docker reads them */
struct certs {
	struct strv cas;	/* "*.crt": CA certificates, trusted besides
				 * the system's */
	char *cert, *key;	/* a client certificate ("NAME.cert") and
				 * its key ("NAME.key"), or NULL */
};

/* CA certificates are small; a larger file is refused */
#define CERTS_FILE_MAX (1 << 20)

/*
 * the files in DIR/host[:port]/ for every DIR of certs.d directories:
 * $DF2NINJA_CERTS_D (':'-separated), else /etc/docker/certs.d and
 * /etc/containers/certs.d. A ".key" without its ".cert", a ".cert"
 * without its ".key", and more than one client certificate are errors.
 * out is empty (0) when no directory has anything for host.
 */
int certs_find(const char *host, struct certs *out, struct err **errp);
/* true when a certs.d directory (as above) has a directory for host */
bool certs_has_dir(const char *host);
/* the PEM text of the system bundle at system_ca (NULL for none), then of
 * every CA of c, in *pem; caller frees */
int certs_bundle(const struct certs *c, const char *system_ca, char **pem,
		 size_t *len, struct err **errp);
/* release c; accepts a zeroed c */
void certs_fini(struct certs *c);

#endif
