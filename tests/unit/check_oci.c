#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "oci/platform.h"
#include "oci/ref.h"
#include "util/alloc.h"
#include "util/err.h"
#include "unit.h"

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* --- ref_parse: the registry client's dialect ---------------------------- */

static const struct {
	const char *in, *domain, *path, *tag, *digest, *full, *api;
} good_refs[] = {
	{ "debian", "docker.io", "library/debian", "latest", "",
	  "docker.io/library/debian:latest", "registry-1.docker.io" },
	{ "debian:bookworm", "docker.io", "library/debian", "bookworm", "",
	  "docker.io/library/debian:bookworm", "registry-1.docker.io" },
	{ "user/app:1.0", "docker.io", "user/app", "1.0", "",
	  "docker.io/user/app:1.0", "registry-1.docker.io" },
	{ "docker.io/debian", "docker.io", "library/debian", "latest", "",
	  "docker.io/library/debian:latest", "registry-1.docker.io" },
	{ "index.docker.io/library/debian:12", "docker.io", "library/debian", "12", "",
	  "docker.io/library/debian:12", "registry-1.docker.io" },
	{ "127.0.0.1:5000/busybox", "127.0.0.1:5000", "busybox", "latest", "",
	  "127.0.0.1:5000/busybox:latest", "127.0.0.1:5000" },
	{ "localhost/a/b/c:x", "localhost", "a/b/c", "x", "",
	  "localhost/a/b/c:x", "localhost" },
	{ "localhost:5000/app", "localhost:5000", "app", "latest", "",
	  "localhost:5000/app:latest", "localhost:5000" },
	{ "[::1]:5000/app:v2", "[::1]:5000", "app", "v2", "",
	  "[::1]:5000/app:v2", "[::1]:5000" },
	{ "ghcr.io/o/p@sha256:" D64, "ghcr.io", "o/p", NULL, "sha256:" D64,
	  "ghcr.io/o/p@sha256:" D64, "ghcr.io" },
	{ "debian:12@sha256:" D64, "docker.io", "library/debian", "12", "sha256:" D64,
	  "docker.io/library/debian:12@sha256:" D64, "registry-1.docker.io" },
	{ "Registry.Example/a_b__c-d.e", "Registry.Example", "a_b__c-d.e", "latest", "",
	  "Registry.Example/a_b__c-d.e:latest", "Registry.Example" },
	{ "quay.io:443/x/y:_t", "quay.io:443", "x/y", "_t", "",
	  "quay.io:443/x/y:_t", "quay.io:443" },
};

START_TEST(test_ref_good)
{
	struct ref r;
	struct err *e = NULL;

	ck_assert_msg(ref_parse(good_refs[_i].in, &r, &e) == 0, "%s: %s",
		      good_refs[_i].in, e ? e->msg : "");
	ck_assert_str_eq(r.domain, good_refs[_i].domain);
	ck_assert_str_eq(r.path, good_refs[_i].path);
	if (good_refs[_i].tag)
		ck_assert_str_eq(r.tag, good_refs[_i].tag);
	else
		ck_assert_ptr_null(r.tag);
	ck_assert_str_eq(r.digest, good_refs[_i].digest);
	ck_assert_str_eq(r.full, good_refs[_i].full);
	ck_assert_str_eq(ref_api_host(&r), good_refs[_i].api);
	ck_assert_str_eq(ref_reference(&r),
			 good_refs[_i].digest[0] ? good_refs[_i].digest : good_refs[_i].tag);
	ref_fini(&r);
}
END_TEST

static const struct {
	const char *in, *why;
} bad_refs[] = {
	{ "", "empty" },
	{ "Debian", "repository name" },
	{ "debian:", "tag" },
	{ "debian:bad/tag", "registry host" },
	{ "debian@sha512:abcd", "sha256" },
	{ "debian@sha256:abcd", "64" },
	{ "debian@sha256:" D64 "00", "64" },
	{ "a//b", "repository name" },
	{ "a/b-", "repository name" },
	{ "a/_b", "repository name" },
	{ "a/b___c", "repository name" },
	{ "-host.io/x", "registry host" },
	{ "host.io:abc/x", "registry host" },
	{ "[zz]:5000/x", "registry host" },
	{ D64, "image id" },
	{ "debian:-x", "tag" },
};

START_TEST(test_ref_bad)
{
	struct ref r;
	struct err *e = NULL;

	ck_assert_int_lt(ref_parse(bad_refs[_i].in, &r, &e), 0);
	ck_assert_ptr_nonnull(e);
	ck_assert_msg(strstr(e->msg, bad_refs[_i].why) != NULL, "'%s': %s",
		      bad_refs[_i].in, e->msg);
	ck_assert_ptr_nonnull(strstr(e->msg, "invalid image reference"));
	err_free(e);
}
END_TEST

START_TEST(test_ref_file_name)
{
	static const struct {
		const char *in, *want;
	} t[] = {
		{ "debian:bookworm", "docker.io_library_debian+bookworm" },
		{ "127.0.0.1:5000/a/b_c", "127.0.0.1+5000_a_b%5Fc+latest" },
		{ "127.0.0.1:5000/a_b/c", "127.0.0.1+5000_a%5Fb_c+latest" },
		{ "[::1]:80/x:T", "%5B++1%5D+80_x+T" },
		{ "x@sha256:" D64, "docker.io_library_x" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct ref r;
		char *name;

		ck_assert_int_eq(ref_parse(t[i].in, &r, NULL), 0);
		name = ref_file_name(&r);
		ck_assert_str_eq(name, t[i].want);
		free(name);
		ref_fini(&r);
	}
}
END_TEST

/* --- ref_check: the Dockerfile's dialect -------------------------------- */

/* the same grammar in distribution/reference's words, which `docker build`
 * prints; what no registry could serve passes, the executor refuses it */
static const struct {
	const char *in, *why;	/* why NULL: taken */
} dockerfile_refs[] = {
	{ "debian", NULL }, { "debian:12@sha256:" D64, NULL },
	{ "[::1]:5000/app:v2", NULL }, { "oci-layout://./dir:tag", NULL },
	{ "docker-archive:///abs/x.tar", NULL },
	/* the registry client refuses these */
	{ "debian@sha512:" D64 D64, NULL },
	{ "debian@md5:0123456789abcdef0123456789abcdef", NULL },
	{ D64, NULL }, { "h:o:s:t/x", NULL },
	/* and both these */
	{ "", "invalid reference format" },
	{ "Debian", "repository name must be lowercase" },
	{ "a/Debian", "repository name must be lowercase" },
	{ "a//b", "invalid reference format" },
	{ "debian:", "invalid reference format" },
	{ "debian:-x", "invalid reference format" },
	{ "debian@sha256:abcd", "invalid reference format" },
	{ "-host.io/x", "invalid reference format" },
	{ "h_o.io/x", "invalid reference format" },
};

START_TEST(test_ref_check)
{
	const char *why = NULL;
	int r = ref_check(dockerfile_refs[_i].in, &why);

	if (!dockerfile_refs[_i].why) {
		ck_assert_msg(r == 0, "'%s': %s", dockerfile_refs[_i].in, why);
	} else {
		ck_assert_msg(r < 0, "'%s' taken", dockerfile_refs[_i].in);
		ck_assert_str_eq(why, dockerfile_refs[_i].why);
	}
}
END_TEST

START_TEST(test_ref_check_long)
{
	char name[600], *s;
	struct err *e = NULL;
	struct ref r;
	const char *why;

	/* counted as written, docker.io/library/ not included */
	memset(name, 'a', 255);
	name[255] = '\0';
	ck_assert_int_eq(ref_check(name, &why), 0);
	s = xasprintf("%s:tag", name);
	ck_assert_int_eq(ref_check(s, &why), 0);
	free(s);
	/* the registry client counts the normalised name */
	ck_assert_int_lt(ref_parse(name, &r, &e), 0);
	ck_assert_ptr_nonnull(strstr(e->msg, "longer than 255"));
	err_free(e);
	strcat(name, "a");
	ck_assert_int_lt(ref_check(name, &why), 0);
	ck_assert_str_eq(why, "repository name must not be more than 255 characters");
}
END_TEST

START_TEST(test_ref_localize)
{
	static const struct {
		const char *ref, *ctx, *want;
	} t[] = {
		{ "oci-layout://dir:tag", "sub/ctx", "oci-layout://sub/ctx/dir:tag" },
		{ "docker-archive://x.tar", "..", "docker-archive://../x.tar" },
		{ "oci-layout:///abs", "sub", "oci-layout:///abs" },
		{ "oci-layout://dir", ".", "oci-layout://dir" },
		{ "oci-layout://dir", NULL, "oci-layout://dir" },
		{ "debian", "sub", "debian" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *got = ref_localize(t[i].ref, t[i].ctx);

		ck_assert_str_eq(got, t[i].want);
		free(got);
	}
}
END_TEST

/* --- platforms ----------------------------------------------------------- */

START_TEST(test_platform_parse)
{
	static const struct {
		const char *in, *want;	/* want NULL: malformed */
	} t[] = {
		{ "linux/amd64", "linux/amd64" }, { "linux/x86_64", "linux/amd64" },
		{ "linux/aarch64", "linux/arm64" }, { "linux/arm64/v8", "linux/arm64" },
		{ "linux/arm", "linux/arm/v7" }, { "linux/armhf", "linux/arm/v7" },
		{ "linux/armel", "linux/arm/v6" }, { "linux/arm/6", "linux/arm/v6" },
		{ "Linux/AMD64", "linux/amd64" }, { "linux/i686", "linux/386" },
		{ "windows/amd64", "windows/amd64" }, { "linux/riscv64", "linux/riscv64" },
		{ "linux/amd64/v1", "linux/amd64" }, { "linux/mips64el", "linux/mips64le" },
		{ "", NULL }, { "linux/", NULL }, { "linux/amd64/v1/x", NULL },
		{ "linux/am d64", NULL },
	};
	struct platform p, q, host;
	char buf[96], hostbuf[96];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (!t[i].want) {
			ck_assert_msg(platform_parse(t[i].in, &p) < 0, "'%s' taken", t[i].in);
			continue;
		}
		ck_assert_msg(platform_parse(t[i].in, &p) == 0, "'%s' refused", t[i].in);
		platform_format(&p, buf);
		ck_assert_str_eq(buf, t[i].want);
		ck_assert_int_eq(platform_parse(buf, &q), 0);
		ck_assert(platform_equal(&p, &q));
	}
	/* one part: an os keeps the host's arch, an arch the host's os */
	platform_host(&host);
	platform_format(&host, hostbuf);
	ck_assert_int_eq(platform_parse("linux", &p), 0);
	ck_assert(platform_equal(&p, &host));
	ck_assert_int_eq(platform_parse("arm64", &p), 0);
	ck_assert_str_eq(p.os, host.os);
	ck_assert_str_eq(p.arch, "arm64");
	ck_assert_int_eq(platform_parse(hostbuf, &p), 0);
	ck_assert(platform_equal(&p, &host));
}
END_TEST

static Suite *
oci_suite(void)
{
	Suite *s = suite_create("oci");

	UNIT_TCASE_TABLE(s, "ref_parse", test_ref_good, good_refs);
	UNIT_TCASE_TABLE(s, "ref_parse_bad", test_ref_bad, bad_refs);
	UNIT_TCASE(s, "ref_file_name", test_ref_file_name);
	UNIT_TCASE_TABLE(s, "ref_check", test_ref_check, dockerfile_refs);
	UNIT_TCASE(s, "ref_check_long", test_ref_check_long);
	UNIT_TCASE(s, "ref_localize", test_ref_localize);
	UNIT_TCASE(s, "platform_parse", test_platform_parse);
	return s;
}

int
main(void)
{
	return unit_run(oci_suite());
}
