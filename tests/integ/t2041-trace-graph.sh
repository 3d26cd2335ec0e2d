#!/bin/sh
# df2ninja trace: the last build as a Perfetto trace (one complete event
# per edge that ran, named [stage N/M], tracks that never overlap) and an
# SVG timeline, with the critical path: the chain of steps each waiting for
# the one before that took longest, here the one stage that sleeps; after
# a rebuild, the rebuild's edges alone. df2ninja graph: the stage graph as
# dot, stages and the image as nodes, FROM, COPY --from and RUN --mount
# from= as edges, and SVG through Graphviz's dot.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox

mkdir ctx && cd ctx || exit 99
cat >Dockerfile <<DF
FROM $BUSYBOX AS slow
RUN sleep 1.5 && echo a >/a
RUN sleep 1.5 && echo b >/b
FROM $BUSYBOX AS quick
RUN echo q >/q
FROM $BUSYBOX AS helper
RUN echo h >/h
FROM quick AS unused
RUN true
FROM $BUSYBOX
COPY --from=slow /a /a
RUN --mount=type=bind,from=helper,source=/h,target=/h cat /h >/hh
COPY --from=quick /q /q
CMD ["cat", "/a"]
DF
check "trace before a build says to build" \
	expect_fail 1 'no build to trace (run ninja first)' "$DF2NINJA" trace
check "generate" "$DF2NINJA" .
check "build" ninja_logged
check "the build's last line says how to get the trace" sh -c \
	'tail -n 1 "$1" | grep -qx "df2ninja: trace: \`df2ninja trace\` writes .df2ninja/trace.json and .df2ninja/trace.svg"' \
	sh "$TMP/ninja.out"

check "df2ninja trace" sh -c '"$DF2NINJA" trace >"$1"' sh "$TMP/trace.out"
sed 's/^/#   /' "$TMP/trace.out"
path='slow/1 -> slow/2 -> slow/3 -> stage-4/2 -> stage-4/3 -> stage-4/4 -> stage-4/config -> export'
check "the critical path is the sleeping stage's chain" \
	grep -qx "critical path [0-9.]* s of [0-9.]* s wall: $path" "$TMP/trace.out"
J=.df2ninja/trace.json
check "the trace is JSON" jq -e '.traceEvents | type == "array"' $J
# the edges ninja ran: "[stage N/M]" labels, and the export
sed -n 's/^\[[0-9]*\/[0-9]*\] [A-Z]* *\(\[[^]]*\]\).*/\1/p' "$TMP/ninja.out" | sort >want
jq -r '.traceEvents[] | select(.ph == "X") | .name | capture("^(?<l>\\[[^]]*\\])").l' $J |
	sort >got
check "one event per step that ran, named [stage N/M]" test_cmp want got
check "... the steps are all there" test "$(wc -l <got)" -eq 12
check "... and one for the export" \
	jq -e '[.traceEvents[] | select(.ph == "X" and .name == "EXPORT stage-4")] | length == 1' $J
check "every event has what Perfetto needs" jq -e '[.traceEvents[] | select(.ph == "X") |
	(.ts | type == "number") and (.dur | type == "number") and .dur >= 0 and
	(.pid | type == "number") and (.tid | type == "number") and (.name | type == "string")] | all' $J
check "events of one track never overlap" jq -e '[.traceEvents | map(select(.ph == "X")) |
	group_by(.tid)[] | sort_by(.ts) | . as $e | range(1; length) |
	$e[.].ts >= $e[. - 1].ts + $e[. - 1].dur] | all' $J
check "every track is named" jq -e '([.traceEvents[] | select(.ph == "X") | .tid] | unique) ==
	([.traceEvents[] | select(.ph == "M" and .name == "thread_name") | .tid] | unique)' $J
check "the critical events are the path's, each after the one before" jq -e --arg p "$path" '
	[.traceEvents[] | select(.ph == "X" and .args.critical)] | sort_by(.ts) as $c |
	([$c[].args.step] | join(" -> ")) == $p and
	([range(1; $c | length) | $c[.].ts >= $c[. - 1].ts + $c[. - 1].dur] | all)' $J
check "the timeline is SVG with the summary" assert_file_has .df2ninja/trace.svg \
	"critical path [0-9.]* s of [0-9.]* s wall: slow/1 -&gt; slow/2"
check "... a bar per event" test "$(grep -c '<rect x=' .df2ninja/trace.svg)" -eq 13
check "... the path's in their colour" test "$(grep -c 'fill="#e4572e"' .df2ninja/trace.svg)" -eq 8

# a rebuild: its edges alone, and the chain they form
sed -i 's/echo q >/echo q2 >/' Dockerfile
check "rebuild after editing the quick stage" ninja_logged
check "trace of the rebuild" sh -c '"$DF2NINJA" trace >"$1"' sh "$TMP/trace.out"
check "... only the rebuild's edges" jq -e '[.traceEvents[] | select(.ph == "X") | .args.step] |
	sort == ["export", "quick/2", "stage-4/4", "stage-4/config"]' $J
check "... its critical path" grep -qx \
	"critical path [0-9.]* s of [0-9.]* s wall: quick/2 -> stage-4/4 -> stage-4/config -> export" \
	"$TMP/trace.out"

# several platforms: the export waits for every platform's last step, so
# the path runs through the slow one (a stage per platform, on the
# build's platform: nothing is emulated)
mkdir ../multi && cd ../multi || exit 99
cat >Dockerfile <<DF
FROM --platform=\$BUILDPLATFORM $BUSYBOX AS work
ARG TARGETARCH
RUN if [ "\$TARGETARCH" = arm64 ]; then sleep 2; fi && echo \$TARGETARCH >/arch
FROM scratch
COPY --from=work /arch /arch
DF
check "several platforms: generate" "$DF2NINJA" --platform linux/amd64,linux/arm64 .
check "... build" ninja_logged
check "... trace" sh -c '"$DF2NINJA" trace >"$1"' sh "$TMP/mtrace.out"
check "... the critical path runs through the slow platform" grep -qx \
	"critical path [0-9.]* s of [0-9.]* s wall: work@linux-arm64/1 -> work@linux-arm64/2 -> stage-1@linux-arm64/2 -> export" \
	"$TMP/mtrace.out"
check "... the export names both" sh -c \
	'jq -r ".traceEvents[].name" .df2ninja/trace.json | grep -qx "EXPORT stage-1@linux-amd64, stage-1@linux-arm64"'
cd ../ctx || exit 99

# the stage graph
check "df2ninja graph" sh -c '"$DF2NINJA" graph -o stages.dot >"$1"' sh "$TMP/graph.out"
for n in slow quick helper unused stage-4; do
	check "node $n" grep -q "^  \"stage:$n\" \[label=\"$n\\\\n" stages.dot
done
check "the target is bold" grep -q '^  "stage:stage-4" .*bold' stages.dot
check "an unneeded stage is dashed" grep -q '^  "stage:unused" .*dashed' stages.dot
check "the image is one node" test "$(grep -c "^  \"image:$BUSYBOX\" \[label=" stages.dot)" -eq 1
cat >want <<DOT
  "image:$BUSYBOX" -> "stage:helper" [label="FROM"];
  "image:$BUSYBOX" -> "stage:quick" [label="FROM"];
  "image:$BUSYBOX" -> "stage:slow" [label="FROM"];
  "image:$BUSYBOX" -> "stage:stage-4" [label="FROM"];
  "stage:helper" -> "stage:stage-4" [label="RUN --mount"];
  "stage:quick" -> "stage:stage-4" [label="COPY --from"];
  "stage:quick" -> "stage:unused" [label="FROM"];
  "stage:slow" -> "stage:stage-4" [label="COPY --from"];
DOT
grep -- ' -> ' stages.dot | LC_ALL=C sort >got
LC_ALL=C sort want >want.sorted
check "the edges: FROM, COPY --from, RUN --mount from=" test_cmp want.sorted got
check "-o - writes the same dot to stdout" sh -c '"$DF2NINJA" graph -o - | cmp - stages.dot'
if command -v dot >/dev/null; then
	check "with dot installed, the SVG too" assert_file_has stages.svg '<svg'
	check "... saying so" assert_file_has "$TMP/graph.out" '^df2ninja: graph: wrote stages.dot and stages.svg$'
else
	check "without dot, it says there is no SVG" assert_file_has "$TMP/graph.out" 'no SVG'
fi
check "the default: stages.dot in the build dir" sh -c \
	'"$DF2NINJA" graph >/dev/null && cmp stages.dot .df2ninja/stages.dot'
check "help lists trace and graph" sh -c \
	'"$DF2NINJA" --help | grep -q "^  trace " && "$DF2NINJA" --help | grep -q "^  graph "'
check "help trace" sh -c '"$DF2NINJA" help trace | grep -q "^usage: df2ninja trace"'
check "help graph" sh -c '"$DF2NINJA" help graph | grep -q "^usage: df2ninja graph"'
done_testing
