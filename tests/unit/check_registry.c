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
#include "registry/creds.h"
#include "registry/http.h"
#include "registry/mirrors.h"
#include "registry/pin.h"
#include "registry/progress.h"
#include "registry/pull.h"
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
		   "}, \"credsStore\": \"desktop\"}");
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

START_TEST(test_mirrors)
{
	struct strv v = STRV_INIT;

	unsetenv("DF2NINJA_REGISTRY_MIRRORS");
	mirrors_for("docker.io", "registry-1.docker.io", &v);
	ck_assert_uint_eq(v.n, 1);
	ck_assert_str_eq(v.v[0], "registry-1.docker.io");
	strv_fini(&v);
	setenv("DF2NINJA_REGISTRY_MIRRORS",
	       "https://mirror.example/, 127.0.0.1:5000,quay.io=q.mirror:1", 1);
	mirrors_for("docker.io", "registry-1.docker.io", &v);
	ck_assert_uint_eq(v.n, 3);
	ck_assert_str_eq(v.v[0], "mirror.example");
	ck_assert_str_eq(v.v[1], "127.0.0.1:5000");
	ck_assert_str_eq(v.v[2], "registry-1.docker.io");
	strv_fini(&v);
	mirrors_for("quay.io", "quay.io", &v);
	ck_assert_uint_eq(v.n, 2);
	ck_assert_str_eq(v.v[0], "q.mirror:1");
	strv_fini(&v);
	mirrors_for("ghcr.io", "ghcr.io", &v);
	ck_assert_uint_eq(v.n, 1);
	strv_fini(&v);
	unsetenv("DF2NINJA_REGISTRY_MIRRORS");
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
