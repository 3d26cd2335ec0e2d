#!/bin/sh
# samples/make-tree: an existing make tree includes the fragment written by
# `df2ninja -G make --prefix img`; make builds the program before any COPY
# that reads it, keeps its own default goal, and sees no clashing names.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"

cp -R "$SAMPLES/make-tree/." .
make -n DF2NINJA="$DF2NINJA" >make.out 2>make.err
check "make -n succeeds" test $? -eq 0
check "the fragment was written" test -f image.mk
check "no overriding recipe warnings" sh -c '! grep -q "overriding" make.err'
check "the fragment uses the prefix" assert_file_has image.mk '^img-image:'
# greet is made before the COPY that reads it
g=$(grep -n "sed 's/@VERSION@" make.out | head -n 1 | cut -d: -f1)
c=$(grep -n 'plans/stage-0/02.json' make.out | head -n 1 | cut -d: -f1)
check "greet is built before the COPY step" test -n "$g" -a -n "$c" -a "$g" -lt "$c"
make -n -p DF2NINJA="$DF2NINJA" 2>/dev/null | grep '^\.DEFAULT_GOAL' >goal.txt
check "the includer keeps its default goal" assert_file_has goal.txt '= all$'
check "make -n img-image" make -n DF2NINJA="$DF2NINJA" img-image
done_testing
