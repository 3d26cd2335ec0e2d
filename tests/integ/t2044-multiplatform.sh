#!/bin/sh
# --platform with a list: one subgraph per platform in one build.ninja, a
# stage pinned to $BUILDPLATFORM that reads no TARGET* ARG built once for
# all, one that does built per platform, the TARGET*/BUILD* ARGs of each
# platform, targets image@<os>-<arch> and <stage>@<os>-<arch>[/N], an OCI
# layout holding an index of one manifest per platform whose configs name
# it, type=local as a dir per platform, type=docker refused, and one
# platform alone as before (no suffix); the descriptions of a stage not on
# the host's platform name it ("COPY [arm64] [...]"); COPY --from a
# two-platform OCI layout reads each platform's image. Nothing foreign
# runs: RUN steps are on $BUILDPLATFORM, the per-platform stages are FROM
# scratch.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
for t in jq skopeo; do
	command -v "$t" >/dev/null || { echo "1..0 # SKIP $t is not installed (.ci/setup)"; exit 0; }
done
use_busybox
case $(uname -m) in
x86_64) HOSTARCH=amd64 ;;
aarch64) HOSTARCH=arm64 ;;
*) echo "1..0 # SKIP the host is neither amd64 nor arm64"; exit 0 ;;
esac

mkdir ctx && cd ctx || exit 99
cat >Dockerfile <<DF
FROM --platform=\$BUILDPLATFORM $BUSYBOX AS tool
RUN echo tool-built >/tool.txt

FROM --platform=\$BUILDPLATFORM $BUSYBOX AS cross
ARG TARGETARCH
RUN echo "cross for \$TARGETARCH on \$(uname -m)" >/cross.txt

FROM scratch
ARG TARGETARCH TARGETPLATFORM TARGETOS BUILDARCH
COPY --from=tool /tool.txt /
COPY --from=cross /cross.txt /
COPY <<EOT /arch.txt
\${TARGETOS} \${TARGETARCH} \${TARGETPLATFORM} \${BUILDARCH}
EOT
DF
P=linux/amd64,linux/arm64
check "generate for two platforms" "$DF2NINJA" --platform "$P" --output "type=oci,dest=$TMP/oci" .
check "ninja -n accepts it" "$NINJA" -n
check "the shared stage has one edge per step" \
	test "$(grep -c '^build \$steps/tool/02.id:' build.ninja)" = 1
check "... under its own name" assert_file_lacks build.ninja 'tool@'
check "a TARGETARCH stage is there per platform" \
	assert_file_has build.ninja '^build \$steps/cross@linux-arm64/02.id:'
check "... for amd64 too" assert_file_has build.ninja '^build \$steps/cross@linux-amd64/02.id:'
check "target image" assert_file_has build.ninja '^build image: phony'
check "target image@linux-arm64" assert_file_has build.ninja '^build image@linux-arm64: phony'
check "target image@linux-amd64" assert_file_has build.ninja '^build image@linux-amd64: phony'
check "target <stage>@<platform>" assert_file_has build.ninja '^build stage-2@linux-arm64: phony'
check "target <stage>@<platform>/N" assert_file_has build.ninja '^build cross@linux-amd64/2: phony'
check "the export reads both platforms" \
	assert_file_has build.ninja 'export: stages "stage-2@linux-amd64", "stage-2@linux-arm64"'
check "one platform's stage alone builds" ninja_logged cross@linux-arm64
check "... nothing of the other" assert_file_lacks "$TMP/ninja.out" 'linux-amd64'
check "build" ninja_logged
check "the shared RUN ran once" test "$(grep -c 'RUN .*\[tool 2/2\]' "$TMP/ninja.out")" = 1
check "the amd64 cross RUN ran" assert_file_has "$TMP/ninja.out" 'RUN .*\[cross@linux-amd64 2/2\]'

# the layout: index.json names an image index of two manifests
check "index.json names an image index" \
	test "$(jq -r '.manifests[0].mediaType' "$TMP/oci/index.json")" = application/vnd.oci.image.index.v1+json
skopeo inspect --raw "oci:$TMP/oci:latest" >"$TMP/index.raw" 2>"$TMP/skopeo.err"
check "skopeo reads the index" test -s "$TMP/index.raw"
check "... two manifests" test "$(jq '.manifests | length' "$TMP/index.raw")" = 2
check "... amd64 then arm64" \
	test "$(jq -r '[.manifests[].platform.architecture] | join(",")' "$TMP/index.raw")" = amd64,arm64
for a in amd64 arm64; do
	m=$(jq -r ".manifests[] | select(.platform.architecture == \"$a\") | .digest" "$TMP/index.raw")
	c=$(jq -r .config.digest "$TMP/oci/blobs/sha256/${m#sha256:}")
	check "the $a config names its architecture" \
		test "$(jq -r .architecture "$TMP/oci/blobs/sha256/${c#sha256:}")" = "$a"
	check "... and os linux" test "$(jq -r .os "$TMP/oci/blobs/sha256/${c#sha256:}")" = linux
done
check "skopeo picks the arm64 config" \
	test "$(skopeo --override-arch arm64 inspect --config "oci:$TMP/oci:latest" | jq -r .architecture)" = arm64

# type=local: a dir per platform, each with its platform's ARGs
check "generate a local output" "$DF2NINJA" --platform "$P" --output "type=local,dest=$TMP/out" \
	--iidfile "$TMP/iid" --metadata-file "$TMP/meta.json" .
check "build it" ninja_logged
check "nothing ran again but the export" test -z "$(ran_steps "$TMP/ninja.out")"
check "the image ID is the index's digest" \
	test "$(cat "$TMP/iid")" = "$(cat .df2ninja/out/image.id)"
check "--metadata-file names it" \
	test "$(jq -r '."containerimage.digest"' "$TMP/meta.json")" = "$(cat "$TMP/iid")"
for a in amd64 arm64; do
	check "$a: TARGET* and BUILDARCH" file_is "$TMP/out/linux_$a/arch.txt" \
		"linux $a linux/$a $HOSTARCH"
	check "$a: the cross stage saw its TARGETARCH" file_is "$TMP/out/linux_$a/cross.txt" \
		"cross for $a on $(uname -m)"
	check "$a: the shared stage's file" file_is "$TMP/out/linux_$a/tool.txt" tool-built
done

check "type=docker with two platforms is refused" expect_fail 1 \
	'docker exporter does not currently support exporting manifest lists' \
	"$DF2NINJA" --platform "$P" --output "type=docker,dest=$TMP/img.tar" .
check "... so is --load" expect_fail 1 'manifest lists' "$DF2NINJA" --platform "$P" --load .
check "a malformed platform is refused" expect_fail 1 "failed to parse platform 'linux/'" \
	"$DF2NINJA" --platform "linux/amd64,linux/" .

if [ $HOSTARCH = amd64 ]; then OTHER=arm64; else OTHER=amd64; fi
check "a step of the $OTHER subgraph names its platform" \
	assert_file_has build.ninja "^  desc = COPY \\[$OTHER\\] \\[stage-2@linux-$OTHER 2/4\\] --from=tool /tool.txt /\$"
check "... its FROM too" \
	assert_file_has build.ninja "^  desc = FROM \\[$OTHER\\] \\[stage-2@linux-$OTHER 1/4\\] scratch\$"
check "a step of the host's keeps its text" \
	assert_file_has build.ninja "^  desc = COPY \\[stage-2@linux-$HOSTARCH 2/4\\] --from=tool /tool.txt /\$"
check "... so does a shared \$BUILDPLATFORM stage" \
	assert_file_has build.ninja '^  desc = RUN  \[tool 2/2\] echo tool-built >/tool.txt$'
check "make names the platform too" "$DF2NINJA" --platform "$P" -G make -o Makefile .
check "... in its descriptions" \
	assert_file_has Makefile "COPY \\[$OTHER\\] \\[stage-2@linux-$OTHER 2/4\\]"

# COPY --from=<image> in per-platform stages reads each platform's
# manifest: a two-platform layout built by df2ninja, a file per arch
mkdir ../multi && cd ../multi || exit 99
echo "file of amd64" >amd64.txt
echo "file of arm64" >arm64.txt
cat >Dockerfile <<'DF'
FROM scratch
ARG TARGETARCH
COPY $TARGETARCH.txt /which.txt
DF
check "generate a two-platform image" "$DF2NINJA" --platform "$P" \
	--output "type=oci,dest=$TMP/mlayout" .
check "build it" ninja_logged
mkdir ../frommulti && cd ../frommulti || exit 99
cat >Dockerfile <<DF
FROM scratch
COPY --from=oci-layout://$TMP/mlayout /which.txt /
DF
check "generate a build reading it per platform" "$DF2NINJA" --platform "$P" \
	--output "type=local,dest=$TMP/fm" .
check "... the $OTHER plan names its platform" test "$(jq -r .from.platform \
	".df2ninja/plans/stage-0@linux-$OTHER/02.json")" = "linux/$OTHER"
check "... the host's names none" test "$(jq '.from | has("platform")' \
	".df2ninja/plans/stage-0@linux-$HOSTARCH/02.json")" = false
check "build" ninja_logged
for a in amd64 arm64; do
	check "$a: its platform's file" file_is "$TMP/fm/linux_$a/which.txt" "file of $a"
done

# one platform, not the host's: as a build of one, no suffix
mkdir ../one && cp ../ctx/Dockerfile ../one/ && cd ../one || exit 99
check "generate for linux/$OTHER alone" "$DF2NINJA" --platform "linux/$OTHER" .
check "... no platform suffix" assert_file_lacks build.ninja '@linux'
check "build" ninja_logged
check "its config names linux/$OTHER" test "$(image_config .df2ninja/image | jq -r .architecture)" = "$OTHER"
check "its steps' descriptions name it" assert_file_has build.ninja "^  desc = COPY \\[$OTHER\\] \\[stage-2 2/4\\]"
check "the export plan lists no platforms" test "$(jq 'has("platforms")' .df2ninja/plans/export.json)" = false
done_testing
