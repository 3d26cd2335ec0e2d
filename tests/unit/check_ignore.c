#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "match/filepath.h"
#include "match/ignore.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "unit.h"

/* Go's filepath.Match tests (go/src/path/filepath/match_test.go); -1 is
 * ErrBadPattern */
static const struct match_case {
	const char *pattern, *name;
	int want;
} match_cases[] = {
	{ "abc", "abc", 1 },
	{ "*", "abc", 1 },
	{ "*c", "abc", 1 },
	{ "a*", "a", 1 },
	{ "a*", "abc", 1 },
	{ "a*", "ab/c", 0 },
	{ "a*/b", "abc/b", 1 },
	{ "a*/b", "a/c/b", 0 },
	{ "a*b*c*d*e*/f", "axbxcxdxe/f", 1 },
	{ "a*b*c*d*e*/f", "axbxcxdxexxx/f", 1 },
	{ "a*b*c*d*e*/f", "axbxcxdxe/xxx/f", 0 },
	{ "a*b*c*d*e*/f", "axbxcxdxexxx/fff", 0 },
	{ "a*b?c*x", "abxbbxdbxebxczzx", 1 },
	{ "a*b?c*x", "abxbbxdbxebxczzy", 0 },
	{ "ab[c]", "abc", 1 },
	{ "ab[b-d]", "abc", 1 },
	{ "ab[e-g]", "abc", 0 },
	{ "ab[^c]", "abc", 0 },
	{ "ab[^b-d]", "abc", 0 },
	{ "ab[^e-g]", "abc", 1 },
	{ "a\\*b", "a*b", 1 },
	{ "a\\*b", "ab", 0 },
	{ "a?b", "a\xe2\x98\xba" "b", 1 },
	{ "a[^a]b", "a\xe2\x98\xba" "b", 1 },
	{ "a???b", "a\xe2\x98\xba" "b", 0 },
	{ "a[^a][^a][^a]b", "a\xe2\x98\xba" "b", 0 },
	{ "[a-\xce\xb6]*", "\xce\xb1", 1 },
	{ "*[a-\xce\xb6]", "A", 0 },
	{ "a?b", "a/b", 0 },
	{ "a*b", "a/b", 0 },
	{ "[\\]a]", "]", 1 },
	{ "[\\-]", "-", 1 },
	{ "[x\\-]", "x", 1 },
	{ "[x\\-]", "-", 1 },
	{ "[x\\-]", "z", 0 },
	{ "[\\-x]", "x", 1 },
	{ "[\\-x]", "-", 1 },
	{ "[\\-x]", "a", 0 },
	{ "[]a]", "]", -1 },
	{ "[-]", "-", -1 },
	{ "[x-]", "x", -1 },
	{ "[-x]", "x", -1 },
	{ "\\", "a", -1 },
	{ "[a-b-c]", "a", -1 },
	{ "[", "a", -1 },
	{ "[^", "a", -1 },
	{ "[^bc", "a", -1 },
	{ "a[", "a", -1 },
	{ "a[", "ab", -1 },
	{ "a[", "x", -1 },
	{ "a/b[", "x", -1 },
	{ "*x", "xxx", 1 },
};

START_TEST(test_filepath_match)
{
	const struct match_case *c = &match_cases[_i];

	ck_assert_msg(filepath_match(c->pattern, c->name) == c->want,
		      "Match(%s, %s): got %d, want %d", c->pattern, c->name,
		      filepath_match(c->pattern, c->name), c->want);
}
END_TEST

START_TEST(test_filepath_magic)
{
	ck_assert(filepath_has_magic("a*"));
	ck_assert(filepath_has_magic("a/b?"));
	ck_assert(filepath_has_magic("x[0]"));
	ck_assert(!filepath_has_magic("plain/path.txt"));
	ck_assert(!filepath_has_magic("a\\*b"));
	ck_assert(filepath_has_magic("a\\*b*"));
}
END_TEST

/* a .dockerignore, a path, and whether Docker leaves it out */
static const struct ignore_case {
	const char *file, *path;
	bool excluded;
} ignore_cases[] = {
	/* comments: '#' in column 1 only */
	{ "# comment\nfoo\n", "foo", true },
	{ "# foo\n", "# foo", false },
	{ "# comment\n", "comment", false },
	{ " # x\n", "# x", true },
	/* blank lines, spaces, CRLF, a BOM */
	{ "\n   \n  foo  \r\n", "foo", true },
	{ "\xef\xbb\xbf" "foo\n", "foo", true },
	/* leading slash, "./", ".." and a trailing slash are cleaned away */
	{ "/foo/bar", "foo/bar", true },
	{ "/foo/bar", "foo/bar/baz", true },
	{ "/foo/bar", "x/foo/bar", false },
	{ "./foo", "foo", true },
	{ "foo/../bar", "bar", true },
	{ "dir/", "dir", true },
	{ "dir/", "dir/x/y", true },
	{ "dir/", "dirx", false },
	/* the reference's examples */
	{ "*/temp*", "somedir/temporary.txt", true },
	{ "*/temp*", "somedir/temp", true },
	{ "*/temp*", "temp", false },
	{ "*/*/temp*", "somedir/subdir/temporary.txt", true },
	{ "*/*/temp*", "somedir/temporary.txt", false },
	{ "temp?", "tempa", true },
	{ "temp?", "temp", false },
	{ "temp?", "tempab", false },
	{ "temp?", "tempb/inner", true },
	/* '?' and classes */
	{ "[a-c].txt", "b.txt", true },
	{ "[a-c].txt", "d.txt", false },
	{ "[^a-c].txt", "d.txt", true },
	{ "\\*.txt", "*.txt", true },
	{ "\\*.txt", "a.txt", false },
	/* double stars */
	{ "**/*.go", "a.go", true },
	{ "**/*.go", "x/y/z.go", true },
	{ "**/*.go", "x/y/z.gox", false },
	{ "**/foo", "foo", true },
	{ "**/foo", "a/b/foo", true },
	{ "**/foo", "a/xfoo", false },
	{ "**/foo", "a/foo/inside", true },
	{ "foo/**", "foo/x", true },
	{ "foo/**", "foo/a/b", true },
	{ "foo/**", "foo", false },
	{ "a/**/b", "a/b", true },
	{ "a/**/b", "a/x/y/b", true },
	{ "a/**/b", "a/x/y/c", false },
	{ "**", "anything/at/all", true },
	/* '*' stays in one directory, but a match excludes what is below */
	{ "*", "top", true },
	{ "*", "top/deep/file", true },
	{ "*.md", "docs/a.md", false },
	/* exceptions: the last matching line wins */
	{ "*.md\n!README.md", "a.md", true },
	{ "*.md\n!README.md", "README.md", false },
	{ "*.md\n!README*.md\nREADME-secret.md", "README-secret.md", true },
	{ "*.md\n!README*.md\nREADME-secret.md", "README.md", false },
	{ "*.md\nREADME-secret.md\n!README*.md", "README-secret.md", false },
	{ "*\n!keep", "keep", false },
	{ "*\n!keep", "other", true },
	/* an excluded directory with a file brought back below it */
	{ "dir\n!dir/keep.txt", "dir/keep.txt", false },
	{ "dir\n!dir/keep.txt", "dir/other.txt", true },
	{ "dir\n!dir/keep.txt", "dir", true },
	{ "**\n!**/*.py", "a/b/c.py", false },
	{ "**\n!**/*.py", "a/b/c.txt", true },
	/* an exception skipped at the parent does not reach the child
	 * (fsutil walks with MatchesUsingParentResults) */
	{ "a/b\n!a", "a/b", true },
	/* Dockerfile and .dockerignore are not special */
	{ "Dockerfile\n.dockerignore", "Dockerfile", true },
	{ "Dockerfile\n.dockerignore", ".dockerignore", true },
	/* the other regexp characters are literal */
	{ "a.b", "axb", false },
	{ "a+(b)", "a+(b)", true },
	{ "a+(b)*", "a+(b)c", true },
};

START_TEST(test_ignore_match)
{
	const struct ignore_case *c = &ignore_cases[_i];
	struct ignore *ig = NULL;
	struct err *e = NULL;

	ck_assert_msg(ignore_parse(c->file, strlen(c->file), ".dockerignore",
				   &ig, &e) == 0,
		      "%s: %s", c->file, e ? e->msg : "?");
	ck_assert_msg(ignore_match(ig, c->path) == c->excluded,
		      "pattern '%s', path '%s': want %s", c->file, c->path,
		      c->excluded ? "excluded" : "included");
	ignore_free(ig);
}
END_TEST

static struct ignore *
parse(const char *text)
{
	struct ignore *ig = NULL;
	struct err *e = NULL;

	ck_assert_msg(
		ignore_parse(text, strlen(text), ".dockerignore", &ig, &e) == 0,
		"%s", e ? e->msg : "?");
	return ig;
}

START_TEST(test_ignore_below)
{
	struct ignore *ig;

	ig = parse("dir\n!dir/keep.txt\n");
	ck_assert(ignore_may_include_below(ig, "dir"));
	ck_assert(!ignore_may_include_below(ig, "dir/sub"));
	ck_assert(!ignore_may_include_below(ig, "other"));
	ignore_free(ig);

	ig = parse("dir\n!dir/sub/**\n");
	ck_assert(ignore_may_include_below(ig, "dir"));
	ck_assert(ignore_may_include_below(ig, "dir/sub"));
	ck_assert(!ignore_may_include_below(ig, "dir/other"));
	ignore_free(ig);

	/* an exception with a wildcard could match anywhere */
	ig = parse("dir\n!*.txt\n");
	ck_assert(ignore_may_include_below(ig, "dir"));
	ck_assert(ignore_may_include_below(ig, "x/y"));
	ignore_free(ig);

	ig = parse("dir\n");
	ck_assert(!ignore_may_include_below(ig, "dir"));
	ck_assert(!ignore_exception_under(ig, "dir"));
	ignore_free(ig);

	ig = parse("dir\n!dir/sub/x\n");
	ck_assert(ignore_exception_under(ig, "dir"));
	ck_assert(ignore_exception_under(ig, "dir/sub"));
	ck_assert(!ignore_exception_under(ig, "di"));
	ignore_free(ig);
}
END_TEST

START_TEST(test_ignore_errors)
{
	struct ignore *ig = NULL;
	struct err *e = NULL;

	ck_assert_int_lt(ignore_parse("ok\n!\n", 5, ".dockerignore", &ig, &e),
			 0);
	ck_assert_str_eq(
		e->msg,
		".dockerignore:2: error: illegal exclusion pattern: \"!\"");
	err_free(e);
	e = NULL;
	ck_assert_int_lt(ignore_parse("a[\n", 3, "ctx/.dockerignore", &ig, &e),
			 0);
	ck_assert_str_eq(e->msg,
			 "ctx/.dockerignore:1: error: syntax error in pattern");
	err_free(e);
	e = NULL;
	ck_assert_int_lt(ignore_parse("x\n[]a]\n", 7, "f", &ig, &e), 0);
	err_free(e);
}
END_TEST

START_TEST(test_ignore_new)
{
	const char *pats[] = { "*.txt", " /abs ", "", "!keep.txt" };
	const char *bad[] = { "[" };
	struct ignore *ig = NULL;
	struct err *e = NULL;

	ck_assert_int_eq(ignore_new(pats, 4, &ig, &e), 0);
	ck_assert(ignore_match(ig, "a.txt"));
	ck_assert(!ignore_match(ig, "keep.txt"));
	ck_assert(ignore_match(ig, "dir/a.txt") == false);
	/* unlike .dockerignore lines, a leading '/' stays and matches nothing
	 * relative */
	ck_assert(!ignore_match(ig, "abs"));
	ck_assert(!ignore_is_empty(ig));
	ignore_free(ig);
	ck_assert_int_lt(ignore_new(bad, 1, &ig, &e), 0);
	ck_assert_ptr_nonnull(strstr(e->msg, "invalid exclude pattern '['"));
	err_free(e);
	ck_assert(!ignore_match(NULL, "x"));
	ck_assert(ignore_is_empty(NULL));
}
END_TEST

START_TEST(test_ignore_load)
{
	char dir[] = "/tmp/check_ignore.XXXXXX";
	struct ignore *ig = NULL;
	struct err *e = NULL;
	char *path;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	path = xasprintf("%s/.dockerignore", dir);
	ck_assert_int_eq(ignore_load(NULL, &ig, &e), 0);
	ck_assert(ignore_is_empty(ig));
	ignore_free(ig);
	ck_assert_int_eq(ignore_load(path, &ig, &e), 0);
	ck_assert(ignore_is_empty(ig));
	ck_assert(!ignore_match(ig, "anything"));
	ignore_free(ig);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("node_modules\n*.log\n!important.log\n", f);
	fclose(f);
	ck_assert_int_eq(ignore_load(path, &ig, &e), 0);
	ck_assert(ignore_match(ig, "node_modules/x/y.js"));
	ck_assert(ignore_match(ig, "debug.log"));
	ck_assert(!ignore_match(ig, "important.log"));
	ignore_free(ig);
	ck_assert_int_eq(ignore_load_at(AT_FDCWD, path, &ig, &e), 0);
	ck_assert(ignore_match(ig, "debug.log"));
	ignore_free(ig);
	unlink(path);
	ck_assert_int_eq(ignore_load_at(AT_FDCWD, path, &ig, &e), 0);
	ck_assert(ignore_is_empty(ig));
	ignore_free(ig);
	rmdir(dir);
	free(path);
}
END_TEST

/* ignore_match of a one-line .dockerignore, failing the test when it takes
 * a second of CPU: the backtracking matcher took 31 s on 12 stars */
static bool
quick_match(const char *line, const char *relpath)
{
	struct ignore *ig = parse(line);
	double t0 = unit_cpu_seconds(), dt;
	bool m = ignore_match(ig, relpath);

	dt = unit_cpu_seconds() - t0;
	ck_assert_msg(dt < UNIT_CPU_BOUND, "'%s' against '%s': %.2f s of CPU", line,
		      relpath, dt);
	ignore_free(ig);
	return m;
}

/* the pattern "a*a*...a*b" with n stars; *name gets n + 28 'a's and room
 * for one more byte */
static char *
stars(int n, char **name)
{
	struct buf b = BUF_INIT;

	for (int i = 0; i < n; i++)
		buf_puts(&b, "a*");
	buf_putc(&b, 'b');
	*name = xmalloc((size_t)n + 30);
	memset(*name, 'a', (size_t)n + 28);
	(*name)[n + 28] = '\0';
	return buf_steal(&b);
}

START_TEST(test_ignore_many_stars)
{
	static const int counts[] = { 12, 14, 40 };

	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		char *name, *pat = stars(counts[i], &name);
		size_t len = strlen(name);

		ck_assert(!quick_match(pat, name));
		/* filepath.Match (COPY sources) takes the same lines */
		ck_assert_int_eq(filepath_match(pat, name), 0);
		name[len] = 'b';
		name[len + 1] = '\0';
		ck_assert(quick_match(pat, name));
		ck_assert_int_eq(filepath_match(pat, name), 1);
		/* '*' stays within a name */
		name[len / 2] = '/';
		ck_assert(!quick_match(pat, name));
		free(name);
		free(pat);
	}
	ck_assert(!quick_match("a*a*a*a*a*a*a*a*a*a*a*a*b",
			       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
}
END_TEST

/* twenty double stars between names "a", then "b", against a path of 40
 * names "a": each double star may take any number of them, which is
 * exponential for a backtracker */
START_TEST(test_ignore_many_dstars)
{
	struct buf pat = BUF_INIT, path = BUF_INIT, glued = BUF_INIT;

	buf_puts(&pat, "a");
	for (int i = 0; i < 20; i++) {
		buf_puts(&pat, "/**/a");
		buf_puts(&glued, "a**");
	}
	buf_puts(&pat, "/b");
	buf_puts(&glued, "b");
	for (int i = 0; i < 40; i++)
		buf_puts(&path, i ? "/a" : "a");
	ck_assert(!quick_match(buf_str(&pat), buf_str(&path)));
	ck_assert(!quick_match(buf_str(&glued), buf_str(&path)));
	buf_puts(&path, "/b");
	ck_assert(quick_match(buf_str(&pat), buf_str(&path)));
	ck_assert(quick_match(buf_str(&glued), buf_str(&path)));
	/* and below a matched directory */
	buf_puts(&path, "/c/d");
	ck_assert(quick_match(buf_str(&pat), buf_str(&path)));
	buf_fini(&pat);
	buf_fini(&path);
	buf_fini(&glued);
}
END_TEST

static Suite *
ignore_suite(void)
{
	Suite *s = suite_create("ignore");

	UNIT_TCASE_TABLE(s, "filepath_match", test_filepath_match, match_cases);
	UNIT_TCASE(s, "filepath_has_magic", test_filepath_magic);
	UNIT_TCASE_TABLE(s, "ignore_match", test_ignore_match, ignore_cases);
	UNIT_TCASE(s, "ignore_may_include_below", test_ignore_below);
	UNIT_TCASE(s, "ignore_parse errors", test_ignore_errors);
	UNIT_TCASE(s, "ignore_new", test_ignore_new);
	UNIT_TCASE(s, "ignore_load", test_ignore_load);
	UNIT_TCASE(s, "ignore_match many stars", test_ignore_many_stars);
	UNIT_TCASE(s, "ignore_match many double stars", test_ignore_many_dstars);
	return s;
}

int
main(void)
{
	return unit_run(ignore_suite());
}
