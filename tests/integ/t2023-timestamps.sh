#!/bin/sh
# Times, as BuildKit keeps them: layers hold the real mtimes (of context
# files, of COPY --from's, of archive entries, of what a RUN sets or
# writes; t3002: a download's Last-Modified), "created" is
# the build's time; with SOURCE_DATE_EPOCH (df2ninja's environment or a
# build arg) "created" and the build's history dates are it, later mtimes
# are clamped to it, and two builds give one digest. A rerun step that
# writes the same bytes still skips what follows (its sum leaves mtimes
# out).
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox
unset SOURCE_DATE_EPOCH
SDE=1600000000
SDE_DATE=2020-09-13T12:26:40Z

# layer_mtime LAYOUT PATH: PATH's mtime in seconds, in the last layer of
# the OCI layout that holds it
layer_mtime() {
	_m=$(jq -r '.manifests[0].digest' "$1/index.json") || return 1
	for _l in $(jq -r '.layers[].digest' "$1/blobs/sha256/${_m#sha256:}"); do
		TZ=UTC tar --full-time -tvzf "$1/blobs/sha256/${_l#sha256:}" |
			awk -v p="$2" '$6 == p { print $4 " " $5 }'
	done | tail -n 1 | { read -r _d _t && TZ=UTC date -d "$_d $_t" +%s; }
}

# seconds: every line of stdin, an RFC 3339 date, as seconds
seconds() { while read -r _d; do TZ=UTC date -d "$_d" +%s; done; }

# own_dates LAYOUT: the history dates of the build's own steps (those
# after the base image's)
own_dates() {
	image_config "$1" | jq -r --argjson n "$BASE_HISTORY" '.history[$n:][].created'
}

mkdir ctx && cd ctx || exit 99
echo old >old.txt
touch -d @1500000000 old.txt
mkdir arch && echo entry >arch/entry.txt
tar --mtime=@1400000000 -cf arch.tar -C arch entry.txt && rm -r arch
cat >Dockerfile <<DF
FROM $BUSYBOX AS src
RUN echo from >/from.txt && touch -d '2004-01-10 13:37:04' /from.txt
FROM $BUSYBOX
COPY --from=src /from.txt /from.txt
COPY old.txt /old.txt
ADD arch.tar /arch/
RUN touch -d '2001-09-09 01:46:40' /touched
ARG SOURCE_DATE_EPOCH
RUN echo "sde=\$SOURCE_DATE_EPOCH" >/sde
RUN echo same >/same.txt
RUN echo after >/after.txt
DF
cd .. || exit 99
BB_DIR=${BUSYBOX#oci-layout://}
BASE_HISTORY=$(image_config "${BB_DIR%:latest}" | jq '.history | length')

# without SOURCE_DATE_EPOCH: the real times
cp -a ctx plain
start=$(date +%s)
check "generate" sh -c 'cd plain && "$DF2NINJA" --output type=oci,dest=img --output type=local,dest=root . >/dev/null'
check "build" sh -c 'cd plain && "$NINJA" >../plain.out 2>&1'
end=$(date +%s)
check "a context file keeps its mtime" test "$(layer_mtime plain/img old.txt)" = 1500000000
check "a file of COPY --from keeps its mtime" test "$(layer_mtime plain/img from.txt)" = 1073741824
check "an archive entry keeps its mtime" test "$(layer_mtime plain/img arch/entry.txt)" = 1400000000
check "touch -d in a RUN is kept" test "$(layer_mtime plain/img touched)" = 1000000000
t=$(layer_mtime plain/img same.txt)
check "what a RUN writes has the time it was written" test "$t" -ge "$start" -a "$t" -le "$end"
t=$(image_config plain/img | jq -r .created | seconds)
check "created is the build's time" test "$t" -ge "$start" -a "$t" -le "$end"
own_dates plain/img | seconds >dates
check "the steps' history dates are theirs" \
	sh -c "test \$(wc -l <dates) = 8 && awk -v s=$start -v e=$end '\$1 < s || \$1 > e { exit 1 }' dates"
check "no SOURCE_DATE_EPOCH in RUN's environment when not given" file_is plain/root/sde "sde="

# early cutoff: a reworded RUN reruns and writes the same bytes, later
d1=$(image_digest plain/img)
t_same=$(layer_mtime plain/img same.txt)
sleep 1
sed -i 's|RUN echo same >/same.txt|RUN echo  same >/same.txt|' plain/Dockerfile
check "the reworded step reruns" sh -c 'cd plain && "$NINJA" >../rerun.out 2>&1'
check "... and the step after it is skipped (only the export follows)" \
	expect_ran rerun.out "RUN [stage-1 7/8]"
check "... the layer kept is the earlier run's, with its mtimes" \
	test "$(layer_mtime plain/img same.txt)" = "$t_same"
check "nothing left to do" sh -c 'cd plain && "$NINJA" | grep -q "no work to do"'

# two builds without SOURCE_DATE_EPOCH differ in created
cp -a ctx plain2
sleep 1
check "another build without SOURCE_DATE_EPOCH" \
	sh -c 'cd plain2 && "$DF2NINJA" --output type=oci,dest=img . >/dev/null && "$NINJA" >/dev/null 2>&1'
check "... has a later created" test "$(image_config plain2/img | jq -r .created | seconds)" -gt \
	"$(image_config plain/img | jq -r .created | seconds)"
check "... and another digest" test "$(image_digest plain2/img)" != "$d1"

# SOURCE_DATE_EPOCH in df2ninja's environment
cp -a ctx env1
check "generate with SOURCE_DATE_EPOCH in the environment" \
	sh -c "cd env1 && SOURCE_DATE_EPOCH=$SDE \"\$DF2NINJA\" --output type=oci,dest=img --output type=local,dest=root . >/dev/null"
check "build (the variable gone)" sh -c 'cd env1 && "$NINJA" >/dev/null 2>&1'
check "created is SOURCE_DATE_EPOCH" test "$(image_config env1/img | jq -r .created)" = "$SDE_DATE"
own_dates env1/img | sort -u >dates
check "so are the steps' history dates" sh -c "test \"\$(cat dates)\" = $SDE_DATE"
check "the base image's history dates are kept" test \
	"$(image_config env1/img | jq -c ".history[:$BASE_HISTORY]")" = \
	"$(image_config plain/img | jq -c ".history[:$BASE_HISTORY]")"
check "the base image's layers are its own" test \
	"$(image_config env1/img | jq -r '.rootfs.diff_ids[0]')" = \
	"$(image_config plain/img | jq -r '.rootfs.diff_ids[0]')"
check "a later mtime is clamped" test "$(layer_mtime env1/img same.txt)" = "$SDE"
check "an earlier one is kept" test "$(layer_mtime env1/img old.txt)" = 1500000000
check "... as is touch -d's" test "$(layer_mtime env1/img touched)" = 1000000000
check "RUN sees SOURCE_DATE_EPOCH (ARG SOURCE_DATE_EPOCH)" file_is env1/root/sde "sde=$SDE"

cp -a ctx env2
sleep 1
check "another build with SOURCE_DATE_EPOCH" \
	sh -c "cd env2 && SOURCE_DATE_EPOCH=$SDE \"\$DF2NINJA\" --output type=oci,dest=img . >/dev/null && \"\$NINJA\" >/dev/null 2>&1"
check "... gives the same digest" test "$(image_digest env2/img)" = "$(image_digest env1/img)"

# as a build arg, which wins over the environment
cp -a ctx arg
check "SOURCE_DATE_EPOCH as a build arg" \
	sh -c "cd arg && SOURCE_DATE_EPOCH=5 \"\$DF2NINJA\" --build-arg SOURCE_DATE_EPOCH=$SDE --output type=oci,dest=img . >/dev/null && \"\$NINJA\" >/dev/null 2>&1"
check "... gives the same image" test "$(image_digest arg/img)" = "$(image_digest env1/img)"

# a global ARG's default counts too, as in BuildKit (no build needed)
mkdir dflt
printf 'ARG SOURCE_DATE_EPOCH=%s\nFROM scratch\nCOPY old.txt /\n' "$SDE" >dflt/Dockerfile
cp -a ctx/old.txt dflt/
check "ARG SOURCE_DATE_EPOCH=N before FROM" sh -c 'cd dflt && "$DF2NINJA" . >/dev/null'
check "... is the export's" test "$(jq .source_date_epoch dflt/.df2ninja/plans/export.json)" = "$SDE"
check "no SOURCE_DATE_EPOCH: none in the export plan" \
	test "$(jq .source_date_epoch plain/.df2ninja/plans/export.json)" = null

# a malformed value
check "a malformed SOURCE_DATE_EPOCH is refused" \
	expect_fail 1 "invalid SOURCE_DATE_EPOCH 'yesterday'" \
	sh -c 'cd ctx && SOURCE_DATE_EPOCH=yesterday "$DF2NINJA" .'

done_testing
