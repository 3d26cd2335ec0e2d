#!/bin/sh
# What each kind of step loads. A step is a process of its own, so the
# shared libraries it starts with are paid for at every step: RUN, COPY and
# WORKDIR must not load libarchive, libcurl or libcrypto.so (SHA-256 comes
# from libcrypto.a when configure found it); FROM and the export load
# libarchive only when they read or write a tar (src/image/archive_dl.h).
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox

mkdir ctx
cat >ctx/Dockerfile <<DF
FROM $BUSYBOX
RUN echo hello >/hello
COPY f /f
WORKDIR /w
DF
echo data >ctx/f
cd ctx || exit 99
check "generate" "$DF2NINJA" .
check "build" "$NINJA"

# libs STAMP: the libraries the edge of STAMP loads when run again
libs() {
	"$NINJA" -t commands "$1" | tail -n 1 >cmd
	LD_DEBUG=libs sh ./cmd 2>&1 >/dev/null | sed -n 's/.*calling init: //p' | sort -u
}

for s in 02 03 04; do
	libs .df2ninja/steps/stage-0/$s.id >libs-$s
	check "step $s loads libc" assert_file_has libs-$s 'libc\.so'
	check "step $s does not load libarchive" assert_file_lacks libs-$s libarchive
	check "step $s does not load libcurl" assert_file_lacks libs-$s libcurl
done
if grep -q '^CRYPTO_LIBS = .*libcrypto\.a' "$TOP_BUILDDIR/Makefile" 2>/dev/null; then
	check "a RUN step does not load libcrypto.so" assert_file_lacks libs-02 libcrypto
fi
# FROM with its layers unpacked in the store already reads no tar
libs .df2ninja/steps/stage-0/01.id >libs-from
check "FROM an unpacked image does not load libarchive" assert_file_lacks libs-from libarchive
DF2NINJA_STORE=$TMP/store2 libs .df2ninja/steps/stage-0/01.id >libs-from2
check "FROM an image to unpack loads libarchive" assert_file_has libs-from2 libarchive
# the export packs a layer only once (the memo in out/packed-layers)
libs .df2ninja/out/image.id >libs-export
check "an export with every layer packed does not load libarchive" assert_file_lacks libs-export libarchive
rm -f .df2ninja/out/packed-layers
libs .df2ninja/out/image.id >libs-export2
check "an export that packs a layer loads libarchive" assert_file_has libs-export2 libarchive
check "... and the image is written" test -f .df2ninja/image/index.json

done_testing
