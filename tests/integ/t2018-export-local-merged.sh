#!/bin/sh
# type=local writes the merged view of the layers, the tree a RUN sees:
# a later layer whose entries lie below a symlink or a file of an earlier
# layer, with no entry for the directory itself (as tars made by other
# tools have), shows a directory there that hides the earlier entry.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox
command -v umoci >/dev/null || { echo "1..0 # SKIP needs umoci"; exit 0; }

bb=${BUSYBOX#oci-layout://}
cp -r "${bb%:latest}" img && chmod -R u+w img

# layer 1: lib2 -> usr/lib2 (holding a), and a file 'plain'
mkdir -p l1/usr/lib2 && echo a >l1/usr/lib2/a && ln -s usr/lib2 l1/lib2 &&
	echo f >l1/plain
tar -C l1 -cf l1.tar usr lib2 plain
# layer 2: lib2/x and plain/y, with no entry for lib2/ or plain/
mkdir -p l2/lib2 l2/plain && echo x >l2/lib2/x && echo y >l2/plain/y
tar -C l2 --no-recursion -cf l2.tar lib2/x plain/y
check "an image with both layers" sh -c \
	'umoci raw add-layer --image img:latest l1.tar &&
	 umoci raw add-layer --image img:latest l2.tar'

mkdir ctx && cd ctx || exit 99
cat >Dockerfile <<DF
FROM oci-layout://$TMP/img:latest
RUN ls -A /lib2 >/seen-lib2 && ls -A /plain >/seen-plain && ls -A /usr/lib2 >/seen-usr
DF
check "generate, type=local" "$DF2NINJA" --output "type=local,dest=$TMP/out" .
check "build and export" ninja_logged
cd "$TMP" || exit 99
check "lib2 is a directory, as the RUN saw it" sh -c 'test -d out/lib2 && ! test -L out/lib2'
check "holding what the RUN saw" sh -c 'ls -A out/lib2 | cmp -s - out/seen-lib2'
check "... x alone" file_is out/seen-lib2 x
check "plain is a directory holding y" sh -c \
	'test -d out/plain && ls -A out/plain | cmp -s - out/seen-plain && test "$(cat out/plain/y)" = y'
check "usr/lib2 keeps a" sh -c 'ls -A out/usr/lib2 | cmp -s - out/seen-usr && test -f out/usr/lib2/a'

done_testing
