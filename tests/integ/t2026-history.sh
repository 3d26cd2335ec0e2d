#!/bin/sh
# The image history in BuildKit's words (dockerfile2llb): RUN's "|N K=V"
# prefix names every ARG in scope, with or without a value, with the value
# the command sees; COPY and ADD show their expanded flags, sources and
# destination but not --from; WORKDIR the absolute, cleaned path; CMD,
# ENTRYPOINT, SHELL, VOLUME, EXPOSE (its words sorted as written, before
# expansion, as BuildKit's parser does) and HEALTHCHECK as Go prints their
# values; ONBUILD adds no entry; every RUN, COPY, ADD and WORKDIR other
# than "/" makes a layer, the empty tar when it changed nothing.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox

mkdir ctx && cd ctx || exit 99
echo a >a.txt
cat >Dockerfile <<DF
FROM $BUSYBOX AS src
RUN echo v >/v

FROM $BUSYBOX AS base
ARG V=1
ARG NOVAL
ARG D=/dst
ENV E=env P=9
RUN echo "\$V" >/v
ONBUILD RUN true
COPY --chown=1:2 --chmod=644 a.txt \$D/
COPY --from=src /v \${D}/v2
COPY nomatch* /x/
WORKDIR /bin
WORKDIR rel/../x/
WORKDIR /
ARG V=2
RUN true
CMD echo "hi"
ENTRYPOINT ["/bin/echo", "a b"]
SHELL ["/bin/sh", "-c"]
VOLUME /v1 /v2
EXPOSE 80 90/udp
EXPOSE 2375 5000 \$P 1234/udp
HEALTHCHECK --interval=1m30s --timeout=1500ms --retries=3 CMD true
DF

check "generate" "$DF2NINJA" .
check "build" ninja_logged
cfg=$(image_config .df2ninja/image) || exit 99
printf '%s\n' "$cfg" >config.json
bb=${BUSYBOX#oci-layout://}
nbase=$(image_config "${bb%:latest}" | jq '.history | length')
# (@tsv writes a backslash as two)
jq -r ".history[$nbase:][] | [.created_by, (.empty_layer // false | tostring)] | @tsv" \
	config.json >history.tsv
cat >history.want <<'EOF'
ARG V=1	true
ARG NOVAL	true
ARG D=/dst	true
ENV E=env P=9	true
RUN |3 V=1 NOVAL= D=/dst /bin/sh -c echo "$V" >/v # buildkit	false
COPY --chown=1:2 --chmod=644 a.txt /dst/ # buildkit	false
COPY /v /dst/v2 # buildkit	false
COPY nomatch* /x/ # buildkit	false
WORKDIR /bin	false
WORKDIR /bin/x	false
WORKDIR /	true
ARG V=2	true
RUN |3 V=2 NOVAL= D=/dst /bin/sh -c true # buildkit	false
CMD ["/bin/sh" "-c" "echo \\"hi\\""]	true
ENTRYPOINT ["/bin/echo" "a b"]	true
SHELL [/bin/sh -c]	true
VOLUME [/v1 /v2]	true
EXPOSE [80/tcp 90/udp]	true
EXPOSE [9/tcp 1234/udp 2375/tcp 5000/tcp]	true
HEALTHCHECK {Test:[CMD-SHELL true] Interval:1m30s Timeout:1.5s StartPeriod:0s StartInterval:0s Retries:3}	true
EOF
check "history: BuildKit's wording, no ONBUILD entry" test_cmp history.want history.tsv
check "one layer per entry that is not empty_layer" test \
	"$(jq '[.history[] | select(.empty_layer != true)] | length' config.json)" = \
	"$(jq '.rootfs.diff_ids | length' config.json)"
empty=sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef
# the steps that changed nothing: COPY nomatch*, WORKDIR /bin, RUN true
check "a step that changed nothing has the empty tar as its layer" test \
	"$(jq -r '.rootfs.diff_ids[]' config.json | grep -c "^$empty\$")" = 3

# each step's state file holds its own history entries only (the export
# assembles the rest from the chain), so states do not grow with the
# chain: over the stage's states, every entry of the image is there once
check "the stage's states hold each history entry once" test \
	"$(cat .df2ninja/state/base/*.json | jq -s '[.[].config.history | length] | add')" = \
	"$(jq '.history | length' config.json)"
check "... none of them an offset into a longer history" test \
	"$(cat .df2ninja/state/base/*.json | jq -s '[.[].history_from] | add')" = 0

# a stage built on a stage: the parent's ARGs are in scope (BuildKit
# since dockerfile 1.10), with the values the command sees
cat >>Dockerfile <<'DF'

FROM base AS child
ENV V=fromenv
RUN true
DF
check "regenerate" "$DF2NINJA" --target child .
check "build the child" ninja_logged
image_config .df2ninja/image | jq -r '.history[-1].created_by' >child.last
check "the child's RUN names the parent's ARGs, an ENV's value winning" \
	file_is child.last 'RUN |3 V=fromenv NOVAL= D=/dst /bin/sh -c true # buildkit'

done_testing
