#!/bin/sh
# --target makes a stage the default and prunes what it does not need; the
# stage and step aliases exist; unused stages get no edge.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"

cat >Dockerfile <<'DF'
FROM scratch AS a
COPY a /a
FROM scratch AS b
COPY b /b
RUN --network=none true
FROM a AS c
COPY --from=b /b /b
FROM scratch AS d
COPY d /d
DF
touch a b d

check "generate with --target c" "$DF2NINJA" --target c .
check "c needs a" assert_file_has build.ninja 'steps/a/01.id'
check "c needs b" assert_file_has build.ninja 'steps/b/03.id'
check "d is pruned" sh -c '! grep -q "steps/d/" build.ninja'
check "stage alias c" assert_file_has build.ninja '^build c: phony'
check "step alias b/2" assert_file_has build.ninja '^build b/2: phony'
# a and c FROM a, b: two chains, no second ninja (t2040)
check "default is all, all is image" sh -c \
	'grep -qx "default all" build.ninja && grep -qx "build all: phony image" build.ninja'
check "ninja -n image" "$NINJA" -n image
check "ninja -n b/2" "$NINJA" -n b/2
"$NINJA" -t query .df2ninja/out/image.id >query.txt 2>&1
check "export reads c's last step" assert_file_has query.txt 'steps/c/'

check "generate without --target" "$DF2NINJA" .
check "last stage d is built" assert_file_has build.ninja 'steps/d/01.id'
check "b is now pruned" sh -c '! grep -q "steps/b/" build.ninja'
check "--target is recorded for regeneration" sh -c '! grep -q "^--target" .df2ninja/gen.args'
check "generate with --target a" "$DF2NINJA" --target a .
check "gen.args records --target" assert_file_has .df2ninja/gen.args '^--target$'
check "unknown target is an error" expect_fail 1 "target.*'nope'" "$DF2NINJA" --target nope .
done_testing
