#!/bin/sh
# The regeneration edge: ninja reruns df2ninja when the Dockerfile or the
# options change; a comment edit rewrites no plan and no build.ninja.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"

cat >Dockerfile <<'DF'
FROM scratch AS a
# a comment
COPY a /a
RUN --network=none true
DF
touch a
check "generate" "$DF2NINJA" --build-arg X=1 .
check "gen.args records the build arg" assert_file_has .df2ninja/gen.args '^X=1$'
check "plans written" test -f .df2ninja/plans/a/02.json
check "where.tsv names lines" assert_file_has .df2ninja/plans/where.tsv 'a/02.Dockerfile:3'
check "ninja -n shows nothing to regenerate" sh -c '! "$NINJA" -n -d explain 2>&1 | grep -q REGEN'

touch -d '2000-01-01' .df2ninja/plans/a/02.json .df2ninja/plans/a/03.json build.ninja
sed -i 's/a comment/an edited comment/' Dockerfile
check "regenerate with the options file" "$DF2NINJA" --args-file .df2ninja/gen.args
check "comment edit leaves plan 02 untouched" sh -c 'test "$(stat -c %Y .df2ninja/plans/a/02.json)" = 946684800'
check "comment edit leaves plan 03 untouched" sh -c 'test "$(stat -c %Y .df2ninja/plans/a/03.json)" = 946684800'

printf 'FROM scratch AS a\n# a comment\n\n\nCOPY a /a\nRUN --network=none true\n' >Dockerfile
touch -d '2000-01-01' .df2ninja/plans/a/02.json
check "regenerate after lines moved" "$DF2NINJA" --args-file .df2ninja/gen.args
check "moved lines leave plan 02 untouched" sh -c 'test "$(stat -c %Y .df2ninja/plans/a/02.json)" = 946684800'
check "where.tsv follows the move" assert_file_has .df2ninja/plans/where.tsv 'a/02.Dockerfile:5'

sed -i 's/RUN --network=none true/RUN --network=none echo changed/' Dockerfile
check "regenerate after a RUN edit" "$DF2NINJA" --args-file .df2ninja/gen.args
check "the RUN plan changed" assert_file_has .df2ninja/plans/a/03.json 'echo changed'

# ninja itself regenerates: the regen edge runs df2ninja and reloads
touch -d '2000-01-01' build.ninja
printf 'FROM scratch AS a\nCOPY a /b\n' >Dockerfile
"$NINJA" build.ninja >ninja.out 2>&1
check "ninja regenerates on a Dockerfile edit" assert_file_has ninja.out 'REGEN'
check "the new build.ninja has the new step" assert_file_has build.ninja 'COPY a /b'
check "the generator edge is marked" sh -c 'grep -A4 "^rule regen" build.ninja | grep -q "generator = 1"'
done_testing
