#!/bin/sh
# A two-stage build from a Dockerfile to an image, with no daemon: the
# default OCI layout that skopeo and umoci read, its config and history,
# the docker-archive and local outputs, relative dests, and determinism.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox
# the builds whose digests are compared must be reproducible: every
# time is SOURCE_DATE_EPOCH or earlier (t2023)
SOURCE_DATE_EPOCH=1700000000
export SOURCE_DATE_EPOCH

for t in skopeo umoci jq; do
	command -v "$t" >/dev/null || { echo "1..0 # SKIP $t is not installed (.ci/setup)"; exit 0; }
done

mkdir ctx
cat >ctx/Dockerfile <<DF
FROM $BUSYBOX AS gen
RUN mkdir -p /out && echo generated > /out/gen.txt

FROM $BUSYBOX
COPY --from=gen /out/gen.txt /app/gen.txt
COPY hello.txt /app/
ENV GREETING="hello world" MODE=test
WORKDIR /srv/www
USER nobody
LABEL org.example.name=demo version=1
CMD ["cat /app/hello.txt"]
ENTRYPOINT ["/bin/sh", "-c"]
EXPOSE 8080 53/udp
DF
echo hello >ctx/hello.txt

# --- the default output: an OCI layout in the build dir ---------------------
cd ctx || exit 99
check "generate" "$DF2NINJA" .
"$NINJA" >../build.out 2>&1
check "ninja builds the image" test $? = 0
check "the build says where the image went" assert_file_has ../build.out 'oci at \.df2ninja/image$'
check "an OCI layout in .df2ninja/image" test -f .df2ninja/image/index.json -a -f .df2ninja/image/oci-layout
"$NINJA" >../again.out 2>&1
check "ninja right after the build has no work to do" assert_file_has ../again.out 'no work to do'

check "skopeo inspects oci:.df2ninja/image:latest" \
	sh -c 'skopeo inspect oci:.df2ninja/image:latest >../inspect.json'
skopeo inspect --config oci:.df2ninja/image:latest >../config.json 2>&1
skopeo inspect --raw oci:.df2ninja/image:latest >../manifest.json 2>&1
cd .. || exit 99

check "umoci unpacks it" umoci unpack --image ctx/.df2ninja/image:latest bundle
check "the file made by RUN in the first stage" sh -c 'test "$(cat bundle/rootfs/app/gen.txt)" = generated'
check "the file copied from the context" sh -c 'test "$(cat bundle/rootfs/app/hello.txt)" = hello'
check "the base image's files" test -f bundle/rootfs/bin/busybox
check "WORKDIR made its directory" test -d bundle/rootfs/srv/www
check "the first stage's files are not in the image" test ! -e bundle/rootfs/out

# --- the config --------------------------------------------------------------
jqcheck() { # DESCRIPTION FILE FILTER: FILTER prints true
	check "$1" sh -c 'test "$(jq -r "$2" "$1")" = true || { jq . "$1"; exit 1; }' sh "$2" "$3"
}
jqcheck "Env has the ENV values" config.json \
	'.config.Env | index("GREETING=hello world") != null and index("MODE=test") != null and (map(select(startswith("PATH="))) | length) == 1'
jqcheck "WorkingDir" config.json '.config.WorkingDir == "/srv/www"'
jqcheck "User" config.json '.config.User == "nobody"'
jqcheck "Labels" config.json '.config.Labels == {"org.example.name": "demo", "version": "1"}'
jqcheck "Cmd" config.json '.config.Cmd == ["cat /app/hello.txt"]'
jqcheck "Entrypoint" config.json '.config.Entrypoint == ["/bin/sh", "-c"]'
jqcheck "ExposedPorts" config.json '.config.ExposedPorts == {"8080/tcp": {}, "53/udp": {}}'
jqcheck "os and architecture" config.json '.os == "linux" and (.architecture | length) > 0'

# one history entry per instruction, BuildKit's wording: the base
# image's, then this stage's
jq -r '.history[] | [.created_by, (.empty_layer // false | tostring)] | @tsv' config.json >history.tsv
tail -n 9 history.tsv >history.last
cat >history.want <<'EOF'
COPY /out/gen.txt /app/gen.txt # buildkit	false
COPY hello.txt /app/ # buildkit	false
ENV GREETING=hello world MODE=test	true
WORKDIR /srv/www	false
USER nobody	true
LABEL org.example.name=demo version=1	true
CMD ["cat /app/hello.txt"]	true
ENTRYPOINT ["/bin/sh" "-c"]	true
EXPOSE [53/udp 8080/tcp]	true
EOF
check "history: one entry per instruction, empty_layer for metadata" test_cmp history.want history.last
base_hist=$(skopeo inspect --config "oci:$TEST_STATE/images/busybox:latest" | jq '.history | length')
check "history: the base image's entries come first" test "$(wc -l <history.tsv)" = $((base_hist + 9))

layers=$(jq '.layers | length' manifest.json)
check "rootfs.diff_ids: one per layer" test "$(jq '.rootfs.diff_ids | length' config.json)" = "$layers"
check "history: one non-empty entry per layer" test "$(grep -c '	false$' history.tsv)" = "$layers"
check "layers are gzip" sh -c 'test "$(jq -r "[.layers[].mediaType] | unique | .[]" manifest.json)" = application/vnd.oci.image.layer.v1.tar+gzip'
# every layer blob's digest and size are right, and its diff id is the
# digest of its uncompressed tar
blobs=ctx/.df2ninja/image/blobs/sha256
good=true
i=0
for d in $(jq -r '.layers[].digest' manifest.json | sed 's/sha256://'); do
	size=$(jq -r ".layers[$i].size" manifest.json)
	diff_id=$(jq -r ".rootfs.diff_ids[$i]" config.json | sed 's/sha256://')
	[ "$(sha256sum <"$blobs/$d" | cut -d' ' -f1)" = "$d" ] || { echo "# layer $i: digest"; good=false; }
	[ "$(stat -c %s "$blobs/$d")" = "$size" ] || { echo "# layer $i: size"; good=false; }
	[ "$(gzip -dc <"$blobs/$d" | sha256sum | cut -d' ' -f1)" = "$diff_id" ] || { echo "# layer $i: diff id"; good=false; }
	i=$((i + 1))
done
check "layer digests, sizes and diff ids" $good
manifest_digest=$(jq -r '.manifests[0].digest' ctx/.df2ninja/image/index.json)
# untagged: the layout's tag "latest" and no image name (BuildKit names
# nothing it was not given; docker.io/library/latest:latest was wrong)
jqcheck "untagged layout: ref name latest, no image name" ctx/.df2ninja/image/index.json \
	'.manifests | length == 1 and .[0].annotations == {"org.opencontainers.image.ref.name": "latest"}'

# --- docker-archive, with a relative dest and a tag ---------------------------
mkdir ctx/sub
(cd ctx/sub && "$DF2NINJA" -o "$TMP/docker.ninja" -B "$TMP/bd-docker" \
	--output type=docker,dest=img.tar -t demo:1.0 ..) >gen-docker.out 2>&1
check "generate with --output type=docker from a subdirectory" test $? = 0
"$NINJA" -f docker.ninja >docker.out 2>&1
check "build the docker-archive" test $? = 0
check "a relative dest is taken from where df2ninja ran" test -f ctx/sub/img.tar
check "and not from where ninja ran" test ! -e img.tar
check "the tarball holds manifest.json" sh -c 'tar tf ctx/sub/img.tar | grep -qx manifest.json'
check "skopeo inspects docker-archive:img.tar" skopeo inspect docker-archive:ctx/sub/img.tar
check "RepoTags is demo:1.0" sh -c \
	'test "$(tar xOf ctx/sub/img.tar manifest.json | jq -c ".[0].RepoTags")" = "[\"demo:1.0\"]"'
check "skopeo finds the image by its tag" skopeo inspect docker-archive:ctx/sub/img.tar:demo:1.0
# untagged, as BuildKit writes it: RepoTags null, no name in index.json
"$DF2NINJA" -o "$TMP/untagged.ninja" -B "$TMP/bd-untagged" \
	--output "type=docker,dest=$TMP/untagged.tar" ctx >gen-untagged.out 2>&1 &&
	"$NINJA" -f untagged.ninja >untagged.out 2>&1
check "build an untagged docker-archive" test $? = 0
check "untagged: RepoTags is null" sh -c \
	'test "$(tar xOf untagged.tar manifest.json | jq -c ".[0].RepoTags")" = null'
check "untagged: index.json names nothing" sh -c \
	'test "$(tar xOf untagged.tar index.json | jq -c ".manifests[0].annotations")" = null'
# ninja regenerates from where it runs: the dest stays where it was
echo '# a comment' >>ctx/Dockerfile
"$NINJA" -f docker.ninja >regen.out 2>&1
check "a Dockerfile edit regenerates" assert_file_has regen.out 'REGEN'
check "and the dest is still the one df2ninja was given" \
	assert_file_has bd-docker/plans/export.json "\"dest\": \"$TMP/ctx/sub/img.tar\""

# --- a plain directory ----------------------------------------------------------
(cd ctx/sub && "$DF2NINJA" -o "$TMP/local.ninja" -B "$TMP/bd-local" \
	--output type=local,dest=rootfs ..) >gen-local.out 2>&1
check "generate with --output type=local" test $? = 0
"$NINJA" -f local.ninja >local.out 2>&1
check "build the rootfs" test $? = 0
check "the build says where the rootfs went" assert_file_has local.out "^df2ninja: image: local at $TMP/ctx/sub/rootfs\$"
check "local: the files" sh -c 'test "$(cat ctx/sub/rootfs/app/gen.txt)" = generated &&
	test "$(cat ctx/sub/rootfs/app/hello.txt)" = hello && test -x ctx/sub/rootfs/bin/busybox'
check "local: no image layout in it" test ! -e ctx/sub/rootfs/index.json

# --- determinism: a clean build elsewhere gives the same digest ------------------
mkdir other
cp -p ctx/Dockerfile ctx/hello.txt other/
(cd other && "$DF2NINJA" . && "$NINJA") >other.out 2>&1
check "a second clean build in another directory" test $? = 0
check "gives the same manifest digest" test "$(jq -r '.manifests[0].digest' other/.df2ninja/image/index.json)" = "$manifest_digest"
check "and the same layers" sh -c 'test "$(skopeo inspect --raw oci:other/.df2ninja/image:latest)" = "$(cat manifest.json)"'

done_testing
