#!/bin/sh
# Generation benchmark: time and peak memory of `df2ninja` on a Dockerfile of
# 1,000 stages and 10,000 steps (9 steps per stage after its FROM, with
# COPY --from fan-in), next to `ninja -n` loading the result.
# Goal: under 100 ms and 50 MB.
#   bench/gen.sh [path/to/df2ninja] [runs]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/df2ninja}
runs=${2:-10}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

awk 'BEGIN {
	print "ARG BASE=scratch"
	for (s = 0; s < 1000; s++) {
		printf "FROM ${BASE} AS s%d\n", s
		printf "ARG N=%d\n", s
		printf "ENV STAGE=s%d\n", s
		for (i = 1; i <= 8; i++)
			printf "RUN echo step %d of stage $STAGE > /f%d\n", i, i
		if (s > 0)
			printf "COPY --from=s%d /f1 /prev\n", s - 1
		else
			printf "COPY f /f\n"
	}
}' >"$work/Dockerfile"
echo x >"$work/f"
steps=$(grep -c -E '^(FROM|RUN|COPY)' "$work/Dockerfile")
echo "Dockerfile: $(grep -c '^FROM' "$work/Dockerfile") stages, $steps steps"

cd "$work"
"$bin" . >/dev/null            # warm: first run writes every plan
best=
total=0
for i in $(seq "$runs"); do
	rm -f build.ninja
	s=$(date +%s%N)
	"$bin" . >/dev/null
	e=$(date +%s%N)
	ms=$(( (e - s) / 1000000 ))
	total=$((total + ms))
	if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
done
echo "generation (plans unchanged): best ${best} ms, mean $((total / runs)) ms over $runs runs"

rm -rf .df2ninja build.ninja
s=$(date +%s%N)
"$bin" . >/dev/null
e=$(date +%s%N)
echo "generation (cold, writes $steps plans): $(( (e - s) / 1000000 )) ms"

rss=$( { /usr/bin/time -f '%M' "$bin" . >/dev/null; } 2>&1 | tail -n 1)
echo "peak memory: $((rss / 1024)) MB (${rss} kB)"

s=$(date +%s%N)
ninja -n >/dev/null
e=$(date +%s%N)
echo "ninja -n on the result: $(( (e - s) / 1000000 )) ms"
