#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "oci/platform.h"
#include "util/alloc.h"

/* copy s into dst[n], cut short if need be */
static void
set(char *dst, size_t n, const char *s)
{
	size_t len = strlen(s);

	if (len >= n)
		len = n - 1;
	memmove(dst, s, len);
	dst[len] = '\0';
}

/* arch (and variant) in containerd's normalised form */
static void
normalize(struct platform *p)
{
	char *a = p->arch, *v = p->variant;

	if (!strcmp(a, "i386") || !strcmp(a, "i486") || !strcmp(a, "i586") ||
	    !strcmp(a, "i686"))
		set(a, sizeof(p->arch), "386");
	else if (!strcmp(a, "x86_64") || !strcmp(a, "x86-64") ||
		 !strcmp(a, "amd64")) {
		set(a, sizeof(p->arch), "amd64");
		if (!strcmp(v, "v1"))
			v[0] = '\0';
	} else if (!strcmp(a, "aarch64") || !strcmp(a, "arm64")) {
		set(a, sizeof(p->arch), "arm64");
		if (!strcmp(v, "8") || !strcmp(v, "v8") || !strcmp(v, "v8.0"))
			v[0] = '\0';
	} else if (!strcmp(a, "armhf")) {
		set(a, sizeof(p->arch), "arm");
		set(v, sizeof(p->variant), "v7");
	} else if (!strcmp(a, "armel")) {
		set(a, sizeof(p->arch), "arm");
		set(v, sizeof(p->variant), "v6");
	} else if (!strcmp(a, "arm")) {
		if (!v[0] || !strcmp(v, "7"))
			set(v, sizeof(p->variant), "v7");
		else if (!strcmp(v, "5") || !strcmp(v, "6") || !strcmp(v, "8")) {
			char t[4] = { 'v', v[0], '\0', '\0' };

			set(v, sizeof(p->variant), t);
		}
	} else if (!strcmp(a, "mips64el")) {
		set(a, sizeof(p->arch), "mips64le");
	} else if (!strcmp(a, "mipsel")) {
		set(a, sizeof(p->arch), "mipsle");
	} else if (!strcmp(a, "loongarch64")) {
		set(a, sizeof(p->arch), "loong64");
	}
}

void
platform_host(struct platform *p)
{
	struct utsname u;
	const char *m = "unknown";

	memset(p, 0, sizeof(*p));
	set(p->os, sizeof(p->os), "linux");
	if (uname(&u) == 0)
		m = u.machine;
	if (!strncmp(m, "armv", 4) && isdigit((unsigned char)m[4]) &&
	    strcmp(m, "armv8b") != 0) {
		/* armv7l, armv6l, armv8l (32-bit on a 64-bit core) */
		char v[3] = { 'v', m[4], '\0' };

		set(p->arch, sizeof(p->arch), "arm");
		set(p->variant, sizeof(p->variant), v);
		return;
	}
	set(p->arch, sizeof(p->arch), m);
	normalize(p);
}

static bool
is_os(const char *s)
{
	static const char *const oses[] = {
		"aix", "android", "darwin", "dragonfly", "freebsd", "illumos",
		"ios", "js", "linux", "netbsd", "openbsd", "plan9", "solaris",
		"wasip1", "windows",
	};

	for (size_t i = 0; i < countof(oses); i++)
		if (!strcmp(s, oses[i]))
			return true;
	return false;
}

/* copy one lower-cased component of [A-Za-z0-9_.-]+; -1 when invalid */
static int
component(const char *s, size_t n, char *dst, size_t cap)
{
	if (n == 0 || n >= cap)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!isalnum(c) && c != '_' && c != '-' && c != '.')
			return -1;
		dst[i] = (char)tolower(c);
	}
	dst[n] = '\0';
	return 0;
}

int
platform_parse(const char *s, struct platform *p)
{
	struct platform host;
	const char *parts[3];
	size_t lens[3], n = 0;
	const char *c = s;

	platform_host(&host);
	memset(p, 0, sizeof(*p));
	for (;;) {
		const char *slash = strchr(c, '/');
		size_t len = slash ? (size_t)(slash - c) : strlen(c);

		if (n == 3)
			return -1;
		parts[n] = c;
		lens[n++] = len;
		if (!slash)
			break;
		c = slash + 1;
	}
	if (n == 1) {
		char one[32];

		if (component(parts[0], lens[0], one, sizeof(one)) < 0)
			return -1;
		if (is_os(one)) {
			*p = host;
			set(p->os, sizeof(p->os), one);
			return 0;
		}
		set(p->os, sizeof(p->os), host.os);
		set(p->arch, sizeof(p->arch), one);
		normalize(p);
		return 0;
	}
	if (component(parts[0], lens[0], p->os, sizeof(p->os)) < 0 ||
	    component(parts[1], lens[1], p->arch, sizeof(p->arch)) < 0 ||
	    (n == 3 && component(parts[2], lens[2], p->variant,
				 sizeof(p->variant)) < 0))
		return -1;
	normalize(p);
	return 0;
}

void
platform_format(const struct platform *p, char *buf)
{
	if (p->variant[0])
		sprintf(buf, "%s/%s/%s", p->os, p->arch, p->variant);
	else
		sprintf(buf, "%s/%s", p->os, p->arch);
}

bool
platform_equal(const struct platform *a, const struct platform *b)
{
	return !strcmp(a->os, b->os) && !strcmp(a->arch, b->arch) &&
	       !strcmp(a->variant, b->variant);
}
