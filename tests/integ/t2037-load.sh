#!/bin/sh
# --load: the image written as a docker archive and piped to `docker load`
# (a fake docker first in PATH records what it gets: the archive must hold
# manifest.json naming the -t tag and the config whose digest df2ninja
# prints as the image ID); podman when there is no docker; a clear error
# when neither is there or the load fails. With DF2NINJA_TEST_DOCKER=1 and
# a docker daemon that answers, a real load whose ID `docker images` shows.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox

mkdir bin ctx && cd ctx || exit 99
cat >"$TMP/bin/docker" <<'SH'
#!/bin/sh
printf '%s\n' "$*" >"$FAKE_OUT/args"
cat >"$FAKE_OUT/stdin.tar"
echo "Loaded image: app:latest"
exit "${FAKE_STATUS:-0}"
SH
chmod +x "$TMP/bin/docker"
FAKE_OUT=$TMP
PATH="$TMP/bin:$PATH"
export FAKE_OUT PATH
cat >Dockerfile <<DF
FROM $BUSYBOX
RUN echo loaded >/hello
DF
check "generate with --load" "$DF2NINJA" --load -t app .
check "gen.args keeps --load" assert_file_has .df2ninja/gen.args '^--load$'
check "build" ninja_logged
check "docker was run as 'docker load'" file_is "$TMP/args" load
mkdir "$TMP/x"
check "stdin was a tar" tar -xf "$TMP/stdin.tar" -C "$TMP/x"
check "... with manifest.json naming app:latest" \
	assert_file_has "$TMP/x/manifest.json" '"RepoTags": *\[ *"app:latest" *\]'
id=$(sed -n 's/.*image ID \(sha256:[0-9a-f]*\): loaded into docker.*/\1/p' "$TMP/ninja.out")
check "df2ninja printed the image ID" test -n "$id"
cfg=$(jq -r '.[0].Config' "$TMP/x/manifest.json")
check "the ID is the config's digest" test "sha256:$(sha256sum "$TMP/x/$cfg" | cut -d' ' -f1)" = "$id"
check "... a file of the archive named by it" test -n "$cfg" -a -f "$TMP/x/$cfg"
check "the layer holds the RUN's file" sh -c "for l in \$(jq -r '.[0].Layers[]' '$TMP/x/manifest.json'); do tar -tf '$TMP/x/'\$l; done | grep -qx hello"

# a failing docker load fails the build, naming the tool
rm -f "$TMP/args"
echo "RUN echo again >/again" >>Dockerfile
check "regenerate" "$DF2NINJA" --load -t app .
# ninja ENV...: ninja under env with ENV, its messages on stderr
ninja_env() { env "$@" "$ninja_abs" >&2; }
ninja_abs=$(command -v "$NINJA")
check "a failed docker load fails the build" expect_fail 1 \
	"'docker load' failed (exit status 1): is the docker daemon running" \
	ninja_env FAKE_STATUS=1

# no docker: podman; neither: an error that says so
mv "$TMP/bin/docker" "$TMP/bin/podman"
mkdir "$TMP/tools"
ln -s "$(command -v cat)" "$TMP/tools/cat"
check "podman when there is no docker" env PATH="$TMP/bin:$TMP/tools" "$ninja_abs"
check "... run as 'podman load'" file_is "$TMP/args" load
echo "RUN echo more >/more" >>Dockerfile
check "regenerate" "$DF2NINJA" --load -t app .
check "neither docker nor podman: an error" \
	expect_fail 1 "neither docker nor podman is in PATH" ninja_env PATH="$TMP/tools"

# the real thing, when asked for and a daemon answers
if [ "${DF2NINJA_TEST_DOCKER:-0}" = 1 ] && docker info >/dev/null 2>&1; then
	mv "$TMP/bin/podman" "$TMP/bin/fake"
	check "real: build and load" ninja_logged
	id=$(sed -n 's/.*image ID \(sha256:[0-9a-f]*\): loaded into docker.*/\1/p' "$TMP/ninja.out")
	check "real: docker images shows the printed ID" \
		test "$(docker images --no-trunc -q app:latest)" = "$id"
	check "real: docker run" test "$(docker run --rm --network none app cat /more)" = more
	docker rmi app:latest >/dev/null 2>&1
fi
done_testing
