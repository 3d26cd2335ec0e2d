#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec/download.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "unit.h"

UNIT_TMPDIR_FIXTURE("check_download")

static const struct {
	const char *src;
	enum download_kind kind;
} kinds[] = {
	{ "a.txt", DOWNLOAD_NONE },
	{ "/abs/path", DOWNLOAD_NONE },
	{ "dir:with:colons", DOWNLOAD_NONE },
	{ "http://127.0.0.1:8000/f", DOWNLOAD_HTTP },
	{ "https://example.com/a.tar.gz", DOWNLOAD_HTTP },
	{ "https://example.com/x.gitignore", DOWNLOAD_HTTP },
	{ "https://github.com/moby/buildkit.git", DOWNLOAD_GIT },
	{ "https://github.com/moby/buildkit.git#v0.10.1", DOWNLOAD_GIT },
	{ "git@github.com:moby/buildkit.git", DOWNLOAD_GIT },
	{ "git://example.com/repo", DOWNLOAD_GIT },
	{ "ssh://git@example.com/repo", DOWNLOAD_GIT },
	{ "deploy@git.example.com:team/repo", DOWNLOAD_GIT },
	{ "https://example.com/repo.git?ref=main", DOWNLOAD_GIT },
	{ "https://example.com.git", DOWNLOAD_HTTP },
	{ "ftp://example.com/f", DOWNLOAD_OTHER },
	{ "HTTP://example.com/f", DOWNLOAD_OTHER },
	{ "s3+x.y://bucket/f", DOWNLOAD_OTHER },
	{ "1ab://x", DOWNLOAD_NONE },
	{ "://x", DOWNLOAD_NONE },
};

START_TEST(test_kind)
{
	ck_assert_msg(download_kind(kinds[_i].src) == kinds[_i].kind,
		      "%s: %d, want %d", kinds[_i].src,
		      (int)download_kind(kinds[_i].src), (int)kinds[_i].kind);
}
END_TEST

static const struct {
	const char *url;
	const char *name;	/* NULL: no name */
} names[] = {
	{ "http://h/a/b.txt", "b.txt" },
	{ "http://h/a/b.txt?x=1/2#frag/x", "b.txt" },
	{ "http://h/a/dir/", "dir" },
	{ "http://h/a/dir//", "dir" },
	{ "http://user:pw@h:80/f", "f" },
	{ "http://h", "__unnamed__" },
	{ "http://h/", "__unnamed__" },
	{ "http://h?q=/x", "__unnamed__" },
	{ "http://h#/x", "__unnamed__" },
	{ "http://h/.", "__unnamed__" },
	{ "http://h/a%20b", "a b" },
	{ "http://h/a%2Fb", "b" },
	{ "http://h/%e2%82%ac", "\xe2\x82\xac" },
	{ "http://h/bad%zz", "__unnamed__" },
	{ "http://h/bad%2", "__unnamed__" },
	{ "http://h/..", NULL },
	{ "http://h/a/%2e%2e", NULL },
	{ "http://h/nul%00", NULL },
};

START_TEST(test_file_name)
{
	char *n = download_file_name(names[_i].url);

	if (!names[_i].name)
		ck_assert_msg(n == NULL, "%s: '%s', want none", names[_i].url,
			      n);
	else
		ck_assert_msg(n && strcmp(n, names[_i].name) == 0,
			      "%s: '%s', want '%s'", names[_i].url,
			      n ? n : "(none)", names[_i].name);
	free(n);
}
END_TEST

START_TEST(test_record_path)
{
	char *a = download_record_path("bd", "http://127.0.0.1:8000/x/y.txt");
	char *b = download_record_path("bd", "http://127.0.0.1:8000/x/y_txt");
	char *c = download_record_path("bd", "https://.hidden/../a");
	char *longp, *url = xmalloc(1001);
	const char *base;

	ck_assert(strncmp(a, "bd/downloads/127.0.0.1_8000_x_y.txt-", 36) == 0);
	ck_assert_uint_eq(strlen(a), 36 + 16 + 5);
	ck_assert_str_eq(a + strlen(a) - 5, ".json");
	/* made alike, told apart by the digest */
	ck_assert(strncmp(b, "bd/downloads/127.0.0.1_8000_x_y_txt-", 36) == 0);
	ck_assert_str_ne(a + 36, b + 36);
	/* never a hidden file, never a path of its own */
	ck_assert(strncmp(c, "bd/downloads/_hidden_.._a-", 26) == 0);
	memset(url, 'a', 1000);
	url[1000] = '\0';
	memcpy(url, "http://", 7);
	longp = download_record_path("bd", url);
	base = strrchr(longp, '/') + 1;
	ck_assert_uint_le(strlen(base), 200);
	free(a);
	free(b);
	free(c);
	free(longp);
	free(url);
}
END_TEST

START_TEST(test_record_roundtrip)
{
	const char *url = "http://127.0.0.1:1/f.txt";
	char *path = download_record_path(tmpdir, url), *text = NULL;
	struct download_record w, r;
	struct err *e = NULL;
	size_t len;

	/* none yet */
	ck_assert_int_eq(download_record_read(path, url, &r), 1);
	download_record_fini(&r);

	memset(&w, 0, sizeof(w));
	w.url = (char *)url;
	strcpy(w.digest, "sha256:0123456789abcdef0123456789abcdef"
			 "0123456789abcdef0123456789abcdef");
	w.size = 42;
	w.etag = (char *)"\"abc\"";
	w.last_modified = (char *)"Wed, 01 Jan 2020 00:00:00 GMT";
	ck_assert_msg(download_record_write(path, &w, &e) == 0, "%s",
		      e ? e->msg : "");
	ck_assert_int_eq(download_record_read(path, url, &r), 0);
	ck_assert_str_eq(r.url, url);
	ck_assert_str_eq(r.digest, w.digest);
	ck_assert_int_eq(r.size, 42);
	ck_assert_str_eq(r.etag, "\"abc\"");
	ck_assert_str_eq(r.last_modified, w.last_modified);
	download_record_fini(&r);

	/* deterministic text, keys sorted */
	ck_assert_int_eq(fs_read_file(path, &text, &len, &e), 0);
	ck_assert_str_eq(text,
			 "{\n  \"digest\": \"sha256:0123456789abcdef0123456789"
			 "abcdef0123456789abcdef0123456789abcdef\",\n"
			 "  \"etag\": \"\\\"abc\\\"\",\n"
			 "  \"last_modified\": \"Wed, 01 Jan 2020 00:00:00 "
			 "GMT\",\n  \"size\": 42,\n"
			 "  \"url\": \"http://127.0.0.1:1/f.txt\"\n}\n");
	free(text);

	/* another URL's record, or none at all, is no record */
	ck_assert_int_eq(download_record_read(path, "http://other/", &r), 1);
	download_record_fini(&r);

	/* without validators */
	w.etag = NULL;
	w.last_modified = NULL;
	ck_assert_int_eq(download_record_write(path, &w, &e), 0);
	ck_assert_int_eq(download_record_read(path, url, &r), 0);
	ck_assert_ptr_null(r.etag);
	ck_assert_ptr_null(r.last_modified);
	download_record_fini(&r);

	/* a damaged record is a lost cache entry, not an error */
	ck_assert_int_eq(fs_write_if_changed(path, "{\"url\": 1", 9, NULL, &e),
			 0);
	ck_assert_int_eq(download_record_read(path, url, &r), 1);
	download_record_fini(&r);
	free(path);
}
END_TEST

START_TEST(test_http_date)
{
	ck_assert_int_eq(download_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
			 784111777);
	ck_assert_int_eq(download_http_date("Thu, 01 Jan 1970 00:00:00 GMT"),
			 0);
	ck_assert_int_eq(download_http_date("Wed, 01 Jan 2020 00:00:00 GMT"),
			 1577836800);
	ck_assert_int_eq(download_http_date(NULL), -1);
	ck_assert_int_eq(download_http_date(""), -1);
	ck_assert_int_eq(download_http_date("Sun, 06 Nox 1994 08:49:37 GMT"),
			 -1);
	ck_assert_int_eq(download_http_date("Sun, 06 Nov 1994 08:49:37 UTC"),
			 -1);
	ck_assert_int_eq(download_http_date("Sun, 06 Nov 1994 08:49:37 GMTx"),
			 -1);
	ck_assert_int_eq(download_http_date("Sunday, 06-Nov-94 08:49:37 GMT"),
			 -1);
}
END_TEST

START_TEST(test_fetch_errors)
{
	struct download d;
	struct err *e = NULL;

	/* refused before anything is asked */
	ck_assert_int_eq(download_fetch(NULL, tmpdir, "ftp://127.0.0.1/x",
					NULL, &d, &e), -1);
	ck_assert_str_eq(e->msg, "cannot download 'ftp://127.0.0.1/x': not an "
			 "http or https URL");
	err_free(e);
	e = NULL;
	ck_assert_int_eq(download_fetch(NULL, tmpdir, "http://127.0.0.1/x",
					"sha256:abc", &d, &e), -1);
	ck_assert_str_eq(e->msg, "invalid --checksum 'sha256:abc': expected "
			 "sha256:<64 lower-case hex digits>");
	err_free(e);
}
END_TEST

static Suite *
download_suite(void)
{
	Suite *s = suite_create("download");
	TCase *tc;

	UNIT_TCASE_TABLE(s, "download_kind", test_kind, kinds);
	UNIT_TCASE_TABLE(s, "download_file_name", test_file_name, names);
	UNIT_TCASE(s, "download_record_path", test_record_path);
	tc = tcase_create("download_record");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_record_roundtrip);
	suite_add_tcase(s, tc);
	UNIT_TCASE(s, "download_http_date", test_http_date);
	tc = tcase_create("download_fetch");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_fetch_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(download_suite());
}
