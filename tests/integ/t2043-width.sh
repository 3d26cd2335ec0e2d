#!/bin/sh
# Plain `ninja` on a graph wider than ninja's default -j runs ninja again
# on the same file at the graph's width (`df2ninja exec drive`); a -j the
# user gives wins, with -k and -v passed on; step targets, `ninja image`
# and `-t commands` go straight to the steps' edges; a failing step
# fails the build with its own message; killing the first ninja alone
# stops the second and its steps. A narrow graph keeps `all` = `image`.
# Nothing here is timed.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox

tok=$(printf %07d $$)	# fixed width: no other pid is a prefix of it
mkdir wide && cd wide || exit 99
cat >Dockerfile <<DF
FROM $BUSYBOX AS a
RUN echo a >/a
FROM $BUSYBOX AS b
RUN echo b >/b
FROM $BUSYBOX AS c
RUN echo c >/c
FROM $BUSYBOX
COPY --from=a /a /a
COPY --from=b /b /b
COPY --from=c /c /c
DF
check "generate" "$DF2NINJA" .
# four chains (a, b, c, the last stage): more than ninja's default -j on
# one core or two
check "the driving rule runs at the graph's width" \
	assert_file_has build.ninja '^  command = exec \$df2ninja exec drive --jobs 4 image$'
check "... in the console pool" assert_file_has build.ninja '^  pool = console$'
check "the default is all, all drives" sh -c \
	'grep -qx "build all: phony \$builddir/drive" build.ninja &&
	 grep -qx "default all" build.ninja'
check "image is still the export itself" \
	assert_file_has build.ninja '^build image: phony \$builddir/out/image.id$'

# a step target is built by its own edges, without the second ninja
check "ninja b/2" ninja_logged b/2
check "... runs b's steps only" expect_ran "$TMP/ninja.out" "FROM [b 1/2]" "RUN [b 2/2]"
check "... not through the driving edge" assert_file_lacks "$TMP/ninja.out" 'BUILD image'

check "plain ninja builds" ninja_logged
check "... through the driving edge" assert_file_has "$TMP/ninja.out" '^\[0/1\] BUILD image, up to 4 steps at once$'
check "... which runs every other step" expect_ran "$TMP/ninja.out" \
	"FROM [a 1/2]" "RUN [a 2/2]" "FROM [c 1/2]" "RUN [c 2/2]" \
	"FROM [stage-3 1/4]" "COPY [stage-3 2/4]" "COPY [stage-3 3/4]" "COPY [stage-3 4/4]"
check "... and exports" exported
check "ninja -v" ninja_logged -v
check "... shows the second ninja with -j4, the graph's width" \
	assert_file_has "$TMP/ninja.out" 'ninja -f build.ninja -j4 -v image$'

check "ninja -C . -j1 -k 0 -v" ninja_logged -C . -j1 -k 0 -v
check "... passes the user's -j and -k on, not -C" \
	assert_file_has "$TMP/ninja.out" 'ninja -f build.ninja -j1 -k 0 -v image$'
check "... and has nothing to do" assert_file_has "$TMP/ninja.out" 'no work to do'
check "ninja -f build.ninja -j 2 passes -f and -j on" sh -c \
	'"$1" -f build.ninja -j 2 -v 2>&1 | grep -q "ninja -f build.ninja -j2 -v image$"' sh "$NINJA"

"$NINJA" -t commands image >commands 2>&1
check "-t commands image lists the steps' own commands" sh -c \
	'grep -q " exec step --plan .df2ninja/plans/a/02.json " commands &&
	 grep -q " exec export --plan " commands && ! grep -q drive commands'
rm -rf .df2ninja/steps/c .df2ninja/out
check "those commands rebuild by hand" sh -c \
	'grep "plans/c/\|plans/stage-3/\|export" commands | sh >by-hand.out 2>&1'
check "... and the image is there" test -s .df2ninja/out/image.id
cd .. || exit 99

# a failing step: its message, its rerun line, a failed build
mkdir fail && cd fail || exit 99
cat >Dockerfile <<DF
FROM $BUSYBOX AS a
RUN echo a >/a
FROM $BUSYBOX AS b
RUN echo failing $tok; exit 3
FROM $BUSYBOX
COPY --from=a /a /a
COPY --from=b /b /b
DF
check "generate the failing graph" "$DF2NINJA" .
check "ninja fails" sh -c '! "$1" >ninja.out 2>&1' sh "$NINJA"
sed 's/^/#   /' ninja.out
check "... saying which step, and how to rerun it" sh -c \
	'grep -q "RUN  *\[b 2/2\]" ninja.out && grep -q "rerun this step alone: ninja b/2" ninja.out &&
	 grep -q "^FAILED: .df2ninja/steps/b/02.id" ninja.out'
cd .. || exit 99

# the first ninja killed alone: the second, and its step, go too
mkdir kill && cd kill || exit 99
nap="sleep 30 0.000$tok"
cat >Dockerfile <<DF
FROM $BUSYBOX AS a
RUN $nap; echo a >/a
FROM $BUSYBOX AS b
RUN echo b >/b
FROM $BUSYBOX
COPY --from=a /a /a
COPY --from=b /b /b
RUN echo last
DF
check "generate the sleeping graph" "$DF2NINJA" .
"$NINJA" >ninja.out 2>&1 &
outer=$!
check "the sleeping step starts" wait_for_process "$nap" 200
inner=$(pgrep -P "$outer")
check "the first ninja runs the second" sh -c \
	'tr "\\0" " " </proc/$1/cmdline | grep -q "ninja -f build.ninja -j3 image"' sh "$inner"
kill -KILL "$outer"
wait "$outer" 2>/dev/null
gone() { ! pgrep -f "$nap" >/dev/null && ! kill -0 "$inner" 2>/dev/null; }
i=0
while ! gone && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
check "the second ninja and its step stop when the first is killed" gone
sed 's/^/#   /' ninja.out
pkill -KILL -f "$nap" 2>/dev/null
cd .. || exit 99

# a narrow graph: one chain, as before
mkdir narrow && cd narrow || exit 99
cat >Dockerfile <<DF
FROM $BUSYBOX AS a
RUN echo a >/a
FROM a
RUN echo b >/b
DF
check "generate the narrow graph" "$DF2NINJA" .
check "no driving edge" assert_file_lacks build.ninja 'drive'
check "all is the image" sh -c \
	'grep -qx "build all: phony image" build.ninja && grep -qx "default all" build.ninja'
check "ninja builds it" ninja_logged
check "... with no driving edge" assert_file_lacks "$TMP/ninja.out" 'BUILD image'

done_testing
