#!/bin/sh
# A build whose build dir and store sit on a disk that fills up fails with
# an ENOSPC message that names the place, writes no stamp for what did not
# finish, and, once space is freed, gives the same image as a build on a
# roomy disk.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox
# the builds whose digests are compared must be reproducible: every
# time is SOURCE_DATE_EPOCH or earlier (t2023)
SOURCE_DATE_EPOCH=1700000000
export SOURCE_DATE_EPOCH

mkdir small
if ! mount -t tmpfs -o size=30m,mode=0755 tmpfs small 2>/dev/null; then
	echo "1..0 # SKIP cannot mount a tmpfs"
	exit 0
fi
# unmounted before lib.sh removes $TMP
trap 'umount "$TMP/small"; cleanup' EXIT

# 9 MiB that gzip cannot shrink, the same bytes every run: COPYed, copied
# again by a RUN, and packed twice at export, it needs about 40 MiB
mkdir ctx && cd ctx || exit 99
python3 -c '
import hashlib, sys
out = sys.stdout.buffer
for i in range(9 * 1024 * 1024 // 32):
    out.write(hashlib.sha256(i.to_bytes(4, "little")).digest())
' >big
cat >Dockerfile <<DF
FROM $BUSYBOX
COPY big /big
RUN cp /big /big2 && echo done >/done
DF

# the reference, on the roomy disk with the shared store
"$DF2NINJA" -B "$TMP/bd-ref" -o ref.ninja . >/dev/null &&
	"$NINJA" -f ref.ninja >"$TMP/ref.out" 2>&1
check "reference build" test $? = 0
want=$(image_digest "$TMP/bd-ref/image")
check "... which has a digest" test -n "$want"

# the disk fills in the COPY (10m), in the RUN (15m), at export (30m);
# each time: an ENOSPC error, then freeing space finishes the build
for size in 10m 15m 30m; do
	rm -rf "$TMP/small/"* && mount -o remount,size=$size "$TMP/small" ||
		echo "Bail out! cannot remount the tmpfs"
	DF2NINJA_STORE=$TMP/small/store "$DF2NINJA" -B "$TMP/small/bd" -o small.ninja . ||
		echo "Bail out! cannot generate"
	DF2NINJA_STORE=$TMP/small/store "$NINJA" -f small.ninja >"$TMP/full.out" 2>&1
	check "$size: the build fails" test $? -ne 0
	sed -n 's/^/#   /; /No space/p' "$TMP/full.out"
	check "$size: saying the disk is full" \
		assert_file_has "$TMP/full.out" 'No space left on device'
	[ $size = 15m ] && check "$size: and the RUN's own failure" \
		assert_file_has "$TMP/full.out" 'RUN .* failed: exit status 1'
	check "$size: no image was written" test ! -e "$TMP/small/bd/image/index.json"
	"$NINJA" -f small.ninja -n >"$TMP/dry.out" 2>&1
	check "$size: what failed is still to do" assert_file_lacks "$TMP/dry.out" 'no work to do'

	# free space and build again: nothing half-written is kept
	mount -o remount,size=200m "$TMP/small"
	DF2NINJA_STORE=$TMP/small/store "$NINJA" -f small.ninja >"$TMP/again.out" 2>&1
	check "$size: after freeing space the build succeeds" test $? = 0 ||
		sed 's/^/#   /' "$TMP/again.out"
	check "$size: with the reference digest" \
		test "$(image_digest "$TMP/small/bd/image")" = "${want:-none}"
	check "$size: the store has no temporaries left" sh -c \
		'test -z "$(ls -A "$1" 2>/dev/null)"' sh "$TMP/small/store/tmp"
	DF2NINJA_STORE=$TMP/small/store "$NINJA" -f small.ninja >"$TMP/noop.out" 2>&1
	check "$size: then there is nothing to do" assert_file_has "$TMP/noop.out" 'no work to do'
done

done_testing
