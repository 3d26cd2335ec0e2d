#!/bin/sh
# Side by side: the 50-step cold case (FROM busybox, COPY, 50 `RUN true`,
# export; `df2ninja . && ninja`, generation included) with two df2ninja
# binaries taking turns, so that both see the same machine. For what a
# change costs per step, e.g. the confinement against the commit before it:
#   bench/ab.sh OLD_DF2NINJA NEW_DF2NINJA [rounds] [-- extra df2ninja options]
# Prints each binary's best and median per step. NINJA names ninja; as
# another user than root, the steps run in rootless mode.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 2 ] || { echo "usage: bench/ab.sh OLD NEW [rounds] [-- options]" >&2; exit 2; }
a=$1 b=$2
shift 2
rounds=5
if [ $# -gt 0 ] && [ "$1" != -- ]; then rounds=$1; shift; fi
[ "${1:-}" = -- ] && shift
NINJA=${NINJA:-ninja}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$a" "$work/a"
cp "$b" "$work/b"
now() { date +%s%N; }

for x in a b; do
	DF2NINJA_STORE=$work/store-$x DF2NINJA=$work/$x NINJA=$NINJA \
		"$top/samples/make-images" busybox --dest "$work/images-$x" >"$work/images.log" 2>&1 ||
		{ cat "$work/images.log" >&2; exit 1; }
	mkdir "$work/run-$x"
	{
		echo "FROM oci-layout://$work/images-$x/busybox:latest"
		echo "COPY f /f"
		for i in $(seq 50); do echo "RUN true"; done
	} >"$work/run-$x/Dockerfile"
	echo data >"$work/run-$x/f"
done

for r in $(seq "$rounds"); do
	for x in a b; do
		cd "$work/run-$x"
		# moved aside, not removed: on ext4 without a journal, inodes
		# freed just before make every new inode slow (bench/README.md)
		[ ! -e .df2ninja ] || mv .df2ninja "$work/old.$x.$r"
		rm -f build.ninja
		sync
		s=$(now)
		DF2NINJA_STORE=$work/store-$x "$work/$x" "$@" . >/dev/null
		DF2NINJA_STORE=$work/store-$x "$NINJA" >ninja.out 2>&1 || { cat ninja.out >&2; exit 1; }
		e=$(now)
		echo "$x $(( (e - s) / 1000 ))" >>"$work/times"
	done
done
for x in a b; do
	sort -n -k2 "$work/times" | awk -v x="$x" -v n="$rounds" -v bin="$( [ $x = a ] && echo "$a" || echo "$b")" '
		$1 == x { t[++k] = $2 }
		END { printf "%s: best %.2f ms a step, median %.2f ms a step (%d rounds)\n",
			bin, t[1] / 50 / 1000, t[int((k + 1) / 2)] / 50 / 1000, k }'
done
