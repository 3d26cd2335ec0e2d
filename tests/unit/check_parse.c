#include <check.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "dockerfile/ast.h"
#include "dockerfile/parse.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/strv.h"
#include "unit.h"

#define PARSER_DIR CONFORMANCE_DIR "/buildkit-parser"

/* parse text (NUL-terminated) as "Dockerfile", failing the test on error */
static struct dockerfile *
parse_ok(const char *text)
{
	struct dockerfile *df = NULL;
	struct err *e = NULL;
	int r;

	r = dockerfile_parse("Dockerfile", text, strlen(text), &df, &e);
	ck_assert_msg(r == 0, "unexpected error: %s", e ? e->msg : "?");
	ck_assert_ptr_nonnull(df);
	return df;
}

/* parse text that must fail; returns the message, owned by the caller */
static char *
parse_fail(const char *text, size_t len)
{
	struct dockerfile *df = NULL;
	struct err *e = NULL;
	char *msg;
	int r;

	r = dockerfile_parse("Dockerfile", text, len, &df, &e);
	ck_assert_msg(r < 0, "'%s' parsed, want an error", text);
	ck_assert_ptr_null(df);
	ck_assert_ptr_nonnull(e);
	msg = xstrdup(e->msg);
	err_free(e);
	return msg;
}

static void
assert_fails_with(const char *text, const char *want)
{
	char *msg = parse_fail(text, strlen(text));

	ck_assert_msg(strcmp(msg, want) == 0, "got '%s', want '%s'", msg, want);
	free(msg);
}

/* the dump of text must be want */
static void
assert_dump(const char *text, const char *want)
{
	struct dockerfile *df = parse_ok(text);
	struct buf b = BUF_INIT;

	dockerfile_dump(df, &b);
	ck_assert_msg(strcmp(buf_str(&b), want) == 0, "dump of '%s':\ngot  %s\nwant %s",
		      text, buf_str(&b), want);
	buf_fini(&b);
	dockerfile_free(df);
}

static void
assert_args(const struct instr *in, const char *const *want, size_t n)
{
	ck_assert_uint_eq(in->args.n, n);
	for (size_t i = 0; i < n; i++)
		ck_assert_str_eq(in->args.v[i], want[i]);
}

/* --- conformance data --- */

static const char *const testfiles[] = {
	"ADD-COPY-with-JSON",
	"args",
	"brimstone-consuldock",
	"brimstone-docker-consul",
	"continue-at-eof",
	"continueIndent",
	"cpuguy83-nagios",
	"docker",
	"env",
	"escape",
	"escape-after-comment",
	"escape-nonewline",
	"escape-with-syntax",
	"escapes",
	"flags",
	"health",
	"influxdb",
	"jeztah-invalid-json-json-inside-string",
	"jeztah-invalid-json-json-inside-string-double",
	"jeztah-invalid-json-single-quotes",
	"jeztah-invalid-json-unterminated-bracket",
	"jeztah-invalid-json-unterminated-string",
	"json",
	"kartar-entrypoint-oddities",
	"lk4d4-the-edge-case-generator",
	"mail",
	"multiple-volumes",
	"mumble",
	"nginx",
	"tf2",
	"trailing-backslash",
	"weechat",
	"znc",
};

START_TEST(test_testfiles)
{
	const char *name = testfiles[_i];
	char *path = xasprintf("%s/testfiles/%s/Dockerfile", PARSER_DIR, name);
	char *rpath = xasprintf("%s/testfiles/%s/result", PARSER_DIR, name);
	struct dockerfile *df = NULL;
	struct err *e = NULL;
	struct buf b = BUF_INIT;
	char *want = NULL;
	size_t wlen;

	ck_assert_msg(dockerfile_load(path, NULL, &df, &e) == 0, "%s: %s", name,
		      e ? e->msg : "?");
	ck_assert_msg(fs_read_file(rpath, &want, &wlen, &e) == 0, "%s", e ? e->msg : "?");
	dockerfile_dump(df, &b);
	ck_assert_msg(b.len == wlen && memcmp(b.s, want, wlen) == 0,
		      "%s: dump differs:\n%s\nwant:\n%s", name, buf_str(&b), want);
	buf_fini(&b);
	free(want);
	free(path);
	free(rpath);
	dockerfile_free(df);
}
END_TEST

/* every case on disk is in the table above */
START_TEST(test_testfiles_complete)
{
	DIR *d = opendir(PARSER_DIR "/testfiles");
	struct dirent *de;
	size_t n = 0, i;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		for (i = 0; i < sizeof(testfiles) / sizeof(*testfiles); i++)
			if (strcmp(testfiles[i], de->d_name) == 0)
				break;
		ck_assert_msg(i < sizeof(testfiles) / sizeof(*testfiles),
			      "case '%s' not tested", de->d_name);
		n++;
	}
	closedir(d);
	ck_assert_uint_eq(n, sizeof(testfiles) / sizeof(*testfiles));
}
END_TEST

static const struct {
	const char *dir;
	const char *msg;
} negatives[] = {
	{ "empty_dockerfile", "Dockerfile:1: error: file with no instructions" },
	{ "only_comments", "Dockerfile:3: error: file with no instructions" },
	{ "env_no_value", "Dockerfile:3:1: error: ENV must have two arguments" },
	{ "shykes-nested-json", "Dockerfile:1:1: error: when using JSON array "
	  "syntax, arrays must be comprised of strings only" },
};

START_TEST(test_negative)
{
	char *path = xasprintf("%s/testfiles-negative/%s/Dockerfile", PARSER_DIR,
			       negatives[_i].dir);
	struct dockerfile *df = NULL;
	struct err *e = NULL;

	ck_assert_int_lt(dockerfile_load(path, "Dockerfile", &df, &e), 0);
	ck_assert_ptr_null(df);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->msg, negatives[_i].msg);
	err_free(e);
	free(path);
}
END_TEST

START_TEST(test_line_numbers)
{
	static const int want[][2] = { { 5, 5 }, { 11, 12 }, { 17, 31 } };
	static const char warn[] = "Dockerfile:31: empty continuation line "
		"found in: RUN apt-get update";
	struct dockerfile *df = NULL;
	struct err *e = NULL;

	ck_assert_int_eq(dockerfile_load(PARSER_DIR "/testfile-line/Dockerfile",
					 "Dockerfile", &df, &e), 0);
	ck_assert_uint_eq(df->ninstrs, 3);
	for (size_t i = 0; i < 3; i++) {
		ck_assert_int_eq(df->instrs[i].line, want[i][0]);
		ck_assert_int_eq(df->instrs[i].end_line, want[i][1]);
		ck_assert_int_eq(df->instrs[i].col, 1);
	}
	ck_assert_int_eq(df->instrs[0].kind, INSTR_FROM);
	ck_assert_int_eq(df->instrs[1].kind, INSTR_ENV);
	ck_assert_int_eq(df->instrs[2].kind, INSTR_RUN);
	/* the blank lines inside the RUN's continuation were reported */
	ck_assert_uint_eq(df->warnings.n, 1);
	ck_assert_msg(strncmp(df->warnings.v[0], warn, strlen(warn)) == 0,
		      "%s", df->warnings.v[0]);
	dockerfile_free(df);
}
END_TEST

/* --- heredocs (BuildKit's parser_heredoc_test.go) --- */

static const char heredoc_file[] =
	"\n"
	"FROM alpine:3.6\n"
	"\n"
	"ENV NAME=me\n"
	"\n"
	"RUN ls\n"
	"\n"
	"USER <<INVALID\n"
	"INVALID\n"
	"\n"
	"RUN <<EMPTY\n"
	"EMPTY\n"
	"\n"
	"RUN 3<<EMPTY2\n"
	"EMPTY2\n"
	"\n"
	"RUN \"<<NOHEREDOC\"\n"
	"\n"
	"RUN <<INDENT\n"
	"\tfoo\n"
	"\tbar\n"
	"INDENT\n"
	"\n"
	"RUN <<-UNINDENT\n"
	"\tbaz\n"
	"\tquux\n"
	"UNINDENT\n"
	"\n"
	"RUN <<-UNINDENT2\n"
	"\tbaz\n"
	"\tquux\n"
	"\tUNINDENT2\n"
	"\n"
	"RUN <<-EXPAND\n"
	"\texpand $NAME\n"
	"EXPAND\n"
	"\n"
	"RUN <<-'NOEXPAND'\n"
	"\tdon't expand $NAME\n"
	"NOEXPAND\n"
	"\n"
	"RUN <<COPY\n"
	"echo hello world\n"
	"echo foo bar\n"
	"COPY\n"
	"\n"
	"RUN <<COMMENT\n"
	"# internal comment\n"
	"echo hello world\n"
	"echo foo bar # trailing comment\n"
	"COMMENT\n"
	"\n"
	"RUN --mount=type=cache,target=/foo <<MOUNT\n"
	"echo hello\n"
	"MOUNT\n"
	"\n"
	"COPY <<FILE1 <<FILE2 /dest\n"
	"content 1\n"
	"FILE1\n"
	"content 2\n"
	"FILE2\n"
	"\n"
	"COPY <<X <<Y /dest\n"
	"Y\n"
	"X\n"
	"X\n"
	"Y\n"
	"\t";

struct doc_want {
	const char *name, *content;
	bool expand, chomp;
};

static const struct {
	const char *keyword;
	struct doc_want docs[2];
} heredoc_want[] = {
	{ "env", { { NULL } } },
	{ "run", { { NULL } } },
	{ "user", { { NULL } } },
	{ "invalid", { { NULL } } },
	{ "run", { { "EMPTY", "", true, false } } },
	{ "run", { { "EMPTY2", "", true, false } } },
	{ "run", { { NULL } } },
	{ "run", { { "INDENT", "\tfoo\n\tbar\n", true, false } } },
	/* unlike BuildKit's AST, <<- bodies come with their tabs removed */
	{ "run", { { "UNINDENT", "baz\nquux\n", true, true } } },
	{ "run", { { "UNINDENT2", "baz\nquux\n", true, true } } },
	{ "run", { { "EXPAND", "expand $NAME\n", true, true } } },
	{ "run", { { "NOEXPAND", "don't expand $NAME\n", false, true } } },
	{ "run", { { "COPY", "echo hello world\necho foo bar\n", true, false } } },
	{ "run", { { "COMMENT", "# internal comment\necho hello world\n"
		     "echo foo bar # trailing comment\n", true, false } } },
	{ "run", { { "MOUNT", "echo hello\n", true, false } } },
	{ "copy", { { "FILE1", "content 1\n", true, false },
		    { "FILE2", "content 2\n", true, false } } },
	{ "copy", { { "X", "Y\n", true, false }, { "Y", "X\n", true, false } } },
};

START_TEST(test_heredoc_extract)
{
	struct dockerfile *df = parse_ok(heredoc_file);
	size_t i, j, n;

	ck_assert_uint_eq(df->ninstrs, 1 + sizeof(heredoc_want) / sizeof(*heredoc_want));
	for (i = 0; i < sizeof(heredoc_want) / sizeof(*heredoc_want); i++) {
		const struct instr *in = &df->instrs[i + 1];

		ck_assert_str_eq(in->keyword, heredoc_want[i].keyword);
		for (n = 0; n < 2 && heredoc_want[i].docs[n].name; n++)
			;
		ck_assert_msg(in->nheredocs == n, "instruction %zu ('%s'): %zu heredocs, want %zu",
			      i + 1, in->original, in->nheredocs, n);
		for (j = 0; j < n; j++) {
			const struct doc_want *w = &heredoc_want[i].docs[j];

			ck_assert_str_eq(in->heredocs[j].name, w->name);
			ck_assert_str_eq(in->heredocs[j].content, w->content);
			ck_assert_int_eq(in->heredocs[j].expand, w->expand);
			ck_assert_int_eq(in->heredocs[j].chomp, w->chomp);
		}
	}
	/* the heredoc word stays in the arguments */
	ck_assert_str_eq(df->instrs[5].original, "RUN <<EMPTY");
	ck_assert_str_eq(df->instrs[5].args.v[0], "<<EMPTY");
	ck_assert_str_eq(df->instrs[16].args.v[0], "<<FILE1");
	ck_assert_str_eq(df->instrs[16].args.v[2], "/dest");
	ck_assert_str_eq(df->instrs[15].flags.v[0], "--mount=type=cache,target=/foo");
	dockerfile_free(df);
}
END_TEST

START_TEST(test_heredoc_json)
{
	struct dockerfile *df = parse_ok("FROM alpine:3.6\n\nRUN [\"whoami\"]\n"
					 "RUN [\"<<EOF\"]\nRUN [\"<<'EOF'\"]\n\t");

	ck_assert_uint_eq(df->ninstrs, 4);
	for (size_t i = 1; i < 4; i++) {
		ck_assert_uint_eq(df->instrs[i].nheredocs, 0);
		ck_assert(df->instrs[i].is_json);
	}
	ck_assert_str_eq(df->instrs[2].args.v[0], "<<EOF");
	dockerfile_free(df);
}
END_TEST

static const struct {
	const char *line;
	const char *names[2];
} heredoc_lines[] = {
	{ "RUN <<EOF\nEOF\n", { "EOF" } },
	{ "RUN <<-EOF\nEOF\n", { "EOF" } },
	{ "RUN <<'EOF'\nEOF\n", { "EOF" } },
	{ "RUN <<\"EOF\"\nEOF\n", { "EOF" } },
	{ "RUN <<-'EOF'\nEOF\n", { "EOF" } },
	{ "RUN <<-\"EOF\"\nEOF\n", { "EOF" } },
	{ "RUN 4<<EOF\nEOF\n", { "EOF" } },
	{ "RUN <<EOF <<EOF2\nEOF\nEOF2\n", { "EOF", "EOF2" } },
	{ "RUN '<<EOF'\n", { NULL } },
	{ "RUN \"<<EOF\"\n", { NULL } },
	{ "RUN <<\n", { NULL } },
	{ "RUN <<-\n", { NULL } },
	{ "RUN <EOF\n", { NULL } },
	{ "RUN <<<EOF\n", { NULL } },
	{ "RUN echo <<'EOF\n", { NULL } },
	{ "RUN cat <<E\"O\"F\nEOF\n", { "EOF" } },
	{ "RUN cat <<\"E O F\"\nE O F\n", { "E O F" } },
	{ "COPY <<EOF /x\nEOF\n", { "EOF" } },
	{ "ADD <<EOF /x\nEOF\n", { "EOF" } },
	{ "CMD <<EOF\n", { NULL } },
};

START_TEST(test_heredoc_lines)
{
	struct dockerfile *df = parse_ok(heredoc_lines[_i].line);
	const struct instr *in = &df->instrs[0];
	size_t n;

	for (n = 0; n < 2 && heredoc_lines[_i].names[n]; n++)
		;
	ck_assert_msg(in->nheredocs == n, "'%s': %zu heredocs, want %zu",
		      heredoc_lines[_i].line, in->nheredocs, n);
	for (size_t j = 0; j < n; j++)
		ck_assert_str_eq(in->heredocs[j].name, heredoc_lines[_i].names[j]);
	ck_assert_uint_eq(df->ninstrs, 1);
	dockerfile_free(df);
}
END_TEST

START_TEST(test_heredoc_body)
{
	struct dockerfile *df = parse_ok(
		"FROM busybox\n"
		"RUN <<EOF python3 \\\n"
		"  -u\n"
		"print('a') \\\n"
		"# not a comment\n"
		"\n"
		"  EOF\n"
		"EOF\n"
		"ONBUILD RUN <<X\n"
		"x\n"
		"X\n"
		"RUN <<'A' <<-\"B\"\n"
		"$a\n"
		"A\n"
		"\t\t$b\n"
		"\tB\n"
		"COPY x /\n");
	const struct instr *in = &df->instrs[1];

	ck_assert_uint_eq(df->ninstrs, 5);
	/* BuildKit keeps the heredoc word in the instruction text */
	ck_assert_str_eq(in->args.v[0], "<<EOF python3   -u");
	ck_assert_uint_eq(in->nheredocs, 1);
	ck_assert_str_eq(in->heredocs[0].content, "print('a') \\\n# not a comment\n\n  EOF\n");
	ck_assert_int_eq(in->line, 2);
	ck_assert_int_eq(in->end_line, 8);
	/* as in BuildKit, ONBUILD's heredocs hang on the ONBUILD itself */
	in = &df->instrs[2];
	ck_assert_int_eq(in->kind, INSTR_ONBUILD);
	ck_assert_uint_eq(in->nheredocs, 1);
	ck_assert_str_eq(in->heredocs[0].content, "x\n");
	ck_assert_int_eq(in->sub->kind, INSTR_RUN);
	ck_assert_int_eq(in->line, 9);
	ck_assert_int_eq(in->end_line, 11);
	in = &df->instrs[3];
	ck_assert_uint_eq(in->nheredocs, 2);
	ck_assert_str_eq(in->heredocs[0].name, "A");
	ck_assert_str_eq(in->heredocs[0].content, "$a\n");
	ck_assert(!in->heredocs[0].expand);
	ck_assert_str_eq(in->heredocs[1].name, "B");
	ck_assert_str_eq(in->heredocs[1].content, "$b\n");
	ck_assert(!in->heredocs[1].expand);
	ck_assert(in->heredocs[1].chomp);
	ck_assert_int_eq(in->end_line, 16);
	ck_assert_int_eq(df->instrs[4].line, 17);
	dockerfile_free(df);
}
END_TEST

START_TEST(test_heredoc_unterminated)
{
	assert_fails_with("FROM busybox\nRUN <<EOF\necho hi\nEO\n",
			  "Dockerfile:2:1: error: unterminated heredoc 'EOF'");
	assert_fails_with("FROM busybox\n  COPY <<A <<B /\nA\n",
			  "Dockerfile:2:3: error: unterminated heredoc 'B'");
	/* <<EOF does not strip tabs from the delimiter line */
	assert_fails_with("RUN <<EOF\n\tEOF\n",
			  "Dockerfile:1:1: error: unterminated heredoc 'EOF'");
}
END_TEST

/* --- directives --- */

START_TEST(test_directive_escape)
{
	struct dockerfile *df = parse_ok("# escape=`\n\nFROM `\n  image\nRUN dir c:\\\n");

	ck_assert_int_eq(df->escape, '`');
	ck_assert_uint_eq(df->ninstrs, 2);
	ck_assert_str_eq(df->instrs[0].args.v[0], "image");
	ck_assert_str_eq(df->instrs[1].args.v[0], "dir c:\\");
	dockerfile_free(df);

	df = parse_ok("#ESCAPE = \\ \nFROM x\n");
	ck_assert_int_eq(df->escape, '\\');
	dockerfile_free(df);
}
END_TEST

START_TEST(test_directive_errors)
{
	assert_fails_with("# escape=`\n# escape=\\\nFROM x\n",
			  "Dockerfile:2:1: error: only one escape parser directive can be used");
	assert_fails_with("# syntax=a\n#syntax=b\nFROM x\n",
			  "Dockerfile:2:1: error: only one syntax parser directive can be used");
	assert_fails_with("# escape=x\nFROM x\n",
			  "Dockerfile:1:1: error: invalid escape token 'x' does not "
			  "match ` or \\");
	assert_fails_with("  # escape= \nFROM x\n",
			  "Dockerfile:1:3: error: invalid escape token ' ' does not "
			  "match ` or \\");
}
END_TEST

START_TEST(test_directive_ignored)
{
	/* after a plain comment, a blank line, an unknown key or an
	 * instruction, directive-looking lines are comments */
	static const char *const texts[] = {
		"# hello\n# escape=`\nFROM a \\\n b\n",
		"\n# escape=`\nFROM a \\\n b\n",
		"# foo=bar\n# escape=`\nFROM a \\\n b\n",
		"FROM a \\\n b\n# escape=`\n",
	};

	for (size_t i = 0; i < sizeof(texts) / sizeof(*texts); i++) {
		struct dockerfile *df = parse_ok(texts[i]);

		ck_assert_int_eq(df->escape, '\\');
		ck_assert_uint_eq(df->ninstrs, 1);
		ck_assert_str_eq(df->instrs[0].args.v[0], "a");
		ck_assert_str_eq(df->instrs[0].args.v[1], "b");
		dockerfile_free(df);
	}
	/* a repeated directive after the run ended is no error */
	dockerfile_free(parse_ok("# escape=`\n# hi\n# escape=`\nFROM a\n"));
}
END_TEST

START_TEST(test_directive_values)
{
	struct dockerfile *df = parse_ok("\xef\xbb\xbf# syntax = docker/dockerfile:1.7  \n"
					 "# check=skip=all;error=true\n"
					 "#escape=`\n"
					 "FROM a\n");

	ck_assert_str_eq(df->syntax, "docker/dockerfile:1.7");
	ck_assert_str_eq(df->check, "skip=all;error=true");
	ck_assert_int_eq(df->escape, '`');
	ck_assert_int_eq(df->instrs[0].line, 4);
	dockerfile_free(df);

	df = parse_ok("FROM a\n");
	ck_assert_ptr_null(df->syntax);
	ck_assert_ptr_null(df->check);
	ck_assert_int_eq(df->escape, '\\');
	dockerfile_free(df);
}
END_TEST

START_TEST(test_bom)
{
	struct dockerfile *df = parse_ok("\xef\xbb\xbf" "FROM a\nRUN b\n");

	ck_assert_str_eq(df->instrs[0].keyword, "from");
	ck_assert_int_eq(df->instrs[0].col, 1);
	ck_assert_str_eq(df->instrs[0].original, "FROM a");
	dockerfile_free(df);
	/* only the first line loses a BOM */
	assert_dump("FROM a\n\xef\xbb\xbfRUN b\n", "(from \"a\")\n(\xef\xbb\xbfrun \"\")\n");
}
END_TEST

/* --- flags, arguments, forms --- */

START_TEST(test_flags)
{
	struct dockerfile *df = parse_ok(
		"COPY --from=build --chown=\"a b\" --x='c\\\"d' src dst\n"
		"RUN --mount=type=cache,target=/x --network=none echo --not-a-flag\n"
		"COPY -- --weird /x\n"
		"ADD --checksum=sha256:00 -x /y\n");
	static const char *const f0[] = { "--from=build", "--chown=a b", "--x=c\"d" };
	static const char *const a0[] = { "src", "dst" };
	static const char *const a1[] = { "echo --not-a-flag" };
	static const char *const a2[] = { "--weird", "/x" };
	static const char *const a3[] = { "-x", "/y" };
	const struct instr *in = &df->instrs[0];

	ck_assert_uint_eq(in->flags.n, 3);
	for (size_t i = 0; i < 3; i++)
		ck_assert_str_eq(in->flags.v[i], f0[i]);
	assert_args(in, a0, 2);
	ck_assert_uint_eq(df->instrs[1].flags.n, 2);
	ck_assert_str_eq(df->instrs[1].flags.v[1], "--network=none");
	assert_args(&df->instrs[1], a1, 1);
	ck_assert_uint_eq(df->instrs[2].flags.n, 0);
	assert_args(&df->instrs[2], a2, 2);
	ck_assert_uint_eq(df->instrs[3].flags.n, 1);
	assert_args(&df->instrs[3], a3, 2);
	dockerfile_free(df);
	/* flags are extracted byte by byte, as BuildKit does */
	assert_dump("COPY --a=\xc3\xa9 x\n", "(copy [\"--a=\xc3\x83\xc2\xa9\"] \"x\")\n");
}
END_TEST

START_TEST(test_forms)
{
	assert_dump("RUN [\"a\"] b c\n", "(run \"a\")\n");
	assert_dump("CMD [\"a\\u0000b\"]\n", "(cmd \"a\\x00b\")\n");
	assert_dump("CMD [\"\\ud800x\", \"\\ud83d\\ude00\"]\n",
		    "(cmd \"\xef\xbf\xbdx\" \"\xf0\x9f\x98\x80\")\n");
	assert_dump("CMD [\"a\xff\"]\n", "(cmd \"a\xef\xbf\xbd\")\n");
	assert_dump("CMD [\"a\", 1e999]\n", "(cmd \"[\\\"a\\\", 1e999]\")\n");
	assert_dump("SHELL [\"sh\", \"-c\"]\nVOLUME [\"/a\", \"/b\"]\n",
		    "(shell \"sh\" \"-c\")\n(volume \"/a\" \"/b\")\n");
	assert_dump("ENTRYPOINT [ \"x\" ,\"y\" ]  \n", "(entrypoint \"x\" \"y\")\n");
	assert_dump("RUN\n", "(run)\n");
	assert_dump("COPY\n", "(copy)\n");
	assert_dump("FROM a  AS\tb\n", "(from \"a\" \"AS\" \"b\")\n");
	assert_dump("ARG a='b c' d=\"e\\\" f\" g\n",
		    "(arg \"a='b c'\" \"d=\\\"e\\\\\\\" f\\\"\" \"g\")\n");
	assert_dump("ENV a=\"b c\" d=e\\ f\n",
		    "(env \"a\" \"\\\"b c\\\"\" \"=\" \"d\" \"e\\\\ f\" \"=\")\n");
	assert_dump("LABEL a b c\n", "(label \"a\" \"b c\" \"\")\n");
	assert_dump("ENV\n", "(env)\n");
	assert_dump("STOPSIGNAL SIGKILL\nWORKDIR /a b\nMAINTAINER me <m@e>\n",
		    "(stopsignal \"SIGKILL\")\n(workdir \"/a b\")\n"
		    "(maintainer \"me <m@e>\")\n");
	assert_dump("HEALTHCHECK NONE\n", "(healthcheck \"NONE\")\n");
}
END_TEST

START_TEST(test_json_nul)
{
	struct dockerfile *df = parse_ok("CMD [\"a\\u0000b\", \"c\"]\nRUN x\n");

	ck_assert(df->instrs[0].is_json);
	ck_assert_ptr_nonnull(df->instrs[0].arglens);
	ck_assert_uint_eq(df->instrs[0].arglens[0], 3);
	ck_assert_uint_eq(df->instrs[0].arglens[1], 1);
	ck_assert_ptr_null(df->instrs[1].arglens);
	ck_assert(!df->instrs[1].is_json);
	dockerfile_free(df);
}
END_TEST

START_TEST(test_arg_errors)
{
	assert_fails_with("FROM a\nENV a=b c\n",
			  "Dockerfile:2:1: error: Syntax error - can't find = in \"c\". "
			  "Must be of the form: name=value");
	assert_fails_with("LABEL x\n", "Dockerfile:1:1: error: LABEL must have two arguments");
	assert_fails_with("FROM a\n  RUN [\"a\", {}]\n",
			  "Dockerfile:2:3: error: when using JSON array syntax, arrays "
			  "must be comprised of strings only");
	assert_fails_with("VOLUME [null]\n",
			  "Dockerfile:1:1: error: when using JSON array syntax, arrays "
			  "must be comprised of strings only");
	assert_fails_with("HEALTHCHECK CMD [1]\n",
			  "Dockerfile:1:1: error: when using JSON array syntax, arrays "
			  "must be comprised of strings only");
	assert_fails_with("ONBUILD ENV x\n",
			  "Dockerfile:1:1: error: ENV must have two arguments");
}
END_TEST

START_TEST(test_quote)
{
	assert_dump("RUN a\xff\x01\x7f\t\"\\b\n",
		    "(run \"a\\xff\\x01\\x7f\\t\\\"\\\\b\")\n");
	assert_dump("RUN \xe2\x99\xa5 \xc2\xa0 \xe2\x80\x8b \xee\x80\x80 \xf0\x9f\x98\x80\n",
		    "(run \"\xe2\x99\xa5 \\u00a0 \\u200b \\ue000 \xf0\x9f\x98\x80\")\n");
	assert_dump("RUN \xf3\xa0\x80\x81 \xed\xa0\x80 \xc3\n",
		    "(run \"\\U000e0001 \\xed\\xa0\\x80 \\xc3\")\n");
}
END_TEST

/* --- lines, continuations, positions --- */

START_TEST(test_continuation_eof)
{
	assert_dump("FROM a\nRUN foo \\", "(from \"a\")\n(run \"foo\")\n");
	assert_dump("FROM a\nRUN foo \\\n", "(from \"a\")\n(run \"foo\")\n");
	assert_dump("FROM a\nRUN foo \\\n# c\n\n", "(from \"a\")\n(run \"foo\")\n");
	/* a lone escape continues too */
	assert_dump("RUN a\\\n\\\nb\n", "(run \"ab\")\n");
	/* CRLF line ends */
	assert_dump("FROM a\r\nRUN b \\\r\n c\r\n", "(from \"a\")\n(run \"b  c\")\n");
}
END_TEST

START_TEST(test_warnings)
{
	struct dockerfile *df = parse_ok("FROM a\nRUN b \\\n\n  \\\n c\nRUN d\n");

	ck_assert_uint_eq(df->warnings.n, 1);
	ck_assert_str_eq(df->warnings.v[0],
			 "Dockerfile:5: empty continuation line found in: RUN b    c");
	ck_assert_int_eq(df->instrs[1].line, 2);
	ck_assert_int_eq(df->instrs[1].end_line, 5);
	ck_assert_int_eq(df->instrs[2].line, 6);
	dockerfile_free(df);
}
END_TEST

START_TEST(test_positions)
{
	struct dockerfile *df = parse_ok("# c\n\n  FROM a\n\tRUN b \\\n  c\n"
					 "ONBUILD  RUN x\nONBUILD \\\nRUN y\n");

	ck_assert_uint_eq(df->ninstrs, 4);
	ck_assert_int_eq(df->instrs[0].line, 3);
	ck_assert_int_eq(df->instrs[0].col, 3);
	ck_assert_str_eq(df->instrs[0].original, "FROM a");
	ck_assert_int_eq(df->instrs[1].line, 4);
	ck_assert_int_eq(df->instrs[1].end_line, 5);
	ck_assert_int_eq(df->instrs[1].col, 2);
	ck_assert_str_eq(df->instrs[1].original, "RUN b   c");
	ck_assert_int_eq(df->instrs[2].sub->line, 6);
	ck_assert_int_eq(df->instrs[2].sub->col, 10);
	ck_assert_str_eq(df->instrs[2].sub->original, "RUN x");
	ck_assert_int_eq(df->instrs[3].line, 7);
	ck_assert_int_eq(df->instrs[3].end_line, 8);
	ck_assert_int_eq(df->instrs[3].sub->col, 1);
	dockerfile_free(df);
}
END_TEST

START_TEST(test_line_length)
{
	size_t n = 65535;
	char *text = xmalloc(n + 16);
	char *msg;

	memcpy(text, "RUN ", 4);
	memset(text + 4, 'x', n - 4);
	text[n] = '\n';
	text[n + 1] = '\0';
	dockerfile_free(parse_ok(text));
	text[n] = 'x';
	text[n + 1] = '\n';
	text[n + 2] = '\0';
	msg = parse_fail(text, n + 2);
	ck_assert_str_eq(msg, "Dockerfile:1: error: dockerfile line greater than max "
			 "allowed size of 65535");
	free(msg);
	free(text);
}
END_TEST

START_TEST(test_nul_in_text)
{
	static const char text[] = "RUN a\0b\nCMD c\n";
	struct dockerfile *df = NULL;
	struct err *e = NULL;
	struct buf b = BUF_INIT;

	ck_assert_int_eq(dockerfile_parse("Dockerfile", text, sizeof(text) - 1, &df, &e), 0);
	dockerfile_dump(df, &b);
	ck_assert_str_eq(buf_str(&b), "(run \"a\\x00b\")\n(cmd \"c\")\n");
	buf_fini(&b);
	dockerfile_free(df);
}
END_TEST

/* --- keywords, ONBUILD, unknown --- */

START_TEST(test_onbuild)
{
	struct dockerfile *df = parse_ok("ONBUILD RUN [\"a\"]\nONBUILD\n"
					 "ONBUILD --x ONBUILD COPY --from=b . /\n");
	const struct instr *in = &df->instrs[0];

	ck_assert_int_eq(in->kind, INSTR_ONBUILD);
	ck_assert_uint_eq(in->args.n, 0);
	ck_assert_ptr_nonnull(in->sub);
	ck_assert_int_eq(in->sub->kind, INSTR_RUN);
	ck_assert(in->sub->is_json);
	ck_assert_str_eq(in->sub->args.v[0], "a");
	ck_assert_ptr_null(df->instrs[1].sub);
	in = &df->instrs[2];
	ck_assert_str_eq(in->flags.v[0], "--x");
	ck_assert_int_eq(in->sub->kind, INSTR_ONBUILD);
	ck_assert_int_eq(in->sub->sub->kind, INSTR_COPY);
	ck_assert_str_eq(in->sub->sub->flags.v[0], "--from=b");
	dockerfile_free(df);
	assert_dump("ONBUILD --x ONBUILD COPY --from=b . /\nonbuild\n",
		    "(onbuild [\"--x\"] (onbuild (copy [\"--from=b\"] \".\" \"/\")))\n"
		    "(onbuild)\n");
}
END_TEST

START_TEST(test_unknown)
{
	struct dockerfile *df = parse_ok("FROM a\nRUNN echo hi\nFrOm b\n");

	ck_assert_int_eq(df->instrs[1].kind, INSTR_UNKNOWN);
	ck_assert_str_eq(df->instrs[1].keyword, "runn");
	ck_assert_uint_eq(df->instrs[1].args.n, 1);
	ck_assert_str_eq(df->instrs[1].args.v[0], "");
	ck_assert_str_eq(df->instrs[1].original, "RUNN echo hi");
	ck_assert_int_eq(df->instrs[2].kind, INSTR_FROM);
	ck_assert_str_eq(df->instrs[2].keyword, "from");
	dockerfile_free(df);
	assert_dump("\xc3\x89TAPE x\n", "(\xc3\xa9tape \"\")\n");
	assert_dump("\\\n", "(\"\")\n");
}
END_TEST

START_TEST(test_instr_names)
{
	ck_assert_str_eq(instr_name(INSTR_RUN), "RUN");
	ck_assert_str_eq(instr_name(INSTR_HEALTHCHECK), "HEALTHCHECK");
	ck_assert_str_eq(instr_name(INSTR_UNKNOWN), "");
	ck_assert_int_eq(instr_kind_of("Run"), INSTR_RUN);
	ck_assert_int_eq(instr_kind_of("stopsignal"), INSTR_STOPSIGNAL);
	ck_assert_int_eq(instr_kind_of("runn"), INSTR_UNKNOWN);
	ck_assert_int_eq(instr_kind_of(""), INSTR_UNKNOWN);
	for (int k = INSTR_ADD; k <= INSTR_WORKDIR; k++)
		ck_assert_int_eq(instr_kind_of(instr_name((enum instr_kind)k)), k);
}
END_TEST

START_TEST(test_load_missing)
{
	struct dockerfile *df = NULL;
	struct err *e = NULL;

	ck_assert_int_lt(dockerfile_load("/nonexistent/Dockerfile", NULL, &df, &e), 0);
	ck_assert_ptr_null(df);
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_nonnull(strstr(e->msg, "/nonexistent/Dockerfile"));
	err_free(e);
	dockerfile_free(NULL);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("parse");

	UNIT_TCASE_TABLE(s, "testfiles", test_testfiles, testfiles);
	UNIT_TCASE(s, "testfiles_complete", test_testfiles_complete);
	UNIT_TCASE_TABLE(s, "negative", test_negative, negatives);
	UNIT_TCASE(s, "line_numbers", test_line_numbers);
	UNIT_TCASE(s, "heredoc_extract", test_heredoc_extract);
	UNIT_TCASE(s, "heredoc_json", test_heredoc_json);
	UNIT_TCASE_TABLE(s, "heredoc_lines", test_heredoc_lines, heredoc_lines);
	UNIT_TCASE(s, "heredoc_body", test_heredoc_body);
	UNIT_TCASE(s, "heredoc_unterminated", test_heredoc_unterminated);
	UNIT_TCASE(s, "directive_escape", test_directive_escape);
	UNIT_TCASE(s, "directive_errors", test_directive_errors);
	UNIT_TCASE(s, "directive_ignored", test_directive_ignored);
	UNIT_TCASE(s, "directive_values", test_directive_values);
	UNIT_TCASE(s, "bom", test_bom);
	UNIT_TCASE(s, "flags", test_flags);
	UNIT_TCASE(s, "forms", test_forms);
	UNIT_TCASE(s, "json_nul", test_json_nul);
	UNIT_TCASE(s, "arg_errors", test_arg_errors);
	UNIT_TCASE(s, "quote", test_quote);
	UNIT_TCASE(s, "continuation_eof", test_continuation_eof);
	UNIT_TCASE(s, "warnings", test_warnings);
	UNIT_TCASE(s, "positions", test_positions);
	UNIT_TCASE(s, "line_length", test_line_length);
	UNIT_TCASE(s, "nul_in_text", test_nul_in_text);
	UNIT_TCASE(s, "onbuild", test_onbuild);
	UNIT_TCASE(s, "unknown", test_unknown);
	UNIT_TCASE(s, "instr_names", test_instr_names);
	UNIT_TCASE(s, "load_missing", test_load_missing);
	return unit_run(s);
}
