#!/bin/sh
# Incremental builds: after each kind of change, exactly the steps that
# must rerun do (ninja prints them), and no others.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox
# the builds whose digests are compared must be reproducible: every
# time is SOURCE_DATE_EPOCH or earlier (t2023)
SOURCE_DATE_EPOCH=1700000000
export SOURCE_DATE_EPOCH

cat >Dockerfile <<DF
# an unrelated stage
FROM $BUSYBOX AS other
RUN echo other > /other

FROM $BUSYBOX AS base
RUN echo a > /f
COPY a.txt /a.txt
RUN cat /a.txt > /b.txt
COPY dir/ /dir/
RUN ls /dir > /dirlist

FROM base AS final
COPY --from=other /other /other
RUN cat /b.txt /other > /c.txt
DF
echo A >a.txt
mkdir dir
echo 1 >dir/one

digest() { image_digest .df2ninja/image; }

check "generate" "$DF2NINJA" .

# --- a step target builds only up to that step -------------------------------
check "ninja base/3" ninja_logged base/3
check "base/3: exactly FROM, RUN and COPY of base ran" expect_ran "$TMP/ninja.out" \
	"FROM [base 1/6]" "RUN [base 2/6]" "COPY [base 3/6]"
check "base/3: no export" sh -c '! grep -q EXPORT "$1"' sh "$TMP/ninja.out"

check "ninja builds the rest" ninja_logged
check "the rest: what base/3 left, and the other stages" expect_ran "$TMP/ninja.out" \
	"FROM [other 1/2]" "RUN [other 2/2]" \
	"RUN [base 4/6]" "COPY [base 5/6]" "RUN [base 6/6]" \
	"FROM [final 1/3]" "COPY [final 2/3]" "RUN [final 3/3]"
check "the rest: exported" exported

# --- (a) nothing changed ---------------------------------------------------------
check "(a) nothing changed: ninja" ninja_logged
check "(a) nothing changed: no work to do" assert_file_has "$TMP/ninja.out" 'no work to do'

# --- (b) a context file edited ------------------------------------------------------
echo B >a.txt
check "(b) a.txt edited: ninja" ninja_logged
check "(b) the COPY of a.txt and what follows in base and final ran" expect_ran "$TMP/ninja.out" \
	"COPY [base 3/6]" "RUN [base 4/6]" "COPY [base 5/6]" "RUN [base 6/6]" \
	"FROM [final 1/3]" "COPY [final 2/3]" "RUN [final 3/3]"
check "(b) exported" exported
check "(b) then nothing to do" sh -c '"$1" | grep -q "no work to do"' sh "$NINJA"

# --- (c) touched but unchanged; a comment edited ---------------------------------------
touch a.txt
check "(c) a.txt touched: ninja" ninja_logged
check "(c) only the COPY of a.txt ran (restat cut-off)" expect_ran "$TMP/ninja.out" "COPY [base 3/6]"
check "(c) no export" sh -c '! grep -q EXPORT "$1"' sh "$TMP/ninja.out"
check "(c) then nothing to do" sh -c '"$1" | grep -q "no work to do"' sh "$NINJA"

touch -d '2000-01-01' .df2ninja/plans/*/*.json .df2ninja/plans/export.json
sed -i 's/^# an unrelated stage/# a stage nothing else needs/' Dockerfile
check "(c) a comment edited: ninja" ninja_logged
check "(c) a comment edited: no step ran" expect_ran "$TMP/ninja.out"
check "(c) a comment edited: no export" sh -c '! grep -q EXPORT "$1"' sh "$TMP/ninja.out"
check "(c) a comment edited: no plan rewritten" \
	sh -c 'test -z "$(find .df2ninja/plans -name "*.json" -newermt 2000-01-02)"'
check "(c) then nothing to do" sh -c '"$1" | grep -q "no work to do"' sh "$NINJA"

# --- (d) a file added to (removed from) a copied directory ------------------------------
"$NINJA" -t deps .df2ninja/steps/base/05.id >deps.txt 2>&1
check "(d) the depfile of COPY dir/ names the directory" assert_file_has deps.txt '^ *dir/*$'
check "(d) and the file in it" assert_file_has deps.txt '^ *dir/one$'
echo 2 >dir/two
check "(d) a file added to dir: ninja" ninja_logged
check "(d) the COPY of dir and what follows ran" expect_ran "$TMP/ninja.out" \
	"COPY [base 5/6]" "RUN [base 6/6]" \
	"FROM [final 1/3]" "COPY [final 2/3]" "RUN [final 3/3]"
rm dir/two
check "(d) a file removed from dir: ninja" ninja_logged
check "(d) the COPY of dir and what follows ran again" expect_ran "$TMP/ninja.out" \
	"COPY [base 5/6]" "RUN [base 6/6]" \
	"FROM [final 1/3]" "COPY [final 2/3]" "RUN [final 3/3]"

# --- (e) a RUN line edited ----------------------------------------------------------------
sed -i 's|^RUN cat /a.txt > /b.txt|RUN cat /a.txt /a.txt > /b.txt|' Dockerfile
check "(e) a RUN edited: ninja" ninja_logged
check "(e) that RUN and the steps after it ran, not those before" expect_ran "$TMP/ninja.out" \
	"RUN [base 4/6]" "COPY [base 5/6]" "RUN [base 6/6]" \
	"FROM [final 1/3]" "COPY [final 2/3]" "RUN [final 3/3]"

# --- (f) a failing step, then fixed --------------------------------------------------------
sed -i 's|^RUN ls /dir > /dirlist|RUN ls /dir > /dirlist \&\& exit 3|' Dockerfile
ninja_logged
check "(f) a failing step: ninja fails" test $? != 0
check "(f) only the failing step ran" expect_ran "$TMP/ninja.out" "RUN [base 6/6]"
check "(f) it names the failure" assert_file_has "$TMP/ninja.out" 'base 6/6.*failed'
sed -i 's|^RUN ls /dir > /dirlist && exit 3|RUN ls /dir > /dirlist \&\& echo fixed > /fixed|' Dockerfile
check "(f) fixed: ninja" ninja_logged
check "(f) fixed: only it and what follows ran" expect_ran "$TMP/ninja.out" \
	"RUN [base 6/6]" "FROM [final 1/3]" "COPY [final 2/3]" "RUN [final 3/3]"
check "(f) fixed: exported" exported

# --- (g) a step reruns with a byte-identical result: early cutoff ---------------------------
before=$(digest)
sed -i 's|^RUN echo a > /f|RUN echo a  > /f|' Dockerfile
check "(g) a RUN reworded: ninja" ninja_logged
check "(g) only that RUN ran; the steps after it were cut off" expect_ran "$TMP/ninja.out" "RUN [base 2/6]"
check "(g) the image is exported again" exported
jq -r '.history[].created_by' ".df2ninja/image/blobs/sha256/$(jq -r '.config.digest' \
	".df2ninja/image/blobs/sha256/$(digest | sed 's/sha256://')" | sed 's/sha256://')" >history.txt
check "(g) with the new wording in its history" assert_file_has history.txt 'echo a  > /f'
check "(g) and the old one gone" sh -c '! grep -q "echo a > /f" history.txt'
check "(g) a new image digest" test "$(digest)" != "$before"
# the image is exactly the one a clean build of the new Dockerfile makes
"$DF2NINJA" -o clean.ninja -B clean >/dev/null 2>&1 && "$NINJA" -f clean.ninja >clean.out 2>&1
check "(g) a clean build" test $? = 0
check "(g) gives the same image" test "$(image_digest clean/image)" = "$(digest)"
check "(g) then nothing to do" sh -c '"$1" | grep -q "no work to do"' sh "$NINJA"

# --- (h) a step appended to a stage ---------------------------------------------------------
sed -i 's|^RUN ls /dir > /dirlist && echo fixed > /fixed|&\nRUN echo more > /more|' Dockerfile
check "(h) a RUN appended to base: ninja" ninja_logged
# plans hold no step count (M of [stage N/M] is in plans/where.tsv), so
# appending a step rewrites no other plan
check "(h) only the new step and the stage built on base ran" expect_ran "$TMP/ninja.out" \
	"RUN [base 7/7]" "FROM [final 1/3]" "COPY [final 2/3]" "RUN [final 3/3]"

# --- (i) a build dir of an older df2ninja: every step reruns ----------------------------------
# what the executor keeps per step changes with PLAN_VERSION (src/graph/plan.h):
# an upgraded df2ninja regenerates (build.ninja depends on it) and its plans
# differ, so nothing of the old form is read again
sed -i 's/"version": [0-9]*/"version": 1/' .df2ninja/plans/*.json .df2ninja/plans/*/*.json
# and what version 1 kept: layers/<stage>/<NN>/<diff id>/, <NN>.run/
mkdir -p .df2ninja/layers/base/02/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef .df2ninja/layers/base/02.run/work
"$NINJA" >old.out 2>&1
check "(i) a plan of another version is refused" test $? != 0
check "(i) ... saying what to do" assert_file_has old.out 'is not a version [0-9]* plan; rerun df2ninja'
check "(i) df2ninja writes the plans again" "$DF2NINJA" .
check "(i) ninja" ninja_logged
"$DF2NINJA" -o fresh.ninja -B fresh >/dev/null 2>&1 && "$NINJA" -f fresh.ninja >fresh.out 2>&1
check "(i) a clean build" test $? = 0
ran_steps fresh.out | sort >fresh.ran
ran_steps "$TMP/ninja.out" | sort >again.ran
check "(i) the clean build ran its steps" test "$(wc -l <fresh.ran)" -ge 8
check "(i) every step reran, as in a clean build" test_cmp fresh.ran again.ran
check "(i) the layer dirs of version 1 are gone" test ! -e .df2ninja/layers/base/02 -a ! -e .df2ninja/layers/base/02.run
check "(i) the same image as the clean build" test "$(image_digest fresh/image)" = "$(digest)"

# --- what the steps left in layers/ -------------------------------------------------------
# each step keeps one layer dir, "<NN>.<sum>", however often it reran
find .df2ninja/layers -mindepth 2 -maxdepth 2 | sed -n 's|^\(.*/[0-9]*\)\.[0-9a-f]\{64\}$|\1|p' | sort >kept.txt
check "layer dirs are kept" test -s kept.txt
check "the COPY of a.txt, rerun after every edit, keeps one" test "$(grep -c '/base/03$' kept.txt)" = 1
check "no step keeps two" test -z "$(uniq -d kept.txt)"
check "no upper dir is left" test -z "$(find .df2ninja/layers -name '*.upper')"
jq -r '.layers[] | select(.dir or .in) | .sum' "$(ls .df2ninja/state/final/*.json | tail -n 1)" >sums.txt
check "the image has step layers" test -s sums.txt
check "the export's memo has a line for each" sh -c \
	'while read -r s; do grep -q "^$s " .df2ninja/out/packed-layers || exit 1; done <sums.txt'
check "... and none for a layer dir that is gone" sh -c \
	'cut -d" " -f6- .df2ninja/out/packed-layers | while read -r d; do test -d "$d" || exit 1; done'

done_testing
