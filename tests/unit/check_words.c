#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "shlex/words.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/strv.h"
#include "util/vars.h"
#include "unit.h"

#define SHELL_DIR CONFORMANCE_DIR "/buildkit-shell"

/* a case of shlex_word: env holds "NAME=VALUE" ("NAME" alone: declared
 * but unset); want NULL means expansion must fail */
struct word_case {
	const char *in;
	const char *env[6];
	const char *want;
};

static void
env_load(struct vars *vs, const char *const *env)
{
	const char *eq;
	char *name;

	for (; *env; env++) {
		eq = strchr(*env, '=');
		name = eq ? xstrndup(*env, (size_t)(eq - *env)) : xstrdup(*env);
		vars_set(vs, name, eq ? eq + 1 : NULL);
		free(name);
	}
}

static void
check_word_case(char escape, const struct word_case *c)
{
	struct vars vs = VARS_INIT;
	struct shlex sh = { escape, shlex_vars_lookup, &vs };
	struct err *e = NULL;
	char *out = NULL;
	int r;

	env_load(&vs, c->env);
	r = shlex_word(&sh, c->in, &out, &e);
	if (!c->want) {
		ck_assert_msg(r < 0, "'%s': want an error, got '%s'", c->in, out);
		ck_assert_ptr_nonnull(e);
	} else {
		ck_assert_msg(r == 0, "'%s': unexpected error: %s", c->in,
			      e ? e->msg : "?");
		ck_assert_msg(strcmp(out, c->want) == 0, "'%s': got '%s', want '%s'",
			      c->in, out, c->want);
	}
	free(out);
	err_free(e);
	vars_fini(&vs);
}

/* the next line of *p (without its newline) in a new string, or NULL */
static char *
next_line(const char **p)
{
	const char *s = *p, *nl;

	if (!*s)
		return NULL;
	nl = strchrnul(s, '\n');
	*p = *nl ? nl + 1 : nl;
	return xstrndup(s, (size_t)(nl - s));
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static char *
read_data(const char *name)
{
	char *path = xasprintf("%s/%s", SHELL_DIR, name), *data = NULL;
	struct err *e = NULL;
	size_t len;

	ck_assert_msg(fs_read_file(path, &data, &len, &e) == 0, "%s",
		      e ? e->msg : path);
	free(path);
	return data;
}

/* every A and U line of envVarTest, the way lex_test.go runs it */
START_TEST(test_envvartest)
{
	const char *env[] = {
		"PWD=/home", "SHELL=bash", "KOREAN=한국어", "NULL=", NULL
	};
	struct vars vs = VARS_INIT;
	struct shlex sh = { '\\', shlex_vars_lookup, &vs };
	struct buf bad = BUF_INIT;
	char *data = read_data("envVarTest"), *line, *f[3], *s;
	const char *p = data;
	int lineno = 0, checked = 0, failed = 0, i;

	env_load(&vs, env);
	while ((line = next_line(&p))) {
		struct err *e = NULL;
		char *out = NULL;
		int r;

		lineno++;
		s = trim(line);
		if (line[0] == '#' || !*s) {
			free(line);
			continue;
		}
		for (i = 0; i < 3; i++) {
			f[i] = s;
			s = strchr(s, '|');
			ck_assert_msg((i < 2) == (s != NULL),
				      "envVarTest:%d: want 3 fields", lineno);
			if (s)
				*s++ = '\0';
		}
		for (i = 0; i < 3; i++)
			f[i] = trim(f[i]);
		ck_assert_msg(!strcmp(f[0], "A") || !strcmp(f[0], "U") ||
			      !strcmp(f[0], "W"), "envVarTest:%d: bad platform '%s'",
			      lineno, f[0]);
		if (!strcmp(f[0], "W")) {
			free(line);
			continue;
		}
		checked++;
		r = shlex_word(&sh, f[1], &out, &e);
		if (!strcmp(f[2], "error") ? r == 0 :
		    r < 0 || strcmp(out, f[2]) != 0) {
			failed++;
			buf_printf(&bad, "\n  envVarTest:%d: '%s': got %s%s%s, want '%s'",
				   lineno, f[1], r < 0 ? "error: " : "'",
				   r < 0 ? e->msg : out, r < 0 ? "" : "'", f[2]);
		}
		free(out);
		err_free(e);
		free(line);
	}
	ck_assert_msg(failed == 0, "%d of %d lines failed:%s", failed, checked,
		      buf_str(&bad));
	ck_assert_int_gt(checked, 200);
	buf_fini(&bad);
	free(data);
	vars_fini(&vs);
}
END_TEST

/* every line of wordsTest: ENV lines accumulate, the rest are
 * "input | word,word,..." with significant trailing spaces */
START_TEST(test_wordstest)
{
	struct vars vs = VARS_INIT;
	struct shlex sh = { '\\', shlex_vars_lookup, &vs };
	struct buf bad = BUF_INIT, got = BUF_INIT;
	char *data = read_data("wordsTest"), *line, *bar, *in, *want, *eq;
	const char *p = data;
	int lineno = 0, checked = 0, failed = 0;
	size_t i;

	while ((line = next_line(&p))) {
		struct strv words = STRV_INIT;
		struct err *e = NULL;

		lineno++;
		if (line[0] == '#') {
			free(line);
			continue;
		}
		if (!strncmp(line, "ENV ", 4)) {
			in = line + 3;
			while (*in == ' ')
				in++;
			eq = strchr(in, '=');
			ck_assert_msg(eq != NULL, "wordsTest:%d: ENV without '='", lineno);
			*eq = '\0';
			vars_set(&vs, in, eq + 1);
			free(line);
			continue;
		}
		bar = strchr(line, '|');
		ck_assert_msg(bar && !strchr(bar + 1, '|'),
			      "wordsTest:%d: want exactly one '|'", lineno);
		*bar = '\0';
		in = trim(line);
		want = bar + 1;
		while (*want == ' ')
			want++;
		checked++;
		buf_reset(&got);
		if (shlex_words(&sh, in, &words, &e) < 0) {
			buf_puts(&got, "error");
		} else {
			for (i = 0; i < words.n; i++)
				buf_printf(&got, "%s%s", i ? "," : "", words.v[i]);
		}
		/* no expected word contains ',', so joined lists compare */
		if (strcmp(buf_str(&got), want) != 0) {
			failed++;
			buf_printf(&bad, "\n  wordsTest:%d: '%s': got [%s], want [%s]",
				   lineno, in, buf_str(&got), want);
		}
		strv_fini(&words);
		err_free(e);
		free(line);
	}
	ck_assert_msg(failed == 0, "%d of %d lines failed:%s", failed, checked,
		      buf_str(&bad));
	ck_assert_int_gt(checked, 20);
	buf_fini(&bad);
	buf_fini(&got);
	free(data);
	vars_fini(&vs);
}
END_TEST

/* pattern operators, after lex_test.go TestProcessWithMatches and more */
static const struct word_case pattern_cases[] = {
	{ "${FOO#()[]{\\}^$.\\*\\?|\\\\}", { "FOO=()[]{}^$.*?|\\x" }, "x" },
	{ "${FOO%%\\**}", { "FOO=xx**" }, "xx" },
	{ "${FOO#*x*y}", { "FOO=xxyy" }, "y" },
	{ "${FOO#*}", { "FOO=xxyy" }, "xxyy" },
	{ "${FOO#$BAR}", { "FOO=xxyy", "BAR=x" }, "xyy" },
	{ "${FOO#$BAR}", { "FOO=xxyy", "BAR=" }, "xxyy" },
	{ "${FOO#}", { "FOO=xxyy" }, "xxyy" },
	{ "${FOO##*x}", { "FOO=xxyy" }, "yy" },
	{ "${FOO##}", { "FOO=xxyy" }, "xxyy" },
	{ "${FOO#?\\?}", { "FOO=???y" }, "?y" },
	{ "${ABC:-.}${FOO%x}${ABC:-.}", { "FOO=xxyy" }, ".xxyy." },
	{ "${FOO%%\\**\\*}", { "FOO=a***yy*" }, "a" },
	{ "${FOO%}", { "FOO=xxyy" }, "xxyy" },
	{ "${FOO%%$BAR}", { "FOO=xxyy", "BAR=" }, "xxyy" },
	/* shortest and longest, from either end */
	{ "${FOO#*.}", { "FOO=a.b.c" }, "b.c" },
	{ "${FOO##*.}", { "FOO=a.b.c" }, "c" },
	{ "${FOO%.*}", { "FOO=a.b.c" }, "a.b" },
	{ "${FOO%%.*}", { "FOO=a.b.c" }, "a" },
	{ "${FOO%.tar.*}", { "FOO=x.tar.gz" }, "x" },
	{ "${FOO#nomatch}", { "FOO=abc" }, "abc" },
	{ "${FOO%nomatch}", { "FOO=abc" }, "abc" },
	{ "${FOO#a}", { "FOO=abc" }, "bc" },
	{ "${FOO%c}", { "FOO=abc" }, "ab" },
	{ "${FOO#b}", { "FOO=abc" }, "abc" },
	{ "${FOO#*}", { "FOO=" }, "" },
	{ "${UNSET#*}", { "FOO=x" }, "" },
	/* '?' is one character, not one byte */
	{ "${FOO#?}", { "FOO=abc" }, "bc" },
	{ "${FOO%?}", { "FOO=abc" }, "ab" },
	{ "${FOO#?}", { "FOO=한국어" }, "국어" },
	{ "${FOO%?}", { "FOO=한국어" }, "한국" },
	{ "${FOO%%?*}", { "FOO=한국어" }, "" },
	/* escapes: '\' is the glob escape whatever the lexer escape */
	{ "${FOO#\\*}", { "FOO=*x" }, "x" },
	{ "${FOO%\\?}", { "FOO=x?" }, "x" },
	{ "${FOO#\\\\}", { "FOO=\\x" }, "x" },
	{ "${FOO#\\}}", { "FOO=}x" }, "x" },
	{ "${FOO%\\}}", { "FOO=x}" }, "x" },
	{ "${FOO#\\a}", { "FOO=ax" }, NULL },
	{ "${FOO#x\\}", { "FOO=x" }, NULL },
	{ "${FOO%a\\*}", { "FOO=xa*" }, "x" },
	/* quotes do not make glob characters literal in BuildKit */
	{ "${FOO#\"*\"}", { "FOO=*x" }, "*x" },
	{ "${FOO#'x'}", { "FOO=xy" }, "y" },
	/* '*' and '?' do not cross a newline (Go regexp '.') */
	{ "${FOO##*}", { "FOO=a\nb" }, "\nb" },
	{ "${FOO#?}", { "FOO=\nb" }, "\nb" },
	/* ":#" and ":%" are not operators */
	{ "${FOO:#x}", { "FOO=xy" }, NULL },
	{ "${FOO:%y}", { "FOO=xy" }, NULL },
	{ "${FOO#x", { "FOO=xy" }, NULL },
	/* substitution */
	{ "${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}",
	  { "FOO=/foo*/*/*.txt", "NEEDLE=\\*/" }, "/foo.*/*.txt - /foo..*.txt" },
	{ "${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}",
	  { "FOO=/tmp/tmp/bar.txt", "NEEDLE=/tmp" }, "/tmp/bar.txt - /bar.txt" },
	{ "${FOO/$NEEDLE/$REPLACEMENT} - ${FOO//$NEEDLE/$REPLACEMENT}",
	  { "FOO=/a/foo/b/c.txt", "NEEDLE=/?/", "REPLACEMENT=/" },
	  "/foo/b/c.txt - /foo/c.txt" },
	{ "${FOO/$NEEDLE/$REPLACEMENT}",
	  { "FOO=http://google.de", "NEEDLE=http://", "REPLACEMENT=https://" },
	  "https://google.de" },
	{ "${FOO//\\//\\/}", { "FOO=/tmp/foo.txt" }, "\\/tmp\\/foo.txt" },
	{ "${FOO/$BAR/ww}", { "FOO=xxyy", "BAR=" }, "wwxxyy" },
	{ "${FOO//ww}", { "FOO=xxyy" }, NULL },
	{ "${FOO//}", { "FOO=xxyy" }, NULL },
	{ "${FOO///}", { "FOO=xxyy" }, "xxyy" },
	{ "${FOO///}", { "BAR=x" }, "" },
	{ "${FOO/o/0}", { "FOO=foo" }, "f0o" },
	{ "${FOO//o/0}", { "FOO=foo" }, "f00" },
	{ "${FOO//?/x}", { "FOO=a한b" }, "xxx" },
	{ "${FOO//*/x}", { "FOO=ab" }, "x" },
	{ "${FOO/*o/x}", { "FOO=fooboo" }, "x" },
	{ "${FOO/o*/x}", { "FOO=fooboo" }, "fx" },
	{ "${FOO///-}", { "FOO=ab" }, "-a-b-" },
	{ "${FOO/x/y}", { "FOO=abc" }, "abc" },
	{ "${FOO/\\a/y}", { "FOO=abc" }, NULL },
	{ "${FOO/a/b", { "FOO=abc" }, NULL },
	{ "${FOO/a", { "FOO=abc" }, NULL },
	/* "//" expands '$' in the replacement as Go's ReplaceAllString does:
	 * $0 is the match, other groups are empty, "$$" is '$' */
	{ "${FOO//o/$R}", { "FOO=foo", "R=<$0>" }, "f<o><o>" },
	{ "${FOO//o/$R}", { "FOO=foo", "R=<${0}$1$$>" }, "f<o$><o$>" },
	{ "${FOO//o/$R}", { "FOO=foo", "R=<$-${x>" }, "f<$-${x><$-${x>" },
	{ "${FOO/o/$R}", { "FOO=foo", "R=<$0>" }, "f<$0>o" },
};

START_TEST(test_patterns)
{
	check_word_case('\\', &pattern_cases[_i]);
}
END_TEST

/* the colon-less forms and the error cases around them */
static const struct word_case modifier_cases[] = {
	{ "${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}", { "FOO=xxx", "BAR=" }, "xxx  ccc" },
	{ "${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}", { "FOO=xxx", "BAR=" }, "xxx bbb ccc" },
	{ "${FOO:-}", { "FOO=xxx" }, "xxx" },
	{ "${FOO:-}", { "BAR=" }, "" },
	{ "${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}", { "FOO=xxx", "BAR=" }, "aaa bbb " },
	{ "${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}", { "FOO=xxx", "BAR=" }, "aaa  " },
	{ "${FOO?aaa}", { "FOO=xxx", "BAR=" }, "xxx" },
	{ "${BAR?bbb}", { "FOO=xxx", "BAR=" }, "" },
	{ "${BAZ?ccc}", { "FOO=xxx", "BAR=" }, NULL },
	{ "${FOO:?aaa}", { "FOO=xxx", "BAR=" }, "xxx" },
	{ "${BAR:?bbb}", { "FOO=xxx", "BAR=" }, NULL },
	{ "${BAZ:?ccc}", { "FOO=xxx", "BAR=" }, NULL },
	{ "${BAZ:?}", { "FOO=xxx", "BAR=" }, NULL },
	{ "${FOO=aaa}", { "FOO=xxx" }, NULL },
	{ "${FOO=:aaa}", { "FOO=xxx" }, NULL },
	{ "${FOO=}", { "BAR=" }, NULL },
	{ "${FOO:}", { "FOO=xxx" }, NULL },
	{ "${FOO:", { "FOO=xxx" }, NULL },
	{ "${FOO:0:1}", { "FOO=xxx" }, NULL },
	{ "${#FOO}", { "FOO=xxx" }, NULL },
	/* a name declared without a value (ARG FOO) is unset */
	{ "${DECL-x}", { "DECL" }, "x" },
	{ "${DECL+x}", { "DECL" }, "" },
	{ "${DECL?x}", { "DECL" }, NULL },
	{ "$DECL", { "DECL" }, "" },
	/* nested operands, quotes and escapes inside them */
	{ "${A:-${B:-${C:-deep}}}", { "X=1" }, "deep" },
	{ "${A:-\"a b\"}", { "X=1" }, "a b" },
	{ "${A:-'}'}", { "X=1" }, "}" },
	{ "${A:-\\}}", { "X=1" }, "}" },
	{ "${A:-x", { "X=1" }, NULL },
	{ "${A:-'x}", { "X=1" }, NULL },
	{ "${A:-${B:?boom}}", { "X=1" }, NULL },
	{ "${A+${B:?boom}}", { "X=1" }, NULL },
	{ "$A$B", { "A=1", "B=2" }, "12" },
	{ "$A_B", { "A=1", "A_B=2" }, "2" },
	{ "${A}_B", { "A=1", "A_B=2" }, "1_B" },
	{ "$", { "A=1" }, "$" },
	{ "a$ b", { "A=1" }, "a$ b" },
	{ "${", { "A=1" }, NULL },
	{ "${A", { "A=1" }, NULL },
	{ "${A!}", { "A=1" }, NULL },
};

START_TEST(test_modifiers)
{
	check_word_case('\\', &modifier_cases[_i]);
}
END_TEST

/* with "# escape=`" the backtick escapes and '\' is a plain character */
static const struct word_case backtick_cases[] = {
	{ "he`$PWD", { "PWD=/home" }, "he$PWD" },
	{ "he\\$PWD", { "PWD=/home" }, "he\\/home" },
	{ "C:\\path\\to", { "PWD=/home" }, "C:\\path\\to" },
	{ "a`\"b", { "PWD=/home" }, "a\"b" },
	{ "a`'b", { "PWD=/home" }, "a'b" },
	{ "a` b", { "PWD=/home" }, "a b" },
	{ "\"a`\"b\"", { "PWD=/home" }, "a\"b" },
	{ "\"a\\\"", { "PWD=/home" }, "a\\" },
	{ "\"a``b\"", { "PWD=/home" }, "a`b" },
	{ "\"a`$PWD\"", { "PWD=/home" }, "a$PWD" },
	{ "\"a`xb\"", { "PWD=/home" }, "a`xb" },
	{ "'a`b'", { "PWD=/home" }, "a`b" },
	{ "hello`", { "PWD=/home" }, "hello" },
	{ "hello``", { "PWD=/home" }, "hello`" },
	{ "\"hello`\"", { "PWD=/home" }, NULL },
	{ "${X:-a`}b}", { "PWD=/home" }, "a}b" },
	{ "${X:-a\\}b}", { "PWD=/home" }, "a\\b}" },
	{ "${FOO#\\*}", { "FOO=*x" }, "x" },
	{ "${FOO#`*}", { "FOO=`abc" }, "abc" },
};

START_TEST(test_backtick)
{
	check_word_case('`', &backtick_cases[_i]);
}
END_TEST

/* and with '\' as the escape, a backtick is a plain character */
START_TEST(test_backslash_backtick)
{
	static const struct word_case c = { "a`b`$PWD", { "PWD=/home" }, "a`b`/home" };

	check_word_case('\\', &c);
}
END_TEST

static char *
word_error(const char *in, const char *const *env)
{
	struct vars vs = VARS_INIT;
	struct shlex sh = { '\\', shlex_vars_lookup, &vs };
	struct err *e = NULL;
	char *out = NULL, *msg;

	env_load(&vs, env);
	ck_assert_msg(shlex_word(&sh, in, &out, &e) < 0, "'%s': got '%s'", in, out);
	ck_assert_ptr_null(out);
	ck_assert_ptr_nonnull(e);
	msg = xstrdup(e->msg);
	err_free(e);
	vars_fini(&vs);
	return msg;
}

/* ${VAR:?msg} / ${VAR?msg}: the message is expanded, and the error reads
 * like BuildKit's "failed to process ...: VAR: message" */
START_TEST(test_required_message)
{
	const char *empty[] = { "VAR=", "ARG=x", NULL };
	const char *unset[] = { "ARG=x", NULL };
	const struct word_case ok[] = {
		{ "${VAR:?message here$ARG}", { "VAR=plain", "ARG=x" }, "plain" },
		{ "${VAR?message here$ARG}", { "VAR=plain", "ARG=x" }, "plain" },
		{ "${VAR?message here$ARG}", { "VAR=", "ARG=x" }, "" },
	};
	char *m;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		check_word_case('\\', &ok[i]);

	m = word_error("${VAR:?message here$ARG}", empty);
	ck_assert_str_eq(m, "failed to process '${VAR:?message here$ARG}': VAR: message herex");
	free(m);
	m = word_error("${VAR:?message here$ARG}", unset);
	ck_assert_str_eq(m, "failed to process '${VAR:?message here$ARG}': VAR: message herex");
	free(m);
	m = word_error("${VAR?message here$ARG}", unset);
	ck_assert_str_eq(m, "failed to process '${VAR?message here$ARG}': VAR: message herex");
	free(m);
	m = word_error("a${VAR:?}", empty);
	ck_assert_str_eq(m, "failed to process 'a${VAR:?}': VAR: is not allowed to be empty");
	free(m);
	m = word_error("${VAR:?}", unset);
	ck_assert_str_eq(m, "failed to process '${VAR:?}': VAR: is not allowed to be unset");
	free(m);
	m = word_error("${VAR?}", unset);
	ck_assert_str_eq(m, "failed to process '${VAR?}': VAR: is not allowed to be unset");
	free(m);
	m = word_error("${VAR:?\"$ARG  is\" 'quoted'}", empty);
	ck_assert_str_eq(m, "failed to process '${VAR:?\"$ARG  is\" 'quoted'}': VAR: x  is quoted");
	free(m);
}
END_TEST

/* the other messages say what is wrong */
START_TEST(test_error_messages)
{
	static const struct {
		const char *in, *msg;
	} cases[] = {
		{ "${}", "syntax error: bad substitution" },
		{ "${:-x}", "syntax error: bad substitution" },
		{ "${{a}", "syntax error: bad substitution" },
		{ "${aaa", "syntax error: missing '}'" },
		{ "${aaa:-bbb", "syntax error: missing '}'" },
		{ "${aaa:-'bbb}", "syntax error: missing '}'" },
		{ "${aaa/bbb", "syntax error: missing '/' in ${}" },
		{ "'abc", "unexpected end of statement while looking for matching single-quote" },
		{ "\"abc", "unexpected end of statement while looking for matching double-quote" },
		{ "${a:=b}", "unsupported modifier (:=) in substitution" },
		{ "${a=b}", "unsupported modifier (=) in substitution" },
		{ "${a:#b}", "unsupported modifier (:#) in substitution" },
		{ "${a#\\b}", "invalid pattern (\\b) in substitution: invalid escape '\\b'" },
	};
	const char *none[] = { NULL };
	char *m, *want;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		m = word_error(cases[i].in, none);
		want = xasprintf("failed to process '%s': %s", cases[i].in,
				 cases[i].msg);
		ck_assert_str_eq(m, want);
		free(want);
		free(m);
	}
}
END_TEST

/* shlex_words beyond wordsTest */
static const struct {
	const char *in;
	const char *env[4];
	const char *want;	/* words joined by '|'; NULL: must fail */
} words_cases[] = {
	{ "", { NULL }, "" },
	{ "   ", { NULL }, "" },
	{ "  a   b  ", { NULL }, "a|b" },
	{ "a\tb\nc", { NULL }, "a|b|c" },
	{ "a \"\" b", { NULL }, "a|b" },
	{ "\"\"", { NULL }, "" },
	{ "'a b' c", { NULL }, "a b|c" },
	{ "a\xc2\xa0" "b", { NULL }, "a|b" },
	{ "a\\\xc2\xa0" "b", { NULL }, "a\xc2\xa0" "b" },
	{ "x$NULL y", { "NULL=" }, "x|y" },
	{ "$NULL", { "NULL=" }, "" },
	{ "$SP", { "SP= a  b " }, "a|b" },
	{ "\"$SP\"", { "SP= a  b " }, " a  b " },
	{ "${X:-a b}c", { NULL }, "a|bc" },
	{ "hello${X:-a b}bye", { NULL }, "helloa|bbye" },
	{ "\"${X:-a b}\"", { NULL }, "a b" },
	{ "${X:+\"a b\"}", { "X=1" }, "a|b" },
	{ "a\\ b c", { NULL }, "a b|c" },
	{ "hello\"", { NULL }, NULL },
	{ "${X", { NULL }, NULL },
};

START_TEST(test_words)
{
	struct vars vs = VARS_INIT;
	struct shlex sh = { '\\', shlex_vars_lookup, &vs };
	struct strv words = STRV_INIT;
	struct buf got = BUF_INIT;
	struct err *e = NULL;
	size_t i;
	int r;

	strv_add(&words, "keep");
	env_load(&vs, words_cases[_i].env);
	r = shlex_words(&sh, words_cases[_i].in, &words, &e);
	ck_assert_str_eq(words.v[0], "keep");
	if (!words_cases[_i].want) {
		ck_assert_msg(r < 0, "'%s': want an error", words_cases[_i].in);
		ck_assert_ptr_nonnull(e);
		ck_assert_uint_eq(words.n, 1);
	} else {
		ck_assert_msg(r == 0, "'%s': %s", words_cases[_i].in,
			      e ? e->msg : "?");
		for (i = 1; i < words.n; i++)
			buf_printf(&got, "%s%s", i > 1 ? "|" : "", words.v[i]);
		ck_assert_str_eq(buf_str(&got), words_cases[_i].want);
	}
	buf_fini(&got);
	strv_fini(&words);
	err_free(e);
	vars_fini(&vs);
}
END_TEST

static bool
record_lookup(void *ctx, const char *name, const char **value)
{
	struct strv *seen = ctx;

	if (strv_find(seen, name) < 0)
		strv_add(seen, name);
	if (!strcmp(name, "FOO")) {
		*value = "xxx";
		return true;
	}
	if (!strcmp(name, "BAR")) {
		*value = "";
		return true;
	}
	return false;
}

/* the lookup hook sees every name a word uses, set or not */
START_TEST(test_lookup_records)
{
	struct strv seen = STRV_INIT;
	struct shlex sh = { '\\', record_lookup, &seen };
	struct err *e = NULL;
	char *out = NULL;

	ck_assert_int_eq(shlex_word(&sh, "${FOO-aaa} ${BAR-bbb} ${BAZ-ccc} $QUX 'no$NOPE'",
				    &out, &e), 0);
	ck_assert_str_eq(out, "xxx  ccc  no$NOPE");
	strv_sort(&seen);
	ck_assert_uint_eq(seen.n, 4);
	ck_assert_str_eq(seen.v[0], "BAR");
	ck_assert_str_eq(seen.v[1], "BAZ");
	ck_assert_str_eq(seen.v[2], "FOO");
	ck_assert_str_eq(seen.v[3], "QUX");
	free(out);
	strv_fini(&seen);
}
END_TEST

/* no lookup at all: everything is unset */
START_TEST(test_no_lookup)
{
	struct shlex sh = { '\\', NULL, NULL };
	struct err *e = NULL;
	char *out = NULL;

	ck_assert_int_eq(shlex_word(&sh, "a${X:-b}$Y", &out, &e), 0);
	ck_assert_str_eq(out, "ab");
	free(out);
	ck_assert_int_eq(shlex_word(&sh, "${X?}", &out, NULL), -1);
}
END_TEST

/* cap this test process's heap, so a word that grows without bound
 * fails the test (out of memory) rather than the machine */
static void
limit_heap(rlim_t bytes)
{
	struct rlimit rl = { bytes, bytes };

#ifdef __SANITIZE_ADDRESS__
	/* ASan's allocator maps far more than any cap up front (and
	 * watches the heap itself): tests/sanitize runs without it */
	(void)rl;
	return;
#endif
	ck_assert_int_eq(setrlimit(RLIMIT_DATA, &rl), 0);
}

/* "${A///${A///...${A///}...}}", depth levels: an empty pattern with "//"
 * puts the replacement before, between and after the letters of A */
static char *
nested_empty_pattern(int depth)
{
	struct buf b = BUF_INIT;

	for (int i = 0; i < depth; i++)
		buf_puts(&b, "${A///");
	for (int i = 0; i < depth; i++)
		buf_putc(&b, '}');
	return buf_steal(&b);
}

/* BuildKit's result for it with A=abcd (Go's ReplaceAllString with an
 * empty regexp): r becomes "RaRbRcRdR" for R the level inside */
static char *
nested_empty_pattern_want(int depth)
{
	char *r = xstrdup("");

	for (int i = 0; i < depth; i++) {
		char *next = xasprintf("%sa%sb%sc%sd%s", r, r, r, r, r);

		free(r);
		r = next;
	}
	return r;
}

START_TEST(test_nested_empty_pattern)
{
	struct vars vs = VARS_INIT;
	struct shlex sh = { '\\', shlex_vars_lookup, &vs };
	static const int big[] = { 10, 12, 30 };
	struct err *e = NULL;
	char *in, *out = NULL, *want;
	double t0;

	limit_heap(64 << 20);
	vars_set(&vs, "A", "abcd");
	/* 5^8 - 1 bytes: within the bound, BuildKit's result */
	in = nested_empty_pattern(8);
	want = nested_empty_pattern_want(8);
	ck_assert_int_eq(shlex_word(&sh, in, &out, &e), 0);
	ck_assert_uint_eq(strlen(out), 390624);
	ck_assert(strcmp(out, want) == 0);
	free(out);
	free(want);
	free(in);
	/* 5^10 - 1 bytes and more: an error, quickly and in little memory */
	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		in = nested_empty_pattern(big[i]);
		out = NULL;
		t0 = unit_cpu_seconds();
		ck_assert_int_lt(shlex_word(&sh, in, &out, &e), 0);
		ck_assert_msg(unit_cpu_seconds() - t0 < UNIT_CPU_BOUND, "depth %d: %.2f s of CPU",
			      big[i], unit_cpu_seconds() - t0);
		ck_assert_ptr_null(out);
		ck_assert_msg(strstr(e->msg, "': expansion of '${A///${A///") &&
			      strstr(e->msg, "...' exceeds 4194304 bytes"),
			      "depth %d: %s", big[i], e->msg);
		err_free(e);
		e = NULL;
		free(in);
	}
	vars_fini(&vs);
}
END_TEST

/* the bound counts what the expansions of one word produce, not its
 * literal text, and names the expansion that passes it */
START_TEST(test_expansion_bound)
{
	char *x = xmalloc(SHLEX_EXPANSION_MAX + 1), *full, *half, *want, *m;

	limit_heap(64 << 20);
	memset(x, 'x', SHLEX_EXPANSION_MAX);
	x[SHLEX_EXPANSION_MAX] = '\0';
	full = xasprintf("X=%s", x);
	want = xasprintf("lit:%s:lit", x);
	x[SHLEX_EXPANSION_MAX / 2] = '\0';
	half = xasprintf("X=%s", x);
	free(x);
	{
		const struct word_case ok = { "lit:$X:lit", { full }, want };
		const char *env[] = { full, "D=d", NULL };

		check_word_case('\\', &ok);
		m = word_error("$X${D}", env);
		ck_assert_str_eq(m, "failed to process '$X${D}': expansion of '${D}' exceeds 4194304 bytes");
		free(m);
		/* copies count again: the default holds the 4 MiB twice */
		m = word_error("${U:-$X}", env);
		ck_assert_str_eq(m, "failed to process '${U:-$X}': expansion of '${U:-$X}' exceeds 4194304 bytes");
		free(m);
	}
	{
		const char *env[] = { half, NULL };

		/* "//" with a replacement that multiplies the value */
		m = word_error("${X//x/xxx}", env);
		ck_assert_str_eq(m, "failed to process '${X//x/xxx}': expansion of '${X//x/xxx}' exceeds 4194304 bytes");
		free(m);
		free(word_error("${X/x/$X$X}", env));
	}
	free(want);
	free(half);
	free(full);
}
END_TEST

START_TEST(test_heredoc_text)
{
	static const struct {
		const char *in, *want;
	} t[] = {
		{ "plain $x\n", "plain $x\n" },
		{ "it's \"q\"", "it\\'s \\\"q\\\"" },
		{ "kept \\' \\\\", "kept \\' \\\\" },
		{ "end\\", "end\\" },
	};
	struct shlex lx = { '\\', NULL, NULL };

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *got = shlex_heredoc_text(t[i].in), *back = NULL;

		ck_assert_str_eq(got, t[i].want);
		/* ProcessWord of it gives the body back, quotes and all */
		if (!strchr(t[i].in, '$') && !strchr(t[i].in, '\\')) {
			ck_assert_int_eq(shlex_word(&lx, got, &back, NULL), 0);
			ck_assert_str_eq(back, t[i].in);
		}
		free(back);
		free(got);
	}
}
END_TEST

static Suite *
words_suite(void)
{
	Suite *s = suite_create("words");

	UNIT_TCASE(s, "envVarTest", test_envvartest);
	UNIT_TCASE(s, "wordsTest", test_wordstest);
	UNIT_TCASE_TABLE(s, "patterns", test_patterns, pattern_cases);
	UNIT_TCASE_TABLE(s, "modifiers", test_modifiers, modifier_cases);
	UNIT_TCASE_TABLE(s, "backtick", test_backtick, backtick_cases);
	UNIT_TCASE(s, "backslash_backtick", test_backslash_backtick);
	UNIT_TCASE(s, "required_message", test_required_message);
	UNIT_TCASE(s, "error_messages", test_error_messages);
	UNIT_TCASE_TABLE(s, "shlex_words", test_words, words_cases);
	UNIT_TCASE(s, "lookup_records", test_lookup_records);
	UNIT_TCASE(s, "no_lookup", test_no_lookup);
	UNIT_TCASE(s, "nested empty pattern", test_nested_empty_pattern);
	UNIT_TCASE(s, "expansion bound", test_expansion_bound);
	UNIT_TCASE(s, "shlex_heredoc_text", test_heredoc_text);
	return s;
}

int
main(void)
{
	return unit_run(words_suite());
}
