#!/bin/sh
# COPY's depfile names every context file it read so that ninja finds it
# again: odd file names (space, '#', '$', ':', '\', '&', a newline, a
# name ending in ':') and dangling symlinks leave nothing to do after a
# build, and editing any of those files, or retargeting a symlink, reruns
# the COPY.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox

nl='
'
mkdir -p ctx/tree/sub && cd ctx || exit 99
echo s >'tree/a b'
echo h >'tree/#hash'
echo d >'tree/$dollar'
echo c >'tree/co:lon'
echo e >'tree/ends:'
echo b >'tree/back\slash'
echo q >'tree/Q&A?'
echo n >"tree/new${nl}line"
echo t >"tree/sub/in	tab"
echo p >tree/plain
ln -s nowhere tree/dangling
ln -s plain tree/link
mkdir "tree/dir${nl}nl"
echo x >"tree/dir${nl}nl/x"
echo named >named
ln -s named named-link
echo older >older
touch -d '2000-01-01' older

cat >Dockerfile <<DF
FROM $BUSYBOX
COPY named-link /named
COPY tree /tree
DF

check "generate" "$DF2NINJA" .
check "build" ninja_logged
check "then: no work to do" sh -c '"$1" >"$2" 2>&1; cat "$2" | sed "s/^/#   /"; grep -q "no work to do" "$2"' \
	sh "$NINJA" "$TMP/again.out"

# edit FILE VALUE: write VALUE to FILE; ninja reruns the COPY of tree
edit() {
	printf '%s\n' "$2" >"$1" &&
		ninja_logged && expect_ran "$TMP/ninja.out" "COPY [stage-0 3/3]"
}
for f in 'tree/a b' 'tree/#hash' 'tree/$dollar' 'tree/co:lon' 'tree/ends:' \
	'tree/back\slash' 'tree/Q&A?' "tree/new${nl}line" "tree/sub/in	tab" \
	"tree/dir${nl}nl/x"; do
	shown=$(printf '%s' "$f" | tr '\n\t' '%%')
	check "editing '$shown' reruns the COPY" edit "$f" changed
	check "and then nothing to do" sh -c '"$1" | grep -q "no work to do"' sh "$NINJA"
done

retarget() {
	ln -sfn "$2" "$1" && ninja_logged && shift 2 &&
		expect_ran "$TMP/ninja.out" "$@"
}
check "retargeting a dangling symlink reruns the COPY" \
	retarget tree/dangling elsewhere "COPY [stage-0 3/3]"
check "retargeting a symlink to an older file reruns the COPY" \
	retarget tree/link 'a b' "COPY [stage-0 3/3]"
check "retargeting the named symlink to an older file reruns its COPY" \
	retarget named-link older "COPY [stage-0 2/3]" "COPY [stage-0 3/3]"
check "then nothing to do" sh -c '"$1" | grep -q "no work to do"' sh "$NINJA"

done_testing
