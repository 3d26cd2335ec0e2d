#!/bin/sh
# Independent stages build side by side under -j2, with ninja and with a
# make fragment, and both give the same image.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox
# the builds whose digests are compared must be reproducible: every
# time is SOURCE_DATE_EPOCH or earlier (t2023)
SOURCE_DATE_EPOCH=1700000000
export SOURCE_DATE_EPOCH

cat >Dockerfile <<DF
FROM $BUSYBOX AS left
RUN sleep 2 && echo left > /left

FROM $BUSYBOX AS right
RUN sleep 2 && echo right > /right

FROM $BUSYBOX
COPY --from=left /left /out/left
COPY --from=right /right /out/right
CMD ["cat", "/out/left", "/out/right"]
DF

digest() { image_digest "$1"; }

# --- ninja -j2 ----------------------------------------------------------------
check "generate" "$DF2NINJA" .
"$NINJA" -j2 >ninja.out 2>&1
st=$?
sed 's/^/#   /' ninja.out
# (two RUN steps that start together both write .df2ninja/etc/resolv.conf:
# each through a temporary of its own, src/util/fs.c replace)
check "ninja -j2 builds the image" test "$st" = 0
check "both sleeping steps ran" expect_ran ninja.out \
	"FROM [left 1/2]" "RUN [left 2/2]" "FROM [right 1/2]" "RUN [right 2/2]" \
	"FROM [stage-2 1/3]" "COPY [stage-2 2/3]" "COPY [stage-2 3/3]" "CONF [stage-2 config]"

# .ninja_log (in $builddir): start ms, end ms, restat mtime, output, hash
interval() { awk -F'\t' -v o="$1" '$4 == o { s = $1; e = $2 } END { if (s != "") print s, e }' .df2ninja/.ninja_log; }
l=$(interval .df2ninja/steps/left/02.id)
r=$(interval .df2ninja/steps/right/02.id)
echo "# left RUN: $l ms; right RUN: $r ms"
overlap() { # START1 END1 START2 END2
	[ $# = 4 ] && [ "$1" -lt "$4" ] && [ "$3" -lt "$2" ]
}
# shellcheck disable=SC2086
check "the two RUN sleep steps ran at the same time" overlap $l $r
# each COPY --from starts only when the step it copies from is done
c2=$(interval .df2ninja/steps/stage-2/02.id)
c3=$(interval .df2ninja/steps/stage-2/03.id)
echo "# COPY --from=left: $c2 ms; COPY --from=right: $c3 ms"
after() { [ $# = 4 ] && [ "$3" -ge "$2" ]; } # START1 END1 START2 END2: 2 after 1
# shellcheck disable=SC2086
check "COPY --from=left starts after the left RUN" after $l $c2
# shellcheck disable=SC2086
check "COPY --from=right starts after the right RUN" after $r $c3
ninja_image=$(digest .df2ninja/image)
check "an image" test -n "$ninja_image"

# --- make -j2, in its own build dir --------------------------------------------------
check "generate a make fragment" "$DF2NINJA" -G make -o image.mk -B .df2ninja-make .
make -j2 -f image.mk >make.out 2>&1
st=$?
sed 's/^/#   /' make.out
check "make -j2 builds the image" test "$st" = 0
check "make gives the image ninja gave" test "$(digest .df2ninja-make/image)" = "$ninja_image"
check "make again has nothing to do" sh -c 'make -j2 -f image.mk 2>&1 | grep -q -e "Nothing to be done" -e "is up to date"'

done_testing
