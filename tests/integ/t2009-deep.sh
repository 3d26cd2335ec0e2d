#!/bin/sh
# A stage deeper than 32 layers: steps past the 32nd mount a flattened
# copy of the bottom layers (cached in the store under flat/), and see the
# same files, whiteouts, hard links and fifos included; the image keeps
# every layer.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox

DF2NINJA_STORE=$TMP/store
export DF2NINJA_STORE
{
	echo "FROM $BUSYBOX"
	echo "RUN echo doomed > /doomed && echo h > /h1 && ln /h1 /h2 && mkfifo /fifo"
	i=1
	while [ $i -le 36 ]; do
		echo "RUN echo $i > /f$i"
		i=$((i + 1))
	done
	echo "RUN rm /doomed && echo 2b > /f2"
	cat <<'DF'
RUN test ! -e /doomed && test "$(cat /f1 /f2 /f36 | tr '\n' ' ')" = "1 2b 36 " && ls / > /listing
DF
} >Dockerfile
check "generate" "$DF2NINJA" --output type=local,dest=rootfs .
"$NINJA" >ninja.out 2>&1
check "a 40-layer stage builds" test $? -eq 0
sed 's/^/# /' ninja.out | tail -n 5
check "the bottom layers were flattened into the store" \
	sh -c 'ls -d "$DF2NINJA_STORE"/flat/* | grep -q .'
# steps 29-40 stand on 33-41 layers: all share one copy of the bottom 16
check "one flattened copy serves every deep step" \
	test "$(ls "$DF2NINJA_STORE"/flat | wc -l)" -eq 1
check "the last step saw the files of every layer" test -f rootfs/listing
check "a whiteout below the flattened part holds" test ! -e rootfs/doomed
check "a file rewritten above it wins" grep -qx 2b rootfs/f2
n=$(ls rootfs | grep -c '^f[0-9]*$')
check "all 36 files are in the image ($n)" test "$n" -eq 36
check "a shell sees the same root" sh -c '"$DF2NINJA" shell stage-0/39 -- cat /f36 | grep -qx 36'
# shellcheck disable=SC2016
check "the flattened copy keeps hard links and fifos" "$DF2NINJA" shell stage-0/39 -- \
	sh -c 'test "$(stat -c %i /h1)" = "$(stat -c %i /h2)" && test -p /fifo'
done_testing
