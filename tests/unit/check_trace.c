#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "trace/critpath.h"
#include "trace/ninjalog.h"
#include "trace/timeline.h"
#include "trace/tracejson.h"
#include "trace/tracesvg.h"
#include "util/alloc.h"
#include "unit.h"

START_TEST(test_placeholder)
{
	ck_assert_int_eq(1, 1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("trace");

	UNIT_TCASE(s, "placeholder", test_placeholder);
	return unit_run(s);
}
