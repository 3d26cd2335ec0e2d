#ifndef DF2NINJA_REGISTRY_AUTH_H
#define DF2NINJA_REGISTRY_AUTH_H

#include <stdbool.h>

#include "registry/creds.h"

struct err;
struct http_response;
struct strv;

/* tokens are small; a larger answer from a token service is refused */
#define AUTH_TOKEN_MAX (1 << 20)

/*
 * how requests to one registry host are authorised, the way Docker does
 * it: the registry's 401 names a scheme in WWW-Authenticate; for Basic
 * the credentials go along with every request, for Bearer a token comes
 * from the challenge's realm (anonymously, or with the credentials as
 * Basic auth), asked for scope "repository:REPO:ACTIONS".
 * Credentials come from Docker's config file (creds.h), looked up once.
 */
struct auth {
	char *host;		/* the registry host the credentials are for */
	char *scope;		/* "repository:library/debian:pull" */
	char *header;		/* "Authorization: ...", NULL while none */
	struct creds creds;
	bool creds_looked_up, has_creds;
};

/* scope: the repository scope requests need */
void auth_init(struct auth *a, const char *host, const char *scope);
void auth_fini(struct auth *a);
/* append the Authorization header, if there is one, to h */
void auth_add_header(const struct auth *a, struct strv *h);
/*
 * answer the challenge of a 401 response: set the Authorization header
 * for the requests that follow. An error says why it cannot be answered
 * (no challenge, Basic without credentials, the token service's refusal
 * or a malformed token).
 */
int auth_answer(struct auth *a, const struct http_response *resp,
		struct err **errp);

#endif
