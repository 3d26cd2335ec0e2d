#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "registry/challenge.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"

/* tchar of RFC 7230 */
static bool
is_tchar(char c)
{
	return isalnum((unsigned char)c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static const char *
skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static char *
token(const char **pp)
{
	const char *p = *pp, *start = p;

	while (is_tchar(*p))
		p++;
	*pp = p;
	return p > start ? xstrndup(start, (size_t)(p - start)) : NULL;
}

/* a quoted-string at *pp (on its opening quote); NULL when unterminated */
static char *
quoted(const char **pp)
{
	struct buf b = BUF_INIT;
	const char *p = *pp + 1;

	buf_puts(&b, "");
	for (; *p && *p != '"'; p++) {
		if (*p == '\\' && p[1])
			p++;
		buf_putc(&b, *p);
	}
	if (*p != '"') {
		buf_fini(&b);
		return NULL;
	}
	*pp = p + 1;
	return buf_steal(&b);
}

/* a token68 (credentials in the header itself) rather than name=value:
 * its '=' padding is followed by the end or a ',' */
static bool
is_token68(const char *p)
{
	size_t eq;

	while (isalnum((unsigned char)*p) || (*p && strchr("-._~+/", *p)))
		p++;
	p = skip_ws(p);
	eq = strspn(p, "=");
	p = skip_ws(p + eq);
	return eq != 1 || !*p || *p == ',';
}

static enum challenge_scheme
scheme_of(const char *name)
{
	if (strcasecmp(name, "bearer") == 0)
		return CHALLENGE_BEARER;
	if (strcasecmp(name, "basic") == 0)
		return CHALLENGE_BASIC;
	return CHALLENGE_NONE;
}

static void
set(char **slot, char *value)
{
	free(*slot);
	*slot = value;
}

int
challenge_parse(const char *value, struct challenge *ch, struct err **errp)
{
	struct challenge cur = { CHALLENGE_NONE, NULL, NULL, NULL, NULL };
	const char *p = skip_ws(value);
	bool have = false;

	memset(ch, 0, sizeof(*ch));
	while (*p) {
		autofree char *name = token(&p);
		const char *after;

		if (!name)
			goto malformed;
		after = skip_ws(p);
		if (*after != '=' || !have) {
			/* a new challenge: "Scheme" then its parameters (or a
			 * token68, which no scheme we answer uses) */
			if (have && cur.scheme > ch->scheme) {
				challenge_fini(ch);
				*ch = cur;
			} else {
				challenge_fini(&cur);
			}
			memset(&cur, 0, sizeof(cur));
			cur.scheme = scheme_of(name);
			have = true;
			p = skip_ws(p);
			if (is_token68(p))
				while (*p && *p != ',')
					p++;
		} else {
			char *v;

			p = skip_ws(after + 1);
			v = *p == '"' ? quoted(&p) : token(&p);
			if (!v)
				goto malformed;
			if (strcasecmp(name, "realm") == 0)
				set(&cur.realm, v);
			else if (strcasecmp(name, "service") == 0)
				set(&cur.service, v);
			else if (strcasecmp(name, "scope") == 0)
				set(&cur.scope, v);
			else if (strcasecmp(name, "error") == 0)
				set(&cur.error, v);
			else
				free(v);
		}
		p = skip_ws(p);
		if (*p == ',')
			p = skip_ws(p + 1);
		else if (*p && !is_tchar(*p))
			goto malformed;
	}
	if (have && cur.scheme > ch->scheme) {
		challenge_fini(ch);
		*ch = cur;
	} else {
		challenge_fini(&cur);
	}
	return 0;
malformed:
	challenge_fini(&cur);
	challenge_fini(ch);
	return err_make(errp, 0, "malformed WWW-Authenticate header '%s'", value);
}

void
challenge_fini(struct challenge *ch)
{
	free(ch->realm);
	free(ch->service);
	free(ch->scope);
	free(ch->error);
	memset(ch, 0, sizeof(*ch));
}
