#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "exec/logtail.h"
#include "exec/stepstat.h"
#include "util/buf.h"
#include "util/notify.h"
#include "unit.h"

/* what logtail_write(log holding in, path, n) writes */
static char *
tail_of(const char *in, const char *path, size_t n)
{
	int log = memfd_create("log", MFD_CLOEXEC), out = memfd_create("out", MFD_CLOEXEC);
	off_t len;
	char *s;

	ck_assert_int_ge(log, 0);
	ck_assert_int_ge(out, 0);
	ck_assert_int_eq(write(log, in, strlen(in)), (ssize_t)strlen(in));
	ck_assert_int_eq(logtail_write(log, path, n, out), 0);
	len = lseek(out, 0, SEEK_END);
	s = calloc(1, (size_t)len + 1);
	ck_assert_int_eq(pread(out, s, (size_t)len, 0), (ssize_t)len);
	close(log);
	close(out);
	return s;
}

static const struct {
	const char *in;
	size_t n;
	const char *path;
	const char *want;
} cases[] = {
	{ "", 10, "L", "" },
	{ "a\nb\n", 10, "L", "a\nb\n" },
	{ "a\nb\nc\n", 3, "L", "a\nb\nc\n" },
	{ "a\nb\nc\nd\n", 3, "L", "... 1 earlier line, the whole log: L\nb\nc\nd\n" },
	{ "1\n2\n3\n4\n5\n", 2, "L", "... 3 earlier lines, the whole log: L\n4\n5\n" },
	{ "1\n2\n3\n4\n5\n", 2, NULL, "... 3 earlier lines\n4\n5\n" },
	/* a last line without a newline counts and gets one */
	{ "1\n2\n3", 2, "L", "... 1 earlier line, the whole log: L\n2\n3\n" },
	{ "only", 1, "L", "only\n" },
	/* empty lines are lines */
	{ "x\n\n\n", 2, "L", "... 1 earlier line, the whole log: L\n\n\n" },
	{ "a\nb\n", 0, "L", "" },
};

START_TEST(test_tail)
{
	char *got = tail_of(cases[_i].in, cases[_i].path, cases[_i].n);

	ck_assert_str_eq(got, cases[_i].want);
	free(got);
}
END_TEST

/* a log longer than the read buffer: the tail starts across a boundary */
START_TEST(test_long)
{
	size_t i, n = 20000;
	char *in = calloc(n, 8), *p = in, *got;

	for (i = 1; i <= n; i++)
		p += sprintf(p, "%zu\n", i);
	got = tail_of(in, "L", 3);
	ck_assert_str_eq(got, "... 19997 earlier lines, the whole log: L\n19998\n19999\n20000\n");
	free(got);
	free(in);
}
END_TEST

static void
drop(enum notify_kind kind, const char *line, void *ctx)
{
	(void)kind;
	(void)line;
	(void)ctx;
}

/* a FROM's or COPY's status line: the last notify() line, else the
 * files copied; nothing tapped once it is freed */
START_TEST(test_stepstat)
{
	struct stepstat *ss = stepstat_new();
	struct copy_count *n = stepstat_count(ss);
	struct buf b = BUF_INIT;

	stepstat_text(ss, &b);
	ck_assert_str_eq(buf_str(&b), "");
	n->files = 1;
	n->bytes = 100;
	stepstat_text(ss, &b);
	ck_assert_str_eq(buf_str(&b), "1 file, 100 B copied");
	buf_reset(&b);
	n->files = 12;
	n->bytes = 3 << 20;
	stepstat_text(ss, &b);
	ck_assert_str_eq(buf_str(&b), "12 files, 3.0 MiB copied");
	buf_reset(&b);
	/* once started, a notify() line wins (a pull's progress) */
	notify_set(drop, NULL);
	notify(NOTIFY_INFO, "before start");
	stepstat_text(ss, &b);
	ck_assert_str_eq(buf_str(&b), "12 files, 3.0 MiB copied");
	buf_reset(&b);
	stepstat_start(ss, "[s 1/2] FROM x");
	notify(NOTIFY_INFO, "x: layer 1/2 sha256:0123: 1.0 MiB of 2.0 MiB, 1.0 MiB/s");
	stepstat_text(ss, &b);
	ck_assert_str_eq(buf_str(&b), "x: layer 1/2 sha256:0123: 1.0 MiB of 2.0 MiB, 1.0 MiB/s");
	buf_reset(&b);
	notify(NOTIFY_INFO, "x: layer 2/2 sha256:4567: 0 B of 2.0 MiB, 0 B/s");
	stepstat_text(ss, &b);
	ck_assert_str_eq(buf_str(&b), "x: layer 2/2 sha256:4567: 0 B of 2.0 MiB, 0 B/s");
	buf_reset(&b);
	stepstat_free(ss);
	/* freed: no longer tapped */
	ss = stepstat_new();
	notify(NOTIFY_INFO, "after");
	stepstat_text(ss, &b);
	ck_assert_str_eq(buf_str(&b), "");
	notify_set(NULL, NULL);
	ck_assert_ptr_null(stepstat_count(NULL));
	stepstat_free(ss);
	stepstat_free(NULL);
	buf_fini(&b);
}
END_TEST

static Suite *
logtail_suite(void)
{
	Suite *s = suite_create("logtail");

	UNIT_TCASE_TABLE(s, "tail", test_tail, cases);
	UNIT_TCASE(s, "long", test_long);
	UNIT_TCASE(s, "stepstat", test_stepstat);
	return s;
}

int
main(void)
{
	return unit_run(logtail_suite());
}
