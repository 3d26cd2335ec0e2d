#!/bin/sh
# Resolver stress: 1,000 stages, each FROM the one before and adding an ARG,
# so that the N-th stage's RUN plan lists N ARGs (plan.h: "args" holds the
# ARGs in scope). The plans add up to ~28 MB: that much is the output, the
# rest should stay linear.
#   bench/chain.sh [path/to/df2ninja] [runs]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/df2ninja}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
runs=${2:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

timed() {
	s=$(date +%s%N)
	"$@" >/dev/null
	e=$(date +%s%N)
	echo $(( (e - s) / 1000000 ))
}

awk 'BEGIN {
	print "FROM scratch AS s0"
	print "ARG A0=0"
	print "RUN echo $A0"
	for (s = 1; s < 1000; s++) {
		printf "FROM s%d AS s%d\n", s - 1, s
		printf "ARG A%d=%d\n", s, s
		printf "RUN echo $A%d\n", s
	}
}' >"$work/Dockerfile"
cd "$work"
echo "Dockerfile: 1000 stages in one FROM chain, one ARG and one RUN each"
ms=$(timed "$bin" .)
echo "generation, cold: $ms ms, plans $(du -sk .df2ninja/plans | cut -f1) kB"
for i in $(seq "$runs"); do
	timed "$bin" .
done | awk '{ t += $1; if (NR == 1 || $1 < b) b = $1 }
	END { printf "generation, plans unchanged: best %d ms, mean %d ms over %d runs\n", b, t / NR, NR }'
kb=$({ /usr/bin/time -f '%M' "$bin" . >/dev/null; } 2>&1 | tail -n 1)
echo "  peak memory: $kb kB"
