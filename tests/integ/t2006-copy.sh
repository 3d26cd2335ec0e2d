#!/bin/sh
# COPY and ADD by the rules of the Dockerfile reference: where files land,
# wildcards, WORKDIR, --chown, --chmod, .dockerignore, symlinks, ADD of
# archives, --from a stage (by name and index) or an image, here-documents.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox

mkdir ctx && cd ctx || exit 99
echo A >a.txt
touch -d '2001-02-03 04:05:06 UTC' a.txt
echo B >b.txt
printf '#!/bin/sh\necho run\n' >script.sh
chmod 0755 script.sh
chown 4321:4321 b.txt
mkdir -p dir/sub linkdir ignored/deep tarsrc/t
echo X >dir/sub/x.txt
echo Y >dir/y.txt
echo junk >dir/sub/junk.tmp
echo g1 >g1.log
echo g2 >g2.log
echo other >other.txt
ln -s a.txt link
echo T >linkdir/target
ln -s target linkdir/rel
ln -s /etc/passwd linkdir/abs
echo drop >ignored/drop.txt
echo keep >ignored/keep.txt
echo deep >ignored/deep/z.txt
echo intar >tarsrc/t/in-tar.txt
tar -C tarsrc -czf arch.tar.gz t
rm -rf tarsrc
echo plain >plain.txt
printf 'ignored/**\n!ignored/keep.txt\n**/*.tmp\n' >.dockerignore

cat >Dockerfile <<DF
FROM $BUSYBOX AS base
RUN echo base >/base-file && chown 42:43 /base-file

FROM $BUSYBOX AS second
RUN echo second >/second-file

FROM $BUSYBOX
COPY a.txt /f2f/renamed.txt
COPY a.txt /into/
COPY a.txt /tmp
COPY dir /contents/
COPY dir /newdir
COPY g*.log /globs/
WORKDIR /work
COPY b.txt rel/
COPY b.txt rel2.txt
COPY a.txt b.txt /multi/
COPY script.sh /script.sh
COPY --chown=nobody a.txt /own/a.txt
COPY --chown=1234:5678 b.txt /own/b.txt
COPY --chown=nobody:root dir /own/dir/
COPY --chmod=0751 a.txt /mode/a.txt
COPY --chmod=0700 dir /mode/dir/
COPY ignored/ /ign/
COPY dir/ /ign2/
COPY link /links/deref
COPY linkdir/ /links/dir/
RUN mkdir /real && ln -s /real /lnk && ln -s /../../../..$TMP/host /esc
COPY a.txt /lnk/
COPY a.txt /esc/
ADD arch.tar.gz /unpacked/
ADD plain.txt /added/
COPY arch.tar.gz /notunpacked/
COPY --from=base /base-file /from-name
COPY --from=1 /second-file /from-index
COPY --from=$BUSYBOX /etc/passwd /from-image/passwd
ENV NAME=world
COPY <<EOF /heredoc/expanded
hello \$NAME
path=\$PATH
EOF
COPY <<'EOF' /heredoc/literal
hello \$NAME
EOF
DF
check "generate" "$DF2NINJA" --output "type=local,dest=$TMP/out" .
"$NINJA" >out.log 2>&1
_st=$?
check "ninja builds" test $_st = 0
[ $_st = 0 ] || sed 's/^/#   /' out.log
cd "$TMP" || exit 99
R=$TMP/out


# owner PATH UID:GID MODE
meta() {
	_got=$(stat -c '%u:%g %a' "$1") || return 1
	[ "$_got" = "$2 $3" ] || { echo "# $1 is $_got, not $2 $3" >&2; return 1; }
}

# where things land
check "file to file" file_is "$R/f2f/renamed.txt" A
check "file into a dir (trailing slash)" file_is "$R/into/a.txt" A
check "file into an existing dir (no slash)" file_is "$R/tmp/a.txt" A
check "a dir copies its contents" file_is "$R/contents/sub/x.txt" X
check "... not the dir itself" test ! -e "$R/contents/dir"
check "a dir to a new path without a slash" file_is "$R/newdir/y.txt" Y
check "wildcard: first match" file_is "$R/globs/g1.log" g1
check "wildcard: second match" file_is "$R/globs/g2.log" g2
check "wildcard: nothing else" sh -c "test \$(ls '$R/globs' | wc -l) = 2"
check "relative dest dir under WORKDIR" file_is "$R/work/rel/b.txt" B
check "relative dest file under WORKDIR" file_is "$R/work/rel2.txt" B
check "several sources into a dir: a" file_is "$R/multi/a.txt" A
check "several sources into a dir: b" file_is "$R/multi/b.txt" B
check "a symlink in the rootfs is followed" file_is "$R/real/a.txt" A
check "an absolute symlink in the rootfs stays inside it" file_is "$R$TMP/host/a.txt" A
check "... and never reaches the host" test ! -e "$TMP/host"

# owners and modes
check "context files become root's" meta "$R/work/rel2.txt" 0:0 644
check "the source's mode is kept" meta "$R/script.sh" 0:0 755
check "--chown=nobody (from the image's passwd)" meta "$R/own/a.txt" 65534:65534 644
check "--chown=uid:gid" meta "$R/own/b.txt" 1234:5678 644
check "--chown=nobody:root on a dir: the files" meta "$R/own/dir/sub/x.txt" 65534:0 644
check "--chown=nobody:root on a dir: the subdirs" meta "$R/own/dir/sub" 65534:0 755
check "--chmod=0751" meta "$R/mode/a.txt" 0:0 751
check "--chmod=0700 on a dir: the files" meta "$R/mode/dir/y.txt" 0:0 700
check "--chmod=0700 on a dir: the subdirs" meta "$R/mode/dir/sub" 0:0 700
check "COPY --from keeps the owner" meta "$R/from-name" 42:43 644

# .dockerignore
check ".dockerignore: ignored/** drops files" test ! -e "$R/ign/drop.txt"
check ".dockerignore: ignored/** drops dirs" test ! -e "$R/ign/deep"
check ".dockerignore: ! re-includes" file_is "$R/ign/keep.txt" keep
check ".dockerignore: **/*.tmp at any depth" test ! -e "$R/ign2/sub/junk.tmp"
check ".dockerignore: others stay" file_is "$R/ign2/sub/x.txt" X

# symlinks
check "a symlink named as the source is followed" sh -c "test -f '$R/links/deref' && ! test -L '$R/links/deref'"
check "... its target's content" file_is "$R/links/deref" A
check "a symlink inside a copied dir stays a symlink" test -L "$R/links/dir/rel"
check "... with its target" test "$(readlink "$R/links/dir/rel")" = target
check "an absolute symlink is copied as is" test "$(readlink "$R/links/dir/abs")" = /etc/passwd

# ADD
check "ADD extracts a local tar.gz" file_is "$R/unpacked/t/in-tar.txt" intar
check "... and does not copy the archive" test ! -e "$R/unpacked/arch.tar.gz"
check "ADD of a plain file copies it" file_is "$R/added/plain.txt" plain
check "COPY does not extract" cmp ctx/arch.tar.gz "$R/notunpacked/arch.tar.gz"

# --from
check "COPY --from=<stage name>" file_is "$R/from-name" base
check "COPY --from=<stage index>" file_is "$R/from-index" second
check "COPY --from=<oci-layout image>" assert_file_has "$R/from-image/passwd" '^nobody:x:65534:'

# here-documents
printf 'hello world\npath=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n' >want.hd
check "COPY <<EOF expands ENV and the image's variables" test_cmp want.hd "$R/heredoc/expanded"
check "COPY <<'EOF' does not expand" file_is "$R/heredoc/literal" 'hello $NAME'

# times: a context file keeps its mtime in the step's rootfs
(cd ctx && "$DF2NINJA" shell stage-2/2 -- stat -c %Y /f2f/renamed.txt) >mtime.out 2>&1
check "a context file's mtime is kept" file_is mtime.out 981173106

# symlinks never lead out of the tree they are in: a context symlink to
# a host file is not found, a stage's absolute symlink is the stage's file
mkdir links && cd links || exit 99
ln -s ../../../../../../../../etc/hostname esc-rel
ln -s /etc/hostname esc-abs
cat >Dockerfile <<DF
FROM $BUSYBOX AS base
RUN ln -s /etc/passwd /lnk-abs && ln -s ../../../../etc/group /lnk-rel
FROM scratch
COPY --from=base /lnk-abs /x
COPY --from=base /lnk-rel /y
DF
"$DF2NINJA" --output "type=local,dest=$TMP/links/root" . >/dev/null 2>&1 && "$NINJA" >out 2>&1
check "COPY --from a stage's absolute symlink" test_cmp "$R/etc/passwd" root/x
check "COPY --from a stage's relative symlink climbing out" test_cmp "$R/etc/group" root/y
for l in esc-rel esc-abs; do
	printf 'FROM scratch\nCOPY %s /z\n' "$l" >Dockerfile
	"$NINJA" >out 2>&1
	check "a context symlink ($l) to a host file fails" test $? != 0
	check "... as not found in the context" assert_file_has out "not found in build context.*$l"
	check "... and reads nothing of the host" test ! -e .df2ninja/steps/stage-0/02.id
done
cd "$TMP" || exit 99

# several sources need a dir ending in /
mkdir bad && cd bad || exit 99
echo a >a
echo b >b
printf 'FROM %s\nCOPY a b /notadir\n' "$BUSYBOX" >Dockerfile
"$DF2NINJA" . >/dev/null 2>&1
"$NINJA" >out 2>&1
check "several sources to a non-dir fails" test $? != 0
check "... saying the destination must end with /" assert_file_has out 'Dockerfile:2.*must be a directory and end with a /'
cd "$TMP" || exit 99

done_testing
