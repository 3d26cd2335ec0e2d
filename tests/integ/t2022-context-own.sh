#!/bin/sh
# What df2ninja writes inside the context (the build dir, the build file,
# the outputs' dests) is never part of it, as BuildKit's context holds
# nothing of BuildKit's: `COPY . /app` run beside the Dockerfile, the
# README's way, builds, again and again, whatever .dockerignore says.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox

mkdir ctx && cd ctx || exit 99
echo a >a.txt
mkdir sub && echo b >sub/b.txt
cat >Dockerfile <<DF
FROM $BUSYBOX
COPY . /app
RUN ls -A /app | sort >/listing
DF

# the image leaves as a tarball inside the context too
check "generate beside the Dockerfile" "$DF2NINJA" \
	--output "type=local,dest=out" --output "type=docker,dest=listing-out.tar" .
check "the first build builds" ninja_logged
# on the first build the tarball was not there yet
printf '%s\n' Dockerfile a.txt sub >"$TMP/want.first"
check "/app holds the context alone, no build dir, build file or output" \
	test_cmp "$TMP/want.first" out/listing
check "... and its files" sh -c 'test "$(cat out/app/sub/b.txt)" = b'

# a second run, with the outputs now in the context, from a fresh regeneration
echo a2 >a.txt
check "regenerate" "$DF2NINJA" \
	--output "type=local,dest=out" --output "type=docker,dest=listing-out.tar" .
check "the next build builds" ninja_logged
printf '%s\n' Dockerfile a.txt sub >"$TMP/want"
check "still no build dir, build file or output in /app" test_cmp "$TMP/want" out/listing
check "the change is in" sh -c 'test "$(cat out/app/a.txt)" = a2'
check "nothing left to do" sh -c '"$NINJA" | grep -q "no work to do"'

# .dockerignore cannot bring them back
printf '%s\n' '*' '!*' '!.df2ninja' '!build.ninja' >.dockerignore
printf '%s\n' .dockerignore Dockerfile a.txt sub >"$TMP/want"
check "an ignore file that re-includes everything" ninja_logged
check "... brings back none of df2ninja's own" test_cmp "$TMP/want" out/listing
rm .dockerignore

# named outright, they are not found
cat >Dockerfile <<DF
FROM $BUSYBOX
COPY build.ninja /x
DF
check "regenerate" "$DF2NINJA" --output "type=local,dest=out" .
check "COPY build.ninja fails as a file not in the context" \
	expect_fail 1 "file not found in build context: 'build.ninja'" \
	sh -c '"$NINJA" >&2'
cat >Dockerfile <<DF
FROM $BUSYBOX
COPY .df2ninja/gen.args /x
DF
check "regenerate" "$DF2NINJA" .
check "COPY .df2ninja/... fails likewise" \
	expect_fail 1 "file not found in build context: '.df2ninja/gen.args'" \
	sh -c '"$NINJA" >&2'
cat >Dockerfile <<DF
FROM $BUSYBOX
COPY *.ninja /x/
DF
check "regenerate" "$DF2NINJA" --output type=local,dest=out .
check "a wildcard that matches only build.ninja" ninja_logged
check "... copies nothing" sh -c '! test -e out/x/build.ninja'

# a build dir elsewhere: the build file alone is df2ninja's in the context
cd "$TMP" && mkdir ctx2 && cd ctx2 || exit 99
echo c >c.txt
cat >Dockerfile <<DF
FROM $BUSYBOX
COPY . /app
RUN ls -A /app | sort >/listing
DF
check "generate with -B outside the context" "$DF2NINJA" -B "$TMP/bd2" \
	--output "type=local,dest=$TMP/out2" .
check "build" ninja_logged
printf '%s\n' Dockerfile c.txt >"$TMP/want"
check "no build.ninja in /app" test_cmp "$TMP/want" "$TMP/out2/listing"

# a build dir that holds the context is refused at generation
check "-B . is refused" expect_fail 1 "holds the context" "$DF2NINJA" -B . .
check "-B .. is refused" expect_fail 1 "holds the context" "$DF2NINJA" -B .. .

done_testing
