#ifndef DF2NINJA_REGISTRY_CREDS_H
#define DF2NINJA_REGISTRY_CREDS_H

#include <stdbool.h>

struct err;

/* a user name and a password (or access token) for one registry */
struct creds {
	char *user;		/* NULL for an identity token */
	char *secret;		/* the password, access token or identity
				 * (OAuth refresh) token */
	bool is_identity_token;
	char *from;	/* where they came from, for messages: "in 'PATH'"
			 * or "from credential helper 'NAME' (named in
			 * 'PATH')" */
};

/* config files are small; a larger one is refused unread */
#define CREDS_CONFIG_MAX (1 << 20)

/* Docker's client config: $DOCKER_CONFIG/config.json, else
 * $HOME/.docker/config.json; NULL when neither variable is set; caller
 * frees */
char *creds_config_path(void);

/*
 * the credentials for registry host ("docker.io", "127.0.0.1:5000") in
 * the config file at path: from the credential helper it names for host
 * ("credHelpers" {host: NAME}, else "credsStore": NAME), run as
 * credhelper_get() does; else from its "auths" map: the entry's "auth"
 * (base64 of "user:password"), else its "username" and "password". Keys
 * may carry a scheme and a path ("https://index.docker.io/v1/"); Docker
 * Hub answers to index.docker.io, docker.io and registry-1.docker.io.
 * Returns 0 with *out filled, 1 when there are none (no file, no entry,
 * an entry without a password, a helper without credentials for host),
 * -1 when the file is malformed or the helper fails. An entry's
 * "identitytoken", and a helper's answer with Username "<token>", are an
 * identity token (is_identity_token, no user).
 */
int creds_lookup_in(const char *path, const char *host, struct creds *out,
		    struct err **errp);
/* creds_lookup_in() on $REGISTRY_AUTH_FILE (when set), then
 * creds_config_path(), then $XDG_RUNTIME_DIR/containers/auth.json
 * (Podman's): the first file with credentials for host wins */
int creds_lookup(const char *host, struct creds *out, struct err **errp);
/* release c; accepts a zeroed c */
void creds_fini(struct creds *c);

#endif
