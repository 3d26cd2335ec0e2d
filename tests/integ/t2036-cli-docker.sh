#!/bin/sh
# a `docker build` command line works with df2ninja in docker's place, or
# is refused with a one-line reason: --no-cache reruns every step once,
# --no-cache-filter the steps of a stage; -q prints the image ID alone;
# --iidfile holds the config digest; --label lands in the config without
# a history entry; --add-host in the /etc/hosts of RUN; --pull=BOOL and
# --network default are accepted; options without meaning here are
# accepted, those df2ninja lacks refused, each naming itself.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox

mkdir ctx && cd ctx || exit 99
cat >Dockerfile <<DF
FROM $BUSYBOX AS base
RUN echo base-out && echo base >/base-t
FROM $BUSYBOX AS final
COPY --from=base /base-t /base-t
RUN echo final-out && cat /etc/hosts >/hosts-seen
LABEL own=stage
DF
ALL="FROM [base 1/2]
RUN [base 2/2]
FROM [final 1/3]
COPY [final 2/3]
RUN [final 3/3]
CONF [final config]"
FINAL="FROM [final 1/3]
COPY [final 2/3]
RUN [final 3/3]
CONF [final config]"
set -- --add-host Web.Local:10.1.2.3 --add-host 'six=[::1]' --label a=b \
	--label 'c' --iidfile id.txt --network default --pull=false \
	--rm --force-rm --compress --provenance=false --sbom=false
check "generate with docker's options" "$DF2NINJA" "$@" --output "type=local,dest=$TMP/root" \
	--output type=oci,dest=oci .
check "build" ninja_logged

hosts_want() {
	printf '127.0.0.1\tlocalhost buildkitsandbox\n::1\tlocalhost ip6-localhost ip6-loopback\n'
	printf '10.1.2.3\tweb.local\n::1\tsix\n'
}
hosts_want >"$TMP/hosts.want"
check "--add-host: the entries follow BuildKit's /etc/hosts" test_cmp "$TMP/hosts.want" "$TMP/root/hosts-seen"
"$DF2NINJA" shell final/3 -- cat /etc/hosts >"$TMP/shell-hosts" 2>&1
check "... and df2ninja shell of the RUN sees them" test_cmp "$TMP/hosts.want" "$TMP/shell-hosts"
image_config oci >"$TMP/config.json"
check "--label: in the config, over the stage's own" \
	test "$(jq -c .config.Labels "$TMP/config.json")" = '{"a":"b","c":"","own":"stage"}'
check "--label: no history entry" \
	test "$(jq -r '.history[-1].created_by' "$TMP/config.json")" = "LABEL own=stage"
m=$(jq -r '.manifests[0].digest' oci/index.json)
cfg=$(jq -r .config.digest "oci/blobs/sha256/${m#sha256:}")
check "--iidfile: the config digest, as docker writes it" \
	test "$(cat id.txt)" = "$cfg" -a "$(wc -l <id.txt)" = 0
check "no-op rebuild" ninja_logged
check "... ran nothing" assert_file_has "$TMP/ninja.out" "no work to do"

# a FIFO (or a device: --iidfile /dev/stdout) is written in place, never
# renamed over: as root, a rename would replace /dev/null for the machine
mkfifo "$TMP/id.fifo" || exit 99
cat "$TMP/id.fifo" >"$TMP/id.read" &
reader=$!
check "--iidfile a FIFO: generate" "$DF2NINJA" --iidfile "$TMP/id.fifo" --output type=oci,dest=oci .
check "... build" ninja_logged
wait "$reader"
m=$(jq -r '.manifests[0].digest' oci/index.json)
check "... the ID went through it" \
	test "$(cat "$TMP/id.read")" = "$(jq -r .config.digest "oci/blobs/sha256/${m#sha256:}")"
check "... and it is still a FIFO" test -p "$TMP/id.fifo"

# --metadata-file: buildx's keys
check "generate --metadata-file" "$DF2NINJA" "$@" -t my/img:1 --metadata-file meta.json \
	--output "type=local,dest=$TMP/root" --output type=oci,dest=oci-meta .
check "build" ninja_logged
m=$(jq -r '.manifests[0].digest' oci-meta/index.json)
cfg=$(jq -r .config.digest "oci-meta/blobs/sha256/${m#sha256:}")
check "... the config digest" test "$(jq -r '."containerimage.config.digest"' meta.json)" = "$cfg"
check "... the manifest digest" test "$(jq -r '."containerimage.digest"' meta.json)" = "$m"
check "... the image name" test "$(jq -r '."image.name"' meta.json)" = "my/img:1"

# --no-cache: every step once, then nothing
check "generate --no-cache" "$DF2NINJA" "$@" --no-cache --output "type=local,dest=$TMP/root" \
	--output type=oci,dest=oci .
check "the args file does not keep --no-cache" assert_file_lacks .df2ninja/gen.args no-cache
check "build after --no-cache" ninja_logged
check "... ran every step" expect_ran "$TMP/ninja.out" "$ALL"
check "the next build" ninja_logged
check "... ran nothing" assert_file_has "$TMP/ninja.out" "no work to do"
check "generate without --no-cache" "$DF2NINJA" "$@" --output "type=local,dest=$TMP/root" \
	--output type=oci,dest=oci .
check "... then a build" ninja_logged
check "... runs nothing again" assert_file_has "$TMP/ninja.out" "no work to do"

# a regeneration ninja makes first (the Dockerfile touched) keeps them
check "generate --no-cache again" "$DF2NINJA" "$@" --no-cache --output "type=local,dest=$TMP/root" \
	--output type=oci,dest=oci .
sleep 0.01
touch Dockerfile
check "build after a touch of the Dockerfile" ninja_logged
check "... regenerated" assert_file_has "$TMP/ninja.out" "REGEN"
check "... and still ran every step" expect_ran "$TMP/ninja.out" "$ALL"
check "the next build" ninja_logged
check "... ran nothing" assert_file_has "$TMP/ninja.out" "no work to do"

# --no-cache-filter: the steps of that stage alone
check "generate --no-cache-filter FINAL" "$DF2NINJA" "$@" --no-cache-filter FINAL \
	--output "type=local,dest=$TMP/root" --output type=oci,dest=oci .
check "build after --no-cache-filter" ninja_logged
check "... ran the stage's steps alone" expect_ran "$TMP/ninja.out" "$FINAL"
check "the next build" ninja_logged
check "... ran nothing" assert_file_has "$TMP/ninja.out" "no work to do"
check "--no-cache-filter of no stage" expect_fail 1 "no-cache-filter 'nope': no stage" \
	"$DF2NINJA" --no-cache-filter base,nope .

# -q: nothing but the image ID (ninja --quiet leaves out ninja's own lines)
check "generate -q --no-cache" "$DF2NINJA" -q "$@" --no-cache --output type=oci,dest=oci-q .
"$NINJA" --quiet >"$TMP/q.out" 2>&1
check "the build printed the image ID alone" file_is "$TMP/q.out" "$(cat id.txt)"
m=$(jq -r '.manifests[0].digest' oci-q/index.json)
check "... the config digest" test "$(cat id.txt)" = "$(jq -r .config.digest "oci-q/blobs/sha256/${m#sha256:}")"
check "the logs have the output" assert_file_has .df2ninja/logs/final-03.log final-out
check "--progress=plain after -q" "$DF2NINJA" "$@" --progress=plain --no-cache-filter final .
check "build" ninja_logged
check "... the output shows again" assert_file_has "$TMP/ninja.out" "^final-out"
check "--progress tty and auto" "$DF2NINJA" --progress tty --progress auto .
check "--pull=true and bare --pull" "$DF2NINJA" --pull=true --pull .
check "... recorded" assert_file_has .df2ninja/gen.args "^--pull$"
check "--network default is recorded as the default" assert_file_lacks .df2ninja/gen.args "^--network$"

# --shm-size: a tmpfs of that size over /dev/shm in every RUN, as the
# tmpfs of RUN --mount=type=tmpfs,size= is
mkdir "$TMP/shm" && cd "$TMP/shm" || exit 99
cat >Dockerfile <<DF
FROM $BUSYBOX
RUN grep ' /dev/shm ' /proc/mounts | tail -n 1 >/shm
RUN --mount=type=tmpfs,target=/t,size=1m grep ' /t ' /proc/mounts >/t-mount
RUN ulimit -Sn >/nofile-soft && ulimit -Hn >/nofile-hard && ulimit -c >/core
DF
check "generate --shm-size 128m, --ulimit" "$DF2NINJA" --shm-size 128m --ulimit nofile=100:200 \
	--ulimit core=-1 --output "type=local,dest=$TMP/shmroot" .
check "build" ninja_logged
check "/dev/shm has that size" assert_file_has "$TMP/shmroot/shm" "size=131072k"
check "RUN --mount=type=tmpfs,size= too" assert_file_has "$TMP/shmroot/t-mount" "size=1024k"
check "recorded in bytes" assert_file_has .df2ninja/gen.args "^134217728$"
check "--ulimit: the soft limit" file_is "$TMP/shmroot/nofile-soft" 100
check "... the hard limit" file_is "$TMP/shmroot/nofile-hard" 200
check "... -1 is unlimited" file_is "$TMP/shmroot/core" unlimited
cd "$TMP/ctx" || exit 99

# refused: one line naming the option, exit status 2
for o in "--progress=rawjson" "--add-host=x:host-gateway" "--add-host=x:1.2.3" \
	"--memory=1g" "-m1g" "--memory-swap=1g" "--cpu-shares=2" "-c2" "--cpu-period=1" \
	"--cpu-quota=1" "--cpuset-cpus=0" "--cpuset-mems=0" "--ulimit=nofile=2:1" "--ulimit=files=1" \
	"--shm-size=lots" "--cgroup-parent=x" "--security-opt=seccomp=unconfined" \
	"--cache-from=type=gha" "--cache-to=type=s3,bucket=b" "--cache-to=type=registry" "--squash" "--isolation=hyperv" \
	"--sbom=true" "--provenance" "--attest=type=sbom" "--annotation=a=b" \
	"--builder=x" "--call=outline" "--pull=sometimes" \
	"--disable-content-trust=false" "--network=bridge" "--detach"; do
	name=${o%%=*}
	case $name in -m*) name=--memory ;; -c*) name=--cpu-shares ;; esac
	check "$o is refused with a reason" expect_fail 2 "^df2ninja: error: $name" "$DF2NINJA" "$o" .
	check "... on one line" test "$(grep -c error "$TMP/.err")" = 1
done
for o in --rm=false --force-rm --compress --isolation=default --call=build \
	--disable-content-trust --provenance=false --sbom=0; do
	check "$o is accepted" "$DF2NINJA" "$o" .
done
done_testing
