#!/bin/sh
# Executor benchmark (root: the steps run in namespaces over overlayfs):
#   - per-RUN-step overhead: a Dockerfile of 50 `RUN true` steps built cold,
#     side by side with a build.ninja of 50 plain `touch` edges in a chain;
#   - a fully cached rebuild of that Dockerfile: ninja with nothing to do,
#     and ninja after touching the input of a COPY without changing it;
#   - samples/parallel-sleep under -j2 against its 12 s critical path.
# Goals: under 10 ms per RUN step, under 50 ms for a cached rebuild,
# parallel-sleep within 0.3 s of 12 s.
#   bench/exec.sh [path/to/df2ninja] [runs]
# Uses its own store and busybox image in a temporary directory; NINJA
# names ninja. Prints a table; exits 1 when a goal is missed.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/df2ninja}
runs=${2:-3}
NINJA=${NINJA:-ninja}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
DF2NINJA_STORE=$work/store
export DF2NINJA_STORE
# a copy, so that a rebuild of the tree during the run does not disturb it
cp "$bin" "$work/df2ninja"
bin=$work/df2ninja

now() { date +%s%N; }
# ms START END: milliseconds, one decimal
ms() { awk -v s="$1" -v e="$2" 'BEGIN { printf "%.1f", (e - s) / 1e6 }'; }
# min A B: the smaller number
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }'; }

echo "making the busybox image..." >&2
DF2NINJA=$bin NINJA=$NINJA "$top/samples/make-images" busybox --dest "$work/images" >"$work/images.log" 2>&1 ||
	{ cat "$work/images.log" >&2; exit 1; }

# --- 50 touch edges in a chain --------------------------------------------------
mkdir "$work/touch"
{
	echo "rule touch"
	echo "  command = touch \$out"
	echo "build s1: touch"
	for i in $(seq 2 50); do echo "build s$i: touch s$((i - 1))"; done
} >"$work/touch/build.ninja"
touch_best=
for i in $(seq "$runs"); do
	rm -f "$work"/touch/s* "$work/touch/.ninja_log"
	s=$(now); "$NINJA" -C "$work/touch" >/dev/null; e=$(now)
	touch_best=$(min "$touch_best" "$(ms "$s" "$e")")
done

# --- 50 RUN true -----------------------------------------------------------------
mkdir "$work/run50"
{
	echo "FROM oci-layout://$work/images/busybox:latest"
	echo "COPY f /f"
	for i in $(seq 50); do echo "RUN true"; done
} >"$work/run50/Dockerfile"
echo data >"$work/run50/f"
cd "$work/run50"
cold_best=
edge_best=
for i in $(seq "$runs"); do
	rm -rf .df2ninja build.ninja
	"$bin" . >/dev/null
	s=$(now); "$NINJA" >ninja.out 2>&1 || { cat ninja.out >&2; exit 1; }; e=$(now)
	cold_best=$(min "$cold_best" "$(ms "$s" "$e")")
	# the mean time ninja logged for the 50 RUN edges (steps 03..52)
	edge=$(awk -F'\t' '$4 ~ /steps\/stage-0\/(0[3-9]|[1-4][0-9]|5[0-2])\.id$/ { t += $2 - $1; n++ }
		END { if (n) printf "%.1f", t / n }' .df2ninja/.ninja_log)
	edge_best=$(min "$edge_best" "$edge")
done
per_run=$(awk -v t="$cold_best" 'BEGIN { printf "%.1f", t / 50 }')
per_touch=$(awk -v t="$touch_best" 'BEGIN { printf "%.2f", t / 50 }')
ratio=$(awk -v a="$per_run" -v b="$per_touch" 'BEGIN { printf "%.0f", (b > 0) ? a / b : 0 }')

noop_best=
copy_best=
for i in $(seq 5); do
	s=$(now); "$NINJA" >ninja.out 2>&1; e=$(now)
	grep -q 'no work to do' ninja.out || { echo "bench: a rebuild had work to do:" >&2; cat ninja.out >&2; exit 1; }
	noop_best=$(min "$noop_best" "$(ms "$s" "$e")")
	touch f
	s=$(now); "$NINJA" >ninja.out 2>&1; e=$(now)
	n=$(grep -c '^\[' ninja.out || true)
	[ "$n" = 1 ] || { echo "bench: touching f reran $n edges, not 1:" >&2; cat ninja.out >&2; exit 1; }
	copy_best=$(min "$copy_best" "$(ms "$s" "$e")")
done

# --- parallel-sleep under -j2 --------------------------------------------------------
mkdir "$work/parallel-sleep"
cp "$top/samples/parallel-sleep/Dockerfile" "$work/parallel-sleep/"
cd "$work/parallel-sleep"
"$bin" . >/dev/null
s=$(now)
if "$NINJA" -j2 >ninja.out 2>&1; then
	e=$(now)
	par=$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.2f", (e - s) / 1e9 }')
else
	cat ninja.out >&2
	par=failed
fi

verdict() { # VALUE GOAL: "ok" when VALUE < GOAL
	awk -v v="$1" -v g="$2" 'BEGIN { print ((v != "failed" && v + 0 < g + 0) ? "ok" : "MISSED") }'
}
v_run=$(verdict "$per_run" 10)
v_noop=$(verdict "$noop_best" 50)
v_copy=$(verdict "$copy_best" 50)
v_par=$(verdict "$par" 12.3)

printf '%-46s %12s %12s\n' "executor (best of $runs)" measured goal
printf '%-46s %9s ms %12s  %s\n' "RUN step: cold build of 50 RUN true / 50" "$per_run" "< 10 ms" "$v_run"
printf '%-46s %9s ms\n' "  RUN edge, mean of .ninja_log" "$edge_best"
printf '%-46s %9s ms\n' "  cold build, total (FROM, COPY, 50 RUN, export)" "$cold_best"
printf '%-46s %9s ms\n' "touch edge: 50 touch edges in a chain / 50" "$per_touch"
printf '%-46s %10s x\n' "  RUN step / touch edge" "$ratio"
printf '%-46s %9s ms %12s  %s\n' "cached rebuild: nothing to do" "$noop_best" "< 50 ms" "$v_noop"
printf '%-46s %9s ms %12s  %s\n' "cached rebuild: COPY input touched, unchanged" "$copy_best" "< 50 ms" "$v_copy"
printf '%-46s %10s s %12s  %s\n' "parallel-sleep -j2 (critical path 12 s)" "$par" "< 12.3 s" "$v_par"

[ "$v_run$v_noop$v_copy$v_par" = okokokok ]
