#!/bin/sh
# Side by side: the 50-step cold case (FROM busybox, COPY, 50 `RUN true`,
# export; `df2ninja . && ninja`, generation included) with two df2ninja
# binaries taking turns, so that both see the same machine. For what a
# change costs per step, e.g. the confinement against the commit before it:
#   bench/ab.sh OLD_DF2NINJA NEW_DF2NINJA [rounds] [-- extra df2ninja options]
# What the confinement costs, one binary against itself: the same steps
# as `RUN --security=insecure true` (unconfined, with --allow
# security.insecure) and as `RUN true`:
#   bench/ab.sh --insecure DF2NINJA [rounds] [-- extra df2ninja options]
# Prints each side's best and median per step. NINJA names ninja; as
# another user than root, the steps run in rootless mode.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
usage="usage: bench/ab.sh OLD NEW [rounds] [-- options] | --insecure DF2NINJA [rounds] [-- options]"
run_a="RUN true" run_b="RUN true" opts_a="" opts_b="" label_a="" label_b=""
if [ "${1:-}" = --insecure ]; then
	[ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }
	a=$2 b=$2
	run_a="RUN --security=insecure true" opts_a="--allow security.insecure"
	label_a="$2, RUN --security=insecure" label_b="$2, RUN (confined)"
	shift 2
else
	[ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }
	a=$1 b=$2
	shift 2
fi
label_a=${label_a:-$a} label_b=${label_b:-$b}
rounds=5
if [ $# -gt 0 ] && [ "$1" != -- ]; then rounds=$1; shift; fi
[ "${1:-}" = -- ] && shift
NINJA=${NINJA:-ninja}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# each in a dir of its own, with the df2ninja-run found beside it (the
# steps go through its step server, as with the installed tool)
for x in a b; do
	eval "src=\$$x"
	mkdir "$work/bin-$x"
	cp "$src" "$work/bin-$x/df2ninja"
	run=$(dirname "$src")/df2ninja-run
	[ ! -x "$run" ] || cp "$run" "$work/bin-$x/df2ninja-run"
done

for x in a b; do
	DF2NINJA_STORE=$work/store-$x DF2NINJA=$work/bin-$x/df2ninja NINJA=$NINJA \
		"$top/samples/make-images" busybox --dest "$work/images-$x" >"$work/images.log" 2>&1 ||
		{ cat "$work/images.log" >&2; exit 1; }
	mkdir "$work/run-$x"
	{
		echo "FROM oci-layout://$work/images-$x/busybox:latest"
		echo "COPY f /f"
		eval "run=\$run_$x"
		for i in $(seq 50); do echo "$run"; done
	} >"$work/run-$x/Dockerfile"
	echo data >"$work/run-$x/f"
done

# one round of side $1: "x wall_us cpu_us" (CPU: user and system time of
# df2ninja, ninja and the steps: `times` of the shell that ran them, not
# of a subshell, which would count its own children only)
round() {
	cd "$work/run-$1"
	# moved aside, not removed: on ext4 without a journal, inodes
	# freed just before make every new inode slow (bench/README.md)
	[ ! -e .df2ninja ] || mv .df2ninja "$work/old.$1.$r"
	rm -f build.ninja
	sync
	eval "opts=\$opts_$1"
	x=$1
	shift
	# shellcheck disable=SC2086,SC2016 # opts is a list of words
	sh -c 's=$(date +%s%N)
		"$@" >/dev/null && "$NINJA" >ninja.out 2>&1 || { cat ninja.out >&2; exit 1; }
		e=$(date +%s%N)
		times >times.out
		echo $(( (e - s) / 1000 )) $(tail -n 1 times.out)' \
		sh "$work/bin-$x/df2ninja" $opts "$@" . |
		awk -v x="$x" '{ split($2 " " $3, t, /[ms ]/)
			printf "%s %d %d\n", x, $1, (t[1] * 60 + t[2] + t[4] * 60 + t[5]) * 1e6 }' >>"$work/times"
}

# the median of column $1 of stdin
median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

export NINJA
for r in $(seq "$rounds"); do
	# taking turns, each side first every other round
	if [ $((r % 2)) = 1 ]; then
		round a "$@"
		round b "$@"
	else
		round b "$@"
		round a "$@"
	fi
done
for x in a b; do
	[ $x = a ] && label=$label_a || label=$label_b
	best=$(awk -v x=$x '$1 == x { print $2 }' "$work/times" | sort -n | head -n 1)
	med=$(awk -v x=$x '$1 == x { print $2 }' "$work/times" | median)
	cpu=$(awk -v x=$x '$1 == x { print $3 }' "$work/times" | median)
	awk -v l="$label" -v b="$best" -v m="$med" -v c="$cpu" -v n="$rounds" 'BEGIN {
		printf "%s: best %.2f, median %.2f ms a step; CPU %.2f ms a step (median, %d rounds)\n",
			l, b / 50000, m / 50000, c / 50000, n }'
done
# rounds are paired in order: on a noisy machine the median of the
# differences is steadier than the difference of the medians
dw=$(awk '$1 == "a" { a[++n] = $2 } $1 == "b" { b[++m] = $2 }
	END { for (i = 1; i <= n; i++) print b[i] - a[i] }' "$work/times" | median)
dc=$(awk '$1 == "a" { a[++n] = $3 } $1 == "b" { b[++m] = $3 }
	END { for (i = 1; i <= n; i++) print b[i] - a[i] }' "$work/times" | median)
awk -v w="$dw" -v c="$dc" 'BEGIN {
	printf "second - first, median of the paired rounds: %+.2f ms a step (wall), %+.2f ms a step (CPU)\n",
		w / 50000, c / 50000 }'
