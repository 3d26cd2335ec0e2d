#!/bin/sh
# df2ninja gc: a store shared by build dirs keeps what a build dir that
# still exists references and frees what a deleted one left, least
# recently used first (--keep-storage), what was used lately kept
# (--keep-duration); a gc while a step runs waits for that step; a tag
# record keeps the manifest it names (against docker-registry on
# 127.0.0.1).
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox

# the store's items, as gc counts them, one a line
items() {
	(cd "$DF2NINJA_STORE" && for d in layers/sha256 blobs/sha256 flat cache; do
		[ -d "$d" ] && find "$d" -mindepth 1 -maxdepth 1 ! -name '.*'
	done) | sort
}
# the bytes of the files under them (gc's sizes)
store_bytes() {
	(cd "$DF2NINJA_STORE" && find layers/sha256 blobs/sha256 -type f -printf '%s\n') |
		awk '{ n += $1 } END { print n + 0 }'
}
# build DIR BASE WORD: a build dir DIR of an image FROM BASE with one RUN
build() {
	mkdir -p "$TMP/$1" && cd "$TMP/$1" || exit 99
	printf 'FROM %s\nRUN echo %s >/%s\n' "$2" "$3" "$3" >Dockerfile
	"$DF2NINJA" . >/dev/null && "$NINJA" >ninja.out 2>&1 || { cat ninja.out; return 1; }
	cd "$TMP" || exit 99
}
# base NAME: an OCI layout $TMP/NAME.oci, busybox and a layer of its own,
# made with a store of its own
base() {
	mkdir "$TMP/mk-$1" && cd "$TMP/mk-$1" || exit 99
	printf 'FROM %s\nRUN echo %s >/base-%s\n' "$BUSYBOX" "$1" "$1" >Dockerfile
	DF2NINJA_STORE=$TMP/mkstore "$DF2NINJA" --output "type=oci,dest=$TMP/$1.oci" . >/dev/null &&
		DF2NINJA_STORE=$TMP/mkstore "$NINJA" >out 2>&1 || { cat out; return 1; }
	cd "$TMP" || exit 99
}

DF2NINJA_STORE=$TMP/store
export DF2NINJA_STORE
for b in one two three; do
	check "make base image $b" base $b
done

# b alone, collected: what b needs
check "build b" build b "$BUSYBOX" b
check "gc with b alone" sh -c '"$1" gc >"$2/gc0.out"' sh "$DF2NINJA" "$TMP"
items >s0
check "b's build dir is registered in the store" sh -c \
	'grep -qx "$1/b/.df2ninja" "$2"/builddirs/*' sh "$TMP" "$DF2NINJA_STORE"
# a on a base of its own: more layers and blobs
check "build a" build a "oci-layout://$TMP/one.oci:latest" a
items >s1
check "a adds to the store" sh -c \
	'test "$(comm -13 s0 s1 | grep -c "^layers/")" -ge 1 && test -z "$(comm -23 s0 s1)"'
check "gc while both build dirs exist frees nothing either uses" sh -c \
	'"$1" gc >gc1.out && cd a && "$2" -n | grep -q "no work to do"' sh "$DF2NINJA" "$NINJA"
rm -rf a
check "gc once a is deleted" sh -c '"$1" gc >gc2.out' sh "$DF2NINJA"
items >s2
check "... frees exactly what a alone had" test_cmp s0 s2
check "... and says what it freed" assert_file_has gc2.out \
	'^freed [0-9.]* [KMG]*i*B: [1-9][0-9]* layers*, [1-9][0-9]* blobs*, 0 flat copies, 0 cache mounts; kept [0-9.]* [KMG]*i*B for 1 build dir$'
check "a rebuild in b runs no step" sh -c \
	'cd b && "$1" >../ninja-b.out 2>&1 && grep -q "no work to do" ../ninja-b.out' sh "$NINJA"
check "a gc with nothing to free says so" sh -c \
	'"$1" prune >gc3.out && grep -q "^freed 0 B: 0 layers, 0 blobs," gc3.out' sh "$DF2NINJA"

# --keep-duration: what a build dir gone a moment ago used is recent
check "build c" build c "oci-layout://$TMP/two.oci:latest" c
rm -rf c
items >s3
check "gc --keep-duration 1h keeps what c used just now" sh -c \
	'"$1" gc --keep-duration 1h >gc4.out && grep -q "^freed 0 B" gc4.out' sh "$DF2NINJA"
items >s4
check "... all of it" test_cmp s3 s4
sleep 2
check "gc --keep-duration 1s, two seconds later, frees it" sh -c \
	'"$1" prune --keep-duration 1s >gc5.out && ! grep -q "^freed 0 B" gc5.out' sh "$DF2NINJA"
items >s5
check "... back to what b needs" test_cmp s0 s5

# --keep-storage: least recently used first. d was last used two days
# ago, e now; both gone.
check "build d" build d "oci-layout://$TMP/two.oci:latest" d
check "build e" build e "oci-layout://$TMP/three.oci:latest" e
d_entry=$(grep -lx "$TMP/d/.df2ninja" "$DF2NINJA_STORE"/builddirs/*)
e_entry=$(grep -lx "$TMP/e/.df2ninja" "$DF2NINJA_STORE"/builddirs/*)
touch -d '2 days ago' "$d_entry"
rm -rf d e
items >s6
check "gc --keep-storage 1t frees nothing" sh -c \
	'"$1" gc --keep-storage 1t >gc6.out && grep -q "^freed 0 B" gc6.out' sh "$DF2NINJA"
total=$(store_bytes)
check "gc --keep-storage, all but a byte" sh -c \
	'"$1" gc --keep-storage "$2" >gc7.out' sh "$DF2NINJA" $((total - 1))
items >s7
gone=$(comm -23 s6 s7)
check "... frees one item" test "$(printf '%s\n' "$gone" | grep -c .)" = 1
check "... the least recently used: d's" grep -qx "$gone" "$d_entry.refs"
check "... none of e's" sh -c '! grep -qx "$1" "$2"' sh "$gone" "$e_entry.refs"
check "gc --keep-storage 1 frees all but b's" sh -c \
	'"$1" gc --keep-storage 1 >gc8.out' sh "$DF2NINJA"
items >s8
check "... back to what b needs" test_cmp s0 s8

# a gc while a step of another build dir runs: the step's cache mount,
# which no build dir references, is left until the step is done
mkdir f && cd f || exit 99
cat >Dockerfile <<DF
FROM $BUSYBOX
RUN --mount=type=cache,id=gctest,target=/c echo kept >/c/f && sleep 8 && cat /c/f >/seen
DF
"$DF2NINJA" --output "type=local,dest=$TMP/froot" . >/dev/null || exit 99
"$NINJA" >"$TMP/ninja-f.out" 2>&1 &
build_pid=$!
cd "$TMP" || exit 99
i=0
while ! [ -d "$DF2NINJA_STORE/cache/gctest" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
check "the step mounts its cache" test -d "$DF2NINJA_STORE/cache/gctest"
sleep 0.5
check "gc during the step waits for it" sh -c \
	'"$1" gc >gc9.out 2>gc9.err && grep -q "waiting for the builds" gc9.err' sh "$DF2NINJA"
check "... then frees the cache mount" assert_file_has gc9.out ', 1 cache mount;'
wait $build_pid
check "the build succeeds" test $? = 0
check "... its step saw its cache whole" file_is "$TMP/froot/seen" kept

# a tag's record keeps the manifest and config it names: generation,
# offline, still finds them once the registry is gone
if command -v docker-registry >/dev/null && command -v skopeo >/dev/null; then
	. "$TOP_SRCDIR/tests/integ/ports.sh"
	no_proxy=127.0.0.1 NO_PROXY=127.0.0.1
	export no_proxy NO_PROXY
	PORT=$(free_port)
	printf 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
		"$TMP/reg" "$PORT" >reg.yml
	docker-registry serve reg.yml >reg.log 2>&1 &
	reg_pid=$!
	trap 'kill $reg_pid 2>/dev/null; cleanup' EXIT
	wait_port "$PORT" || { echo "Bail out! docker-registry did not start"; exit 1; }
	BB=${BUSYBOX#oci-layout://}
	BB=${BB%:latest}
	skopeo copy -q --dest-tls-verify=false "oci:$BB:latest" \
		"docker://127.0.0.1:$PORT/busybox:latest" >/dev/null 2>&1 || exit 99
	bb_manifest=$(jq -r '.manifests[0].digest' "$BB/index.json")
	check "build g FROM the registry" build g "127.0.0.1:$PORT/busybox:latest" g
	check "gc" sh -c '"$1" gc >gc10.out' sh "$DF2NINJA"
	check "... keeps the manifest g's tag record names" \
		test -f "$DF2NINJA_STORE/blobs/sha256/${bb_manifest#sha256:}"
	kill $reg_pid
	wait $reg_pid 2>/dev/null
	check "generation offline, the registry gone, finds what it needs" sh -c \
		'cd g && DF2NINJA_GEN_PULL=0 "$1" . >/dev/null && "$2" -n | grep -q "no work to do"' \
		sh "$DF2NINJA" "$NINJA"
else
	skip "docker-registry or skopeo is not installed (.ci/setup)"
fi

check "gc --keep-storage bad" expect_fail 2 "keep-storage 'lots': expected a size" \
	"$DF2NINJA" gc --keep-storage lots
check "gc --keep-duration bad" expect_fail 2 "keep-duration '3 days': expected a duration" \
	"$DF2NINJA" gc --keep-duration '3 days'
check "help gc" sh -c '"$1" help gc | grep -q "^usage: df2ninja gc"' sh "$DF2NINJA"
check "--help lists gc" sh -c '"$1" --help | grep -q "^  gc \["' sh "$DF2NINJA"

done_testing
