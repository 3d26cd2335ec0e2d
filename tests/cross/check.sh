#!/bin/sh
# make check-cross: build samples/cross for linux/amd64 and linux/arm64
# both ways, cross-compiled (Dockerfile: FROM --platform=$BUILDPLATFORM,
# Debian's gcc-aarch64-linux-gnu) and emulated (Dockerfile.emulated: each
# platform's own gcc, arm64 under QEMU), and check each binary: its ELF
# machine (x86-64, AArch64), and what it prints when run (the arm64 one
# through qemu-aarch64-static). The cross way also pushes its image to
# Debian's docker-registry on 127.0.0.1 (started here, on a free port,
# stopped on every exit) with `--push -t 127.0.0.1:PORT/cross:1`, and
# checks the index there with skopeo: an OCI index of two manifests,
# linux/amd64 and linux/arm64, each config naming its platform, the
# index's digest the build's image ID, and each platform's binary, taken
# from the registry, of its ELF machine. CI (.ci/run) runs it after
# tests/run; it is not part of tests/run or make check: it takes minutes
# (debootstrap of two Debian images, apt-get of a cross compiler from
# deb.debian.org) and needs the network to Debian's archive.
#
#   tests/cross/check.sh [--work DIR]
#
# The Debian image (amd64 and arm64 in one layout) is made once by
# `samples/make-images debian --platform linux/amd64,linux/arm64` into
# WORK/images and kept (tried up to 3 times, as debootstrap fails with
# the network; the last try's log shown when all fail); each build is
# cold: an empty build dir and a store of its own (DF2NINJA_STORE), so
# the base image is unpacked in the time it prints (as docs/benchmarks.md
# reports it), with the time of its longest steps (from ninja's log).
# Needs qemu-user-static and binfmt-support (F-flag binfmt_misc entries),
# debootstrap, binutils (readelf), jq, skopeo, docker-registry, python3
# (tests/integ/ports.sh).
# Environment: DF2NINJA, NINJA, TOP_SRCDIR, TOP_BUILDDIR (as make
# check-cross sets them).
set -u

here=$(cd "$(dirname "$0")" && pwd)
TOP_SRCDIR=${TOP_SRCDIR:-$(cd "$here/../.." && pwd)}
TOP_BUILDDIR=${TOP_BUILDDIR:-$TOP_SRCDIR}
DF2NINJA=${DF2NINJA:-$TOP_BUILDDIR/df2ninja}
NINJA=${NINJA:-ninja}
work=$TOP_BUILDDIR/tests/cross-work
while [ $# -gt 0 ]; do
	case $1 in
	--work) work=$2; shift 2 ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "check-cross: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
PLATFORMS=linux/amd64,linux/arm64
pass=0 fail=0

ok() { pass=$((pass + 1)); echo "ok - $1"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $1"; }
check() {
	what=$1; shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}

mkdir -p "$work"
images=$work/images
if [ ! -f "$images/debian/index.json" ]; then
	try=1
	while :; do
		echo "check-cross: making the amd64 and arm64 Debian image, try $try of 3" \
			"(log: $work/make-images.log)"
		rm -rf "$images/debian"
		DF2NINJA="$DF2NINJA" NINJA="$NINJA" "$TOP_SRCDIR/samples/make-images" debian \
			--platform "$PLATFORMS" --dest "$images" >"$work/make-images.log" 2>&1 &&
			[ -f "$images/debian/index.json" ] && break
		if [ $try = 3 ]; then
			echo "check-cross: make-images failed 3 times; the last try's log:" >&2
			cat "$work/make-images.log" >&2
			rm -rf "$images/debian"
			exit 1
		fi
		tail -5 "$work/make-images.log" | sed 's/^/#   /'
		try=$((try + 1))
		sleep 15
	done
fi

# Debian's docker-registry on 127.0.0.1 for the cross way's push, a
# fresh one each run; stopped on every exit (a signal exits through it)
# shellcheck source=tests/integ/ports.sh
. "$TOP_SRCDIR/tests/integ/ports.sh"
REG=
stop_registry() {
	[ -z "$REG" ] || { kill "$REG" 2>/dev/null; wait "$REG" 2>/dev/null; }
	REG=
}
trap stop_registry EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
start_registry() {
	PORT=$(free_port)
	R=127.0.0.1:$PORT
	rm -rf "$work/registry" && mkdir -p "$work/registry"
	{
		printf 'version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n'
		printf '    rootdirectory: %s\n' "$work/registry/data"
		printf 'http:\n  addr: 127.0.0.1:%s\n  secret: df2ninja-cross\n' "$PORT"
	} >"$work/registry/config.yml"
	docker-registry serve "$work/registry/config.yml" >"$work/registry/log" 2>&1 &
	REG=$!
	wait_port "$PORT" && return
	cat "$work/registry/log" >&2
	echo "check-cross: docker-registry did not start" >&2
	exit 1
}
# the push and skopeo talk to 127.0.0.1 only: proxies that lead nowhere
# (set after make-images, which fetches from deb.debian.org; the builds'
# RUNs get proxies from --build-arg only), none for 127.0.0.1, no
# credentials but an empty HOME's
https_proxy=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9
http_proxy=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9
no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
HOME=$work/home
export https_proxy HTTPS_PROXY http_proxy HTTP_PROXY no_proxy NO_PROXY HOME
unset DOCKER_CONFIG DF2NINJA_REGISTRY_MIRRORS DF2NINJA_INSECURE_REGISTRIES
mkdir -p "$HOME"

# the ELF machine readelf names ("AArch64", "Advanced Micro Devices X86-64")
machine() { readelf -h "$1" | sed -n 's/^ *Machine: *//p'; }

# build WAY (cross or emulated) from the Dockerfile $2 into $work/WAY/out,
# the other arguments df2ninja's
build() {
	way=$1 df=$2 dir=$work/$1
	shift 2
	rm -rf "$dir" && mkdir -p "$dir"
	cp -R "$TOP_SRCDIR/samples/cross" "$dir/ctx"
	load=$(cut -d' ' -f1-3 /proc/loadavg)
	start=$(date +%s%N)
	(cd "$dir" && export DF2NINJA_STORE="$dir/store" && "$DF2NINJA" --platform "$PLATFORMS" -f "ctx/$df" \
		--build-arg "DEBIAN=oci-layout://$images/debian:bookworm" \
		--output "type=local,dest=$dir/out" "$@" ctx && "$NINJA") >"$dir/build.log" 2>&1
	st=$?
	end=$(date +%s%N)
	echo "# $way: df2ninja && ninja took $(( (end - start) / 1000000 )) ms" \
		"(load average before: $load)"
	awk -F'\t' 'NR > 1 { printf "#   %6d ms  %s\n", $2 - $1, $4 }' \
		"$dir/.df2ninja/.ninja_log" | sort -k2 -rn | sed -n '2,5p'
	[ $st = 0 ] || tail -30 "$dir/build.log"
	check "$way: df2ninja --platform $PLATFORMS && ninja" test $st = 0
	check "$way: the amd64 binary is an x86-64 ELF" \
		test "$(machine "$dir/out/linux_amd64/hello")" = "Advanced Micro Devices X86-64"
	check "$way: the arm64 binary is an AArch64 ELF" \
		test "$(machine "$dir/out/linux_arm64/hello")" = AArch64
	check "$way: the amd64 binary runs and says x86_64" \
		test "$("$dir/out/linux_amd64/hello")" = "hello from x86_64, running on x86_64"
	check "$way: the arm64 binary runs under qemu-aarch64 and says aarch64" \
		test "$(qemu-aarch64-static "$dir/out/linux_arm64/hello")" = "hello from aarch64, running on aarch64"
}

start_registry
build cross Dockerfile -t "$R/cross:1" --push --iidfile "$work/cross/iid"
# the toolchain stage is on the build platform and reads no TARGET*: one
# stage for both platforms, its apt-get run once
check "cross: the toolchain stage is built once, not per platform" \
	test "$(find "$work/cross/.df2ninja/steps" -mindepth 1 -maxdepth 1 -name 'toolchain*' | wc -l)" = 1
check "cross: the compile stage is per platform" \
	test -d "$work/cross/.df2ninja/steps/build@linux-arm64"
check "cross: no step ran under emulation" \
	sh -c "! grep -q 'emulated by' '$work/cross/build.log'"

# the pushed index, as the registry gives it
pushed=$work/cross/pushed
check "cross: the export says it pushed the index to $R/cross:1" \
	grep -q "image index sha256:[0-9a-f]*: pushed to $R/cross:1" "$work/cross/build.log"
skopeo inspect --raw --tls-verify=false "docker://$R/cross:1" >"$pushed.index" 2>"$pushed.err" ||
	sed 's/^/#   /' "$pushed.err"
check "cross: $R/cross:1 is an OCI image index" \
	test "$(jq -r .mediaType "$pushed.index")" = application/vnd.oci.image.index.v1+json
check "cross: ... of two manifests" test "$(jq '.manifests | length' "$pushed.index")" = 2
check "cross: ... for linux/amd64 and linux/arm64" \
	test "$(jq -r '[.manifests[].platform | .os + "/" + .architecture] | join(",")' \
		"$pushed.index")" = "$PLATFORMS"
check "cross: ... the build's image ID (--iidfile) is its digest" \
	test "sha256:$(sha256sum <"$pushed.index" | cut -d' ' -f1)" = "$(cat "$work/cross/iid")"
for a in amd64 arm64; do
	m=$(jq -r ".manifests[] | select(.platform.architecture == \"$a\") | .digest" "$pushed.index")
	skopeo inspect --config --tls-verify=false "docker://$R/cross@$m" >"$pushed.config.$a" 2>"$pushed.err" ||
		sed 's/^/#   /' "$pushed.err"
	check "cross: the $a manifest's config names linux/$a" \
		test "$(jq -r '.os + "/" + .architecture' "$pushed.config.$a")" = "linux/$a"
	# its image from the registry into an OCI layout, /hello out of its layer
	rm -rf "$pushed.$a" && mkdir -p "$pushed.$a"
	skopeo copy -q --src-tls-verify=false "docker://$R/cross@$m" "oci:$pushed.$a/layout:$a" \
		>/dev/null 2>"$pushed.err" || sed 's/^/#   /' "$pushed.err"
	layer=$(jq -r '.manifests[0].digest' "$pushed.$a/layout/index.json" | cut -d: -f2)
	layer=$(jq -r '.layers[-1].digest' "$pushed.$a/layout/blobs/sha256/$layer" | cut -d: -f2)
	tar -xf "$pushed.$a/layout/blobs/sha256/$layer" -C "$pushed.$a" hello 2>&1 | sed 's/^/#   /'
	case $a in
	amd64) want="Advanced Micro Devices X86-64" ;;
	arm64) want=AArch64 ;;
	esac
	check "cross: the pushed $a image's /hello is an $want ELF" \
		test "$(machine "$pushed.$a/hello")" = "$want"
done
stop_registry

build emulated Dockerfile.emulated
check "emulated: the arm64 compile ran under QEMU" \
	grep -q 'linux/arm64 emulated by' "$work/emulated/build.log"

echo "check-cross: $pass passed, $fail failed"
[ $fail = 0 ]
