#!/bin/sh
# Generation benchmark: time and peak memory of `df2ninja` on a Dockerfile of
# 1,000 stages and 10,000 steps (9 steps per stage after its FROM, with
# COPY --from fan-in), next to `ninja -n` loading the result.
# Goal: under 100 ms and 50 MB, warm and, as far as it goes, cold.
#   bench/gen.sh [path/to/df2ninja] [runs]
# The work directory is made by mktemp -d: set TMPDIR to choose its disk.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/df2ninja}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
runs=${2:-10}
cold_runs=3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# milliseconds one run of "$@" takes, its output dropped
timed() {
	s=$(date +%s%N)
	"$@" >/dev/null
	e=$(date +%s%N)
	echo $(( (e - s) / 1000000 ))
}

# "best B ms, mean M ms over N runs" for the numbers on stdin
summary() {
	awk '{ t += $1; if (NR == 1 || $1 < b) b = $1 }
	     END { printf "best %d ms, mean %d ms over %d runs\n", b, t / NR, NR }'
}

# peak resident memory of one run of "$@", in kB
peak_kb() {
	{ /usr/bin/time -f '%M' "$@" >/dev/null; } 2>&1 | tail -n 1
}

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
echo "machine: $(nproc) cores, $(uname -sr), $(df -T "$work" | awk 'NR == 2 { print $2 }') at $work"

cd "$work"
"$bin" . >/dev/null            # the first run writes every plan

# warm: every plan is already there and unchanged; only build.ninja is new
for i in $(seq "$runs"); do
	rm -f build.ninja
	timed "$bin" .
done | summary | sed 's/^/generation, plans unchanged: /'
rm -f build.ninja
kb=$(peak_kb "$bin" .)
echo "  peak memory: $kb kB"

# cold: a build dir that does not exist yet, so all plans are written. The
# old one is moved aside, not deleted: on ext4 without a journal, inodes
# freed in the last minute are skipped one by one when new ones are made
# (fs/ext4/ialloc.c, recently_deleted), and timing that is timing the rm.
for i in $(seq "$cold_runs"); do
	mv .df2ninja "old.$i"
	rm -f build.ninja
	timed "$bin" .
done | summary | sed "s/^/generation, cold (writes $steps plans): /"
mv .df2ninja old.peak
kb=$(peak_kb "$bin" .)
echo "  peak memory: $kb kB"
# and once right after deleting the old plans, the worst case above
rm -rf old.* .df2ninja build.ninja
ms=$(timed "$bin" .)
echo "generation, cold right after rm -rf of the plans: $ms ms"

ms=$(timed ninja -n)
echo "ninja -n on the result: $ms ms"
