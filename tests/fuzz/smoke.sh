#!/bin/sh
# Run each fuzzer for FUZZ_TIME seconds (default 30) from its committed
# corpus, with its dictionary; fail on any crash, sanitizer report, leak or
# input slower than 1 s. New inputs go to a temp dir, never into the
# corpus; what a failing run found is kept in OUT/crashes/.
#
# usage: smoke.sh OUT FUZZDIR TARGET...
#   OUT      where the fuzz_TARGET programs are
#   FUZZDIR  tests/fuzz in the source tree: corpus/TARGET/, TARGET.dict
set -u

[ $# -ge 3 ] || { echo "usage: $0 OUT FUZZDIR TARGET..." >&2; exit 2; }
out=$1 src=$2
shift 2
time=${FUZZ_TIME:-30}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/df2ninja-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out/crashes"

failed=
for t in "$@"; do
	mkdir "$tmp/$t"
	log=$out/fuzz_$t.log
	case $t in
	gen) dict=$src/parse.dict ;;	# the same language
	*) dict=$src/$t.dict ;;
	esac
	start=$(date +%s)
	"$out/fuzz_$t" -max_total_time="$time" -timeout=1 -rss_limit_mb=2048 \
		-dict="$dict" -print_final_stats=1 \
		-artifact_prefix="$out/crashes/$t-" \
		"$tmp/$t" "$src/corpus/$t" >"$log" 2>&1
	st=$?
	end=$(date +%s)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	if [ "$st" -eq 0 ]; then
		echo "fuzz: $t: ok, ${runs:-?} runs in $((end - start)) s"
	else
		echo "fuzz: $t: FAILED (exit $st), see $log:"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)|^artifact_prefix|Test unit written' "$log" | head -n 20
		failed="$failed $t"
	fi
done
if [ -n "$failed" ]; then
	echo "fuzz: failed:$failed"
	exit 1
fi
