#!/bin/sh
# What the confinement of a step costs, measured finely: one built step
# rerun many times, confined (`RUN true`) and unconfined (`RUN
# --security=insecure true`, with --allow security.insecure), in pairs,
# in random order, each as the command ninja runs for it.
#   bench/confine.sh [df2ninja] [pairs] [-- extra df2ninja options]
# Prints the median wall time and CPU time of each kind and the medians
# of the paired differences, which cancel most of a noisy machine's
# drift. As another user than root, the steps run in rootless mode.
# Needs python3 for the timing.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/df2ninja}
[ $# -eq 0 ] || shift
pairs=200
if [ $# -gt 0 ] && [ "$1" != -- ]; then pairs=$1; shift; fi
[ "${1:-}" = -- ] && shift
NINJA=${NINJA:-ninja}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$bin" "$work/df2ninja"
export DF2NINJA_STORE="$work/store"

DF2NINJA="$work/df2ninja" NINJA=$NINJA "$top/samples/make-images" busybox \
	--dest "$work/images" >"$work/images.log" 2>&1 || { cat "$work/images.log" >&2; exit 1; }
mkdir "$work/run"
cd "$work/run"
cat >Dockerfile <<EOF
FROM oci-layout://$work/images/busybox:latest
COPY f /f
RUN true
RUN --security=insecure true
EOF
echo data >f
"$work/df2ninja" --allow security.insecure "$@" . >/dev/null
"$NINJA" >ninja.out 2>&1 || { cat ninja.out >&2; exit 1; }
# the commands ninja runs for steps 3 and 4
confined=$("$NINJA" -t commands | grep -F -- '/03.json' | tail -n 1)
insecure=$("$NINJA" -t commands | grep -F -- '/04.json' | tail -n 1)
[ -n "$confined" ] && [ -n "$insecure" ] || { echo "confine.sh: no step commands" >&2; exit 1; }

# the pairs, timed by python3 for the children's CPU time from wait4
# (`times` counts in 10 ms ticks)
python3 - "$pairs" "$confined" "$insecure" <<'EOF'
import os, random, statistics, sys, time

pairs, cmds = int(sys.argv[1]), {"confined": sys.argv[2], "unconfined": sys.argv[3]}

def one(cmd):
    t = time.perf_counter_ns()
    pid = os.posix_spawn("/bin/sh", ["sh", "-c", "exec " + cmd], os.environ)
    _, ws, ru = os.wait4(pid, 0)
    if ws != 0:
        sys.exit("confine.sh: a step failed: " + cmd)
    return (time.perf_counter_ns() - t) / 1e6, (ru.ru_utime + ru.ru_stime) * 1e3

runs = {k: [] for k in cmds}
for _ in range(pairs):
    order = list(cmds)
    random.shuffle(order)
    for k in order:
        runs[k].append(one(cmds[k]))
med = statistics.median
for k in ("unconfined", "confined"):
    print("%-10s step: median %.2f ms wall, %.2f ms CPU" %
          (k, med(w for w, _ in runs[k]), med(c for _, c in runs[k])))
dw = [c[0] - u[0] for c, u in zip(runs["confined"], runs["unconfined"])]
dc = [c[1] - u[1] for c, u in zip(runs["confined"], runs["unconfined"])]
print("confinement, median of %d paired differences: %+.2f ms wall, %+.2f ms CPU"
      % (pairs, med(dw), med(dc)))
EOF
