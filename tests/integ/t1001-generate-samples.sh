#!/bin/sh
# Every sample generates a build.ninja that ninja -n accepts and a make file
# that make -n accepts, matching its golden copy byte for byte (with the
# binary's path masked); a second generation gives identical bytes.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"

GOLDEN="$TOP_SRCDIR/tests/integ/golden"

# UPDATE_GOLDEN=1 rewrites the golden files instead of comparing
# mask the machine-specific path of the binary
mask() { sed -e "s|$DF2NINJA|@DF2NINJA@|g" "$1"; }

for dir in "$SAMPLES"/*/; do
	name=$(basename "$dir")
	[ -f "$dir/Dockerfile" ] || continue
	[ "$name" = images ] && continue
	out="$TMP/$name"
	mkdir -p "$out"
	cp -R "$dir/." "$out/"
	# relative base images point at ../images, which need not exist to generate
	check "$name: generate build.ninja" "$DF2NINJA" -o "$out/build.ninja" "$out"
	check "$name: ninja -n accepts it" "$NINJA" -C "$out" -n
	mask "$out/build.ninja" >"$TMP/$name.ninja"
	[ "${UPDATE_GOLDEN:-0}" = 1 ] && cp "$TMP/$name.ninja" "$GOLDEN/$name.ninja"
	check "$name: build.ninja matches golden" test_cmp "$GOLDEN/$name.ninja" "$TMP/$name.ninja"
	cp "$out/build.ninja" "$TMP/first"
	check "$name: generating again" "$DF2NINJA" -o "$out/build.ninja" "$out"
	check "$name: gives identical bytes" cmp "$TMP/first" "$out/build.ninja"

	check "$name: generate a make file" "$DF2NINJA" -G make -o "$out/image.mk" "$out"
	check "$name: make -n accepts it" make -n -C "$out" -f image.mk
	mask "$out/image.mk" >"$TMP/$name.mk"
	[ "${UPDATE_GOLDEN:-0}" = 1 ] && cp "$TMP/$name.mk" "$GOLDEN/$name.mk"
	check "$name: make file matches golden" test_cmp "$GOLDEN/$name.mk" "$TMP/$name.mk"
done

# samples/cross for two platforms: its toolchain stage (FROM
# --platform=$BUILDPLATFORM, no TARGET* ARG) is one stage for both, its
# compile stage (ARG TARGETARCH) one per platform
mkdir "$TMP/multi" && cp -R "$SAMPLES/cross/." "$TMP/multi/"
check "cross: generate for linux/amd64,linux/arm64" \
	"$DF2NINJA" --platform linux/amd64,linux/arm64 -o "$TMP/multi/build.ninja" "$TMP/multi"
check "... which ninja -n accepts" "$NINJA" -C "$TMP/multi" -n
check "... the toolchain stage once, unsuffixed" \
	assert_file_has "$TMP/multi/build.ninja" 'steps/toolchain/'
check "... not once per platform" \
	sh -c "! grep -q 'steps/toolchain@' '$TMP/multi/build.ninja'"
check "... the compile stage for arm64" \
	assert_file_has "$TMP/multi/build.ninja" 'steps/build@linux-arm64/'
check "... and for amd64" \
	assert_file_has "$TMP/multi/build.ninja" 'steps/build@linux-amd64/'
check "cross by emulation: every stage per platform" \
	"$DF2NINJA" --platform linux/amd64,linux/arm64 -f "$TMP/multi/Dockerfile.emulated" \
	-o "$TMP/multi/emulated.ninja" "$TMP/multi"
check "... the compile stage for arm64" \
	assert_file_has "$TMP/multi/emulated.ninja" 'steps/build@linux-arm64/'

# -o into a directory that does not exist yet makes it, as -B does
mkdir "$TMP/odir" && cp "$TOP_SRCDIR/samples/hello/Dockerfile" "$TOP_SRCDIR"/samples/hello/*.txt "$TMP/odir/" 2>/dev/null
check "-o in a missing directory" "$DF2NINJA" -o "$TMP/odir/out/sub/build.ninja" "$TMP/odir"
check "... makes it and writes the file there" test -f "$TMP/odir/out/sub/build.ninja"
check "... with the build dir beside it" test -d "$TMP/odir/out/sub/.df2ninja/plans"
check "... which ninja -n accepts" "$NINJA" -C "$TMP/odir/out/sub" -n
done_testing
