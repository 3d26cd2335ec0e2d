#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "exec/logtail.h"
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

static Suite *
logtail_suite(void)
{
	Suite *s = suite_create("logtail");

	UNIT_TCASE_TABLE(s, "tail", test_tail, cases);
	UNIT_TCASE(s, "long", test_long);
	return s;
}

int
main(void)
{
	return unit_run(logtail_suite());
}
