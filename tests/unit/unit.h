#ifndef DF2NINJA_UNIT_H
#define DF2NINJA_UNIT_H

/* helpers shared by the Check programs in tests/unit */

#include <check.h>
#include <stdlib.h>

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

#endif
