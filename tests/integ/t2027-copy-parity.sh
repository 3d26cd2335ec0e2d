#!/bin/sh
# COPY as BuildKit does it (issue #12), the expected results taken from
# BuildKit (docker 20.10's and the current source): hard links within one
# copied directory stay linked (not across wildcard matches), a socket of
# the context becomes an empty file, several sources go into an existing
# directory without a trailing slash, symbolic --chmod, duplicate stage
# names (the last one wins), RUN --mount without a target.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox

mkdir ctx && cd ctx || exit 99
echo a >a
ln a a2
mkdir d
ln a d/a3
echo b >d/b
ln d/b d/b2
echo s >script
chmod 0750 script
python3 -c 'import socket; s=socket.socket(socket.AF_UNIX); s.bind("sock")' || exit 99
chmod 0755 sock
mkfifo fifo
cat >Dockerfile <<DF
FROM $BUSYBOX AS base
RUN mkdir /s && echo x >/s/f && ln /s/f /s/g && mkfifo /s/fifo
FROM $BUSYBOX AS dup
RUN echo first >/which
FROM dup AS dup
RUN echo second >/which
FROM $BUSYBOX
COPY . /x
COPY --chown=1:2 --chmod=0640 . /y
COPY a* /w/
COPY --from=base /s /z
COPY --from=base /s/* /v/
RUN mkdir /exist
COPY a d/b /exist
COPY --chmod=u+x,g-w,o= a /m/a
COPY --chmod=u=rwX,go=rX a script d /m2/
COPY --from=dup /which /which
DF
"$DF2NINJA" . 2>gen.err
check "generate" test $? = 0
check "duplicate stage names: a warning like BuildKit's lint" assert_file_has gen.err "warning: .*Dockerfile:5: duplicate stage name 'dup'"
ninja_logged >/dev/null
check "ninja builds" test $_st = 0
# the same steps, exported as a merged tree too
"$DF2NINJA" --output "type=local,dest=$TMP/out" . 2>/dev/null
ninja_logged >/dev/null
check "ninja exports the tree" test $_st = 0
cd "$TMP" || exit 99
R=$TMP/out

ino() { stat -c %i "$1"; }
same() { test "$(ino "$1")" = "$(ino "$2")" || { echo "# $1 and $2 are not linked" >&2; return 1; }; }
meta() {
	_got=$(stat -c '%F %u:%g %a' "$1") || return 1
	[ "$_got" = "$2" ] || { echo "# $1 is $_got, not $2" >&2; return 1; }
}

# hard links (BuildKit: /x/a, /x/a2, /x/d/a3 one inode; /w/a, /w/a2 two)
check "a dir copy keeps a link group" same "$R/x/a" "$R/x/a2"
check "... across subdirectories" same "$R/x/a" "$R/x/d/a3"
check "... and another group" same "$R/x/d/b" "$R/x/d/b2"
check "... the groups stay apart" test "$(ino "$R/x/a")" != "$(ino "$R/x/d/b")"
check "with --chown/--chmod too" same "$R/y/a" "$R/y/d/a3"
check "... which they get" meta "$R/y/a2" "regular file 1:2 640"
check "wildcard matches are copied one by one: not linked" test "$(ino "$R/w/a")" != "$(ino "$R/w/a2")"
check "COPY --from a stage's dir keeps links" same "$R/z/f" "$R/z/g"
check "COPY --from wildcard matches: not linked" test "$(ino "$R/v/f")" != "$(ino "$R/v/g")"
check "... nor with the earlier copies" test "$(ino "$R/z/f")" != "$(ino "$R/v/f")"

# the layers hold hard-link entries for the groups
m=$(jq -r '.manifests[0].digest' ctx/.df2ninja/image/index.json | sed 's/sha256://')
: >layers.txt
for l in $(jq -r '.layers[].digest' "ctx/.df2ninja/image/blobs/sha256/$m" | sed 's/sha256://'); do
	tar -tvzf "ctx/.df2ninja/image/blobs/sha256/$l" >>layers.txt
done
check "the layer links x/a2 to x/a" assert_file_has layers.txt '^h.* x/a2 link to x/a$'
check "... x/d/a3 to x/a" assert_file_has layers.txt '^h.* x/d/a3 link to x/a$'
check "... not w/a2" assert_file_lacks layers.txt ' w/a2 link to'

# special files: the context's socket is an empty file with its mode (BuildKit
# 20.10 and current); a FIFO is copied as such (current BuildKit's fsutil)
check "a socket of the context becomes an empty file" meta "$R/x/sock" "regular empty file 0:0 755"
check "a FIFO of the context stays a FIFO" meta "$R/x/fifo" "fifo 0:0 644"
check "a FIFO of a stage stays a FIFO" meta "$R/z/fifo" "fifo 0:0 644"

# several sources to an existing dir without a slash
check "several sources into an existing dir: a" file_is "$R/exist/a" a
check "... b" file_is "$R/exist/b" b

# symbolic --chmod, applied to each entry's own mode
check "--chmod=u+x,g-w,o=" meta "$R/m/a" "regular file 0:0 740"
check "--chmod=u=rwX,go=rX: a file" meta "$R/m2/a" "regular file 0:0 644"
check "... an executable" meta "$R/m2/script" "regular file 0:0 755"
check "... a directory's contents" meta "$R/m2/b" "regular file 0:0 644"

# duplicate stage names: FROM dup names the first, --from the last
check "FROM names the earlier stage, --from the last one" file_is "$R/which" second

# RUN --mount without a target: the working directory (BuildKit); the
# plan leaves the target out and the executor mounts there
mkdir mnt && cd mnt || exit 99
cat >Dockerfile <<DF
FROM $BUSYBOX
WORKDIR /work
RUN --mount=type=tmpfs touch /work/in-tmpfs && ls /work >/seen
RUN test ! -e /work/in-tmpfs
DF
check "generate: a mount without a target" "$DF2NINJA" .
ninja_logged >/dev/null
check "... the tmpfs is at the WORKDIR" test $_st = 0
check "... and was used" sh -c '"$DF2NINJA" shell stage-0/04 -- cat /seen | grep -qx in-tmpfs'
printf 'FROM %s\nRUN --mount=from=%s true\n' "$BUSYBOX" "$BUSYBOX" >Dockerfile
check "a bind mount without a target generates" "$DF2NINJA" .
check "... its plan has no target" sh -c 'jq -e ".mounts[0] | has(\"target\") | not" .df2ninja/plans/stage-0/02.json'
printf 'FROM %s\nWORKDIR /\nRUN --mount=type=tmpfs true\n' "$BUSYBOX" >Dockerfile
"$DF2NINJA" . >/dev/null 2>&1
ninja_logged >/dev/null
check "no target with WORKDIR / fails" test $_st != 0
check "... as BuildKit does" assert_file_has "$TMP/ninja.out" 'invalid mount target "/"'
cd "$TMP" || exit 99

done_testing
