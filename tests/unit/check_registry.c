#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/image.h"
#include "image/manifest.h"
#include "image/store.h"
#include "oci/ref.h"
#include "registry/base64.h"
#include "registry/challenge.h"
#include "registry/certs.h"
#include "registry/credhelper.h"
#include "registry/creds.h"
#include "registry/daemoncfg.h"
#include "registry/http.h"
#include "registry/mirrors.h"
#include "registry/pin.h"
#include "registry/progress.h"
#include "registry/pull.h"
#include "registry/regconf.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/strv.h"
#include "unit.h"

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

UNIT_TMPDIR_FIXTURE("check_registry")

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* --- WWW-Authenticate ---------------------------------------------------- */

static const struct {
	const char *in;
	enum challenge_scheme scheme;
	const char *realm, *service, *scope, *error;
} challenges[] = {
	{ "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\"",
	  CHALLENGE_BEARER, "https://auth.docker.io/token", "registry.docker.io", NULL, NULL },
	{ "Bearer realm=\"https://r/t\",service=\"s\",scope=\"repository:library/debian:pull\","
	  "error=\"insufficient_scope\"",
	  CHALLENGE_BEARER, "https://r/t", "s", "repository:library/debian:pull", "insufficient_scope" },
	{ "Basic realm=\"basic-realm\"", CHALLENGE_BASIC, "basic-realm", NULL, NULL, NULL },
	{ "basic realm=x", CHALLENGE_BASIC, "x", NULL, NULL, NULL },
	{ "BEARER Realm = \"a\\\"b\" , Service=svc", CHALLENGE_BEARER, "a\"b", "svc", NULL, NULL },
	{ "Basic realm=\"b\", Bearer realm=\"t\", scope=\"s\"", CHALLENGE_BEARER, "t", NULL, "s", NULL },
	{ "Bearer realm=\"t\", Basic realm=\"b\"", CHALLENGE_BEARER, "t", NULL, NULL, NULL },
	{ "Negotiate, Basic realm=\"b\"", CHALLENGE_BASIC, "b", NULL, NULL, NULL },
	{ "Negotiate YWJjZGVm==, Basic realm=b", CHALLENGE_BASIC, "b", NULL, NULL, NULL },
	{ "Digest realm=\"x\", nonce=\"y\"", CHALLENGE_NONE, NULL, NULL, NULL, NULL },
	{ "", CHALLENGE_NONE, NULL, NULL, NULL, NULL },
};

static void
check_str(const char *got, const char *want, const char *what)
{
	if (!want)
		ck_assert_msg(got == NULL, "%s: got '%s', want none", what, got);
	else
		ck_assert_msg(got && strcmp(got, want) == 0, "%s: got '%s', want '%s'", what,
			      got ? got : "(null)", want);
}

START_TEST(test_challenge)
{
	struct challenge ch;
	struct err *e = NULL;

	ck_assert_msg(challenge_parse(challenges[_i].in, &ch, &e) == 0, "%s: %s",
		      challenges[_i].in, e ? e->msg : "");
	ck_assert_int_eq(ch.scheme, challenges[_i].scheme);
	check_str(ch.realm, challenges[_i].realm, "realm");
	check_str(ch.service, challenges[_i].service, "service");
	check_str(ch.scope, challenges[_i].scope, "scope");
	check_str(ch.error, challenges[_i].error, "error");
	challenge_fini(&ch);
}
END_TEST

START_TEST(test_challenge_bad)
{
	static const char *const bad[] = {
		"Bearer realm=\"unterminated",
		"Bearer realm=\"a\", =x",
		"Bearer realm=\"a\" ; x",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct challenge ch;
		struct err *e = NULL;

		ck_assert_msg(challenge_parse(bad[i], &ch, &e) < 0, "'%s' parsed", bad[i]);
		ck_assert_ptr_nonnull(strstr(e->msg, "malformed WWW-Authenticate"));
		ck_assert_int_eq(ch.scheme, CHALLENGE_NONE);
		err_free(e);
	}
}
END_TEST

/* --- credentials --------------------------------------------------------- */

START_TEST(test_base64)
{
	static const char *const plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar",
					     "user:p@ss:word" };
	static const char *const enc[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
					   "Zm9vYmFy", "dXNlcjpwQHNzOndvcmQ=" };

	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		char *e = base64_encode(plain[i], strlen(plain[i])), *d;
		size_t len;

		ck_assert_str_eq(e, enc[i]);
		ck_assert_int_eq(base64_decode(e, &d, &len), 0);
		ck_assert_uint_eq(len, strlen(plain[i]));
		ck_assert_str_eq(d, plain[i]);
		free(e);
		free(d);
	}
	{
		char *d;
		size_t len;

		ck_assert_int_eq(base64_decode("Zm9vYg", &d, &len), 0);	/* no padding */
		ck_assert_str_eq(d, "foob");
		free(d);
		ck_assert_int_lt(base64_decode("Zm9v!", &d, &len), 0);
		ck_assert_int_lt(base64_decode("Z", &d, &len), 0);
		ck_assert_int_lt(base64_decode("Zg=", &d, &len), 0);
	}
}
END_TEST

START_TEST(test_creds)
{
	autofree char *path = xasprintf("%s/config.json", tmpdir);
	struct creds c;
	struct err *e = NULL;

	/* "alice:s3cret" and "bob:pw:with:colons" */
	write_file(path,
		   "{\"auths\": {"
		   "\"https://index.docker.io/v1/\": {\"auth\": \"YWxpY2U6czNjcmV0\"},"
		   "\"127.0.0.1:5000\": {\"auth\": \"Ym9iOnB3OndpdGg6Y29sb25z\"},"
		   "\"http://reg.example:8443/v2/\": {\"username\": \"u\", \"password\": \"p\"},"
		   "\"empty.example\": {}"
		   "}}");
	ck_assert_int_eq(creds_lookup_in(path, "docker.io", &c, &e), 0);
	ck_assert_str_eq(c.user, "alice");
	ck_assert_str_eq(c.secret, "s3cret");
	creds_fini(&c);
	ck_assert_int_eq(creds_lookup_in(path, "registry-1.docker.io", &c, &e), 0);
	ck_assert_str_eq(c.user, "alice");
	creds_fini(&c);
	ck_assert_int_eq(creds_lookup_in(path, "127.0.0.1:5000", &c, &e), 0);
	ck_assert_str_eq(c.user, "bob");
	ck_assert_str_eq(c.secret, "pw:with:colons");
	creds_fini(&c);
	ck_assert_int_eq(creds_lookup_in(path, "reg.example:8443", &c, &e), 0);
	ck_assert_str_eq(c.user, "u");
	ck_assert_str_eq(c.secret, "p");
	creds_fini(&c);
	ck_assert_int_eq(creds_lookup_in(path, "127.0.0.1:5001", &c, &e), 1);
	ck_assert_int_eq(creds_lookup_in(path, "127.0.0.1", &c, &e), 1);
	ck_assert_int_eq(creds_lookup_in(path, "empty.example", &c, &e), 1);
	ck_assert_int_eq(creds_lookup_in(path, "reg.example", &c, &e), 1);
	ck_assert_ptr_null(e);

	/* $DOCKER_CONFIG names the directory */
	setenv("DOCKER_CONFIG", tmpdir, 1);
	ck_assert_int_eq(creds_lookup("127.0.0.1:5000", &c, &e), 0);
	ck_assert_str_eq(c.user, "bob");
	creds_fini(&c);
	/* no file: no credentials, no error */
	setenv("DOCKER_CONFIG", "/nonexistent", 1);
	ck_assert_int_eq(creds_lookup("127.0.0.1:5000", &c, &e), 1);
	unsetenv("DOCKER_CONFIG");
	setenv("HOME", tmpdir, 1);
	{
		autofree char *dir = xasprintf("%s/.docker", tmpdir);
		autofree char *p2 = xasprintf("%s/config.json", dir);

		ck_assert_int_eq(mkdir(dir, 0700), 0);
		write_file(p2, "{\"auths\": {\"h:1\": {\"auth\": \"eDp5\"}}}");
		ck_assert_int_eq(creds_lookup("h:1", &c, &e), 0);
		ck_assert_str_eq(c.user, "x");
		ck_assert_str_eq(c.secret, "y");
		creds_fini(&c);
	}
}
END_TEST

START_TEST(test_creds_bad)
{
	static const char *const bad[] = {
		"not json",
		"[1]",
		"{\"auths\": []}",
		"{\"auths\": {\"h\": {\"auth\": \"!!!\"}}}",
		"{\"auths\": {\"h\": {\"auth\": \"bm9jb2xvbg==\"}}}",	/* "nocolon" */
	};
	autofree char *path = xasprintf("%s/config.json", tmpdir);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct creds c;
		struct err *e = NULL;

		write_file(path, bad[i]);
		ck_assert_msg(creds_lookup_in(path, "h", &c, &e) < 0, "%s", bad[i]);
		ck_assert_ptr_nonnull(strstr(e->msg, path));
		err_free(e);
	}
}
END_TEST

/* --- transport policy ------------------------------------------------------ */

START_TEST(test_insecure)
{
	unsetenv("DF2NINJA_INSECURE_REGISTRIES");
	ck_assert(http_host_is_loopback("localhost"));
	ck_assert(http_host_is_loopback("localhost:5000"));
	ck_assert(http_host_is_loopback("127.0.0.1:5000"));
	ck_assert(http_host_is_loopback("127.1.2.3"));
	ck_assert(http_host_is_loopback("[::1]:5000"));
	ck_assert(http_host_is_loopback("::1"));
	ck_assert(!http_host_is_loopback("128.0.0.1"));
	ck_assert(!http_host_is_loopback("localhost.example.com"));
	ck_assert(!http_host_is_loopback("[::2]:5000"));
	ck_assert(!http_host_is_insecure("reg.lan:5000"));
	{
		char *u = http_base_url("docker.example");

		ck_assert_str_eq(u, "https://docker.example");
		free(u);
		u = http_base_url("127.0.0.1:5000");
		ck_assert_str_eq(u, "http://127.0.0.1:5000");
		free(u);
	}
	setenv("DF2NINJA_INSECURE_REGISTRIES", " reg.lan:5000, other.lan ,", 1);
	ck_assert(http_host_is_insecure("reg.lan:5000"));
	ck_assert(!http_host_is_insecure("reg.lan:5001"));
	ck_assert(http_host_is_insecure("other.lan"));
	ck_assert(http_host_is_insecure("other.lan:8080"));
	ck_assert(!http_host_is_insecure("reg.lan"));
	ck_assert(!http_host_is_insecure("docker.io"));
	unsetenv("DF2NINJA_INSECURE_REGISTRIES");
}
END_TEST

START_TEST(test_retry_policy)
{
	struct http_response r;

	ck_assert(http_status_retryable(429));
	ck_assert(http_status_retryable(503));
	ck_assert(http_status_retryable(500));
	ck_assert(!http_status_retryable(501));
	ck_assert(!http_status_retryable(404));
	ck_assert(!http_status_retryable(401));
	ck_assert(!http_status_retryable(200));
	ck_assert(http_code_retryable(CURLE_COULDNT_CONNECT));
	ck_assert(http_code_retryable(CURLE_PARTIAL_FILE));
	ck_assert(!http_code_retryable(CURLE_PEER_FAILED_VERIFICATION));
	ck_assert(!http_code_retryable(CURLE_COULDNT_RESOLVE_HOST));
	ck_assert_int_eq(http_backoff_ms(1, -1), 250);
	ck_assert_int_eq(http_backoff_ms(2, -1), 500);
	ck_assert_int_eq(http_backoff_ms(20, -1), 8000);
	ck_assert_int_eq(http_backoff_ms(1, 3), 3000);
	ck_assert_int_eq(http_backoff_ms(1, 1000), 60000);
	unsetenv("DF2NINJA_REGISTRY_RETRIES");
	ck_assert_int_eq(http_attempts(), 5);
	setenv("DF2NINJA_REGISTRY_RETRIES", "0", 1);
	ck_assert_int_eq(http_attempts(), 1);
	setenv("DF2NINJA_REGISTRY_RETRIES", "junk", 1);
	ck_assert_int_eq(http_attempts(), 5);
	unsetenv("DF2NINJA_REGISTRY_RETRIES");

	http_response_init(&r, 10);
	ck_assert_int_eq(http_retry_after(&r), -1);
	strv_add(&r.headers, "retry-after: 7");
	strv_add(&r.headers, "www-authenticate: Basic realm=a");
	strv_add(&r.headers, "www-authenticate: Bearer realm=b");
	ck_assert_int_eq(http_retry_after(&r), 7);
	ck_assert_str_eq(http_header(&r, "www-authenticate"), "Basic realm=a");
	{
		size_t it = 0;

		ck_assert_str_eq(http_header_next(&r, "www-authenticate", &it), "Basic realm=a");
		ck_assert_str_eq(http_header_next(&r, "www-authenticate", &it), "Bearer realm=b");
		ck_assert_ptr_null(http_header_next(&r, "www-authenticate", &it));
	}
	http_response_fini(&r);
}
END_TEST

/* the endpoints of mirrors_for(ref) as "host/repo host/repo ..." */
static char *
endpoints(const char *ref, bool by_digest, struct err **errp)
{
	struct ref r;
	struct mirror_list l;
	struct buf b = BUF_INIT;

	ck_assert_int_eq(ref_parse(ref, &r, NULL), 0);
	if (mirrors_for(&r, by_digest, &l, errp) < 0) {
		ref_fini(&r);
		return NULL;
	}
	for (size_t i = 0; i < l.n; i++)
		buf_printf(&b, "%s%s/%s", i ? " " : "", l.v[i].host, l.v[i].repo);
	mirrors_list_fini(&l);
	ref_fini(&r);
	return buf_steal(&b);
}

static void
check_endpoints(const char *ref, bool by_digest, const char *want)
{
	autofree char *got = endpoints(ref, by_digest, NULL);

	ck_assert_msg(got && strcmp(got, want) == 0, "%s: got '%s', want '%s'", ref,
		      got ? got : "(error)", want);
}

START_TEST(test_mirrors)
{
	/* a missing file is an empty config, "" names none */
	setenv("DF2NINJA_REGISTRIES_CONF", "/nonexistent/registries.conf", 1);
	setenv("DF2NINJA_DAEMON_JSON", "", 1);
	unsetenv("DF2NINJA_REGISTRY_MIRRORS");
	check_endpoints("debian", false, "registry-1.docker.io/library/debian");
	setenv("DF2NINJA_REGISTRY_MIRRORS",
	       "https://mirror.example/, 127.0.0.1:5000,quay.io=q.mirror:1", 1);
	check_endpoints("debian", false,
			"mirror.example/library/debian 127.0.0.1:5000/library/debian "
			"registry-1.docker.io/library/debian");
	check_endpoints("quay.io/a/b", false, "q.mirror:1/a/b quay.io/a/b");
	check_endpoints("ghcr.io/a/b", false, "ghcr.io/a/b");
	unsetenv("DF2NINJA_REGISTRY_MIRRORS");
}
END_TEST

/* --- registries.conf and daemon.json ------------------------------------------ */

START_TEST(test_regconf)
{
	static const char text[] =
		"# a comment\n"
		"unqualified-search-registries = [\"docker.io\",\n  \"quay.io\"]  # ignored\n"
		"short-name-mode = \"enforcing\"\n"
		"\n"
		"[[registry]]\n"
		"prefix = \"docker.io/library\"\n"
		"location = \"docker.io/library\"\n"
		"mirror-by-digest-only = false\n"
		"[[registry.mirror]]\n"
		"location = \"m1.example:5000/hub\"   # first\n"
		"insecure = true\n"
		"[[registry.mirror]]\n"
		"location = 'm2.example'\n"
		"pull-from-mirror = \"digest-only\"\n"
		"\n"
		"[[registry]]\n"
		"location = \"quay.io\"\n"
		"blocked = true\n"
		"[[ registry ]]\n"
		"prefix = \"docker.io/library/busybox\"\n"
		"location = \"127.0.0.1:9/other\"\n"
		"[aliases]\n"
		"\"x\" = \"docker.io/library/x\"\n";
	struct regconf c;
	struct err *e = NULL;
	const struct regconf_registry *r;

	ck_assert_int_eq(regconf_parse("r.conf", text, &c, &e), 0);
	ck_assert_ptr_null(e);
	ck_assert_uint_eq(c.n_regs, 3);
	ck_assert_str_eq(c.regs[0].prefix, "docker.io/library");
	ck_assert_uint_eq(c.regs[0].n_mirrors, 2);
	ck_assert_str_eq(c.regs[0].mirrors[0].location, "m1.example:5000/hub");
	ck_assert(c.regs[0].mirrors[0].insecure);
	ck_assert_int_eq(c.regs[0].mirrors[0].when, REGCONF_ALWAYS);
	ck_assert_str_eq(c.regs[0].mirrors[1].location, "m2.example");
	ck_assert(!c.regs[0].mirrors[1].insecure);
	ck_assert_int_eq(c.regs[0].mirrors[1].when, REGCONF_DIGEST_ONLY);
	ck_assert_str_eq(c.regs[1].prefix, "quay.io");
	ck_assert(c.regs[1].blocked);
	r = regconf_match(&c, "docker.io/library/busybox");
	ck_assert_ptr_eq(r, &c.regs[2]);
	r = regconf_match(&c, "docker.io/library/busyboxes");
	ck_assert_ptr_eq(r, &c.regs[0]);
	ck_assert_ptr_null(regconf_match(&c, "docker.io/other/x"));
	ck_assert_ptr_null(regconf_match(&c, "quay.iox/a"));
	regconf_fini(&c);
}
END_TEST

static const struct {
	const char *text, *msg;
} bad_regconfs[] = {
	{ "[registries.search]\nregistries = []\n", "r.conf:1: the version 1 format" },
	{ "[[registry]]\nprefix = \"a\"\nfoo = 1\n", "r.conf:3: unsupported key 'foo'" },
	{ "[[registry]]\ninsecure = \"yes\"\n", "r.conf:2: 'insecure' must be true or false" },
	{ "[[registry]]\nlocation = x\n", "r.conf:2: 'location' must be a string" },
	{ "[[registry.mirror]]\n", "r.conf:1: [[registry.mirror]] outside" },
	{ "[[registry]]\nprefix = \"*.example.com\"\n", "wildcard prefix" },
	{ "[[registry]]\nprefix = \"a/b:tag\"\n", "names a tag or digest" },
	{ "[[registry]]\ninsecure = true\n", "without prefix or location" },
	{ "[[registry]]\nlocation = \"a\"\nmirror = [{location = \"b\"}]\n", "inline 'mirror'" },
	{ "[[registry]]\nlocation = \"a\"\n[[registry.mirror]]\ninsecure = true\n",
	  "a mirror of 'a' without location" },
	{ "[other]\n", "r.conf:1: unsupported table 'other'" },
	{ "what\n", "r.conf:1: expected 'key = value'" },
	{ "something = 1\n", "r.conf:1: unsupported key 'something'" },
	{ "[[registry]]\nprefix = \"a\nb\"\n", "must be a string" },
	{ "[[registry]]\nlocation = \"a\"\n[[registry.mirror]]\nlocation = \"b\"\n"
	  "pull-from-mirror = \"never\"\n", "r.conf:5: pull-from-mirror 'never'" },
};

START_TEST(test_regconf_bad)
{
	struct regconf c;
	struct err *e = NULL;

	ck_assert_int_lt(regconf_parse("r.conf", bad_regconfs[_i].text, &c, &e), 0);
	ck_assert_msg(strstr(e->msg, bad_regconfs[_i].msg), "%s: got '%s'", bad_regconfs[_i].text,
		      e->msg);
	ck_assert_uint_eq(c.n_regs, 0);
	err_free(e);
}
END_TEST

START_TEST(test_daemoncfg)
{
	static const char ok[] = "{\"registry-mirrors\": [\"https://m.example\", \"http://127.0.0.1:5/\"],"
				 " \"insecure-registries\": [\"reg.lan:5000\"], \"debug\": true}";
	static const char *const bad[] = {
		"[]", "{\"registry-mirrors\": \"https://m\"}", "{\"registry-mirrors\": [1]}",
		"{\"registry-mirrors\": [\"m.example\"]}",
		"{\"registry-mirrors\": [\"https://m.example/path\"]}",
		"{\"insecure-registries\": [\"10.0.0.0/33\"]}",
		"{\"insecure-registries\": [\"http://x/\"]}", "{",
	};
	struct daemoncfg c;
	struct err *e = NULL;

	ck_assert_int_eq(daemoncfg_parse("d.json", ok, strlen(ok), &c, &e), 0);
	ck_assert_uint_eq(c.mirrors.n, 2);
	ck_assert_str_eq(c.mirrors.v[1], "http://127.0.0.1:5/");
	ck_assert_uint_eq(c.insecure.n, 1);
	ck_assert_str_eq(c.insecure.v[0], "reg.lan:5000");
	daemoncfg_fini(&c);
	{
		static const char cidr[] = "{\"insecure-registries\": [\"Reg.lan:5000\", \"10.0.0.0/8\","
					   " \"fd00::/8\", \"192.168.1.128/25\"]}";

		ck_assert_int_eq(daemoncfg_parse("d.json", cidr, strlen(cidr), &c, &e), 0);
		ck_assert(daemoncfg_is_insecure(&c, "reg.lan:5000"));
		ck_assert(!daemoncfg_is_insecure(&c, "reg.lan"));
		ck_assert(daemoncfg_is_insecure(&c, "10.9.8.7:5000"));
		ck_assert(daemoncfg_is_insecure(&c, "10.9.8.7"));
		ck_assert(!daemoncfg_is_insecure(&c, "11.0.0.1:5000"));
		ck_assert(daemoncfg_is_insecure(&c, "[fd12::1]:5000"));
		ck_assert(!daemoncfg_is_insecure(&c, "[fe80::1]:5000"));
		ck_assert(daemoncfg_is_insecure(&c, "192.168.1.200"));
		ck_assert(!daemoncfg_is_insecure(&c, "192.168.1.100"));
		ck_assert(!daemoncfg_is_insecure(&c, "ten.example"));
		daemoncfg_fini(&c);
	}
	for (size_t i = 0; i < countof(bad); i++) {
		ck_assert_msg(daemoncfg_parse("d.json", bad[i], strlen(bad[i]), &c, &e) < 0, "%s", bad[i]);
		ck_assert_msg(strstr(e->msg, "'d.json'"), "%s", e->msg);
		err_free(e);
		e = NULL;
	}
}
END_TEST

START_TEST(test_mirrors_conf)
{
	autofree char *conf = xasprintf("%s/registries.conf", tmpdir);
	autofree char *daemon = xasprintf("%s/daemon.json", tmpdir);
	struct err *e = NULL;
	char *none;

	write_file(conf, "[[registry]]\n"
			 "prefix = \"docker.io/x\"\n"
			 "location = \"127.0.0.1:9/primary\"\n"
			 "[[registry.mirror]]\n"
			 "location = \"m1.example/hub\"\n"
			 "insecure = true\n"
			 "[[registry.mirror]]\n"
			 "location = \"m2.example\"\n"
			 "pull-from-mirror = \"digest-only\"\n"
			 "[[registry.mirror]]\n"
			 "location = \"m3.example\"\n"
			 "pull-from-mirror = \"tag-only\"\n"
			 "[[registry]]\n"
			 "prefix = \"docker.io\"\n"
			 "[[registry.mirror]]\n"
			 "location = \"hubmirror.example\"\n"
			 "[[registry]]\n"
			 "location = \"blocked.example\"\n"
			 "blocked = true\n");
	write_file(daemon, "{\"registry-mirrors\": [\"http://dm.example:5000\"],"
			   " \"insecure-registries\": [\"lan.example:443\"]}");
	setenv("DF2NINJA_REGISTRIES_CONF", conf, 1);
	setenv("DF2NINJA_DAEMON_JSON", daemon, 1);
	setenv("DF2NINJA_REGISTRY_MIRRORS", "env.example", 1);
	check_endpoints("x/y:1", false,
			"env.example/x/y m1.example/hub/y m3.example/y "
			"dm.example:5000/x/y 127.0.0.1:9/primary/y");
	check_endpoints("x/y@sha256:" D64, true,
			"env.example/x/y m1.example/hub/y m2.example/y "
			"dm.example:5000/x/y 127.0.0.1:9/primary/y");
	check_endpoints("debian", false,
			"env.example/library/debian hubmirror.example/library/debian "
			"dm.example:5000/library/debian registry-1.docker.io/library/debian");
	check_endpoints("quay.io/a/b", false, "quay.io/a/b");
	none = endpoints("blocked.example/a", false, &e);
	ck_assert_ptr_null(none);
	ck_assert_ptr_nonnull(strstr(e->msg, "is blocked"));
	err_free(e);
	ck_assert(mirrors_host_is_insecure("m1.example"));
	ck_assert(http_host_is_insecure("m1.example"));
	ck_assert(!mirrors_host_is_insecure("m2.example"));
	ck_assert(mirrors_host_is_insecure("dm.example:5000"));
	ck_assert(mirrors_host_is_insecure("lan.example:443"));
	ck_assert(!mirrors_host_is_insecure("lan.example"));
	unsetenv("DF2NINJA_REGISTRY_MIRRORS");
}
END_TEST

START_TEST(test_mirrors_conf_bad)
{
	autofree char *conf = xasprintf("%s/registries.conf", tmpdir);
	struct err *e = NULL;
	char *none;

	write_file(conf, "[registries.search]\n");
	setenv("DF2NINJA_REGISTRIES_CONF", conf, 1);
	setenv("DF2NINJA_DAEMON_JSON", "", 1);
	none = endpoints("debian", false, &e);
	ck_assert_ptr_null(none);
	ck_assert_ptr_nonnull(strstr(e->msg, conf));
	err_free(e);
}
END_TEST

/* --- credential helpers ---------------------------------------------------------- */

START_TEST(test_credhelper_parse)
{
	static const char ok[] = "{\"ServerURL\":\"h\",\"Username\":\"u\",\"Secret\":\"s\"}";
	static const char tok[] = "{\"Username\":\"<token>\",\"Secret\":\"refresh\"}";
	struct creds c;
	struct err *e = NULL;
	char *u;

	ck_assert_int_eq(credhelper_parse("h", ok, strlen(ok), &c, &e), 0);
	ck_assert_str_eq(c.user, "u");
	ck_assert_str_eq(c.secret, "s");
	creds_fini(&c);
	ck_assert_int_eq(credhelper_parse("h", "{}", 2, &c, &e), 1);
	ck_assert_int_eq(credhelper_parse("h", "{\"Username\":\"u\",\"Secret\":\"\"}", 28, &c, &e), 1);
	ck_assert(!c.is_identity_token);
	ck_assert_int_eq(credhelper_parse("h", tok, strlen(tok), &c, &e), 0);
	ck_assert(c.is_identity_token);
	ck_assert_ptr_null(c.user);
	ck_assert_str_eq(c.secret, "refresh");
	creds_fini(&c);
	ck_assert_int_lt(credhelper_parse("h", "secret-text", 11, &c, &e), 0);
	ck_assert_ptr_null(strstr(e->msg, "secret-text"));
	err_free(e);
	u = credhelper_server_url("docker.io");
	ck_assert_str_eq(u, "https://index.docker.io/v1/");
	free(u);
	u = credhelper_server_url("registry-1.docker.io");
	ck_assert_str_eq(u, "https://index.docker.io/v1/");
	free(u);
	u = credhelper_server_url("127.0.0.1:5000");
	ck_assert_str_eq(u, "127.0.0.1:5000");
	free(u);
}
END_TEST

START_TEST(test_credhelper_run)
{
	autofree char *bin = xasprintf("%s/bin", tmpdir);
	autofree char *h1 = xasprintf("%s/docker-credential-unit", bin);
	autofree char *h2 = xasprintf("%s/docker-credential-nf", bin);
	autofree char *h3 = xasprintf("%s/docker-credential-broken", bin);
	autofree char *cfg = xasprintf("%s/config.json", tmpdir);
	autofree char *path = xasprintf("%s:%s", bin, getenv("PATH"));
	struct creds c;
	struct err *e = NULL;

	ck_assert_int_eq(mkdir(bin, 0755), 0);
	/* echoes what it was asked for in the user name */
	write_file(h1, "#!/bin/sh\n[ \"$1\" = get ] || exit 3\nurl=$(cat)\n"
		       "printf '{\"ServerURL\":\"%s\",\"Username\":\"u=%s\",\"Secret\":\"pw\"}\\n' "
		       "\"$url\" \"$url\"\n");
	write_file(h2, "#!/bin/sh\necho 'credentials not found in native keychain'\nexit 1\n");
	write_file(h3, "#!/bin/sh\necho 'cannot reach the keychain'\nexit 2\n");
	ck_assert_int_eq(chmod(h1, 0755) | chmod(h2, 0755) | chmod(h3, 0755), 0);
	setenv("PATH", path, 1);

	ck_assert_int_eq(credhelper_get("unit", "127.0.0.1:5000", &c, &e), 0);
	ck_assert_str_eq(c.user, "u=127.0.0.1:5000");
	ck_assert_str_eq(c.secret, "pw");
	creds_fini(&c);
	ck_assert_int_eq(credhelper_get("nf", "x", &c, &e), 1);
	ck_assert_int_lt(credhelper_get("broken", "x", &c, &e), 0);
	ck_assert_msg(strstr(e->msg, "failed (exit status 2): cannot reach the keychain"), "%s", e->msg);
	err_free(e);
	e = NULL;
	ck_assert_int_lt(credhelper_get("missing", "x", &c, &e), 0);
	ck_assert_ptr_nonnull(strstr(e->msg, "'docker-credential-missing' not found"));
	err_free(e);
	e = NULL;
	ck_assert_int_lt(credhelper_get("../x", "x", &c, &e), 0);
	err_free(e);
	e = NULL;

	/* credHelpers by host, over credsStore, over auths */
	write_file(cfg, "{\"credHelpers\": {\"127.0.0.1:5000\": \"unit\", \"quay.io\": \"nf\"},"
			" \"credsStore\": \"unit\","
			" \"auths\": {\"quay.io\": {\"auth\": \"eDp5\"}, \"h:1\": {\"auth\": \"eDp5\"}}}");
	ck_assert_int_eq(creds_lookup_in(cfg, "127.0.0.1:5000", &c, &e), 0);
	ck_assert_str_eq(c.user, "u=127.0.0.1:5000");
	ck_assert_ptr_nonnull(strstr(c.from, "from credential helper 'docker-credential-unit'"));
	creds_fini(&c);
	ck_assert_int_eq(creds_lookup_in(cfg, "registry-1.docker.io", &c, &e), 0);
	ck_assert_str_eq(c.user, "u=https://index.docker.io/v1/");
	creds_fini(&c);
	ck_assert_int_eq(creds_lookup_in(cfg, "h:1", &c, &e), 0);
	ck_assert_str_eq(c.user, "u=h:1");
	creds_fini(&c);
	ck_assert_int_eq(creds_lookup_in(cfg, "quay.io", &c, &e), 1);
	write_file(cfg, "{\"credHelpers\": {\"h:1\": \"broken\"}}");
	ck_assert_int_lt(creds_lookup_in(cfg, "h:1", &c, &e), 0);
	ck_assert_ptr_nonnull(strstr(e->msg, "names credential helper 'broken' for 'h:1'"));
	err_free(e);
	e = NULL;
	/* $REGISTRY_AUTH_FILE first */
	write_file(cfg, "{\"auths\": {\"h:1\": {\"identitytoken\": \"t\"}}}");
	ck_assert_int_eq(creds_lookup_in(cfg, "h:1", &c, &e), 0);
	ck_assert(c.is_identity_token);
	ck_assert_str_eq(c.secret, "t");
	ck_assert_ptr_nonnull(strstr(c.from, cfg));
	creds_fini(&c);
	write_file(cfg, "{\"auths\": {\"h:1\": {\"auth\": \"eDp5\"}}}");
	setenv("REGISTRY_AUTH_FILE", cfg, 1);
	setenv("DOCKER_CONFIG", "/nonexistent", 1);
	ck_assert_int_eq(creds_lookup("h:1", &c, &e), 0);
	ck_assert_str_eq(c.user, "x");
	creds_fini(&c);
	unsetenv("REGISTRY_AUTH_FILE");
	ck_assert_int_eq(creds_lookup("h:1", &c, &e), 1);
	unsetenv("DOCKER_CONFIG");
}
END_TEST

/* --- certs.d ------------------------------------------------------------------------- */

START_TEST(test_certs)
{
	autofree char *d1 = xasprintf("%s/one", tmpdir);
	autofree char *d2 = xasprintf("%s/two", tmpdir);
	autofree char *h1 = xasprintf("%s/reg.example:5000", d1);
	autofree char *h2 = xasprintf("%s/reg.example:5000", d2);
	autofree char *dirs = xasprintf("%s:%s", d1, d2);
	autofree char *f = NULL;
	struct certs c;
	struct err *e = NULL;
	char *pem;
	size_t len;

	ck_assert_int_eq(fs_mkdir_p(h1, NULL) | fs_mkdir_p(h2, NULL), 0);
	f = xasprintf("%s/ca.crt", h1);
	write_file(f, "CA-ONE\n");
	free(f);
	f = xasprintf("%s/extra.crt", h2);
	write_file(f, "CA-TWO");
	free(f);
	f = xasprintf("%s/client.cert", h2);
	write_file(f, "CERT\n");
	free(f);
	f = xasprintf("%s/client.key", h2);
	write_file(f, "KEY\n");
	setenv("DF2NINJA_CERTS_D", dirs, 1);
	ck_assert_int_eq(certs_find("reg.example:5000", &c, &e), 0);
	ck_assert_uint_eq(c.cas.n, 2);
	ck_assert_ptr_nonnull(strstr(c.cas.v[0], "/one/reg.example:5000/ca.crt"));
	ck_assert_ptr_nonnull(strstr(c.cert, "/two/reg.example:5000/client.cert"));
	ck_assert_ptr_nonnull(strstr(c.key, "/two/reg.example:5000/client.key"));
	ck_assert_int_eq(certs_bundle(&c, f, &pem, &len, &e), 0);
	ck_assert_str_eq(pem, "KEY\n\nCA-ONE\nCA-TWO\n");
	ck_assert_uint_eq(len, strlen(pem));
	free(pem);
	certs_fini(&c);
	ck_assert_int_eq(certs_find("reg.example", &c, &e), 0);
	ck_assert_uint_eq(c.cas.n, 0);
	ck_assert_ptr_null(c.cert);
	certs_fini(&c);
	/* a key without its certificate */
	free(f);
	f = xasprintf("%s/lonely.key", h1);
	write_file(f, "KEY\n");
	ck_assert_int_lt(certs_find("reg.example:5000", &c, &e), 0);
	ck_assert_ptr_nonnull(strstr(e->msg, "lonely.key' has no certificate 'lonely.cert'"));
	err_free(e);
	unsetenv("DF2NINJA_CERTS_D");
}
END_TEST

START_TEST(test_progress)
{
	struct progress p = { "layer 2/5", "sha256:" D64, 3 << 20, 10 << 20, 1536 * 1024, 2.0, false };
	struct buf b = BUF_INIT;

	progress_format(&p, "127.0.0.1:5000/x:1", &b);
	ck_assert_str_eq(buf_str(&b),
			 "127.0.0.1:5000/x:1: layer 2/5 sha256:0123456789ab: 3.0 MiB of 10.0 MiB, 1.5 MiB/s");
	buf_reset(&b);
	p.finished = true;
	p.done = 10 << 20;
	p.elapsed = 7.25;
	progress_format(&p, "n", &b);
	ck_assert_str_eq(buf_str(&b), "n: layer 2/5 sha256:0123456789ab: done, 10.0 MiB in 7.2 s, 1.5 MiB/s");
	buf_reset(&b);
	progress_size(&b, 512);
	ck_assert_str_eq(buf_str(&b), "512 B");
	buf_fini(&b);
}
END_TEST

/* --- the recorded resolution ---------------------------------------------- */

START_TEST(test_pin)
{
	struct ref r;
	autofree char *path = NULL, *bad = NULL;
	char d[DIGEST_LEN];
	struct err *e = NULL;

	ck_assert_int_eq(ref_parse("127.0.0.1:5000/app:1", &r, NULL), 0);
	path = pin_path(tmpdir, &r);
	ck_assert_ptr_nonnull(strstr(path, "/pulls/127.0.0.1+5000_app+1.digest"));
	ck_assert_int_eq(pin_read(path, d, &e), 1);
	ck_assert_int_eq(pin_write(path, "sha256:" D64, &e), 0);
	ck_assert_int_eq(pin_read(path, d, &e), 0);
	ck_assert_str_eq(d, "sha256:" D64);
	bad = xasprintf("%s/bad.digest", tmpdir);
	write_file(bad, "sha256:nothex\n");
	ck_assert_int_lt(pin_read(bad, d, &e), 0);
	ck_assert_ptr_nonnull(strstr(e->msg, "sha256 digest"));
	err_free(e);
	{
		/* a long reference still makes a short, distinct file name */
		struct ref l1, l2;
		autofree char *s1 = xasprintf("h.io/%0200d/a:1", 0), *s2 = xasprintf("h.io/%0200d/b:1", 0);
		autofree char *p1 = NULL, *p2 = NULL;

		ck_assert_int_eq(ref_parse(s1, &l1, NULL), 0);
		ck_assert_int_eq(ref_parse(s2, &l2, NULL), 0);
		p1 = pin_path(tmpdir, &l1);
		p2 = pin_path(tmpdir, &l2);
		ck_assert_str_ne(p1, p2);
		ck_assert_uint_lt(strlen(strrchr(p1, '/')), 200);
		ck_assert_int_eq(pin_write(p1, "sha256:" D64, &e), 0);
		ref_fini(&l1);
		ref_fini(&l2);
	}
	unsetenv("DF2NINJA_PULL");
	ck_assert(!pin_refresh());
	setenv("DF2NINJA_PULL", "1", 1);
	ck_assert(pin_refresh());
	unsetenv("DF2NINJA_PULL");
	ref_fini(&r);
}
END_TEST

/* an image named by digest whose blobs are all in the store needs no
 * network: 127.0.0.1:1 is never asked */
START_TEST(test_pull_from_store)
{
	autofree char *root = xasprintf("%s/store", tmpdir), *ref = NULL, *manifest = NULL;
	static const char config[] =
		"{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":[\"A=1\"]},"
		"\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";
	char cd[DIGEST_LEN], md[DIGEST_LEN];
	struct store st;
	struct image img;
	struct err *e = NULL;

	setenv("DF2NINJA_REGISTRY_RETRIES", "0", 1);
	ck_assert_int_eq(store_open_at(&st, root, &e), 0);
	ck_assert_int_eq(store_put_blob_buf(&st, config, strlen(config), cd, &e), 0);
	manifest = xasprintf("{\"schemaVersion\":2,\"mediaType\":\"" MEDIA_OCI_MANIFEST "\","
			     "\"config\":{\"mediaType\":\"" MEDIA_OCI_CONFIG "\",\"digest\":\"%s\","
			     "\"size\":%zu},\"layers\":[]}", cd, strlen(config));
	ck_assert_int_eq(store_put_blob_buf(&st, manifest, strlen(manifest), md, &e), 0);
	ref = xasprintf("127.0.0.1:1/app@%s", md);
	memset(&img, 0, sizeof(img));
	ck_assert_msg(registry_pull(&st, ref, NULL, &img, &e) == 0, "%s", e ? e->msg : "");
	ck_assert_str_eq(img.manifest_digest, md);
	ck_assert_str_eq(img.config_digest, cd);
	ck_assert_uint_eq(img.n_layers, 0);
	ck_assert_str_eq(config_env_get(&img.config, "A"), "1");
	image_fini(&img);

	/* a digest the store lacks does go to the registry, which is not there */
	free(ref);
	ref = xasprintf("127.0.0.1:1/app@sha256:%s", D64);
	image_init(&img);
	ck_assert_int_lt(registry_pull(&st, ref, NULL, &img, &e), 0);
	ck_assert_msg(strstr(e->msg, "pulling '127.0.0.1:1/app@sha256:") &&
		      strstr(e->msg, "GET http://127.0.0.1:1/v2/"), "%s", e->msg);
	err_free(e);
	image_fini(&img);
	store_close(&st);
	unsetenv("DF2NINJA_REGISTRY_RETRIES");
}
END_TEST

static Suite *
registry_suite(void)
{
	Suite *s = suite_create("registry");
	TCase *tc;

	UNIT_TCASE_TABLE(s, "challenge_parse", test_challenge, challenges);
	UNIT_TCASE(s, "challenge_parse_bad", test_challenge_bad);
	UNIT_TCASE(s, "base64", test_base64);
	tc = tcase_create("creds_lookup");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_creds);
	tcase_add_test(tc, test_creds_bad);
	suite_add_tcase(s, tc);
	UNIT_TCASE(s, "http_host_is_insecure", test_insecure);
	UNIT_TCASE(s, "http_retry", test_retry_policy);
	UNIT_TCASE(s, "mirrors_for", test_mirrors);
	UNIT_TCASE(s, "regconf_parse", test_regconf);
	UNIT_TCASE_TABLE(s, "regconf_parse_bad", test_regconf_bad, bad_regconfs);
	UNIT_TCASE(s, "daemoncfg_parse", test_daemoncfg);
	UNIT_TCASE(s, "credhelper_parse", test_credhelper_parse);
	tc = tcase_create("config_files");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_mirrors_conf);
	tcase_add_test(tc, test_mirrors_conf_bad);
	tcase_add_test(tc, test_credhelper_run);
	tcase_add_test(tc, test_certs);
	suite_add_tcase(s, tc);
	UNIT_TCASE(s, "progress_format", test_progress);
	tc = tcase_create("pin");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_pin);
	tcase_add_test(tc, test_pull_from_store);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(registry_suite());
}
