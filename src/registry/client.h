#ifndef DF2NINJA_REGISTRY_CLIENT_H
#define DF2NINJA_REGISTRY_CLIENT_H

#include <stdbool.h>

#include "registry/auth.h"

struct err;
struct http_request;
struct http_response;
struct strv;

/* a session with one repository of one registry host (the OCI
 * distribution API under /v2/) */
struct registry_client {
	char *base;	/* "https://registry-1.docker.io" */
	char *repo;	/* "library/debian" */
	struct auth auth;
};

/*
 * open a session with repo at host (see http.h for the scheme) and check
 * that it is a registry: GET /v2/, answering a 401 there at once (so the
 * token covers what follows). push asks for scope "pull,push" instead of
 * "pull".
 */
int registry_client_open(struct registry_client *c, const char *host,
			 const char *repo, bool push, struct err **errp);
/* release c; accepts a zeroed c */
void registry_client_close(struct registry_client *c);
/* "<base>/v2/<repo>/<what>/<ref>"; caller frees */
char *registry_client_url(const struct registry_client *c, const char *what,
			  const char *ref);
/* the request headers rq asks for plus the authorisation */
void registry_client_headers(const struct registry_client *c,
			     const struct strv *extra, struct strv *out);
/*
 * make rq (http_do) with the authorisation added; a 401 is answered
 * (auth_answer) and the request made once more. Any status but that is a
 * success here.
 */
int registry_client_do(struct registry_client *c,
		       const struct http_request *rq,
		       struct http_response *resp, struct err **errp);
/*
 * the error for an unexpected answer to "<method> <what>": the status and
 * the registry's own error messages ({"errors": [{"code", "message"}]}
 * of the distribution spec) when the body has them; returns -1
 */
int registry_client_error(const struct registry_client *c, const char *method,
			  const char *what, const struct http_response *resp,
			  struct err **errp);

#endif
