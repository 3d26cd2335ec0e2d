#!/bin/sh
# The registry client: FROM and COPY --from pull over the OCI distribution
# API, tags resolved once per build dir (DF2NINJA_PULL=1 resolves again),
# basic auth from a Docker config, a multi-platform index, df2ninja's own
# push, a base image's ONBUILD triggers read at generation, a tampered
# blob, a registry that goes away, and mirrors; against
# Debian's docker-registry (the CNCF distribution server) on 127.0.0.1.
# The faults a real registry cannot show (bearer tokens, 429, a transfer
# cut short, Ctrl-C during a slow download) use tests/integ/canned-registry.py.
# Nothing here leaves 127.0.0.1.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
for t in docker-registry skopeo jq htpasswd python3; do
	command -v "$t" >/dev/null || { echo "1..0 # SKIP $t is not installed (.ci/setup)"; exit 0; }
done
use_busybox
BB=${BUSYBOX#oci-layout://}
BB=${BB%:latest}
CANNED=$TOP_SRCDIR/tests/integ/canned-registry.py

# a store of our own, so that blobs from other tests hide no download; no
# user's Docker config; short retries; never a proxy but a dead local one
# (should anything try to leave loopback, it goes nowhere)
DF2NINJA_STORE=$TMP/store
DF2NINJA_REGISTRY_RETRIES=1
HOME=$TMP/home
https_proxy=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9
http_proxy=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9
no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
export DF2NINJA_STORE DF2NINJA_REGISTRY_RETRIES HOME https_proxy HTTPS_PROXY \
	http_proxy HTTP_PROXY no_proxy NO_PROXY
unset DOCKER_CONFIG DF2NINJA_PULL DF2NINJA_REGISTRY_MIRRORS DF2NINJA_INSECURE_REGISTRIES
mkdir -p "$HOME"

# --- servers -------------------------------------------------------------------

. "$TOP_SRCDIR/tests/integ/ports.sh"

PIDS=
# start_registry NAME PORT [HTPASSWD]: a docker-registry with its storage
# in $TMP/NAME, its log in $TMP/NAME.log
start_registry() {
	{
		printf 'version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n'
		printf '    rootdirectory: %s\n' "$TMP/$1"
		printf 'http:\n  addr: 127.0.0.1:%s\n  secret: df2ninja-test\n' "$2"
		[ -z "${3:-}" ] || printf 'auth:\n  htpasswd:\n    realm: test\n    path: %s\n' "$3"
	} >"$TMP/$1.yml"
	docker-registry serve "$TMP/$1.yml" >>"$TMP/$1.log" 2>&1 &
	echo $! >"$TMP/$1.pid"
	PIDS="$PIDS $!"
	wait_port "$2" || { echo "Bail out! docker-registry $1 did not start"; cat "$TMP/$1.log" >&2; exit 1; }
}

# start_canned NAME ARGS...: the canned registry serving busybox, its port
# in $TMP/NAME.port and its request log in $TMP/NAME.req
start_canned() {
	_name=$1
	shift
	rm -f "$TMP/$_name.port"
	python3 "$CANNED" --layout "$BB" --port-file "$TMP/$_name.port" --log "$TMP/$_name.req" "$@" \
		2>>"$TMP/$_name.log" &
	echo $! >"$TMP/$_name.pid"
	PIDS="$PIDS $!"
	for _i in $(seq 100); do
		[ -f "$TMP/$_name.port" ] && break
		sleep 0.1
	done
	[ -f "$TMP/$_name.port" ] || { echo "Bail out! the canned registry did not start"; exit 1; }
}

# stop NAME: stop the server started under NAME and wait for it
stop() {
	_pid=$(cat "$TMP/$1.pid")
	kill "$_pid" 2>/dev/null
	wait "$_pid" 2>/dev/null
	rm -f "$TMP/$1.pid"
}

stop_all() {
	for _p in $PIDS; do
		kill "$_p" 2>/dev/null
	done
	wait
}
trap 'stop_all; cleanup' EXIT

# build DIR [ENV=VALUE...] [-- DF2NINJA OPTIONS]: generate DIR/build.ninja for
# DIR/ctx and run ninja, all output in DIR/out
build() {
	_dir=$1
	shift
	_env=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		_env="$_env $1"
		shift
	done
	[ $# -eq 0 ] || shift
	(
		cd "$_dir" || exit 99
		"$DF2NINJA" -o build.ninja "$@" ctx >out 2>&1 &&
			env $_env "$NINJA" >>out 2>&1
	)
}

# fails CMD...: CMD fails
fails() {
	! "$@"
}

# dockerfile DIR TEXT: a context with that Dockerfile
dockerfile() {
	mkdir -p "$1/ctx"
	printf '%s\n' "$2" >"$1/ctx/Dockerfile"
}

# the manifest digest of the busybox image (what pulling its tag gives)
BB_DIGEST=$(jq -r '.manifests[0].digest' "$BB/index.json")
BB_LAYER=$(jq -r '.layers[0].digest' "$BB/blobs/sha256/${BB_DIGEST#sha256:}")

PORT=$(free_port)
R=127.0.0.1:$PORT
start_registry reg "$PORT"
skopeo copy -q --dest-tls-verify=false "oci:$BB:latest" "docker://$R/busybox:latest" >/dev/null 2>"$TMP/skopeo.err" ||
	{ echo "Bail out! skopeo cannot push to the registry"; cat "$TMP/skopeo.err" >&2; exit 1; }

# --- FROM a registry -------------------------------------------------------------

dockerfile a "FROM $R/busybox:latest
RUN echo from-registry > /msg && cat /msg"
check "FROM $R/busybox:latest builds" build a
check "RUN works on the pulled image" assert_file_has a/out '^from-registry$'
check "every layer is in the store" test -f "$DF2NINJA_STORE/blobs/sha256/${BB_LAYER#sha256:}"
PIN=a/.df2ninja/pulls/127.0.0.1+${PORT}_busybox+latest.digest
check "the tag's resolution is recorded" sh -c 'test "$(cat "$1")" = "$2"' sh "$PIN" "$BB_DIGEST"
check "the registry served the manifest to df2ninja" \
	assert_file_has "$TMP/reg.log" '"GET /v2/busybox/manifests/latest HTTP/1.1" 200 .*df2ninja'
(cd a && "$NINJA" >out2 2>&1)
check "a second ninja has no work to do" assert_file_has a/out2 'no work to do'

# a Docker schema 2 manifest
skopeo copy -q --format v2s2 --dest-tls-verify=false "oci:$BB:latest" "docker://$R/v2s2:latest" >/dev/null 2>&1
dockerfile a2 "FROM $R/v2s2:latest
RUN echo schema2"
check "FROM a Docker schema 2 image builds" build a2
check "... and RUN works" assert_file_has a2/out '^schema2$'

# COPY --from=<registry image>
dockerfile b "FROM scratch
COPY --from=$R/busybox:latest /bin/busybox /busybox"
check "COPY --from=<registry image> builds" build b -- --output "type=local,dest=$TMP/b/rootfs"
check "the file came from the pulled image" "$TMP/b/rootfs/busybox" true
check "COPY --from records the tag too" test -f "b/.df2ninja/pulls/127.0.0.1+${PORT}_busybox+latest.digest"

# --- a tag is resolved once per build dir ---------------------------------------

# move the tag to another image: a's own output (busybox plus a layer)
skopeo copy -q --dest-tls-verify=false "oci:a/.df2ninja/image:latest" "docker://$R/busybox:latest" >/dev/null 2>&1
NEW_DIGEST=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$R/busybox:latest")
check "the tag now names another image" test "$NEW_DIGEST" != "$BB_DIGEST"
touch a/.df2ninja/plans/stage-0/01.json
(cd a && "$NINJA" >out3 2>&1)
check "a rerun FROM keeps the recorded digest" sh -c 'test "$(cat "$1")" = "$2"' sh "$PIN" "$BB_DIGEST"
check "... so nothing after it reruns" expect_ran a/out3 "FROM [stage-0 1/2]"
touch a/.df2ninja/plans/stage-0/01.json
(cd a && DF2NINJA_PULL=1 "$NINJA" >out4 2>&1)
check "DF2NINJA_PULL=1 resolves the tag again" sh -c 'test "$(cat "$1")" = "$2"' sh "$PIN" "$NEW_DIGEST"
check "... and the steps after a changed base rerun" \
	expect_ran a/out4 "FROM [stage-0 1/2]" "RUN [stage-0 2/2]"
(cd a && "$DF2NINJA" -o build.ninja --pull ctx >out5 2>&1 && "$NINJA" >>out5 2>&1)
check "with --pull an unchanged tag reruns the FROM only" expect_ran a/out5 "FROM [stage-0 1/2]"
(cd a && "$NINJA" >out6 2>&1)
check "... at every build" expect_ran a/out6 "FROM [stage-0 1/2]"
skopeo copy -q --dest-tls-verify=false "oci:$BB:latest" "docker://$R/busybox:latest" >/dev/null 2>&1
(cd a && "$NINJA" >out7 2>&1)
check "with --pull a moved tag is picked up" sh -c 'test "$(cat "$1")" = "$2"' sh "$PIN" "$BB_DIGEST"
check "... and the steps after it rerun" expect_ran a/out7 "FROM [stage-0 1/2]" "RUN [stage-0 2/2]"
# --- basic auth from a Docker config -----------------------------------------------

htpasswd -Bbn tester s3cret >"$TMP/htpasswd"
APORT=$(free_port)
A=127.0.0.1:$APORT
start_registry auth "$APORT" "$TMP/htpasswd"
skopeo copy -q --dest-tls-verify=false --dest-creds tester:s3cret "oci:$BB:latest" "docker://$A/private:1" >/dev/null 2>&1
dockerfile c "FROM $A/private:1
RUN echo authorised"
check "without credentials the pull is refused" fails build c
check "... saying what is missing" assert_file_has c/out "'$A' needs a user name and password"
mkdir "$TMP/dockercfg"
printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$A" "$(printf tester:wrong | base64)" >"$TMP/dockercfg/config.json"
check "wrong credentials are refused" fails build c DOCKER_CONFIG="$TMP/dockercfg"
check "... saying they were refused" assert_file_has c/out "credentials in '$TMP/dockercfg/config.json' were refused"
printf '{"auths": {"http://%s/v2/": {"auth": "%s"}}}\n' "$A" "$(printf tester:s3cret | base64)" >"$TMP/dockercfg/config.json"
check "credentials from \$DOCKER_CONFIG/config.json" build c DOCKER_CONFIG="$TMP/dockercfg"
check "... and RUN works" assert_file_has c/out '^authorised$'
mkdir -p "$HOME/.docker"
cp "$TMP/dockercfg/config.json" "$HOME/.docker/config.json"
rm -rf c/.df2ninja
check "credentials from ~/.docker/config.json" build c
rm -rf "$HOME/.docker"
stop auth

# --- a multi-platform index -----------------------------------------------------------

case $(uname -m) in
x86_64) HOST_ARCH=amd64 ;;
aarch64) HOST_ARCH=arm64 ;;
*) HOST_ARCH= ;;
esac
# put_blob LAYOUT FILE: FILE into LAYOUT's blobs; prints "digest size"
put_blob() {
	_d=$(sha256sum "$2" | cut -d' ' -f1)
	cp "$2" "$1/blobs/sha256/$_d"
	echo "sha256:$_d $(wc -c <"$2")"
}
# make_index DIR ARCH...: an OCI layout whose "latest" is an index of busybox
# built for each ARCH (the same layers, the config's architecture changed)
make_index() {
	_dir=$1
	shift
	mkdir -p "$_dir/blobs/sha256"
	cp "$BB"/blobs/sha256/* "$_dir/blobs/sha256/"
	echo '{"imageLayoutVersion":"1.0.0"}' >"$_dir/oci-layout"
	_bbm=$BB/blobs/sha256/${BB_DIGEST#sha256:}
	_cfg=$(jq -r .config.digest "$_bbm")
	_entries=
	for _arch; do
		jq -c --arg a "$_arch" '.architecture = $a' "$BB/blobs/sha256/${_cfg#sha256:}" >"$TMP/cfg.json"
		set -- $(put_blob "$_dir" "$TMP/cfg.json")
		jq -c --arg d "$1" --argjson s "$2" '.config.digest = $d | .config.size = $s' "$_bbm" >"$TMP/m.json"
		set -- $(put_blob "$_dir" "$TMP/m.json")
		_entries="$_entries{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"$1\",\"size\":$2,\"platform\":{\"os\":\"linux\",\"architecture\":\"$_arch\"}},"
		echo "$_arch $1" >>"$_dir/digests"
	done
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s]}' \
		"${_entries%,}" >"$TMP/idx.json"
	set -- $(put_blob "$_dir" "$TMP/idx.json")
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"latest"}}]}' \
		"$1" "$2" >"$_dir/index.json"
}
if [ -n "$HOST_ARCH" ]; then
	make_index "$TMP/multi" s390x "$HOST_ARCH" ppc64le
	check "skopeo pushes an index of three platforms" \
		skopeo copy -q --all --dest-tls-verify=false "oci:$TMP/multi:latest" "docker://$R/multi:latest"
	dockerfile d "FROM $R/multi:latest
RUN echo multi"
	check "FROM a multi-platform index builds" build d
	WANT=$(sed -n "s/^$HOST_ARCH //p" "$TMP/multi/digests")
	check "the index resolved to linux/$HOST_ARCH" \
		sh -c 'test "$(cat d/.df2ninja/pulls/*multi+latest.digest)" = "$1"' sh "$WANT"
	check "skopeo pushes it as a Docker manifest list" \
		skopeo copy -q --all --format v2s2 --dest-tls-verify=false "oci:$TMP/multi:latest" "docker://$R/mlist:latest"
	skopeo inspect --raw --tls-verify=false "docker://$R/mlist:latest" >"$TMP/mlist.json"
	WANT=$(jq -r --arg a "$HOST_ARCH" '.manifests[] | select(.platform.architecture == $a) | .digest' "$TMP/mlist.json")
	dockerfile d2 "FROM $R/mlist:latest
RUN echo mlist"
	check "FROM a Docker manifest list of schema 2 manifests builds" build d2
	check "... and RUN works" assert_file_has d2/out '^mlist$'
	check "the list resolved to linux/$HOST_ARCH" \
		sh -c 'test "$(cat d2/.df2ninja/pulls/*mlist+latest.digest)" = "$1"' sh "$WANT"
	make_index "$TMP/foreign" s390x ppc64le
	skopeo copy -q --all --dest-tls-verify=false "oci:$TMP/foreign:latest" "docker://$R/foreign:latest" >/dev/null 2>&1
	dockerfile e "FROM $R/foreign:latest"
	check "an index without the host's platform fails" fails build e
	check "... naming the platforms it has" \
		assert_file_has e/out "has no image for linux/$HOST_ARCH (it has: linux/s390x, linux/ppc64le)"
else
	skip "multi-platform index: unknown host architecture $(uname -m)"
fi

# --- push ----------------------------------------------------------------------------

dockerfile f "FROM $R/busybox:latest
RUN echo pushed-by-df2ninja > /pushed"
check "--output type=registry pushes the image" \
	build f DF2NINJA_PUSH_CHUNK_SIZE=100000 -- --output "type=registry,name=$R/out:1"
check "... saying where" assert_file_has f/out "pushed to $R/out:1"
check "skopeo sees it" sh -c 'skopeo inspect --tls-verify=false "docker://$1" >"$2"' sh "$R/out:1" "$TMP/inspect.json"
check "with the digest df2ninja reported" \
	sh -c 'test "$(jq -r .Digest "$1")" = "$(cat f/.df2ninja/out/image.id)"' sh "$TMP/inspect.json"
check "the layers went in chunks (PATCH)" \
	sh -c 'test "$(grep -c "\"PATCH /v2/out/blobs/uploads/.*df2ninja" "$1")" -ge 10' sh "$TMP/reg.log"
check "the manifest went last" \
	sh -c 'grep "\"[A-Z]* /v2/out/.*df2ninja" "$1" | tail -n 1 | grep -q "PUT /v2/out/manifests/1 "' sh "$TMP/reg.log"
dockerfile g "FROM $R/out:1
RUN cat /pushed"
check "the pushed image pulls back" build g
check "... with the file its RUN made" assert_file_has g/out '^pushed-by-df2ninja$'
check "--push with -t pushes to the -t name" build f -- -t "$R/out:3" --push
check "... which skopeo sees" skopeo inspect --tls-verify=false "docker://$R/out:3"
check "--push without -t is a usage error" expect_fail 2 "needs -t" "$DF2NINJA" --push f
check "pushing again under another tag" build f -- --output "type=registry,name=$R/out:2"
# the layers the registry has are only asked for (HEAD); the config may
# go again: its "created" is this build's time, unless SOURCE_DATE_EPOCH
check "... skips the layers the registry has (HEAD)" sh -c \
	'test "$(grep -c ": layer [0-9]*/[0-9]* sha256:[0-9a-f]*: exists$" f/out)" -ge 3 &&
	 ! grep -q ": layer .*: pushed$" f/out' sh ||
	sed 's/^/#   /' f/out
check "type=registry needs a name" \
	expect_fail 1 "needs a name=REF" "$DF2NINJA" -o f/x.ninja --output type=registry f/ctx

# --- ONBUILD triggers of a registry image -----------------------------------------------
# the generation reads the manifest and config (no layer), records the tag
# for the FROM step and makes the triggers stage steps; offline, the record
# and the store answer; a build generated without them refuses them

dockerfile ob "FROM $R/busybox:latest
RUN echo base >/order
ONBUILD RUN echo trigger >>/order
ONBUILD COPY f.txt /f.txt"
check "push a base with ONBUILD triggers" build ob -- --output "type=registry,name=$R/onbuild:1"
dockerfile oc "FROM $R/onbuild:1
RUN echo own >>/order"
echo from-context >oc/ctx/f.txt
cp "$TMP/reg.log" "$TMP/reg.before"
check "generate FROM it, asking the registry" sh -c \
	'cd oc && DF2NINJA_GEN_PULL=1 "$1" -o build.ninja --output type=local,dest=root ctx' sh "$DF2NINJA"
OBPIN=oc/.df2ninja/pulls/127.0.0.1+${PORT}_onbuild+1.digest
check "the generation recorded the tag" test -s "$OBPIN"
diff "$TMP/reg.before" "$TMP/reg.log" | grep '^>' >"$TMP/gen.log"
check "... asking the registry for the manifest" \
	assert_file_has "$TMP/gen.log" '"GET /v2/onbuild/manifests/1 HTTP/1.1" 200 .*df2ninja'
check "the triggers are steps" assert_file_has oc/build.ninja 'ONBUILD COPY f.txt /f.txt'
check "build" sh -c 'cd oc && "$1" >out 2>&1' sh "$NINJA"
check "the triggers ran before the stage's own step" \
	sh -c 'printf "base\ntrigger\nown\n" | cmp - oc/root/order'
check "... the COPY from this context" assert_file_has oc/root/f.txt '^from-context$'
cp oc/build.ninja "$TMP/oc.ninja"
check "offline, the record and the store answer" sh -c \
	'cd oc && DF2NINJA_GEN_PULL=0 "$1" -o build.ninja --output type=local,dest=root ctx' sh "$DF2NINJA"
check "... the same build" cmp "$TMP/oc.ninja" oc/build.ninja
check "... with nothing to do" sh -c 'cd oc && "$1" >out 2>&1 && grep -q "no work to do" out' sh "$NINJA"
mkdir -p od && cp -R oc/ctx od/
check "offline without a record, generation cannot see them" sh -c \
	'cd od && DF2NINJA_GEN_PULL=0 "$1" -o build.ninja ctx' sh "$DF2NINJA"
check "... and the FROM step refuses them" fails sh -c 'cd od && "$1" >out 2>&1' sh "$NINJA"
check "... saying to run df2ninja again" assert_file_has od/out \
	"onbuild:1' has ONBUILD triggers, which df2ninja did not see"

# --- mirrors ----------------------------------------------------------------------------

skopeo copy -q --dest-tls-verify=false "oci:$BB:latest" "docker://$R/library/mirrored:1" >/dev/null 2>&1
dockerfile h "FROM mirrored:1
RUN echo via-mirror"
check "a docker.io image comes from \$DF2NINJA_REGISTRY_MIRRORS" build h DF2NINJA_REGISTRY_MIRRORS="$R"
check "... and RUN works" assert_file_has h/out '^via-mirror$'
check "... recorded under its docker.io name" test -f h/.df2ninja/pulls/docker.io_library_mirrored+1.digest

# --- a registry that goes away --------------------------------------------------------

stop reg
dockerfile i "FROM $R/busybox:latest
RUN echo back"
check "a stopped registry fails the pull" fails build i
check "... with a clear error" assert_file_has i/out "GET http://$R/v2/: .*onnect.*(tried 2 times)"
start_registry reg "$PORT"
check "a later retry succeeds" build i
check "... and RUN works" assert_file_has i/out '^back$'

# the canned registry dies in the middle of a (slow) layer
CPORT=$(free_port)
start_canned mid --port "$CPORT" --slow
dockerfile j "FROM 127.0.0.1:$CPORT/busybox:latest
RUN echo resumed"
export DF2NINJA_STORE=$TMP/store-mid
(build j) &
BPID=$!
for _i in $(seq 100); do
	grep -q "GET /v2/busybox/blobs/$BB_LAYER" "$TMP/mid.req" 2>/dev/null && break
	sleep 0.1
done
sleep 1
stop mid
wait "$BPID"
check "a registry gone mid-layer fails the pull" sh -c '! grep -q "^resumed$" j/out'
check "... with a clear error" assert_file_has j/out "$BB_LAYER: GET http://127.0.0.1:$CPORT/v2/busybox/blobs/$BB_LAYER: .*(tried 2 times)"
check "... and no partial blob" sh -c 'test ! -e "$1/blobs/sha256/${2#sha256:}" && test -z "$(ls "$1/tmp")"' \
	sh "$DF2NINJA_STORE" "$BB_LAYER"
start_canned mid --port "$CPORT"
check "a later retry succeeds" build j
check "... and RUN works" assert_file_has j/out '^resumed$'
stop mid
export DF2NINJA_STORE=$TMP/store

# --- the canned registry: bearer tokens, 429, a transfer cut short ----------------------

start_canned tok --token tester:s3cret --rate-limit 1 --truncate
TPORT=$(cat "$TMP/tok.port")
dockerfile k "FROM 127.0.0.1:$TPORT/busybox:latest
RUN echo token"
mkdir "$TMP/tokcfg"
printf '{"auths": {"127.0.0.1:%s": {"auth": "%s"}}}\n' "$TPORT" "$(printf tester:s3cret | base64)" >"$TMP/tokcfg/config.json"
export DF2NINJA_STORE=$TMP/store-tok
check "a registry with a token service, a 429 and a broken transfer" build k DOCKER_CONFIG="$TMP/tokcfg"
check "... builds" assert_file_has k/out '^token$'
check "the token came from the realm for the repository's pull scope, with the credentials" \
	assert_file_has "$TMP/tok.req" "^GET /token?service=canned&scope=repository%3Abusybox%3Apull .*auth=Basic $(printf tester:s3cret | base64)$"
check "requests carry the token" assert_file_has "$TMP/tok.req" '^GET /v2/busybox/manifests/latest .*auth=Bearer canned-token-1234$'
check "the 429 was retried" sh -c 'test "$(grep -c "^GET /v2/busybox/manifests/latest " "$1")" = 2' sh "$TMP/tok.req"
check "the broken layer resumed with a Range request" \
	assert_file_has "$TMP/tok.req" "^GET /v2/busybox/blobs/$BB_LAYER range=bytes=[1-9][0-9]*- "
rm -rf k/.df2ninja "$DF2NINJA_STORE"
printf '{"auths": {"127.0.0.1:%s": {"auth": "%s"}}}\n' "$TPORT" "$(printf tester:nope | base64)" >"$TMP/tokcfg/config.json"
check "the token service refusing the credentials fails the pull" fails build k DOCKER_CONFIG="$TMP/tokcfg"
check "... saying so" assert_file_has k/out "the token service 'http://127.0.0.1:$TPORT/token' refused the credentials"
stop tok

start_canned norange --truncate --no-range
NPORT=$(cat "$TMP/norange.port")
dockerfile l "FROM 127.0.0.1:$NPORT/busybox:latest"
export DF2NINJA_STORE=$TMP/store-norange
check "a server that ignores Range: the layer starts over" build l
check "... after asking for the rest" assert_file_has "$TMP/norange.req" "^GET /v2/busybox/blobs/$BB_LAYER range=bytes="
stop norange

# --- Ctrl-C during a download leaves no partial blob ---------------------------------------

start_canned slow --slow
SPORT=$(cat "$TMP/slow.port")
dockerfile m "FROM 127.0.0.1:$SPORT/busybox:latest"
export DF2NINJA_STORE=$TMP/store-int
(cd m && "$DF2NINJA" -o build.ninja ctx >out 2>&1)
(cd m && exec setsid "$NINJA" >>out 2>&1) &
NPID=$!
for _i in $(seq 100); do
	grep -q "GET /v2/busybox/blobs/$BB_LAYER" "$TMP/slow.req" 2>/dev/null && break
	sleep 0.1
done
sleep 1
kill -INT "-$NPID"
wait "$NPID"
check "Ctrl-C stops the pull" assert_file_has m/out 'interrupted by user'
check "... and leaves no partial blob" sh -c 'test ! -e "$1/blobs/sha256/${2#sha256:}" && test -z "$(ls "$1/tmp")"' \
	sh "$DF2NINJA_STORE" "$BB_LAYER"
stop slow
export DF2NINJA_STORE=$TMP/store

# --- a tampered blob (last: it spoils the registry's copy of busybox) ---------------------

DATA=$TMP/reg/docker/registry/v2/blobs/sha256/$(echo "${BB_LAYER#sha256:}" | cut -c1-2)/${BB_LAYER#sha256:}/data
check "the registry keeps the layer where we look" test -f "$DATA"
printf 'tampered' | dd of="$DATA" bs=1 seek=4096 conv=notrunc 2>/dev/null
dockerfile n "FROM $R/busybox:latest"
export DF2NINJA_STORE=$TMP/store-tamper
check "a tampered layer fails the build" fails build n
check "... with a digest error" assert_file_has n/out "digest mismatch: expected $BB_LAYER"
check "... and leaves no blob in the store" sh -c 'test ! -e "$1/blobs/sha256/${2#sha256:}" && test -z "$(ls "$1/tmp")"' \
	sh "$DF2NINJA_STORE" "$BB_LAYER"

done_testing
