#!/bin/sh
# RUN --mount=type=bind: from the build context (default target the
# WORKDIR, a source subdir, what .dockerignore hides and df2ninja's own
# build dir invisible, a depfile so that editing a bound file runs the
# step again), read-only unless rw, whose writes are discarded; from a
# stage and from an image; nothing of a target in the layer; a missing
# source is an error naming it.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox

mkdir ctx && cd ctx || exit 99
mkdir sub
echo one >sub/a
echo hidden >secret
echo secret >.dockerignore
cat >Dockerfile <<DF
FROM $BUSYBOX AS base
RUN mkdir -p /data && echo staged >/data/f
FROM $BUSYBOX
WORKDIR /w
RUN --mount=type=bind find . | sort >/ctx-list && cat sub/a >/a-copy
RUN --mount=type=bind,source=sub,target=/m cat /m/a >/sub-a && ls /m >/sub-ls
RUN --mount=type=bind,source=sub/a,target=/one cat /one >/one-seen
RUN --mount=type=bind,target=/m,rw echo new >/m/written && cat /m/written >/rw-seen
RUN --mount=type=bind,target=/m { echo x >/m/ro-try && echo rw >/ro-result; } || echo ro >/ro-result
RUN --mount=type=bind,from=base,source=/data,target=/d cat /d/f >/stage-f
RUN --mount=type=bind,from=base,source=/data,target=/d,rw echo z >/d/f && cat /d/f >/stage-rw
RUN --mount=type=bind,from=$BUSYBOX,source=/bin,target=/bbx test -x /bbx/busybox && echo ok >/img-ok
DF
check "generate" "$DF2NINJA" --output "type=local,dest=$TMP/root" .
check "build" ninja_logged

R=$TMP/root
check "the context is bound at the WORKDIR" assert_file_has "$R/ctx-list" '^\./sub/a$'
check "... with the Dockerfile" assert_file_has "$R/ctx-list" '^\./Dockerfile$'
check "... without what .dockerignore hides" assert_file_lacks "$R/ctx-list" 'secret'
check "... without df2ninja's build dir" assert_file_lacks "$R/ctx-list" 'df2ninja'
check "... without the build file" assert_file_lacks "$R/ctx-list" 'build.ninja'
check "a relative read sees the file" file_is "$R/a-copy" one
check "source= a subdir" file_is "$R/sub-a" one
check "... its contents alone" file_is "$R/sub-ls" a
check "source= a file" file_is "$R/one-seen" one
check "rw: the command can write" file_is "$R/rw-seen" new
check "... the write is discarded" test ! -e written -a ! -e "$R/m"
check "read-only by default" file_is "$R/ro-result" ro
check "from a stage" file_is "$R/stage-f" staged
check "from a stage, rw: written" file_is "$R/stage-rw" z
check "from an image" file_is "$R/img-ok" ok
for d in m d bbx one; do
	check "no /$d in the image" test ! -e "$R/$d"
done
check "nothing of the context in the WORKDIR" test -z "$(ls -A "$R/w")"

# editing a bound context file runs the steps that see it again
echo two >sub/a
check "rebuild after an edit" ninja_logged
check "the step ran again" file_is "$R/a-copy" two
check "... and the subdir one" file_is "$R/sub-a" two
check "no-op rebuild" ninja_logged
check "... runs nothing" assert_file_has "$TMP/ninja.out" 'no work to do'
# a hidden file is not an input
echo changed >secret
check "editing an ignored file" ninja_logged
check "... runs nothing" assert_file_has "$TMP/ninja.out" 'no work to do'
cd .. || exit 99

# a missing source names it
mkdir miss && cd miss || exit 99
cat >Dockerfile <<DF
FROM $BUSYBOX AS base
FROM $BUSYBOX
RUN --mount=type=bind,source=nope,target=/m true
DF
check "generate (missing source)" "$DF2NINJA" .
check "build fails" sh -c '! "$0" >/dev/null 2>&1' "$NINJA"
check "the log names the source" assert_file_has .df2ninja/logs/*.log "source 'nope' not found in the build context"
cat >Dockerfile <<DF
FROM $BUSYBOX AS base
FROM $BUSYBOX
RUN --mount=type=bind,from=base,source=/nope,target=/m true
DF
check "generate (missing stage source)" "$DF2NINJA" .
check "build fails" sh -c '! "$0" >/dev/null 2>&1' "$NINJA"
check "the log names the source" assert_file_has .df2ninja/logs/*.log "source '/nope' not found in stage 'base'"
cd .. || exit 99

# rootless (t2014): an unprivileged user's build binds the same way
U=df2ninja-test
ensure_user "$U"
chmod 755 "$TMP"
mkdir rl && cd rl || exit 99
echo one >a
echo hidden >secret
echo secret >.dockerignore
cat >Dockerfile <<DF
FROM $BUSYBOX AS base
RUN mkdir /data && echo staged >/data/f
FROM $BUSYBOX
WORKDIR /w
RUN --mount=type=bind ls -A >/ls && cat a >/a-copy
RUN --mount=type=bind,from=base,source=/data,target=/d,rw cat /d/f >/stage-f && echo z >/d/f
DF
chown -R "$U" .
mkdir "$TMP/rlhome" && chown "$U" "$TMP/rlhome" || exit 99
rl() { runuser -u "$U" -- env DF2NINJA_STORE="$TMP/rlhome/store" HOME="$TMP/rlhome" "$@"; }
check "rootless: generate" rl "$DF2NINJA" --output "type=local,dest=$TMP/rl/root" .
check "rootless: build" rl "$NINJA"
check "rootless: the context, filtered" file_is root/ls "$(printf '.dockerignore\nDockerfile\na')"
check "rootless: read" file_is root/a-copy one
check "rootless: from a stage, rw" file_is root/stage-f staged
check "rootless: nothing in the WORKDIR" test -z "$(ls -A root/w)"
done_testing
