#ifndef DF2NINJA_REGISTRY_CREDHELPER_H
#define DF2NINJA_REGISTRY_CREDHELPER_H

#include <stddef.h>

struct creds;
struct err;

/* a helper's answer is small; more output is refused */
#define CREDHELPER_OUT_MAX (1 << 20)
/* seconds a helper may take before it is killed */
#define CREDHELPER_TIMEOUT 60

/*
 * the server URL Docker gives a credential helper for registry host:
 * "https://index.docker.io/v1/" for Docker Hub, else host itself
 * ("127.0.0.1:5000"); caller frees
 */
char *credhelper_server_url(const char *host);

/*
 * parse the JSON a helper printed for "get" ({"ServerURL", "Username",
 * "Secret"}); helper names it in errors. Returns 0 with *out filled (an
 * identity token when Username is "<token>": no user, is_identity_token),
 * 1 when the answer holds no credentials (an empty Username or Secret),
 * -1 when it is malformed (its text is never quoted).
 */
int credhelper_parse(const char *helper, const char *json, size_t len,
		     struct creds *out, struct err **errp);

/*
 * run "docker-credential-NAME get" (found in $PATH, no shell) with
 * server_url on its stdin, and parse what it prints (credhelper_parse).
 * A helper that fails saying "credentials not found" returns 1
 * (anonymous); another failure, a helper missing or taking longer than
 * CREDHELPER_TIMEOUT seconds is an error. Nothing of the answer is ever
 * put in an error message.
 */
int credhelper_get(const char *name, const char *server_url,
		   struct creds *out, struct err **errp);

#endif
