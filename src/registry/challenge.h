#ifndef DF2NINJA_REGISTRY_CHALLENGE_H
#define DF2NINJA_REGISTRY_CHALLENGE_H

struct err;

enum challenge_scheme {
	CHALLENGE_NONE,
	CHALLENGE_BASIC,
	CHALLENGE_BEARER,
};

/* what a registry's 401 asks for (RFC 7235 WWW-Authenticate, with the
 * parameters of Docker's token authentication) */
struct challenge {
	enum challenge_scheme scheme;
	char *realm;	/* Bearer: the token service's URL */
	char *service;
	char *scope;
	char *error;	/* "insufficient_scope", "invalid_token", ... */
};

/*
 * parse the value of one WWW-Authenticate header, which may hold several
 * challenges ("Basic realm=\"r\", Bearer realm=\"t\""); ch receives the
 * best one df2ninja can answer (Bearer over Basic) and is left
 * CHALLENGE_NONE when there is none. Malformed syntax is an error.
 * Parameter names are case-insensitive; quoted values lose their quotes
 * and backslash escapes.
 */
int challenge_parse(const char *value, struct challenge *ch,
		    struct err **errp);
/* release ch; accepts a zeroed ch */
void challenge_fini(struct challenge *ch);

#endif
