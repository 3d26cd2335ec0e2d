#!/bin/sh
# COPY --link (issue #13): BuildKit copies onto scratch and merges the
# result, so the copy is an edge of its own that reads only its sources:
# a change below (a RUN, the base) reruns the step, which stacks the layer
# again, but copies nothing; a changed source copies again. The layer is
# what a copy on scratch makes: the destination is not resolved through
# a symlink below (the final path holds directories only), its parents
# are made 0755 (root's, or --chown's), WORKDIR places a relative dest;
# --chmod turns --link off (BuildKit's condition); --chown with a name
# is refused. Also: COPY --parents keeps hard links as a plain COPY of a
# directory does, several --exclude, symbolic and 4-digit --chmod. A step
# that drops --link leaves no link layer behind (nor the other way round);
# the link edge makes no overlay work dir.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox

mkdir ctx && cd ctx || exit 99
head -c 2000000 /dev/urandom >big
echo f >f
mkdir -p a/b
echo h >a/b/h1
ln a/b/h1 a/b/h2
ln a/b/h1 a/h3
mkdir e
echo k >e/keep.txt
echo x >e/x.log
echo y >e/y.tmp
echo s >script
cat >Dockerfile <<DF
FROM $BUSYBOX AS src
ARG S=one
RUN mkdir /out && echo \$S >/out/s
FROM $BUSYBOX
ARG V=1
RUN echo \$V >/a && mkdir /real /real2 && ln -s /real /lnk && ln -s /real2 /lnk2 && mkdir -p /usr/local/bin && chmod 0700 /usr/local /usr/local/bin && mkdir /dd && echo keep >/dd/k
COPY --link big /x
COPY --link --from=src /out/s /fromstage
COPY --link f /lnk/
COPY --link --chown=7:8 f /opt/deep/
COPY --link f /usr/local/bin/
COPY --link --chmod=0640 f /lnk2/
WORKDIR /w
COPY --link f rel/
COPY --parents a/b /p1/
COPY --parents a/**/h* /p2/
COPY --exclude=*.log --exclude=*.tmp e /ex/
ADD --exclude=*.txt e /exadd/
COPY --chmod=u+x,g-w,o= script /m1
COPY --chmod=4755 script /m2
COPY --link f /dd
COPY --link --parents a/./b /lp/
RUN cat /x | md5sum >/x.sum
DF
OUTS="--output type=local,dest=$TMP/root --output type=oci,dest=$TMP/img"
check "generate" "$DF2NINJA" $OUTS .
check "a link edge reads the context (depfile), the step before order-only" \
	grep -q '^build \$steps/stage-1/03.link: ctxlink | \$plans/stage-1/03.json || \$$' build.ninja
check "the step stacks the link edge's layer" \
	grep -q '^build \$steps/stage-1/03.id: linkstep \$steps/stage-1/02.id \$$' build.ninja
check "--from=stage: the link edge reads that stage" \
	grep -q '^build \$steps/stage-1/04.link: link \$steps/src/02.id |' build.ninja
check "--chmod: no link edge (BuildKit links only without it)" \
	sh -c '! grep -q "stage-1/08.link" build.ninja'
check "build" ninja_logged
R=$TMP/root
check "the copy is there" cmp "$R/x" big
check "--from a stage" file_is "$R/fromstage" one
meta() {
	_got=$(stat -c '%F %a %u:%g' "$1") || return 1
	[ "$_got" = "$2" ] || { echo "# $1 is $_got, not $2" >&2; return 1; }
}
check "a symlink below is not followed: the path holds directories" meta "$R/lnk" "directory 755 0:0"
check "... and the file is in it" file_is "$R/lnk/f" f
check "... the symlink's target untouched" sh -c '[ -z "$(ls -A "'"$R"'/real")" ]'
check "without --link (--chmod) the symlink is followed" file_is "$R/real2/f" f
check "... and stays a symlink" test -L "$R/lnk2"
check "--chown: the parents made are its owner's" meta "$R/opt" "directory 755 7:8"
check "... the file too" meta "$R/opt/deep/f" "regular file 644 7:8"
check "parents are made 0755 over existing ones (BuildKit's merge)" meta "$R/usr/local" "directory 755 0:0"
check "... to the last" meta "$R/usr/local/bin" "directory 755 0:0"
check "a relative dest lands in the WORKDIR" file_is "$R/w/rel/f" f
check "a dest without / is a file, over a directory below" file_is "$R/dd" f

# the layers: what a copy on scratch makes
L=$TMP/img
m=$(jq -r '.manifests[0].digest' "$L/index.json")
for d in $(jq -r '.layers[].digest' "$L/blobs/sha256/${m#sha256:}"); do
	tar -tzf "$L/blobs/sha256/${d#sha256:}" | sort | tr '\n' ' '
	echo
done >"$TMP/layers.txt"
check "a layer holds the copy alone" grep -qx 'x ' "$TMP/layers.txt"
check "a layer holds the dest's parents, made on scratch" grep -qx 'usr/ usr/local/ usr/local/bin/ usr/local/bin/f ' "$TMP/layers.txt"
check "a layer puts a directory where a symlink was" grep -qx 'lnk/ lnk/f ' "$TMP/layers.txt"

# a change below: the step reruns, the copy does not
check "regenerate with another build arg" "$DF2NINJA" $OUTS --build-arg V=2 .
check "rebuild" ninja_logged
check "the RUN below reran" assert_file_has "$TMP/ninja.out" 'RUN  \[stage-1 2/'
check "no --link copy ran again" assert_file_lacks "$TMP/ninja.out" 'COPY \[stage-1 \(3\|4\|5\|6\|7\|10\|17\|18\)/'
check "the steps stacked their layers again" assert_file_has "$TMP/ninja.out" 'LINK \[stage-1 3/'
check "the image has the new RUN" file_is "$R/a" 2
check "... and the copy" cmp "$R/x" big

# a changed source: its copy and what follows, nothing below
echo more >>big
check "rebuild after editing the source" ninja_logged
check "the copy of the edited file ran" assert_file_has "$TMP/ninja.out" 'COPY \[stage-1 3/'
check "no other copy ran" assert_file_lacks "$TMP/ninja.out" 'COPY \[stage-1 \(4\|5\|6\|7\|10\|17\|18\)/'
check "nothing below ran" assert_file_lacks "$TMP/ninja.out" 'RUN  \[stage-1 2/'
check "the new content is in the image" cmp "$R/x" big
check "a RUN after it sees it" sh -c "md5sum <big | cmp - '$R/x.sum'"

# the --from stage changes: its link edge copies again
check "regenerate with another stage arg" "$DF2NINJA" $OUTS --build-arg V=2 --build-arg S=two .
check "rebuild" ninja_logged
check "the --from copy ran" assert_file_has "$TMP/ninja.out" 'COPY \[stage-1 4/'
check "the context copy did not" assert_file_lacks "$TMP/ninja.out" 'COPY \[stage-1 3/'
check "the image has the new stage file" file_is "$R/fromstage" two

# the link edge's layer gone: the step makes it itself
rm -rf .df2ninja/layers/stage-1/03.link.*
check "regenerate" "$DF2NINJA" $OUTS --build-arg V=3 --build-arg S=two .
check "rebuild without the link layer" ninja_logged
check "... the copy is there" cmp "$R/x" big

# COPY --parents keeps hard links, as a directory's copy does
ino() { stat -c %i "$1"; }
check "--parents a/b: linked files stay linked" test "$(ino "$R/p1/a/b/h1")" = "$(ino "$R/p1/a/b/h2")"
check "--parents a/**/h*: across the matched tree too" test "$(ino "$R/p2/a/b/h1")" = "$(ino "$R/p2/a/h3")"
check "--link --parents a/./b: the path below the pivot" file_is "$R/lp/b/h1" h
check "... linked files stay linked" test "$(ino "$R/lp/b/h1")" = "$(ino "$R/lp/b/h2")"
# several --exclude, for COPY and ADD
check "--exclude twice keeps the rest" file_is "$R/ex/keep.txt" k
check "... leaves out the first pattern" test ! -e "$R/ex/x.log"
check "... and the second" test ! -e "$R/ex/y.tmp"
check "ADD --exclude" test ! -e "$R/exadd/keep.txt"
check "... keeps the rest" file_is "$R/exadd/x.log" x
check "symbolic --chmod=u+x,g-w,o=" meta "$R/m1" "regular file 740 0:0"
check "4-digit --chmod=4755 (setuid)" meta "$R/m2" "regular file 4755 0:0"

# the link edge copies into a dir of its own, no overlay: no work dir
LD=.df2ninja/layers/stage-1
check "the link edge leaves no work dir" test ! -e "$LD/03.link.work"
check "... nor an upper dir" test ! -e "$LD/03.link.upper"
check "... but its layer" sh -c 'ls -d "$1"/03.link.* >/dev/null' sh "$LD"

# --link dropped: the step copies through the overlay, the link layer goes
sed -i 's|^COPY --link big /x$|COPY big /x|' Dockerfile
check "regenerate with a plain COPY" "$DF2NINJA" $OUTS --build-arg V=3 --build-arg S=two .
check "rebuild" ninja_logged
check "the plain copy ran" assert_file_has "$TMP/ninja.out" 'COPY \[stage-1 3/'
check "... the copy is there" cmp "$R/x" big
check "no link layer or dir of the step is left" sh -c '! ls -d "$0"/03.link* 2>/dev/null' "$LD"
check "... the plain layer is there" sh -c 'ls -d "$0"/03.[0-9a-f]* >/dev/null' "$LD"
# and back: the plain layer goes
sed -i 's|^COPY big /x$|COPY --link big /x|' Dockerfile
check "regenerate with --link again" "$DF2NINJA" $OUTS --build-arg V=3 --build-arg S=two .
check "rebuild" ninja_logged
check "... the copy is there" cmp "$R/x" big
check "the plain layer is gone" sh -c '! ls -d "$0"/03.[0-9a-f]* 2>/dev/null' "$LD"
check "... the link layer is there" sh -c 'ls -d "$0"/03.link.[0-9a-f]* >/dev/null' "$LD"

# --chown with a name cannot be looked up on scratch: refused at generation
mkdir ../bad && cd ../bad || exit 99
printf 'FROM %s\nCOPY --link --chown=nobody:1 f /\n' "$BUSYBOX" >Dockerfile
check "--link --chown=name is refused, naming the line" \
	expect_fail 1 'Dockerfile:2.*--link --chown=nobody:1: with --link only numeric ids' "$DF2NINJA" .
printf 'FROM %s\nCOPY --link --chown=nobody --chmod=644 Dockerfile /\n' "$BUSYBOX" >Dockerfile
check "... but not with --chmod (no link then)" "$DF2NINJA" .
printf 'FROM %s\nCOPY --link --chown=root:0 Dockerfile /\n' "$BUSYBOX" >Dockerfile
check "... nor root" "$DF2NINJA" .

# the make backend: the same two edges
cd ../ctx || exit 99
check "generate a make file" "$DF2NINJA" -G make -o link.mk .
# continued lines joined
sed -e ':a' -e '/\\$/N; s/\\\n[[:space:]]*//; ta' link.mk >link.joined
check "make: the link edge orders after the step before" \
	grep -q '^\$(steps)/stage-1/03.link: .* | \$(steps)/stage-1/02.id$' link.joined
check "make: the step stacks it" grep -q -- '--layer \$(steps)/stage-1/03.link$' link.joined

done_testing
