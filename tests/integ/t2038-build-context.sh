#!/bin/sh
# --build-context NAME=VALUE: a directory read by COPY --from=NAME (with its
# own .dockerignore, a depfile so that an edit there copies again), by
# RUN --mount=from=NAME and by FROM NAME (an empty image with its files); oci-layout:// and docker-image:// in place of the
# image NAME in FROM and COPY --from ("alpine" built from the local busybox,
# never pulled); a stage of the name wins; what is refused. -f - (the
# Dockerfile on stdin, kept in the build dir so that ninja regenerates
# without stdin) and PATH - (no context).
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox
bb=${BUSYBOX#oci-layout://}
bb=${bb%:latest}

mkdir ctx other && cd ctx || exit 99
echo main >m.txt
echo from-other >../other/a.txt
echo bound >../other/b.txt
echo hidden >../other/secret
echo secret >../other/.dockerignore
cat >Dockerfile <<'DF'
FROM alpine
COPY --from=src a.txt /a
COPY --from=src . /all/
COPY m.txt /m
RUN --mount=type=bind,from=src,target=/mnt cat /mnt/b.txt >/b-seen
COPY --from=docker.io/library/alpine:latest /bin/busybox /bb-copy
DF
check "generate" "$DF2NINJA" --build-context src=../other \
	--build-context "alpine=oci-layout://$bb:latest" --output "type=local,dest=$TMP/root" .
check "gen.args records the contexts, paths relative" \
	assert_file_has .df2ninja/gen.args '^src=\.\./other$'
check "the FROM plan names the layout, not alpine" \
	assert_file_has .df2ninja/plans/stage-0/01.json "oci-layout://$bb:latest"
check "build (alpine never pulled)" ninja_logged
R=$TMP/root
check "COPY --from=NAME reads the dir" file_is "$R/a" from-other
check "... honouring its own .dockerignore" test ! -e "$R/all/secret" -a -f "$R/all/b.txt"
check "the main context still is the main one" file_is "$R/m" main
check "RUN --mount=from=NAME binds the dir" file_is "$R/b-seen" bound
check "COPY --from=<normalised name> reads the layout" test -x "$R/bb-copy"
check "no-op rebuild" ninja_logged
check "... runs nothing" sh -c '! grep -q "COPY\|RUN" "$TMP/ninja.out"'
echo edited >../other/a.txt
check "rebuild after an edit in the named dir" ninja_logged
check "the copy ran again" file_is "$R/a" edited
echo new >../other/c.txt
check "rebuild after an addition there" ninja_logged
check "... copied" file_is "$R/all/c.txt" new

# FROM a directory context: an empty image holding its files
mkdir ../fromdir
echo one >../fromdir/f
chown 1234:1234 ../fromdir/f
echo x >../fromdir/skip
echo skip >../fromdir/.dockerignore
cat >Dockerfile <<DF
FROM $BUSYBOX AS tools
FROM files
COPY --from=tools /bin/busybox /bin/busybox
RUN ["/bin/busybox", "sh", "-c", "/bin/busybox cat /f >/seen; /bin/busybox pwd >/wd"]
DF
check "FROM dir: generate" "$DF2NINJA" -o fd.ninja -B ../fd --build-context files=../fromdir \
	--output "type=local,dest=$TMP/fdroot" .
check "FROM dir: the plan's base" assert_file_has ../fd/plans/stage-1/01.json '"type": *"context"'
check "FROM dir: build" ninja_logged -f fd.ninja
check "FROM dir: the dir's file" file_is "$TMP/fdroot/f" one
check "FROM dir: root's, as BuildKit's client sends it" test "$(stat -c %u:%g "$TMP/fdroot/f")" = 0:0
check "FROM dir: read by a RUN" file_is "$TMP/fdroot/seen" one
check "FROM dir: its .dockerignore" test ! -e "$TMP/fdroot/skip"
check "FROM dir: WORKDIR /" file_is "$TMP/fdroot/wd" /
echo two >../fromdir/f
check "FROM dir: rebuild after an edit" ninja_logged -f fd.ninja
check "FROM dir: the FROM and what follows reran" file_is "$TMP/fdroot/seen" two

# docker-image://REF replaces the image (generation only: never pulled)
cat >Dockerfile <<'DF'
FROM app
COPY --from=tool /x /x
DF
check "docker-image:// generates" "$DF2NINJA" -o di.ninja -B ../di \
	--build-context app=docker-image://127.0.0.1:5999/base:1 \
	--build-context tool=docker-image://127.0.0.1:5999/tool@sha256:$(printf '%064d' 0) .
check "FROM plan has the ref" assert_file_has ../di/plans/stage-0/01.json '"127.0.0.1:5999/base:1"'
check "COPY --from plan has the ref" assert_file_has ../di/plans/stage-0/02.json '"image": *"127.0.0.1:5999/tool@sha256:0*"'

# a stage of the name: BuildKit would replace it, refused
cat >Dockerfile <<'DF'
FROM scratch AS src
COPY m.txt /
DF
expect_gen_fail() { "$DF2NINJA" -o f.ninja -B ../f "$@" .; }
check "a context naming a stage is refused" expect_fail 1 \
	"Dockerfile:1:1: error: --build-context 'src' would replace the stage 'src'" \
	expect_gen_fail --build-context src=../other
printf 'FROM scratch\nRUN --mount=type=bind,target=/a --mount=type=bind,from=src,target=/b x\n' >Dockerfile
check "one RUN binding two context dirs is refused" expect_fail 1 \
	"Dockerfile:2:1: error: RUN binds two build contexts" \
	expect_gen_fail --build-context src=../other
printf 'FROM scratch\nRUN --mount=type=cache,from=src,target=/b x\n' >Dockerfile
check "a cache mount from a context dir is refused" expect_fail 1 \
	"a directory --build-context can only be a bind mount's source" \
	expect_gen_fail --build-context src=../other
check "a URL context is refused" expect_fail 1 "git and URL contexts are not" \
	expect_gen_fail --build-context src=https://example.com/x.git
check "a missing dir is refused" expect_fail 1 "build-context 'src=../nope'" \
	expect_gen_fail --build-context src=../nope
check "NAME=VALUE is required" expect_fail 2 "is not NAME=VALUE" \
	expect_gen_fail --build-context src
check "an invalid name is refused" expect_fail 1 "invalid context name 'Bad'" \
	expect_gen_fail --build-context Bad=../other
check "a reserved name is refused" expect_fail 1 "the name 'scratch' is reserved" \
	expect_gen_fail --build-context scratch=../other
check "a bad docker-image:// reference is refused" expect_fail 1 \
	"invalid image reference 'UP:x'" expect_gen_fail --build-context src=docker-image://UP:x
check "a name given twice is refused" expect_fail 1 "given twice" \
	expect_gen_fail --build-context src=../other --build-context src=../other

# -f -: the Dockerfile from stdin, the context named
cd "$TMP" && mkdir sf && cd sf || exit 99
printf 'FROM %s\nCOPY m.txt /m\n' "$BUSYBOX" >../Dockerfile.in
check "-f - generates" sh -c '"$DF2NINJA" -f - --output "type=local,dest=$0/sfroot" ../ctx <../Dockerfile.in' "$TMP"
check "the copy is in the build dir" test_cmp ../Dockerfile.in .df2ninja/Dockerfile.stdin
check "gen.args names the copy" assert_file_has .df2ninja/gen.args '^\.df2ninja/Dockerfile\.stdin$'
check "build without stdin" ninja_logged </dev/null
check "... from the context" file_is "$TMP/sfroot/m" main
touch -d '2000-01-01' build.ninja
check "ninja regenerates without stdin" sh -c '"$NINJA" </dev/null >"$0/regen.out" 2>&1' "$TMP"
check "... it did" assert_file_has "$TMP/regen.out" REGEN
check "-f - needs PATH" expect_fail 1 "give the context as PATH" "$DF2NINJA" -f -

# PATH -: a Dockerfile on stdin and an empty context
cd "$TMP" && mkdir nc && cd nc || exit 99
printf 'FROM %s\nRUN echo ran >/r\n' "$BUSYBOX" >Dockerfile.in
check "PATH - generates" sh -c '"$DF2NINJA" --output "type=local,dest=$0/ncroot" - <Dockerfile.in' "$TMP"
check "build" ninja_logged
check "the RUN ran" file_is "$TMP/ncroot/r" ran
check "the context is empty" test -z "$(ls -A .df2ninja/empty-context)"
touch -d '2000-01-01' build.ninja
check "ninja regenerates PATH - without stdin" sh -c '"$NINJA" </dev/null >"$0/regen2.out" 2>&1' "$TMP"
check "... it did" assert_file_has "$TMP/regen2.out" REGEN
tar -cf ctx.tar Dockerfile.in
check "a tar on stdin is refused" expect_fail 1 "a context on stdin is not supported" \
	sh -c '"$DF2NINJA" -o t.ninja - <ctx.tar'
done_testing
