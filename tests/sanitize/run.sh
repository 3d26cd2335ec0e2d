#!/bin/sh
# tests/sanitize/run.sh TREE [JOBS]: build df2ninja with AddressSanitizer
# and UndefinedBehaviorSanitizer in TREE, a clean copy of the sources that
# `make check-sanitize` makes (`make distdir`), and run the whole suite
# with it. Undefined behaviour stops the process that has it (no
# recovery), so the test that ran it fails; afterwards every test log is
# searched for a sanitizer's report as well. A sanitizer's exit status is
# 86, which no `expect_fail 1` takes for the failure it expects. The probe
# and sockping (static programs run inside steps) and df2ninja-run (built
# with RUN_CC, apart) are built without sanitizers.
set -u
work=$1
jobs=${2:-$(nproc)}
flags="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined"

cd "$work" || exit 2
if [ ! -f Makefile ]; then
	./configure -q CFLAGS="$flags" LDFLAGS="-fsanitize=address,undefined" ||
		{ echo "sanitize: configure failed" >&2; exit 2; }
fi
make -j"$jobs" >make.out 2>&1 || { tail -n 30 make.out >&2; echo "sanitize: the build failed" >&2; exit 2; }
make -j"$jobs" tests/probe/probe tests/probe/sockping CFLAGS="-O2 -g" LDFLAGS="" >>make.out 2>&1 ||
	{ tail -n 30 make.out >&2; echo "sanitize: the probe's build failed" >&2; exit 2; }

# leaks are not errors here: a command that fails exits holding memory
ASAN_OPTIONS=detect_leaks=0:abort_on_error=0:exitcode=86
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=86
export ASAN_OPTIONS UBSAN_OPTIONS
rm -f test-suite.log
make -j"$jobs" check >check.out 2>&1
status=$?
grep -E '^# (TOTAL|PASS|FAIL|ERROR):' test-suite.log 2>/dev/null
reports=$(grep -rlaE 'runtime error: |ERROR: AddressSanitizer' --include='*.log' tests 2>/dev/null)
if [ -n "$reports" ]; then
	echo "sanitize: reports in:" $reports >&2
	for f in $reports; do
		grep -aE -A12 'runtime error: |ERROR: AddressSanitizer' "$f" | head -n 40 >&2
	done
	exit 1
fi
if [ "$status" -ne 0 ]; then
	grep -E '^(FAIL|ERROR):' check.out >&2 || tail -n 30 check.out >&2
	echo "sanitize: the suite failed" >&2
	exit 1
fi
echo "sanitize: the suite passed under ASan and UBSan, with no report"
