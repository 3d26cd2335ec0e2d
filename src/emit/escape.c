#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "util/buf.h"
#include "util/err.h"
#include "escape.h"

static int
refuse(const char *path, const char *what, const char *why,
       struct err **errp)
{
	const char *nl = strpbrk(path, "\r\n");

	/* do not paste a newline into the one-line message */
	if (nl)
		return err_make(errp, 0, "%s '%.*s...' %s", what,
				(int)(nl - path), path, why);
	return err_make(errp, 0, "%s '%s' %s", what, path, why);
}

/* append s to b with a '$' before every byte in set: ninja's and make's
 * escape alike */
static void
put_dollared(struct buf *b, const char *s, const char *set)
{
	size_t n;

	for (;;) {
		n = strcspn(s, set);
		buf_putn(b, s, n);
		s += n;
		if (!*s)
			return;
		buf_putc(b, '$');
		buf_putc(b, *s++);
	}
}

int
escape_ninja_path(struct buf *b, const char *path, const char *what,
		  struct err **errp)
{
	if (!*path)
		return err_make(errp, 0, "%s is an empty path", what);
	if (strpbrk(path, "\r\n"))
		return refuse(path, what, "contains a newline, which a "
			      "build.ninja path cannot hold", errp);
	if (strchr(path, '|'))
		return refuse(path, what, "contains '|', which a build.ninja "
			      "path cannot hold", errp);
	put_dollared(b, path, "$ :");
	return 0;
}

int
escape_ninja_value(struct buf *b, const char *s, const char *what,
		   struct err **errp)
{
	if (strpbrk(s, "\r\n"))
		return refuse(s, what, "contains a newline", errp);
	/* ninja strips leading white space from a value */
	if (*s == ' ')
		buf_putc(b, '$');
	put_dollared(b, s, "$");
	return 0;
}

int
escape_make_path(struct buf *b, const char *path, const char *what,
		 struct err **errp)
{
	const char *bad = " \t\r\n\v\f#%:;=\\*?[]()'\"`";
	const char *p;

	if (!*path)
		return err_make(errp, 0, "%s is an empty path", what);
	p = strpbrk(path, bad);
	if (p) {
		if (*p == '\r' || *p == '\n')
			return refuse(path, what, "contains a newline, which "
				      "a make file cannot hold", errp);
		if (*p == ' ' || *p == '\t')
			return refuse(path, what, "contains white space, "
				      "which make cannot hold in a target",
				      errp);
		return err_make(errp, 0, "%s '%s' contains '%c', which make "
				"cannot hold in a target", what, path, *p);
	}
	if (*path == '~')
		return refuse(path, what, "starts with '~', which make would "
			      "expand", errp);
	put_dollared(b, path, "$");
	return 0;
}

bool
escape_sh_plain(const char *s)
{
	const unsigned char *p;

	if (!*s || *s == '~')
		return false;
	for (p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p >= 0x80)
			continue;
		if (!strchr("_./+-,:@%=", *p))
			return false;
	}
	return true;
}

int
escape_check_sh_plain(const char *s, const char *what, struct err **errp)
{
	if (escape_sh_plain(s))
		return 0;
	return refuse(s, what, "must be a plain path (letters, digits and "
		      "._/+-,:@%=) because the generated commands use it "
		      "unquoted", errp);
}

/* length of the escape-newline continuation at p, or 0 */
static size_t
continuation(const char *p)
{
	const char *q;

	if (*p != '\\' && *p != '`')
		return 0;
	for (q = p + 1; *q == ' ' || *q == '\t' || *q == '\r'; q++)
		;
	return *q == '\n' ? (size_t)(q + 1 - p) : 0;
}

void
escape_comment(struct buf *b, const char *text, size_t max)
{
	struct buf t = BUF_INIT;
	const char *p = text;
	size_t n, start = b->len;
	bool space = false;

	while (*p) {
		n = continuation(p);
		if (n || *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
			space = true;
			p += n ? n : 1;
			continue;
		}
		if (space && t.len)
			buf_putc(&t, ' ');
		space = false;
		buf_putc(&t, (unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p);
		p++;
	}
	n = t.len;
	if (n > max) {
		n = max > 3 ? max - 3 : 0;
		/* back up off UTF-8 continuation bytes */
		while (n > 0 && ((unsigned char)t.s[n] & 0xc0) == 0x80)
			n--;
		while (n > 0 && t.s[n - 1] == ' ')
			n--;
		buf_putn(b, t.s, n);
		buf_puts(b, "...");
	} else if (n) {
		buf_putn(b, t.s, n);
	}
	/* a comment ending in a backslash continues onto the next line in make */
	while (b->len > start &&
	       (b->s[b->len - 1] == '\\' || b->s[b->len - 1] == ' '))
		b->s[--b->len] = '\0';
	buf_fini(&t);
}
