#include <stdlib.h>
#include <string.h>

#include "registry/regconf.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"

enum section { SEC_TOP, SEC_REGISTRY, SEC_MIRROR, SEC_ALIASES };

struct parser {
	const char *path;
	int line;
	enum section sec;
	struct regconf *c;
};

static const char *
skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* a TOML string at *s ("..." or '...') into out; *s moves past it */
static int
parse_string(const char **s, struct buf *out)
{
	const char *q = *s;
	char quote = *q++;

	if (quote == '\'') {
		const char *end = strchr(q, '\'');

		if (!end)
			return -1;
		buf_putn(out, q, (size_t)(end - q));
		*s = end + 1;
		return 0;
	}
	for (; *q && *q != '"'; q++) {
		if (*q != '\\') {
			buf_putc(out, *q);
			continue;
		}
		switch (*++q) {
		case '"': buf_putc(out, '"'); break;
		case '\\': buf_putc(out, '\\'); break;
		case 'n': buf_putc(out, '\n'); break;
		case 't': buf_putc(out, '\t'); break;
		default: return -1;
		}
	}
	if (*q != '"')
		return -1;
	*s = q + 1;
	return 0;
}

/* nothing but blanks and a comment after a value */
static bool
at_end(const char *s)
{
	s = skip_ws(s);
	return *s == '\0' || *s == '#';
}

/* the string value v; NULL when it is not one */
static char *
string_value(const char *v)
{
	struct buf b = BUF_INIT;

	if ((*v != '"' && *v != '\'') || parse_string(&v, &b) < 0 || !at_end(v)) {
		buf_fini(&b);
		return NULL;
	}
	return buf_steal(&b);
}

/* 0 or 1 for a boolean value, -1 for anything else */
static int
bool_value(const char *v)
{
	if (strncmp(v, "true", 4) == 0 && at_end(v + 4))
		return 1;
	if (strncmp(v, "false", 5) == 0 && at_end(v + 5))
		return 0;
	return -1;
}

static int
set_string(struct parser *p, const char *key, const char *v, char **dst,
	   struct err **errp)
{
	char *s = string_value(v);

	if (!s)
		return err_make(errp, 0, "%s:%d: '%s' must be a string", p->path, p->line, key);
	free(*dst);
	*dst = s;
	return 0;
}

static int
set_bool(struct parser *p, const char *key, const char *v, bool *dst,
	 struct err **errp)
{
	int b = bool_value(v);

	if (b < 0)
		return err_make(errp, 0, "%s:%d: '%s' must be true or false", p->path, p->line, key);
	*dst = b;
	return 0;
}

static int
registry_key(struct parser *p, const char *key, const char *v, struct err **errp)
{
	struct regconf_registry *r = &p->c->regs[p->c->n_regs - 1];

	if (strcmp(key, "prefix") == 0)
		return set_string(p, key, v, &r->prefix, errp);
	if (strcmp(key, "location") == 0)
		return set_string(p, key, v, &r->location, errp);
	if (strcmp(key, "insecure") == 0)
		return set_bool(p, key, v, &r->insecure, errp);
	if (strcmp(key, "blocked") == 0)
		return set_bool(p, key, v, &r->blocked, errp);
	if (strcmp(key, "mirror-by-digest-only") == 0)
		return set_bool(p, key, v, &r->mirror_by_digest_only, errp);
	if (strcmp(key, "mirror") == 0)
		return err_make(errp, 0, "%s:%d: an inline 'mirror' is not supported; "
				"write [[registry.mirror]] tables", p->path, p->line);
	return err_make(errp, 0, "%s:%d: unsupported key '%s' in [[registry]]", p->path, p->line, key);
}

static int
mirror_key(struct parser *p, const char *key, const char *v, struct err **errp)
{
	struct regconf_registry *r = &p->c->regs[p->c->n_regs - 1];
	struct regconf_mirror *m = &r->mirrors[r->n_mirrors - 1];
	autofree char *when = NULL;

	if (strcmp(key, "location") == 0)
		return set_string(p, key, v, &m->location, errp);
	if (strcmp(key, "insecure") == 0)
		return set_bool(p, key, v, &m->insecure, errp);
	if (strcmp(key, "pull-from-mirror") != 0)
		return err_make(errp, 0, "%s:%d: unsupported key '%s' in [[registry.mirror]]",
				p->path, p->line, key);
	if (set_string(p, key, v, &when, errp) < 0)
		return -1;
	if (strcmp(when, "all") == 0 || !*when)
		m->when = REGCONF_ALWAYS;
	else if (strcmp(when, "digest-only") == 0)
		m->when = REGCONF_DIGEST_ONLY;
	else if (strcmp(when, "tag-only") == 0)
		m->when = REGCONF_TAG_ONLY;
	else
		return err_make(errp, 0, "%s:%d: pull-from-mirror '%s' is not all, digest-only or tag-only",
				p->path, p->line, when);
	return 0;
}

static int
top_key(struct parser *p, const char *key, struct err **errp)
{
	static const char *const ignored[] = { "unqualified-search-registries",
					       "short-name-mode", "credential-helpers" };

	for (size_t i = 0; i < countof(ignored); i++)
		if (strcmp(key, ignored[i]) == 0)
			return 0;
	return err_make(errp, 0, "%s:%d: unsupported key '%s'", p->path, p->line, key);
}

static int
header(struct parser *p, const char *s, struct err **errp)
{
	bool is_array = s[1] == '[';
	const char *name = skip_ws(s + (is_array ? 2 : 1));
	size_t n = strcspn(name, " \t]");
	const char *end = skip_ws(name + n);

	if (*end != ']' || (is_array && end[1] != ']') || !at_end(end + (is_array ? 2 : 1)))
		return err_make(errp, 0, "%s:%d: malformed table header", p->path, p->line);
	if (is_array && n == 8 && strncmp(name, "registry", 8) == 0) {
		struct regconf *c = p->c;

		c->regs = xreallocarray(c->regs, c->n_regs + 1, sizeof(*c->regs));
		memset(&c->regs[c->n_regs++], 0, sizeof(*c->regs));
		p->sec = SEC_REGISTRY;
		return 0;
	}
	if (is_array && n == 15 && strncmp(name, "registry.mirror", 15) == 0) {
		struct regconf_registry *r;

		if (p->c->n_regs == 0)
			return err_make(errp, 0, "%s:%d: [[registry.mirror]] outside a [[registry]]",
					p->path, p->line);
		r = &p->c->regs[p->c->n_regs - 1];
		r->mirrors = xreallocarray(r->mirrors, r->n_mirrors + 1, sizeof(*r->mirrors));
		memset(&r->mirrors[r->n_mirrors++], 0, sizeof(*r->mirrors));
		p->sec = SEC_MIRROR;
		return 0;
	}
	if (!is_array && n == 7 && strncmp(name, "aliases", 7) == 0) {
		p->sec = SEC_ALIASES;
		return 0;
	}
	if (!is_array && strncmp(name, "registries", 10) == 0)
		return err_make(errp, 0, "%s:%d: the version 1 format ([registries.*]) is not "
				"supported; write [[registry]] tables", p->path, p->line);
	return err_make(errp, 0, "%s:%d: unsupported table '%.*s'", p->path, p->line, (int)n, name);
}

/* brackets still open in s (outside strings and comments) */
static int
open_brackets(const char *s, int depth)
{
	for (; *s; s++) {
		if (*s == '#')
			break;
		if (*s == '"' || *s == '\'') {
			struct buf tmp = BUF_INIT;

			if (parse_string(&s, &tmp) < 0) {
				buf_fini(&tmp);
				return depth;
			}
			buf_fini(&tmp);
			s--;
			continue;
		}
		depth += *s == '[' ? 1 : *s == ']' ? -1 : 0;
	}
	return depth;
}

static int
key_value(struct parser *p, const char *s, struct err **errp)
{
	struct buf key = BUF_INIT;
	const char *v;
	int r = -1;

	if (*s == '"' || *s == '\'') {
		if (parse_string(&s, &key) < 0)
			goto bad;
	} else {
		size_t n = strcspn(s, " \t=");

		buf_putn(&key, s, n);
		s += n;
	}
	s = skip_ws(s);
	if (*s != '=' || key.len == 0)
		goto bad;
	v = skip_ws(s + 1);
	switch (p->sec) {
	case SEC_TOP: r = top_key(p, buf_str(&key), errp); break;
	case SEC_REGISTRY: r = registry_key(p, buf_str(&key), v, errp); break;
	case SEC_MIRROR: r = mirror_key(p, buf_str(&key), v, errp); break;
	case SEC_ALIASES: r = 0; break;
	}
	buf_fini(&key);
	return r;
bad:
	buf_fini(&key);
	return err_make(errp, 0, "%s:%d: expected 'key = value'", p->path, p->line);
}

/* a registry's settings make sense together */
static int
check_registry(const char *path, struct regconf_registry *r, struct err **errp)
{
	const char *last;

	if (!r->prefix && !r->location)
		return err_make(errp, 0, "%s: a [[registry]] without prefix or location", path);
	if (!r->prefix)
		r->prefix = xstrdup(r->location);
	if (!r->location)
		r->location = xstrdup("");
	if (r->prefix[0] == '*')
		return err_make(errp, 0, "%s: wildcard prefix '%s' is not supported", path, r->prefix);
	last = strrchr(r->prefix, '/');
	if (strchr(r->prefix, '@') || (last && strchr(last, ':')))
		return err_make(errp, 0, "%s: prefix '%s' names a tag or digest, which is not supported",
				path, r->prefix);
	for (size_t i = 0; i < r->n_mirrors; i++)
		if (!r->mirrors[i].location || !*r->mirrors[i].location)
			return err_make(errp, 0, "%s: a mirror of '%s' without location", path, r->prefix);
	return 0;
}

int
regconf_parse(const char *path, const char *text, struct regconf *out,
	      struct err **errp)
{
	struct parser p = { path, 0, SEC_TOP, out };
	struct buf logical = BUF_INIT;
	int depth = 0, r = 0;

	memset(out, 0, sizeof(*out));
	for (const char *line = text; *line && r == 0;) {
		size_t n = strcspn(line, "\n");
		const char *s;

		p.line++;
		buf_putn(&logical, line, n);
		buf_putc(&logical, ' ');
		line += n + (line[n] == '\n');
		/* an array may span lines */
		depth = open_brackets(buf_str(&logical), 0);
		s = skip_ws(buf_str(&logical));
		if (*s != '[' && depth > 0 && *line)
			continue;
		if (*s == '[')
			r = header(&p, s, errp);
		else if (*s && *s != '#')
			r = key_value(&p, s, errp);
		buf_reset(&logical);
	}
	buf_fini(&logical);
	for (size_t i = 0; r == 0 && i < out->n_regs; i++)
		r = check_registry(path, &out->regs[i], errp);
	if (r < 0)
		regconf_fini(out);
	return r < 0 ? -1 : 0;
}

const struct regconf_registry *
regconf_match(const struct regconf *c, const char *name)
{
	const struct regconf_registry *best = NULL;
	size_t best_len = 0;

	for (size_t i = 0; i < c->n_regs; i++) {
		const char *pre = c->regs[i].prefix;
		size_t n = strlen(pre);

		while (n > 0 && pre[n - 1] == '/')
			n--;
		if (strncmp(name, pre, n) != 0 || (name[n] != '\0' && name[n] != '/'))
			continue;
		if (!best || n > best_len) {
			best = &c->regs[i];
			best_len = n;
		}
	}
	return best;
}

void
regconf_fini(struct regconf *c)
{
	for (size_t i = 0; i < c->n_regs; i++) {
		struct regconf_registry *r = &c->regs[i];

		free(r->prefix);
		free(r->location);
		for (size_t j = 0; j < r->n_mirrors; j++)
			free(r->mirrors[j].location);
		free(r->mirrors);
	}
	free(c->regs);
	memset(c, 0, sizeof(*c));
}
