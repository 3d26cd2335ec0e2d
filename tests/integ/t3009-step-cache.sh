#!/bin/sh
# --cache-to and --cache-from type=registry: machine A shares its RUN
# steps' results through a docker-registry on 127.0.0.1; machine B (its
# own build dir at another path, its own store) takes them: the same
# keys, no RUN runs, the same image digest; an edited context file reruns
# exactly the steps from its COPY on; a registry stopped mid-build, and
# one that never answers, only make the steps run here.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
for t in docker-registry skopeo python3 jq; do
	command -v "$t" >/dev/null || { echo "1..0 # SKIP $t is not installed (.ci/setup)"; exit 0; }
done
use_busybox
. "$TOP_SRCDIR/tests/integ/ports.sh"

SOURCE_DATE_EPOCH=1700000000
DF2NINJA_REGISTRY_RETRIES=1
HOME=$TMP/home
no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
export SOURCE_DATE_EPOCH DF2NINJA_REGISTRY_RETRIES HOME no_proxy NO_PROXY
unset DOCKER_CONFIG DF2NINJA_PULL DF2NINJA_REGISTRY_MIRRORS
mkdir -p "$HOME"

PORT=$(free_port)
REG=127.0.0.1:$PORT/cache
{
	printf 'version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n'
	printf '    rootdirectory: %s\n' "$TMP/reg"
	printf 'http:\n  addr: 127.0.0.1:%s\n  secret: df2ninja-test\n' "$PORT"
} >"$TMP/reg.yml"
docker-registry serve "$TMP/reg.yml" >>"$TMP/reg.log" 2>&1 &
REGPID=$!
BLACKHOLE=
trap 'kill $REGPID $BLACKHOLE 2>/dev/null; cleanup' EXIT
wait_port "$PORT" || { echo "Bail out! docker-registry did not start"; exit 1; }

mkdir ctx
cat >ctx/Dockerfile <<DF
FROM $BUSYBOX
RUN echo one >/one
RUN --mount=type=bind,source=b,target=/b cat /b >/b2
COPY a /a
RUN sleep 1; cat /a >/a2 && echo two >/two
RUN echo three >/three
DF
echo first >ctx/a
echo bound >ctx/b

# machine NAME DIR: a copy of the context at DIR with a store of its own
machine() {
	mkdir -p "$(dirname "$2")" && cp -a "$TMP/ctx" "$2" && mkdir -p "$TMP/store-$1"
}
# on NAME CMD...: CMD as machine NAME (its store)
on() {
	(
		DF2NINJA_STORE="$TMP/store-$1"
		export DF2NINJA_STORE
		shift
		"$@"
	)
}
runs() { ls "$1/.df2ninja/logs" 2>/dev/null | grep -c . ; }
cached() { grep -c '^CACHED \[' "$TMP/ninja.out"; }
# the RUN steps the last build ran here
executed() { echo $(( $(grep -c '\] RUN ' "$TMP/ninja.out") - $(cached) )); }

# --- machine A shares ---------------------------------------------------------
machine A "$TMP/a/ctx"
cd "$TMP/a/ctx" || exit 99
check "A: generate with --cache-to" on A "$DF2NINJA" --cache-to "type=registry,ref=$REG" .
check "A: a push edge per RUN, in pool registry" test "$(grep -c '^build .*pushed: cachepush' build.ninja)" = 4
check "A: build" on A ninja_logged
check "A: the four RUNs ran" test "$(runs .)" = 4
check "A: the four shared" test "$(grep -c '] SHARE ' "$TMP/ninja.out")" = 4
skopeo list-tags --tls-verify=false "docker://$REG" >"$TMP/tags" 2>&1
check "A: four step entries in the registry" test "$(grep -c '"step-[0-9a-f]\{64\}"' "$TMP/tags")" = 4
key=$(cat .df2ninja/cache/stage-0-02.key)
skopeo inspect --raw --tls-verify=false "docker://$REG:step-${key#sha256:}" >"$TMP/entry" 2>&1
check "A: an OCI manifest with df2ninja's config type" \
	assert_file_has "$TMP/entry" 'application/vnd.df2ninja.step.v1+json'
digest_a=$(image_digest .df2ninja/image)

# --- machine B takes ------------------------------------------------------------
machine B "$TMP/b/somewhere/else/ctx"
cd "$TMP/b/somewhere/else/ctx" || exit 99
check "B: generate with --cache-from" on B "$DF2NINJA" --cache-from "type=registry,ref=$REG" .
check "B: no push edge without --cache-to" test "$(grep -c cachepush build.ninja)" = 0
check "B: build" on B ninja_logged
keys() { for k in "$1"/.df2ninja/cache/*.key; do echo "${k##*/} $(head -n 1 "$k")"; done; }
check "B: the same keys as A" test "$(keys .)" = "$(keys "$TMP/a/ctx")"
check "B: four keys" test "$(keys . | grep -c ' sha256:')" = 4
check "B: no RUN ran" test "$(runs .)" = 0
check "B: four CACHED steps" test "$(cached)" = 4
"$NINJA" -t deps .df2ninja/steps/stage-0/03.id >"$TMP/deps" 2>&1
check "B: a hit on the context bind tells ninja what it read" assert_file_has "$TMP/deps" '^ *b$'
check "B: the same image digest" test "$(image_digest .df2ninja/image)" = "$digest_a"
check "B: nothing to do again" on B ninja_logged
check "B: ninja has no work" assert_file_has "$TMP/ninja.out" "no work to do"

echo second >a
check "B: after an edit of a" on B ninja_logged
check "B: the COPY and the two RUNs after it ran" test "$(runs .)" = 2
check "B: the RUNs before it did not" test ! -e .df2ninja/logs/stage-0-02.log -a ! -e .df2ninja/logs/stage-0-03.log
check "B: nothing cached" test "$(cached)" = 0
check "B: the COPY ran" assert_file_has "$TMP/ninja.out" '\] COPY \[stage-0 4/6\] a /a'
echo rebound >b
check "B: after an edit of a bound file" on B ninja_logged
check "B: the binding RUN and the two after it ran" test "$(executed)" = 3
check "B: the binding RUN read the edit" test -e .df2ninja/logs/stage-0-03.log

# --- H takes and shares with the same registry: nothing to push again ---------------
machine H "$TMP/h/ctx"
cd "$TMP/h/ctx" || exit 99
puts=$(grep -c '"PUT /v2/' "$TMP/reg.log")
check "H: generate with --cache-from and --cache-to the same" \
	on H "$DF2NINJA" --cache-from "$REG" --cache-to "type=registry,ref=$REG" .
check "H: build" on H ninja_logged
check "H: four CACHED steps" test "$(cached)" = 4
check "H: no upload to where they came from" test "$(grep -c '"PUT /v2/' "$TMP/reg.log")" = "$puts"
check "H: the push edges are done" test "$(ls .df2ninja/steps/stage-0/*.pushed | grep -c .)" = 4

# --- type=local: E shares into an OCI layout dir, F takes from it ---------------------
machine E "$TMP/e/ctx"
cd "$TMP/e/ctx" || exit 99
check "E: generate with --cache-to type=local" \
	on E "$DF2NINJA" --cache-to "type=local,dest=../../lc" .
check "E: the args file holds the dir as seen from here" \
	assert_file_has .df2ninja/gen.args "^type=local,dest=$TMP/e/ctx/../../lc\$"
check "E: build" on E ninja_logged
check "E: an OCI layout listing the four entries" \
	test "$(jq -r '.manifests[].annotations["org.opencontainers.image.ref.name"]' "$TMP/lc/index.json" | grep -c '^step-')" = 4
machine F "$TMP/f/ctx"
cd "$TMP/f/ctx" || exit 99
check "F: generate with --cache-from type=local" \
	on F "$DF2NINJA" --cache-from "type=local,src=$TMP/lc" .
check "F: build" on F ninja_logged
check "F: no RUN ran" test "$(runs .)" = 0
check "F: four CACHED steps" test "$(cached)" = 4
check "F: the same image digest as A" test "$(image_digest .df2ninja/image)" = "$digest_a"

# --- --no-cache asks no cache, as BuildKit's ------------------------------------------
machine G "$TMP/g/ctx"
cd "$TMP/g/ctx" || exit 99
check "G: generate with --no-cache --cache-from" \
	on G "$DF2NINJA" --no-cache --cache-from "type=local,src=$TMP/lc" .
check "G: build" on G ninja_logged
check "G: the four RUNs ran" test "$(runs .)" = 4
check "G: nothing cached" test "$(cached)" = 0

# --- machine C: the registry stops mid-build --------------------------------------
machine C "$TMP/c/ctx"
cd "$TMP/c/ctx" || exit 99
echo third >a
on C "$DF2NINJA" --cache-from "$REG" --cache-to "$REG" . >/dev/null
on C "$NINJA" >"$TMP/ninja.out" 2>&1 &
NPID=$!
for _i in $(seq 100); do
	grep -q '^CACHED \[' "$TMP/ninja.out" && break
	sleep 0.1
done
kill $REGPID
wait $REGPID 2>/dev/null
wait $NPID
check "C: the build succeeds with the registry gone" test $? = 0
sed 's/^/#   /' "$TMP/ninja.out"
check "C: the first RUN came from the cache" test "$(cached)" -ge 1
check "C: the others ran here" test "$(runs .)" = $((4 - $(cached)))
check "C: the image holds the edit" \
	sh -c "tar -xOzf .df2ninja/image/blobs/sha256/* a2 2>/dev/null | grep -q third || \
	 for b in .df2ninja/image/blobs/sha256/*; do tar -xOzf \$b a2 2>/dev/null; done | grep -q third"

# --- machine D: a registry that never answers ----------------------------------------
BPORT=$(free_port)
# (it counts the connections it took, in $TMP/bh.count)
python3 -c 'import socket,sys,time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(64)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
    with open(sys.argv[2] + ".tmp", "w") as f: f.write("%d\n" % len(conns))
    __import__("os").rename(sys.argv[2] + ".tmp", sys.argv[2])' "$BPORT" "$TMP/bh.count" &
BLACKHOLE=$!
wait_port "$BPORT"
machine D "$TMP/d/ctx"
cd "$TMP/d/ctx" || exit 99
on D "$DF2NINJA" --cache-from "127.0.0.1:$BPORT/cache" . >/dev/null
# wait_port's own connection counted first
i=0
while ! [ -s "$TMP/bh.count" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
before=$(cat "$TMP/bh.count" 2>/dev/null || echo 0)
start=$(date +%s)
check "D: the build succeeds" on D ninja_logged
took=$(( $(date +%s) - start ))
lookups=$(( $(cat "$TMP/bh.count" 2>/dev/null || echo 0) - before ))
check "D: the four RUNs ran here" test "$(runs .)" = 4
check "D: said once" test "$(grep -c 'cannot be reached' "$TMP/ninja.out")" = 1
check "D: the registry was tried once, not for each step ($lookups)" test "$lookups" -eq 1
check "D: one time-out at most ($took s)" test "$took" -lt 20
done_testing
