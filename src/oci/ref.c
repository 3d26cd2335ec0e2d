#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "oci/ref.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"

/* distribution/reference limits the name (domain and path) to 255 */
#define NAME_MAX_LEN 255

/* distribution/reference's ErrReferenceInvalidFormat, the Dockerfile
 * dialect's word for most faults */
#define FORMAT "invalid reference format"

/* whose reference is read (see ref.h) */
enum dialect {
	DOCKERFILE,
	REGISTRY,
};

static bool
is_alnum_lower(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* a path component: lower-case alphanumerics joined by '.', '_', '__'
 * or runs of '-' */
static bool
valid_component(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0 || !is_alnum_lower(s[0]) || !is_alnum_lower(s[n - 1]))
		return false;
	while (i < n) {
		if (is_alnum_lower(s[i])) {
			i++;
			continue;
		}
		if (s[i] == '.' || (s[i] == '_' && s[i + 1] != '_'))
			i++;
		else if (s[i] == '_')
			i += 2;
		else if (s[i] == '-')
			while (i < n && s[i] == '-')
				i++;
		else
			return false;
		if (i >= n || !is_alnum_lower(s[i]))
			return false;
	}
	return true;
}

static bool
has_upper(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (isupper((unsigned char)s[i]))
			return true;
	return false;
}

static bool
valid_tag(const char *t)
{
	size_t n = strlen(t);

	if (n == 0 || n > 128 || !(isalnum((unsigned char)t[0]) || t[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char)t[i]) && !strchr("_.-", t[i]))
			return false;
	return true;
}

/* host[:port]: a domain name, an IPv4 address or a bracketed IPv6 one */
static bool
valid_domain(const char *s, size_t n)
{
	size_t i = 0, host_end;

	if (n == 0)
		return false;
	if (s[0] == '[') {
		const char *close = memchr(s, ']', n);

		if (!close || close - s < 3)
			return false;
		for (const char *p = s + 1; p < close; p++)
			if (!isxdigit((unsigned char)*p) && *p != ':' && *p != '.')
				return false;
		host_end = (size_t)(close - s) + 1;
	} else {
		while (i < n && s[i] != ':') {
			if (!isalnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '-')
				return false;
			i++;
		}
		host_end = i;
		if (host_end == 0 || s[0] == '.' || s[0] == '-' ||
		    s[host_end - 1] == '.' || s[host_end - 1] == '-')
			return false;
	}
	if (host_end == n)
		return true;
	if (s[host_end] != ':' || host_end + 1 == n || n - host_end - 1 > 5)
		return false;
	for (i = host_end + 1; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* the Dockerfile dialect's host: the characters of one, in any order */
static bool
loose_domain(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr(".-:[]", s[i]))
			return false;
	return s[0] != '-' && s[0] != '.';
}

/* Docker's splitDockerDomain: is the first component a registry? */
static bool
looks_like_domain(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '.' || s[i] == ':' || isupper((unsigned char)s[i]))
			return true;
	return n == 9 && memcmp(s, "localhost", 9) == 0;
}

static bool
is_hex64(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return n == 64 && s[n] == '\0';
}

/* distribution/reference's digest: algorithm ':' at least 32 characters
 * of encoding, whatever the algorithm */
static bool
any_digest(const char *s)
{
	const char *colon = strchr(s, ':');

	if (!colon || colon == s || strlen(colon + 1) < 32)
		return false;
	for (const char *p = s; p < colon; p++)
		if (!is_alnum_lower(*p) && !strchr("+._-", *p))
			return false;
	for (const char *p = colon + 1; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("=_-", *p))
			return false;
	return true;
}

/*
 * the grammar: split s into its parts, checking each in the words of
 * dialect d. NULL, or why s is refused (a static text). In the registry
 * dialect *r is filled once s is known good.
 */
static const char *
split(const char *s, enum dialect d, struct ref *r)
{
	bool strict = d == REGISTRY;
	autofree char *name = NULL;
	const char *at, *slash, *colon, *rest;
	char *tag = NULL;
	size_t dlen = 0;

	if (!strict && strstr(s, "://"))
		return NULL;
	if (!*s)
		return strict ? "it is empty" : FORMAT;
	at = strchr(s, '@');
	if (at) {
		if (strict && strncmp(at + 1, "sha256:", 7) != 0)
			return "only sha256 digests are supported";
		if (strict && !digest_valid(at + 1))
			return "a sha256 digest is 64 lower-case hex digits";
		if (!strict && !any_digest(at + 1))
			return FORMAT;
		name = xstrndup(s, (size_t)(at - s));
	} else {
		name = xstrdup(s);
	}
	/* the generator's first parser held the name in 512 bytes; docker
	 * would say such a name is too long */
	if (!strict && strlen(name) >= 512)
		return FORMAT;
	/* the tag follows the last ':' after the last '/' */
	slash = strrchr(name, '/');
	colon = strrchr(slash ? slash : name, ':');
	if (colon) {
		tag = (char *)colon;
		*tag++ = '\0';
		if (!valid_tag(tag))
			return strict ? "invalid tag (letters, digits, '_', '.' and '-', at most 128)" :
					FORMAT;
	}
	/* the Dockerfile dialect counts the name as written, the registry
	 * one (below) as normalised */
	if (!strict && strlen(name) > NAME_MAX_LEN)
		return "repository name must not be more than 255 characters";
	if (strict && is_hex64(name))
		return "a 64-digit hex string is an image id, not a name";
	slash = strchr(name, '/');
	if (slash && looks_like_domain(name, (size_t)(slash - name))) {
		dlen = (size_t)(slash - name);
		if (!(strict ? valid_domain : loose_domain)(name, dlen))
			return strict ? "invalid registry host" : FORMAT;
		rest = slash + 1;
	} else {
		rest = name;
	}
	for (const char *p = rest;;) {
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (!valid_component(p, len)) {
			if (strict)
				return "invalid repository name (lower-case letters, "
				       "digits and separators '.', '_', '__', '-')";
			return has_upper(p, len) ? "repository name must be lowercase" : FORMAT;
		}
		if (!e)
			break;
		p = e + 1;
	}
	if (!strict)
		return NULL;
	if (!dlen || (dlen == 15 && memcmp(name, "index.docker.io", 15) == 0))
		r->domain = xstrdup("docker.io");
	else
		r->domain = xstrndup(name, dlen);
	if (strcmp(r->domain, "docker.io") == 0 && !strchr(rest, '/'))
		r->path = xasprintf("library/%s", rest);
	else
		r->path = xstrdup(rest);
	if (strlen(r->domain) + 1 + strlen(r->path) > NAME_MAX_LEN) {
		ref_fini(r);
		return "the name is longer than 255 characters";
	}
	if (at)
		strcpy(r->digest, at + 1);
	if (tag || !at)
		r->tag = xstrdup(tag ? tag : "latest");
	r->full = xasprintf("%s/%s%s%s%s%s", r->domain, r->path, r->tag ? ":" : "",
			    r->tag ? r->tag : "", r->digest[0] ? "@" : "", r->digest);
	return NULL;
}

int
ref_parse(const char *s, struct ref *r, struct err **errp)
{
	const char *why;

	memset(r, 0, sizeof(*r));
	why = split(s, REGISTRY, r);
	if (why)
		return err_make(errp, 0, "invalid image reference '%s': %s", s, why);
	return 0;
}

int
ref_check(const char *s, const char **why)
{
	*why = split(s, DOCKERFILE, NULL);
	return *why ? -1 : 0;
}

void
ref_fini(struct ref *r)
{
	free(r->domain);
	free(r->path);
	free(r->tag);
	free(r->full);
	memset(r, 0, sizeof(*r));
}

const char *
ref_api_host(const struct ref *r)
{
	return strcmp(r->domain, "docker.io") == 0 ? "registry-1.docker.io" : r->domain;
}

const char *
ref_reference(const struct ref *r)
{
	return r->digest[0] ? r->digest : r->tag;
}

static void
put_escaped(struct buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || c == '.' || c == '-')
			buf_putc(b, (char)c);
		else if (c == '/')
			buf_putc(b, '_');
		else if (c == ':')
			buf_putc(b, '+');
		else
			buf_printf(b, "%%%02X", c);
	}
}

char *
ref_file_name(const struct ref *r)
{
	struct buf b = BUF_INIT;

	put_escaped(&b, r->domain);
	buf_putc(&b, '_');
	put_escaped(&b, r->path);
	if (r->tag) {
		buf_putc(&b, '+');
		put_escaped(&b, r->tag);
	}
	return buf_steal(&b);
}

char *
ref_localize(const char *ref, const char *context_rel)
{
	static const char *const schemes[] = { "oci-layout://", "docker-archive://" };

	for (size_t i = 0; i < countof(schemes); i++) {
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
