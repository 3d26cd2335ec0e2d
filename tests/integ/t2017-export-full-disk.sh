#!/bin/sh
# An export to a disk that fills up says which file it could not write
# and why (ENOSPC), and leaves no partial file behind.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox

mkdir small
if ! mount -t tmpfs -o size=64k tmpfs small 2>/dev/null; then
	echo "1..0 # SKIP cannot mount a tmpfs"
	exit 0
fi
# unmounted before lib.sh removes $TMP
trap 'umount "$TMP/small"; cleanup' EXIT

mkdir ctx && cd ctx || exit 99
cat >Dockerfile <<DF
FROM $BUSYBOX
RUN echo hi >/hi
DF

check "generate, type=docker to the small disk" \
	"$DF2NINJA" --output "type=docker,dest=$TMP/small/img.tar" .
"$NINJA" >out 2>&1
check "the build fails" test $? -ne 0
check "naming the file and ENOSPC" \
	assert_file_has out "cannot write '$TMP/small/img\.tar\.tmp-[A-Za-z0-9]*': No space left on device"
check "not libarchive's bare 'Write error'" assert_file_lacks out 'Write error'
check "no partial file is left" sh -c 'test -z "$(ls -A "$1")"' sh "$TMP/small"

done_testing
