#!/bin/sh
# A base image whose blobs disagree with what it says of them is refused
# the same whatever the store holds: a layer blob that is not the tar of
# the config's diff id, a descriptor whose size is not its blob's, a
# layout's blob file that does not hash to its name. From an OCI layout,
# a docker-archive and a registry (tests/integ/canned-registry.py on
# 127.0.0.1), each with a fresh store and with a store that has the good
# layer unpacked already.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
for t in jq python3; do
	command -v "$t" >/dev/null || { echo "1..0 # SKIP $t is not installed (.ci/setup)"; exit 0; }
done
use_busybox
. "$TOP_SRCDIR/tests/integ/layout.sh"
CANNED=$TOP_SRCDIR/tests/integ/canned-registry.py

# no user's Docker config, one try per download, and nothing may leave
# loopback (a dead proxy for anything else)
DF2NINJA_REGISTRY_RETRIES=1
HOME=$TMP/home
https_proxy=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9
http_proxy=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9
no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
export DF2NINJA_REGISTRY_RETRIES HOME https_proxy HTTPS_PROXY http_proxy HTTP_PROXY \
	no_proxy NO_PROXY
unset DOCKER_CONFIG DF2NINJA_PULL DF2NINJA_REGISTRY_MIRRORS DF2NINJA_INSECURE_REGISTRIES
mkdir -p "$HOME"

# --- the images ----------------------------------------------------------------

# two layers with the same file: the good one, and one to pass off as it
mkdir good evil
echo good >good/marker
echo evil >evil/marker
layer_tar good.tar good
layer_tar evil.tar evil
L=$TMP/layout
layout_new "$L"
IFS=, read -r G GSIZE D <<EOF
$(layout_layer "$L" good.tar)
EOF
IFS=, read -r T TSIZE E <<EOF
$(layout_layer "$L" evil.tar)
EOF
N=$((BB_LAYERS + 1))
layout_image "$L" good "$G,$GSIZE,$D" >/dev/null
# the evil blob under the good layer's diff id
layout_image "$L" tampered "$T,$TSIZE,$D" >/dev/null
# the good blob with a descriptor one byte too long
layout_image "$L" badsize "$G,$((GSIZE + 1)),$D" >/dev/null
# a layout whose file for the good blob holds the evil one
C=$TMP/corrupt
cp -r "$L" "$C"
cp "$L/blobs/sha256/${T#sha256:}" "$C/blobs/sha256/${G#sha256:}"

# the tampered image as a docker-archive (docker save's layout of files)
mkdir da
jq -c '[{Config: ("blobs/sha256/" + (.config.digest | ltrimstr("sha256:"))),
	 RepoTags: ["tampered:latest"],
	 Layers: [.layers[].digest | "blobs/sha256/" + ltrimstr("sha256:")]}]' \
	"$(layout_manifest "$L" tampered)" >da/manifest.json
tar -cf tampered.tar -C da manifest.json -C "$L" blobs

# the layout over the distribution API
CPORT_FILE=$TMP/canned.port
python3 "$CANNED" --layout "$L" --port-file "$CPORT_FILE" --log "$TMP/canned.req" \
	2>>"$TMP/canned.log" &
CANNED_PID=$!
trap 'kill "$CANNED_PID" 2>/dev/null; wait "$CANNED_PID" 2>/dev/null; cleanup' EXIT
for _i in $(seq 100); do
	[ -s "$CPORT_FILE" ] && break
	sleep 0.1
done
[ -s "$CPORT_FILE" ] || { echo "Bail out! the canned registry did not start"; exit 1; }
R=127.0.0.1:$(cat "$CPORT_FILE")

# build DIR STORE REF: in DIR, FROM REF and a RUN that shows the marker,
# with the store STORE; all output in DIR/out
build() {
	mkdir -p "$1"
	printf 'FROM %s\nRUN cat /marker\n' "$3" >"$1/Dockerfile"
	(
		cd "$1" || exit 99
		DF2NINJA_STORE=$2 "$DF2NINJA" . >out 2>&1 &&
			DF2NINJA_STORE=$2 "$NINJA" >>out 2>&1
	)
}

# refused DIR STORE REF REGEX: the build fails at FROM, saying REGEX, and
# nothing of the image ran
refused() {
	if build "$1" "$2" "$3"; then
		echo "# the build of '$3' succeeded:" >&2
		sed 's/^/#   /' "$1/out" >&2
		return 1
	fi
	assert_file_has "$1/out" "error: .* failed: .*$4" && assert_file_lacks "$1/out" '^evil$'
}

# --- a warm store: the good image first --------------------------------------------

WARM=$TMP/warm
check "the good image builds" build warm-good "$WARM" "oci-layout://$L:good"
check "... and RUN sees its layer" assert_file_has warm-good/out '^good$'
check "the store records the diff id the good blob gave" \
	file_is "$WARM/diffids/sha256/${G#sha256:}" "$D"

# case NAME REF REGEX: the image REF is refused with a fresh store and with
# the warm one, saying REGEX both times
case_() {
	check "$1: refused with a fresh store" refused "fresh-$1" "$TMP/store-$1" "$2" "$3"
	check "$1: refused with the warm store" refused "warm-$1" "$WARM" "$2" "$3"
	check "$1: the same message both times" \
		sh -c 'm=$(grep ": error: " "$1") && test "$m" = "$(grep ": error: " "$2")"' sh \
		"fresh-$1/out" "warm-$1/out"
}

MISMATCH="layer $N of $N: unpacking layer '$T': diff id mismatch: expected $D, got $E"
case_ oci-tampered "oci-layout://$L:tampered" "'oci-layout://$L:tampered': $MISMATCH"
case_ oci-size "oci-layout://$L:badsize" \
	"tag 'badsize': blob $G: size mismatch: descriptor says $((GSIZE + 1)), file has $GSIZE"
case_ oci-corrupt "oci-layout://$C:good" "tag 'good': blob $G: digest mismatch: content hashes to $T"
case_ docker-tampered "docker-archive://$TMP/tampered.tar" \
	"'docker-archive://$TMP/tampered.tar': $MISMATCH"
case_ registry-tampered "$R/img:tampered" "'$R/img:tampered': $MISMATCH"

# a registry's descriptor that is too long: a download stops short of it,
# the store's copy is as short
check "registry-size: refused with a fresh store" refused fresh-registry-size \
	"$TMP/store-registry-size" "$R/img:badsize" "$G: .*the body ended after $GSIZE of $((GSIZE + 1)) bytes"
check "registry-size: refused with the warm store" refused warm-registry-size \
	"$WARM" "$R/img:badsize" "layer $N of $N: blob $G: size mismatch: descriptor says $((GSIZE + 1)), the blob has $GSIZE"

# and the good image still builds from the warm store, its check recorded
check "the good image builds again" build warm-good2 "$WARM" "oci-layout://$L:good"
check "... and RUN sees its layer" assert_file_has warm-good2/out '^good$'

done_testing
