#!/bin/sh
# A base image that holds a layer more than once, as real images hold
# Docker's empty layer (sha256:5f70bf18...): RUN, COPY, COPY --from the
# image and `df2ninja shell` work on it, a repeated layer with a whiteout
# between its copies keeps overlay semantics (the upper copy wins), a
# stack deep enough to be flattened works too, and the exported image
# lists every layer of the base as the base does, repeats included.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
for t in jq umoci; do
	command -v "$t" >/dev/null || { echo "1..0 # SKIP $t is not installed (.ci/setup)"; exit 0; }
done
use_busybox
. "$TOP_SRCDIR/tests/integ/layout.sh"

EMPTY_DIFF_ID=sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef

# the layers: Docker's empty one (two zero blocks); a/f and a/g; a
# whiteout of a/f with w/x
head -c 1024 /dev/zero >empty.tar
mkdir -p a/a w/a w/w
echo one >a/a/f
echo g >a/a/g
: >w/a/.wh.f
echo w >w/w/x
layer_tar a.tar a
layer_tar w.tar w
L=$TMP/layout
layout_new "$L"
EMPTY=$(layout_layer "$L" empty.tar)
A=$(layout_layer "$L" a.tar)
W=$(layout_layer "$L" w.tar)
check "the empty layer has Docker's diff id" test "${EMPTY##*,}" = "$EMPTY_DIFF_ID"
# A again above the whiteout of a/f: a/f is back
layout_image "$L" rep "$EMPTY" "$A" "$W" "$EMPTY" "$A" >/dev/null
# more layers than a step mounts unflattened (exec/flatten.h), mostly
# the empty one, with repeats above and below where the stack is cut
DEEP=
for _i in $(seq 36); do
	DEEP="$DEEP $EMPTY"
done
# shellcheck disable=SC2086
layout_image "$L" deep $DEEP "$A" "$W" "$A" >/dev/null

# --- RUN, COPY, COPY --from, shell ---------------------------------------------

mkdir ctx
echo hello >ctx/hello.txt
cat >ctx/Dockerfile <<DF
FROM oci-layout://$L:rep AS rep
RUN cat /a/f /a/g /w/x >/seen
COPY hello.txt /hello.txt
COPY --from=oci-layout://$L:rep /a/f /copied-f
DF
cd ctx || exit 99
check "generate" "$DF2NINJA" --output "type=oci,dest=$TMP/out" --output "type=docker,dest=$TMP/out.tar" .
check "the build on a base with repeated layers succeeds" ninja_logged
check "... and exports the image" exported
check "shell on it sees the upper copy's a/f" \
	sh -c '"$1" shell rep/2 -- cat /seen /a/f >"$2" 2>&1' sh "$DF2NINJA" "$TMP/shell.out"
printf 'one\ng\nw\none\n' >"$TMP/want.shell"
check "... and what RUN saw" test_cmp "$TMP/want.shell" "$TMP/shell.out"
cd .. || exit 99

# --- the exported image ------------------------------------------------------

BASE=$(layout_manifest "$L" rep)
OUT=$TMP/out/blobs/sha256/$(jq -r '.manifests[0].digest' "$TMP/out/index.json" | cut -c8-)
OUTCFG=$TMP/out/blobs/sha256/$(jq -r '.config.digest' "$OUT" | cut -c8-)
NBASE=$(jq '.layers | length' "$BASE")
check "the image lists the base's layers as the base does, repeats included" \
	sh -c 'test "$(jq -cS ".layers" "$1")" = "$(jq -cS --argjson n "$3" ".layers[:\$n]" "$2")"' sh \
	"$BASE" "$OUT" "$NBASE"
check "... the empty layer twice and a/f's layer twice" \
	sh -c 'test "$(jq --arg e "$2" "[.rootfs.diff_ids[] | select(. == \$e)] | length" "$1")" = 2 &&
		test "$(jq --arg a "$3" "[.rootfs.diff_ids[] | select(. == \$a)] | length" "$1")" = 2' sh \
	"$OUTCFG" "$EMPTY_DIFF_ID" "${A##*,}"
check "... then the layers of RUN and the two COPYs" \
	test "$(jq '.layers | length' "$OUT")" = $((NBASE + 3))
check "umoci unpacks it (every diff id checked)" umoci unpack --image "$TMP/out:latest" bundle
check "... with a/f back, as RUN saw it" file_is bundle/rootfs/seen "one
g
w"
check "... the files of both COPYs" \
	sh -c 'test "$(cat bundle/rootfs/hello.txt)" = hello && test "$(cat bundle/rootfs/copied-f)" = one'
tar -xOf "$TMP/out.tar" manifest.json >docker-manifest.json
check "the docker-archive lists the layers as the OCI image does" \
	sh -c 'test "$(jq -c "[.[0].Layers[] | ltrimstr(\"blobs/sha256/\")]" "$1")" = "$(jq -c "[.layers[].digest | ltrimstr(\"sha256:\")]" "$2")"' sh \
	docker-manifest.json "$OUT"

# --- a deep stack, flattened ---------------------------------------------------

mkdir deep
cat >deep/Dockerfile <<DF
FROM oci-layout://$L:deep
RUN cat /a/f /w/x >/seen && cat /seen
DF
cd deep || exit 99
check "generate (deep)" "$DF2NINJA" .
check "RUN on a flattened stack of repeated layers" ninja_logged
check "... sees a/f and w/x" assert_file_has "$TMP/ninja.out" '^one$'
cd .. || exit 99

done_testing
