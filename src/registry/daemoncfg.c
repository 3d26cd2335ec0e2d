#include <arpa/inet.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "registry/daemoncfg.h"
#include "util/alloc.h"
#include "util/err.h"

/* the strings of array key of j, each checked by ok (an error message
 * or NULL) */
static int
strings(const char *path, const json_t *j, const char *key,
	const char *(*ok)(const char *), struct strv *out, struct err **errp)
{
	const json_t *a = json_object_get(j, key), *v;
	size_t i;

	if (!a)
		return 0;
	if (!json_is_array(a))
		return err_make(errp, 0, "'%s': \"%s\" is not an array", path, key);
	json_array_foreach(a, i, v) {
		const char *s = json_string_value(v), *why;

		if (!s)
			return err_make(errp, 0, "'%s': \"%s\" holds a value that is not a string",
					path, key);
		why = ok(s);
		if (why)
			return err_make(errp, 0, "'%s': \"%s\" entry '%s' %s", path, key, s, why);
		strv_add(out, s);
	}
	return 0;
}

static const char *
mirror_ok(const char *s)
{
	const char *rest;

	if (strncmp(s, "https://", 8) == 0)
		rest = s + 8;
	else if (strncmp(s, "http://", 7) == 0)
		rest = s + 7;
	else
		return "is not an http or https URL";
	rest += strcspn(rest, "/");
	if (*rest && strcmp(rest, "/") != 0)
		return "has a path, which Docker does not allow";
	return NULL;
}

/* parse "ADDR/BITS" into family, address bytes and prefix length */
static bool
parse_cidr(const char *s, int *family, unsigned char addr[16], int *bits)
{
	const char *slash = strchr(s, '/');
	char ip[INET6_ADDRSTRLEN];
	char *end;
	long n;

	if (!slash || (size_t)(slash - s) >= sizeof(ip))
		return false;
	memcpy(ip, s, (size_t)(slash - s));
	ip[slash - s] = '\0';
	*family = strchr(ip, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(*family, ip, addr) != 1)
		return false;
	n = strtol(slash + 1, &end, 10);
	if (!slash[1] || *end || n < 0 || n > (*family == AF_INET ? 32 : 128))
		return false;
	*bits = (int)n;
	return true;
}

static const char *
insecure_ok(const char *s)
{
	unsigned char a[16];
	int family, bits;

	if (strchr(s, '/') && !parse_cidr(s, &family, a, &bits))
		return "is neither host[:port] nor a CIDR range";
	return *s ? NULL : "is empty";
}

/* the address of an IP literal host ("10.1.2.3:5000", "[fd00::1]:5000") */
static bool
host_ip(const char *host, int *family, unsigned char addr[16])
{
	char h[INET6_ADDRSTRLEN];
	size_t n;

	if (host[0] == '[') {
		host++;
		n = strcspn(host, "]");
	} else {
		n = strcspn(host, ":");
		if (host[n] == ':' && strchr(host + n + 1, ':'))
			n = strlen(host);	/* a bare IPv6 address */
	}
	if (n >= sizeof(h))
		return false;
	memcpy(h, host, n);
	h[n] = '\0';
	*family = strchr(h, ':') ? AF_INET6 : AF_INET;
	return inet_pton(*family, h, addr) == 1;
}

static bool
in_cidr(const char *cidr, const char *host)
{
	unsigned char net[16], ip[16];
	int nf, hf, bits;

	if (!parse_cidr(cidr, &nf, net, &bits) || !host_ip(host, &hf, ip) || nf != hf)
		return false;
	for (int i = 0; i < bits; i++) {
		int mask = 0x80 >> (i % 8);

		if ((net[i / 8] & mask) != (ip[i / 8] & mask))
			return false;
	}
	return true;
}

bool
daemoncfg_is_insecure(const struct daemoncfg *c, const char *host)
{
	for (size_t i = 0; i < c->insecure.n; i++) {
		const char *e = c->insecure.v[i];

		if (strchr(e, '/') ? in_cidr(e, host) : strcasecmp(e, host) == 0)
			return true;
	}
	return false;
}

int
daemoncfg_parse(const char *path, const char *text, size_t len,
		struct daemoncfg *out, struct err **errp)
{
	json_error_t je;
	json_t *j = json_loadb(text, len, 0, &je);
	int r;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(j)) {
		json_decref(j);
		return err_make(errp, 0, "'%s': %s", path, j ? "not a JSON object" : je.text);
	}
	r = strings(path, j, "registry-mirrors", mirror_ok, &out->mirrors, errp);
	if (r == 0)
		r = strings(path, j, "insecure-registries", insecure_ok, &out->insecure, errp);
	json_decref(j);
	if (r < 0)
		daemoncfg_fini(out);
	return r;
}

void
daemoncfg_fini(struct daemoncfg *c)
{
	strv_fini(&c->mirrors);
	strv_fini(&c->insecure);
}
