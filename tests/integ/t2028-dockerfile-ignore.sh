#!/bin/sh
# <Dockerfile>.dockerignore: as BuildKit's dockerui, the ignore file named
# after the Dockerfile, beside it, is read instead of the context's
# .dockerignore when it exists; creating, editing or removing it
# regenerates and recopies.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox

mkdir -p ctx/build && cd ctx || exit 99
echo a >a.txt
echo b >b.txt
echo c >c.txt
printf 'a.txt\n' >.dockerignore
printf 'FROM %s\nCOPY . /x\n' "$BUSYBOX" >build/app.Dockerfile

"$DF2NINJA" -f build/app.Dockerfile --output "type=local,dest=$TMP/out" . >/dev/null 2>&1
check "generate" test $? = 0
ninja_logged >/dev/null
check "build" test $_st = 0
check "without build/app.Dockerfile.dockerignore: .dockerignore rules" test ! -e "$TMP/out/x/a.txt"
check "... the rest is copied" file_is "$TMP/out/x/b.txt" b
check "the build file depends on both ignore files" assert_file_has build.ninja "^build build/app.Dockerfile.dockerignore: phony"

# BuildKit: build/app.Dockerfile.dockerignore replaces .dockerignore
printf 'b.txt\n' >build/app.Dockerfile.dockerignore
ninja_logged >/dev/null
check "creating it rebuilds" test $_st = 0
check "... regenerating: now its removal regenerates too" assert_file_has build.ninja '^build build/app.Dockerfile.dockerignore: phony$'
check "the Dockerfile's ignore file rules" test ! -e "$TMP/out/x/b.txt"
check "... instead of .dockerignore" file_is "$TMP/out/x/a.txt" a
check "the COPY plan names it" sh -c 'jq -e ".dockerignore | test(\"build/app.Dockerfile.dockerignore$\")" .df2ninja/plans/stage-0/02.json'

printf 'c.txt\n' >build/app.Dockerfile.dockerignore
ninja_logged >/dev/null
check "editing it rebuilds" test $_st = 0
check "... with the new rules" test ! -e "$TMP/out/x/c.txt"
check "... and the old ones gone" file_is "$TMP/out/x/b.txt" b

rm build/app.Dockerfile.dockerignore
ninja_logged >/dev/null
check "removing it rebuilds" test $_st = 0
check "... back to .dockerignore" test ! -e "$TMP/out/x/a.txt"
check "... c.txt copied again" file_is "$TMP/out/x/c.txt" c
check "... and the plan no longer names it" sh -c '! jq -e "has(\"dockerignore\")" .df2ninja/plans/stage-0/02.json'

# the default Dockerfile name has one too: Dockerfile.dockerignore
mkdir "$TMP/plain" && cd "$TMP/plain" || exit 99
echo a >a.txt
echo b >b.txt
printf 'a.txt\n' >.dockerignore
printf 'b.txt\n' >Dockerfile.dockerignore
printf 'FROM %s\nCOPY . /x\n' "$BUSYBOX" >Dockerfile
"$DF2NINJA" --output "type=local,dest=$TMP/plain/out" . >/dev/null 2>&1
ninja_logged >/dev/null
check "Dockerfile.dockerignore for ./Dockerfile" test ! -e out/x/b.txt
check "... instead of .dockerignore" file_is out/x/a.txt a
check "... and it is copied (it is not excluded by itself)" test -e out/x/Dockerfile.dockerignore

# a Dockerfile outside the context: its ignore file is still read, and
# editing it copies again (the COPY's depfile names it)
mkdir -p "$TMP/far/df" "$TMP/far/ctx" && cd "$TMP/far" || exit 99
echo a >ctx/a.txt
echo b >ctx/b.txt
printf 'FROM %s\nCOPY . /x\n' "$BUSYBOX" >df/app.Dockerfile
printf 'a.txt\n' >df/app.Dockerfile.dockerignore
"$DF2NINJA" -f df/app.Dockerfile --output "type=local,dest=$TMP/far/out" ctx >/dev/null 2>&1
ninja_logged >/dev/null
check "outside the context: read" test ! -e out/x/a.txt
check "... and not copied" test ! -e out/x/app.Dockerfile.dockerignore
sleep 1
printf 'b.txt\n' >df/app.Dockerfile.dockerignore
ninja_logged >/dev/null
check "... editing it copies again" test ! -e out/x/b.txt
check "... with its new rules" file_is out/x/a.txt a

done_testing
