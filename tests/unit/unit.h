#ifndef DF2NINJA_UNIT_H
#define DF2NINJA_UNIT_H

/* helpers shared by the Check programs in tests/unit */

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* run every test of s, reporting TAP on stdout (for automake's
 * tap-driver.sh); return main's exit status: 0 when all passed */
static inline int
unit_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

/* add test function fn to a new TCase called name in s */
#define UNIT_TCASE(s, name, fn) \
	do { \
		TCase *tc_ = tcase_create(name); \
		tcase_add_test(tc_, fn); \
		suite_add_tcase(s, tc_); \
	} while (0)

/* add a loop test running fn once per element of the array table */
#define UNIT_TCASE_TABLE(s, name, fn, table) \
	do { \
		TCase *tc_ = tcase_create(name); \
		tcase_add_loop_test(tc_, fn, 0, \
				    (int)(sizeof(table) / sizeof((table)[0]))); \
		suite_add_tcase(s, tc_); \
	} while (0)

/* a bound of CPU seconds that tells a runaway (an exponential
 * backtracking, a blown-up expansion: tens of seconds) from the work
 * done; ASan's build runs several times slower */
#ifdef __SANITIZE_ADDRESS__
#define UNIT_CPU_BOUND 5.0
#else
#define UNIT_CPU_BOUND 1.0
#endif

/* CPU seconds this process has used: each test runs in its own forked
 * process, and CPU time does not count the load of other jobs, so a bound
 * on it catches a blow-up without failing on a busy machine */
static inline double
unit_cpu_seconds(void)
{
	struct timespec ts;

	ck_assert_int_eq(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts), 0);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* remove path and everything below it; the test fails when that fails */
static inline void
unit_rm_rf(const char *path)
{
	char cmd[PATH_MAX + 16];

	ck_assert_int_lt(snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path), (int)sizeof(cmd));
	ck_assert_int_eq(system(cmd), 0);
}

/*
 * a fresh directory /tmp/<name>.XXXXXX per test: defines tmpdir and the
 * fixture functions setup() and teardown() that make and remove it
 */
#define UNIT_TMPDIR_FIXTURE(name) \
	static char tmpdir[] = "/tmp/" name ".XXXXXX"; \
	static void \
	setup(void) \
	{ \
		strcpy(tmpdir, "/tmp/" name ".XXXXXX"); \
		ck_assert_ptr_nonnull(mkdtemp(tmpdir)); \
	} \
	static void \
	teardown(void) \
	{ \
		unit_rm_rf(tmpdir); \
	}

#endif
