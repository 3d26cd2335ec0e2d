#!/bin/sh
# FROM an image with ONBUILD triggers (an OCI layout df2ninja made): the
# generator reads the image's config and makes the triggers the stage's
# first steps, in order, before its own (ninja's targets show them); the
# image config has no OnBuild left and a history entry per trigger, as
# BuildKit's; a second ninja does nothing; a failing trigger is named; a
# bad trigger is refused at generation naming the image and the trigger;
# triggers the generation did not see fail the FROM step, which says to
# run df2ninja again.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
command -v jq >/dev/null || { echo "1..0 # SKIP jq is not installed (.ci/setup)"; exit 0; }
use_busybox
. "$TOP_SRCDIR/tests/integ/layout.sh"

fails() { ! "$@"; }

# config LAYOUT: the image config of LAYOUT's first image
config() {
	_m=$1/blobs/sha256/$(jq -r '.manifests[0].digest' "$1/index.json" | cut -c8-)
	cat "$1/blobs/sha256/$(jq -r '.config.digest' "$_m" | cut -c8-)"
}

# the base: two step triggers and a metadata one, made by df2ninja
mkdir base && cat >base/Dockerfile <<DF
FROM $BUSYBOX
RUN echo base >/order
ONBUILD RUN echo trigger-run >>/order
ONBUILD COPY f.txt /from-trigger.txt
ONBUILD ENV TRIGGERED=yes
LABEL kind=base
DF
check "generate the base" "$DF2NINJA" -o base/build.ninja --output "type=oci,dest=$TMP/base-img" base
check "build the base" ninja_logged -C base
config "$TMP/base-img" >base.json
check "the base image keeps its triggers" \
	test "$(jq -c .config.OnBuild base.json)" = \
	'["RUN echo trigger-run >>/order","COPY f.txt /from-trigger.txt","ENV TRIGGERED=yes"]'

mkdir app && cd app || exit 99
echo from-context >f.txt
cat >Dockerfile <<DF
FROM oci-layout://$TMP/base-img:latest
RUN echo "own \$TRIGGERED" >>/order
DF
check "generate FROM the base" "$DF2NINJA" --output "type=oci,dest=$TMP/out" \
	--output "type=local,dest=$TMP/root" .
check "the triggers are stage steps" assert_file_has build.ninja \
	'^# Dockerfile:1  ONBUILD RUN echo trigger-run >>/order$'
"$NINJA" -t targets all >targets
check "ninja lists the trigger steps" assert_file_has targets '^\.df2ninja/steps/stage-0/03\.id: ctxstep$'
"$NINJA" -t query .df2ninja/steps/stage-0/04.id >query
check "the stage's own step follows the triggers" assert_file_has query 'stage-0/03\.id'
check "the FROM plan records the triggers" \
	test "$(jq -c .onbuild .df2ninja/plans/stage-0/01.json)" = "$(jq -c .config.OnBuild ../base.json)"
check "build" ninja_logged
check "the trigger steps ran" assert_file_has "$TMP/ninja.out" '\[stage-0 2/4\] RUN echo trigger-run'
check "... in order, before the stage's own, with the trigger's ENV" \
	file_is "$TMP/root/order" "base
trigger-run
own yes"
check "the trigger's COPY read this context" file_is "$TMP/root/from-trigger.txt" from-context
config "$TMP/out" >out.json
check "the image config has no OnBuild" test "$(jq -c '.config.OnBuild' out.json)" = null
check "... and the trigger's ENV" assert_file_has out.json '"TRIGGERED=yes"'
jq -r '.history[].created_by' out.json | tail -n 4 >history
check "history: one entry per trigger, then the stage's own" file_is history \
	'RUN /bin/sh -c echo trigger-run >>/order # buildkit
COPY f.txt /from-trigger.txt # buildkit
ENV TRIGGERED=yes
RUN /bin/sh -c echo "own $TRIGGERED" >>/order # buildkit'
check "a second ninja has no work to do" ninja_logged
check "... says so" assert_file_has "$TMP/ninja.out" 'no work to do'

# the base rebuilt with other triggers: the layout's index.json is an
# input of the FROM, which runs again and says to regenerate
sed -i 's|^ONBUILD RUN echo trigger-run|ONBUILD RUN echo trigger-two|' ../base/Dockerfile
check "rebuild the base with another trigger" ninja_logged -C ../base
check "ninja sees the new base: the FROM runs and fails" fails ninja_logged
check "... saying to run df2ninja again" assert_file_has "$TMP/ninja.out" 'run df2ninja again'
check "df2ninja again" "$DF2NINJA" --output "type=oci,dest=$TMP/out" --output "type=local,dest=$TMP/root" .
check "ninja builds with the new trigger" ninja_logged
check "... which ran" assert_file_has "$TMP/root/order" '^trigger-two$'
sed -i 's|^ONBUILD RUN echo trigger-two|ONBUILD RUN echo trigger-run|' ../base/Dockerfile
cd .. || exit 99

# a failing trigger is named by its step
mkdir fbase fapp && cat >fbase/Dockerfile <<DF
FROM $BUSYBOX
ONBUILD RUN exit 3
DF
check "build a base whose trigger fails" sh -c \
	'"$1" -o fbase/build.ninja --output "type=oci,dest=$2" fbase && "$3" -C fbase >/dev/null' sh \
	"$DF2NINJA" "$TMP/fbase-img" "$NINJA"
printf 'FROM oci-layout://%s:latest\nRUN true\n' "$TMP/fbase-img" >fapp/Dockerfile
check "generate FROM it" "$DF2NINJA" -o fapp/build.ninja fapp
check "the build fails" fails ninja_logged -C fapp
check "... naming the trigger" assert_file_has "$TMP/ninja.out" \
	'Dockerfile:1: error: \[stage-0 2/3\] ONBUILD RUN exit 3 failed'

# triggers BuildKit refuses, in an image made by hand: refused at generation
# bad_trigger NAME TRIGGER...: a layout NAME of busybox with these OnBuild
bad_trigger() {
	_name=$1
	shift
	layout_new "$TMP/$_name"
	jq -n '$ARGS.positional' --args "$@" >"$TMP/.trig"
	jq -c --slurpfile t "$TMP/.trig" '.config.OnBuild = $t[0]' "$BB_CONFIG" >"$TMP/.cfg"
	set -- $(layout_blob "$TMP/$_name" "$TMP/.cfg")
	jq -c --arg d "$1" --argjson n "$2" '.config.digest = $d | .config.size = $n' \
		"$BB_MANIFEST" >"$TMP/.man"
	set -- $(layout_blob "$TMP/$_name" "$TMP/.man")
	jq --arg d "$1" --argjson n "$2" '.manifests = [{mediaType:
		"application/vnd.oci.image.manifest.v1+json", digest: $d, size: $n,
		annotations: {"org.opencontainers.image.ref.name": "latest"}}]' \
		"$TMP/$_name/index.json" >"$TMP/.idx" && mv "$TMP/.idx" "$TMP/$_name/index.json"
	mkdir -p "$TMP/$_name-ctx"
	printf '# a comment\nFROM oci-layout://%s:latest\nRUN true\n' "$TMP/$_name" \
		>"$TMP/$_name-ctx/Dockerfile"
}
bad_trigger chained "RUN true" "ONBUILD RUN true"
check "ONBUILD ONBUILD in an image is refused at generation" expect_fail 1 \
	"^df2ninja: .*/Dockerfile:2: error: ONBUILD trigger 2 of 'oci-layout://$TMP/chained:latest': chaining ONBUILD via 'ONBUILD ONBUILD' isn't allowed$" \
	"$DF2NINJA" -o "$TMP/chained-ctx/build.ninja" "$TMP/chained-ctx"
bad_trigger from "FROM busybox"
check "a FROM trigger is refused" expect_fail 1 \
	"Dockerfile:2: error: ONBUILD trigger 1 of '.*': FROM isn't allowed as an ONBUILD trigger$" \
	"$DF2NINJA" -o "$TMP/from-ctx/build.ninja" "$TMP/from-ctx"
bad_trigger flag "COPY --bogus=1 a /b"
check "a bad flag in a trigger is refused" expect_fail 1 \
	"Dockerfile:2: error: ONBUILD trigger 1 of '.*': unknown flag '--bogus' for COPY" \
	"$DF2NINJA" -o "$TMP/flag-ctx/build.ninja" "$TMP/flag-ctx"
bad_trigger two "RUN a
RUN b"
check "a trigger of two instructions is refused" expect_fail 1 \
	"Dockerfile:2: error: ONBUILD trigger 1 of '.*': an ONBUILD trigger should be a single expression" \
	"$DF2NINJA" -o "$TMP/two-ctx/build.ninja" "$TMP/two-ctx"

# the generation could not read the image: the FROM step refuses triggers
mkdir late && printf 'FROM oci-layout://%s:latest\n' "$TMP/late-base" >late/Dockerfile
check "generate before the base exists" "$DF2NINJA" -o late/build.ninja late
cp -R "$TMP/base-img" "$TMP/late-base"
check "the FROM step refuses triggers it was not told of" fails ninja_logged -C late
check "... and says to run df2ninja again" assert_file_has "$TMP/ninja.out" \
	"has ONBUILD triggers, which df2ninja did not see .*run df2ninja again"
echo from-context >late/f.txt
check "generating again picks them up" "$DF2NINJA" -o late/build.ninja late
check "... and builds" ninja_logged -C late

# the image's triggers changed under a generated build
sed -i 's/trigger-run/trigger-changed/' base/Dockerfile
check "rebuild the base with another trigger" sh -c \
	'"$1" -o base/build.ninja --output "type=oci,dest=$2" base && "$3" -C base >/dev/null' sh \
	"$DF2NINJA" "$TMP/late-base" "$NINJA"
rm late/.df2ninja/steps/stage-0/01.id
check "the FROM step sees the change" fails ninja_logged -C late
check "... and says to run df2ninja again" assert_file_has "$TMP/ninja.out" \
	"the ONBUILD triggers of .* are not those df2ninja saw .*run df2ninja again"

done_testing
