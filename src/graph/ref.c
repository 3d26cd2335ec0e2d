#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "ref.h"
#include "../util/alloc.h"

static bool
is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* path-component: [a-z0-9]+ ((\.|_|__|-+)[a-z0-9]+)* */
static bool
path_component(const char *s, size_t n)
{
	size_t i = 0;

	for (;;) {
		size_t start = i;

		while (i < n && is_lower_alnum(s[i]))
			i++;
		if (i == start)
			return false;
		if (i == n)
			return true;
		start = i;
		if (s[i] == '.') {
			i++;
		} else if (s[i] == '_') {
			i++;
			if (i < n && s[i] == '_')
				i++;
		} else if (s[i] == '-') {
			while (i < n && s[i] == '-')
				i++;
		} else {
			return false;
		}
		if (i == n)
			return false;
	}
}

/* host[:port], host a domain name, IPv4 or [IPv6]; checked loosely */
static bool
domain(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!isalnum(c) && c != '.' && c != '-' && c != ':' &&
		    c != '[' && c != ']')
			return false;
	}
	return s[0] != '-' && s[0] != '.';
}

static bool
tag(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 128 || !(isalnum((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (i = 1; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '.' && s[i] != '-')
			return false;
	return true;
}

static bool
digest(const char *s)
{
	const char *colon = strchr(s, ':');
	size_t i;

	if (!colon || colon == s || strlen(colon + 1) < 32)
		return false;
	for (i = 0; s + i < colon; i++)
		if (!is_lower_alnum(s[i]) && !strchr("+._-", s[i]))
			return false;
	for (i = 1; colon[i]; i++)
		if (!isalnum((unsigned char)colon[i]) && !strchr("=_-", colon[i]))
			return false;
	return true;
}

int
ref_check(const char *ref, const char **why)
{
	char name[512];
	const char *at, *slash, *colon, *first_end, *p;
	size_t n;
	bool has_domain;

	if (strstr(ref, "://"))
		return 0;
	*why = "invalid reference format";
	at = strchr(ref, '@');
	n = at ? (size_t)(at - ref) : strlen(ref);
	if (at && !digest(at + 1))
		return -1;
	if (n == 0 || n >= sizeof(name))
		return -1;
	memcpy(name, ref, n);
	name[n] = '\0';
	/* a tag follows the last ':' after the last '/' */
	slash = strrchr(name, '/');
	colon = strrchr(slash ? slash : name, ':');
	if (colon) {
		if (!tag(colon + 1))
			return -1;
		name[colon - name] = '\0';
	}
	if (strlen(name) > 255) {
		*why = "repository name must not be more than 255 characters";
		return -1;
	}
	first_end = strchr(name, '/');
	has_domain = false;
	if (first_end) {
		size_t fl = (size_t)(first_end - name);

		for (p = name; p < first_end; p++)
			if (*p == '.' || *p == ':' || isupper((unsigned char)*p))
				has_domain = true;
		if (fl == 9 && !strncmp(name, "localhost", 9))
			has_domain = true;
		if (has_domain && !domain(name, fl))
			return -1;
	}
	p = has_domain ? first_end + 1 : name;
	for (;;) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		for (size_t i = 0; i < len; i++)
			if (isupper((unsigned char)p[i])) {
				*why = "repository name must be lowercase";
				return -1;
			}
		if (!path_component(p, len))
			return -1;
		if (!end)
			break;
		p = end + 1;
	}
	return 0;
}

char *
ref_localize(const char *ref, const char *context_rel)
{
	static const char *const schemes[] = { "oci-layout://", "docker-archive://" };

	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		size_t n = strlen(schemes[i]);
		const char *path = ref + n;

		if (strncmp(ref, schemes[i], n) != 0)
			continue;
		if (path[0] == '/' || !context_rel || !context_rel[0] ||
		    strcmp(context_rel, ".") == 0)
			break;
		return xasprintf("%s%s/%s", schemes[i], context_rel, path);
	}
	return xstrdup(ref);
}
