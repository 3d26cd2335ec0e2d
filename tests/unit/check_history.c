#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "exec/history.h"
#include "util/buf.h"
#include "util/strv.h"
#include "unit.h"

/* Go's time.Duration String(), which BuildKit's HEALTHCHECK entry uses */
static const struct {
	long long ns;
	const char *want;
} durations[] = {
	{ 0, "0s" },
	{ 1, "1ns" },
	{ 999, "999ns" },
	{ 1500, "1.5\xc2\xb5s" },
	{ 2000000, "2ms" },
	{ 1500000000LL, "1.5s" },
	{ 30000000000LL, "30s" },
	{ 90000000000LL, "1m30s" },
	{ 3600000000000LL, "1h0m0s" },
	{ 3723000000001LL, "1h2m3.000000001s" },
	{ -5000000000LL, "-5s" },
};

START_TEST(test_duration)
{
	struct buf b = BUF_INIT;

	history_duration(&b, durations[_i].ns);
	ck_assert_str_eq(buf_str(&b), durations[_i].want);
	buf_fini(&b);
}
END_TEST

START_TEST(test_lists)
{
	static const char *const v[] = { "/bin/sh", "-c", "echo \"hi\"\tthere" };
	struct buf b = BUF_INIT;

	history_list(&b, v, 3);
	ck_assert_str_eq(buf_str(&b), "[/bin/sh -c echo \"hi\"\tthere]");
	buf_reset(&b);
	history_quoted(&b, v, 3);
	ck_assert_str_eq(buf_str(&b), "[\"/bin/sh\" \"-c\" \"echo \\\"hi\\\"\\tthere\"]");
	buf_reset(&b);
	history_quoted(&b, NULL, 0);
	ck_assert_str_eq(buf_str(&b), "[]");
	buf_fini(&b);
}
END_TEST

START_TEST(test_copy)
{
	static const char *const docs[] = { "EOT" };
	struct strv srcs = STRV_INIT;
	char *h;

	strv_add(&srcs, "a.txt");
	strv_add(&srcs, "https://example.com/b");
	h = history_copy(false, true, "1:2", "644", &srcs, docs, 1, "/dst/");
	ck_assert_str_eq(h, "COPY --parents --chown=1:2 --chmod=644 a.txt "
			 "https://example.com/b <<EOT /dst/ # buildkit");
	free(h);
	h = history_copy(true, false, NULL, "", &srcs, NULL, 0, "/d");
	ck_assert_str_eq(h, "ADD a.txt https://example.com/b /d # buildkit");
	free(h);
	strv_fini(&srcs);
}
END_TEST

static Suite *
history_suite(void)
{
	Suite *s = suite_create("history");

	UNIT_TCASE_TABLE(s, "duration", test_duration, durations);
	UNIT_TCASE(s, "lists", test_lists);
	UNIT_TCASE(s, "copy", test_copy);
	return s;
}

int
main(void)
{
	return unit_run(history_suite());
}
