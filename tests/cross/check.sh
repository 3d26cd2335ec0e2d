#!/bin/sh
# make check-cross: build samples/cross for linux/amd64 and linux/arm64
# both ways, cross-compiled (Dockerfile: FROM --platform=$BUILDPLATFORM,
# Debian's gcc-aarch64-linux-gnu) and emulated (Dockerfile.emulated: each
# platform's own gcc, arm64 under QEMU), and check each binary: its ELF
# machine (x86-64, AArch64), and what it prints when run (the arm64 one
# through qemu-aarch64-static). Opt-in, never part of tests/run: it takes
# minutes (debootstrap of two Debian images, apt-get of a cross compiler
# from deb.debian.org) and needs the network to Debian's archive.
#
#   tests/cross/check.sh [--work DIR]
#
# The Debian image (amd64 and arm64 in one layout) is made once by
# `samples/make-images debian --platform linux/amd64,linux/arm64` into
# WORK/images and kept; each build is cold: an empty build dir and a
# store of its own (DF2NINJA_STORE), so the base image is unpacked in the
# time it prints (as docs/benchmarks.md reports it), with the time of its
# longest steps (from ninja's log).
# Needs qemu-user-static and binfmt-support (F-flag binfmt_misc entries),
# debootstrap, binutils (readelf), jq.
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
	echo "check-cross: making the amd64 and arm64 Debian image (log: $work/make-images.log)"
	DF2NINJA="$DF2NINJA" NINJA="$NINJA" "$TOP_SRCDIR/samples/make-images" debian \
		--platform "$PLATFORMS" --dest "$images" >"$work/make-images.log" 2>&1 ||
		{ tail -20 "$work/make-images.log" >&2
		  echo "check-cross: make-images failed" >&2; exit 1; }
fi

# the ELF machine readelf names ("AArch64", "Advanced Micro Devices X86-64")
machine() { readelf -h "$1" | sed -n 's/^ *Machine: *//p'; }

# build WAY (cross or emulated) from the Dockerfile $2 into $work/WAY/out
build() {
	way=$1 dir=$work/$1
	rm -rf "$dir" && mkdir -p "$dir"
	cp -R "$TOP_SRCDIR/samples/cross" "$dir/ctx"
	load=$(cut -d' ' -f1-3 /proc/loadavg)
	start=$(date +%s%N)
	(cd "$dir" && export DF2NINJA_STORE="$dir/store" && "$DF2NINJA" --platform "$PLATFORMS" -f "ctx/$2" \
		--build-arg "DEBIAN=oci-layout://$images/debian:bookworm" \
		--output "type=local,dest=$dir/out" ctx && "$NINJA") >"$dir/build.log" 2>&1
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

build cross Dockerfile
# the toolchain stage is on the build platform and reads no TARGET*: one
# stage for both platforms, its apt-get run once
check "cross: the toolchain stage is built once, not per platform" \
	test "$(ls "$work/cross/.df2ninja/steps" | grep -c '^toolchain')" = 1
check "cross: the compile stage is per platform" \
	test -d "$work/cross/.df2ninja/steps/build@linux-arm64"
check "cross: no step ran under emulation" \
	sh -c "! grep -q 'emulated by' '$work/cross/build.log'"
build emulated Dockerfile.emulated
check "emulated: the arm64 compile ran under QEMU" \
	grep -q 'linux/arm64 emulated by' "$work/emulated/build.log"

echo "check-cross: $pass passed, $fail failed"
[ $fail = 0 ]
