#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "registry/ref.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"

/* distribution/reference limits the name (domain and path) to 255 */
#define NAME_MAX_LEN 255

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

static int
bad(const char *s, struct err **errp, const char *why)
{
	return err_make(errp, 0, "invalid image reference '%s': %s", s, why);
}

int
registry_ref_parse(const char *s, struct registry_ref *r, struct err **errp)
{
	autofree char *name = NULL;
	const char *at, *slash, *colon, *rest;
	char *tag = NULL;

	memset(r, 0, sizeof(*r));
	if (!*s)
		return bad(s, errp, "it is empty");
	at = strchr(s, '@');
	if (at) {
		if (strncmp(at + 1, "sha256:", 7) != 0)
			return bad(s, errp, "only sha256 digests are supported");
		if (!digest_valid(at + 1))
			return bad(s, errp, "a sha256 digest is 64 lower-case hex digits");
		strcpy(r->digest, at + 1);
		name = xstrndup(s, (size_t)(at - s));
	} else {
		name = xstrdup(s);
	}
	/* the tag follows the last ':' after the last '/' */
	slash = strrchr(name, '/');
	colon = strrchr(slash ? slash : name, ':');
	if (colon) {
		tag = (char *)colon;
		*tag++ = '\0';
		if (!valid_tag(tag))
			return bad(s, errp, "invalid tag (letters, digits, '_', '.' and '-', at most 128)");
	}
	if (is_hex64(name))
		return bad(s, errp, "a 64-digit hex string is an image id, not a name");
	slash = strchr(name, '/');
	if (slash && looks_like_domain(name, (size_t)(slash - name))) {
		if (!valid_domain(name, (size_t)(slash - name)))
			return bad(s, errp, "invalid registry host");
		r->domain = xstrndup(name, (size_t)(slash - name));
		rest = slash + 1;
	} else {
		r->domain = xstrdup("docker.io");
		rest = name;
	}
	if (strcmp(r->domain, "index.docker.io") == 0) {
		free(r->domain);
		r->domain = xstrdup("docker.io");
	}
	for (const char *p = rest;;) {
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (!valid_component(p, len)) {
			registry_ref_fini(r);
			return bad(s, errp, "invalid repository name (lower-case letters, "
				   "digits and separators '.', '_', '__', '-')");
		}
		if (!e)
			break;
		p = e + 1;
	}
	if (strcmp(r->domain, "docker.io") == 0 && !strchr(rest, '/'))
		r->path = xasprintf("library/%s", rest);
	else
		r->path = xstrdup(rest);
	if (strlen(r->domain) + 1 + strlen(r->path) > NAME_MAX_LEN) {
		registry_ref_fini(r);
		return bad(s, errp, "the name is longer than 255 characters");
	}
	if (tag || !r->digest[0])
		r->tag = xstrdup(tag ? tag : "latest");
	r->full = xasprintf("%s/%s%s%s%s%s", r->domain, r->path, r->tag ? ":" : "",
			    r->tag ? r->tag : "", r->digest[0] ? "@" : "", r->digest);
	return 0;
}

void
registry_ref_fini(struct registry_ref *r)
{
	free(r->domain);
	free(r->path);
	free(r->tag);
	free(r->full);
	memset(r, 0, sizeof(*r));
}

const char *
registry_ref_api_host(const struct registry_ref *r)
{
	return strcmp(r->domain, "docker.io") == 0 ? "registry-1.docker.io" : r->domain;
}

const char *
registry_ref_reference(const struct registry_ref *r)
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
registry_ref_file_name(const struct registry_ref *r)
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
