#!/bin/sh
# A build killed while it unpacks a base image leaves a partial tree in
# <store>/tmp; the next build removes it, but never what a live build is
# still working on.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox

# a store of this test's own, so that its leftovers are ours to count
DF2NINJA_STORE=$TMP/store
export DF2NINJA_STORE
tmpdir=$DF2NINJA_STORE/tmp

# a base image whose layer takes a while to unpack: many small files
mkdir big && cd big || exit 99
cat >Dockerfile <<DF
FROM $BUSYBOX
RUN mkdir /many && cd /many && seq 1 40000 | xargs touch
DF
check "make a base image with 40000 files" sh -c \
	'"$1" --output "type=oci,dest=$2" . && "$3" >out 2>&1 || { cat out; exit 1; }' \
	sh "$DF2NINJA" "$TMP/big.oci" "$NINJA"
cd "$TMP" && mkdir use && cd use || exit 99
cat >Dockerfile <<DF
FROM oci-layout://$TMP/big.oci:latest
RUN ls /many | wc -l >/count
DF
check "generate" "$DF2NINJA" .

# the FROM step's command, started by hand so that $! is the executor
cmd=$("$NINJA" -t commands .df2ninja/steps/stage-0/01.id | tail -n 1)
sh -c "exec $cmd" >from.out 2>&1 &
pid=$!
i=0
while ! find "$tmpdir" -mindepth 1 -maxdepth 1 -type d | grep -q . &&
	[ $i -lt 1000 ] && kill -0 $pid 2>/dev/null; do
	sleep 0.01
	i=$((i + 1))
done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
left=$(find "$tmpdir" -mindepth 1 -maxdepth 1 | wc -l)
check "killed while unpacking: a partial tree is left in the store's tmp/" \
	test "$left" -gt 0

# a live build's staging entry, held as the executor holds its own
mkdir "$tmpdir/live"
(flock 9 && exec sleep 300) 9<"$tmpdir/live" &
holder=$!
i=0
while flock -n "$tmpdir/live" true && [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done

check "the next build succeeds" ninja_logged
check "... and counts the files" sh -c \
	'"$1" shell stage-0/2 -- cat /count | grep -q "^40000$"' sh "$DF2NINJA"
check "... the partial tree is gone" sh -c \
	'test "$(find "$1" -mindepth 1 -maxdepth 1 ! -name live | wc -l)" = 0' sh "$tmpdir"
check "... a live build's entry stays" test -d "$tmpdir/live"
kill $holder 2>/dev/null
wait $holder 2>/dev/null
check "once its build is gone, the next one removes it" sh -c \
	'"$1" -t clean >/dev/null && "$2" >/dev/null 2>&1 && ! test -e "$3/live"' \
	sh "$NINJA" "$NINJA" "$tmpdir"

done_testing
