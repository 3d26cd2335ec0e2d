#!/bin/sh
# Metadata instructions set the image config with Docker's semantics (read
# from the exported OCI layout: index.json -> manifest -> config); ONBUILD
# triggers run in the stages built on the stage; a stage FROM a stage
# inherits its ENV and WORKDIR; history has one entry per instruction.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox


# jq_is FILE FILTER EXPECTED: jq -c FILTER FILE prints EXPECTED
jq_is() {
	_got=$(jq -c "$2" "$1") || return 1
	[ "$_got" = "$3" ] && return 0
	echo "# jq '$2': got '$_got', expected '$3'" >&2
	return 1
}

mkdir ctx && cd ctx || exit 99
cat >Dockerfile <<'DF'
FROM BUSYBOX AS parent
ENV PE=parent-env
WORKDIR /pw
ONBUILD RUN touch /triggered
ONBUILD ENV TRIG=yes
RUN true

FROM parent AS child
RUN pwd >/child-pwd && echo "$PE" >/child-env

FROM BUSYBOX AS ep-reset
ENTRYPOINT ["/bin/echo"]

FROM BUSYBOX AS ep-keep
CMD ["kept"]
ENTRYPOINT ["/bin/echo"]

FROM BUSYBOX AS ep-then-cmd
ENTRYPOINT /bin/echo ep
CMD ["after"]

FROM BUSYBOX AS final
MAINTAINER Jane Doe <jane@example.com>
ENV A=1 B=2
ENV A=3
ENV C=$A-x D=d E=${D:-unset}
LABEL l1=v1 "l 2"="v 2" l3=$A
EXPOSE 80 53/udp
VOLUME /data
VOLUME ["/logs"]
USER nobody
WORKDIR /app
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=1m --retries=4 \
    CMD wget -q -O- http://localhost/ || exit 1
SHELL ["/bin/ash", "-eo", "pipefail"]
CMD echo shell form
DF
sed -i "s|^FROM BUSYBOX|FROM $BUSYBOX|" Dockerfile

# build STAGE: build STAGE into $TMP/img-STAGE and its config into
# $TMP/STAGE.json
build() {
	"$DF2NINJA" --target "$1" --output "type=oci,dest=$TMP/img-$1" . >"$TMP/$1.log" 2>&1 &&
		"$NINJA" >>"$TMP/$1.log" 2>&1 &&
		image_config "$TMP/img-$1" >"$TMP/$1.json"
	_st=$?
	[ $_st = 0 ] || sed 's/^/# /' "$TMP/$1.log" >&2
	return $_st
}

for s in final child parent ep-reset ep-keep ep-then-cmd; do
	check "build $s" build "$s"
done
cd "$TMP" || exit 99
F=final.json

check "ENV A=3 replaces A in place" jq_is $F '.config.Env' \
	'["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","A=3","B=2","C=3-x","D=d","E=unset"]'
check "LABEL" jq_is $F '.config.Labels' '{"l 2":"v 2","l1":"v1","l3":"3"}'
check "EXPOSE 80 53/udp" jq_is $F '.config.ExposedPorts' '{"53/udp":{},"80/tcp":{}}'
check "VOLUME" jq_is $F '.config.Volumes' '{"/data":{},"/logs":{}}'
check "USER" jq_is $F '.config.User' '"nobody"'
check "WORKDIR" jq_is $F '.config.WorkingDir' '"/app"'
check "STOPSIGNAL" jq_is $F '.config.StopSignal' '"SIGTERM"'
check "HEALTHCHECK test" jq_is $F '.config.Healthcheck.Test' \
	'["CMD-SHELL","wget -q -O- http://localhost/ || exit 1"]'
check "HEALTHCHECK durations in ns" jq_is $F \
	'[.config.Healthcheck.Interval, .config.Healthcheck.Timeout, .config.Healthcheck.StartPeriod]' \
	'[30000000000,5000000000,60000000000]'
check "HEALTHCHECK retries" jq_is $F '.config.Healthcheck.Retries' 4
check "SHELL is in the config" jq_is $F '.config.Shell' '["/bin/ash","-eo","pipefail"]'
check "a shell-form CMD after SHELL uses it" jq_is $F '.config.Cmd' \
	'["/bin/ash","-eo","pipefail","echo shell form"]'
check "the base image's ENTRYPOINT (none) stays" jq_is $F '.config.Entrypoint' null
check "MAINTAINER sets author" jq_is $F '.author' '"Jane Doe <jane@example.com>"'
check "os and architecture" jq_is $F '[.os, (.architecture | length > 0)]' '["linux",true]'

# history: the base image's entries, then one per instruction of the stage
bb=${BUSYBOX#oci-layout://}
image_config "${bb%:latest}" >busybox.json
nbase=$(jq '.history | length' busybox.json)
ninstr=$(sed -n '/^FROM .* AS final$/,$p' ctx/Dockerfile | grep -c '^[A-Z]')
check "history: one entry per instruction after FROM" \
	jq_is $F '.history | length' "$((nbase + ninstr - 1))"
check "history: the base image's entries come first" \
	sh -c "test \"\$(jq -c '.history[:$nbase]' $F)\" = \"\$(jq -c '.history' busybox.json)\""
check "history: the stage's instructions in order" jq_is $F \
	"[.history[$nbase:][].created_by | split(\" \")[0]]" \
	'["MAINTAINER","ENV","ENV","ENV","LABEL","EXPOSE","VOLUME","VOLUME","USER","WORKDIR","STOPSIGNAL","HEALTHCHECK","SHELL","CMD"]'
check "history: only layers are not empty_layer" jq_is $F \
	'([.history[] | select(.empty_layer != true)] | length) == (.rootfs.diff_ids | length)' true
check "history: WORKDIR made a layer" jq_is $F \
	"[.history[$nbase:][] | select(.empty_layer != true) | .created_by]" '["WORKDIR /app"]'

# ENTRYPOINT and CMD
check "ENTRYPOINT resets the base image's CMD" jq_is ep-reset.json '[.config.Entrypoint, .config.Cmd]' \
	'[["/bin/echo"],null]'
check "ENTRYPOINT keeps a CMD set before it in the stage" jq_is ep-keep.json \
	'[.config.Entrypoint, .config.Cmd]' '[["/bin/echo"],["kept"]]'
check "shell-form ENTRYPOINT, then CMD" jq_is ep-then-cmd.json '[.config.Entrypoint, .config.Cmd]' \
	'[["/bin/sh","-c","/bin/echo ep"],["after"]]'

# ONBUILD and stages built on stages
check "ONBUILD is stored in the parent's config" jq_is parent.json '.config.OnBuild' \
	'["RUN touch /triggered","ENV TRIG=yes"]'
check "the parent did not run its own triggers" sh -c \
	"cd ctx && '$DF2NINJA' shell parent -- sh -c '! test -e /triggered'"
check "the child does not inherit the triggers" jq_is child.json '.config.OnBuild // [] | length' 0
check "the ONBUILD RUN ran in the child" sh -c "cd ctx && '$DF2NINJA' shell child -- test -e /triggered"
check "the ONBUILD ENV is in the child's config" sh -c "jq -r '.config.Env[]' child.json | grep -qx TRIG=yes"
check "the child inherits the parent's ENV" sh -c "jq -r '.config.Env[]' child.json | grep -qx PE=parent-env"
check "the child inherits the parent's WORKDIR" jq_is child.json '.config.WorkingDir' '"/pw"'
(cd ctx && "$DF2NINJA" shell child -- cat /child-pwd /child-env) >child.out 2>&1
printf '/pw\nparent-env\n' >want.child
check "RUN in the child: cwd and ENV from the parent" test_cmp want.child child.out

# words that use the base image's ENV are expanded by the executor, with
# the same rules as the others
mkdir envbase envuse envbad
printf 'FROM %s\nENV PORT=8080 RANGE=9000-9002/UDP DIR=/vol SIG=SIGUSR1 WHO=nobody NOPORT=8o\n' \
	"$BUSYBOX" >envbase/Dockerfile
(cd envbase && "$DF2NINJA" --output "type=oci,dest=$TMP/envimg" . && "$NINJA") >envbase.log 2>&1
check "build a base image with ENV" test -f envimg/index.json
cat >envuse/Dockerfile <<DF
FROM oci-layout://$TMP/envimg:latest
EXPOSE \$PORT \$RANGE 127.0.0.1:80:\${PORT}/tcp
VOLUME \$DIR
LABEL port=\$PORT
STOPSIGNAL \$SIG
USER \$WHO
WORKDIR \$DIR/w
ENV X=\$PORT-x
DF
(cd envuse && "$DF2NINJA" --output "type=oci,dest=$TMP/envuse-img" . && "$NINJA") >envuse.log 2>&1
image_config envuse-img >envuse.json 2>/dev/null
E=envuse.json
check "deferred EXPOSE: ports, ranges, proto" jq_is $E '.config.ExposedPorts' \
	'{"8080/tcp":{},"9000/udp":{},"9001/udp":{},"9002/udp":{}}'
check "deferred VOLUME" jq_is $E '.config.Volumes' '{"/vol":{}}'
check "deferred LABEL" jq_is $E '.config.Labels' '{"port":"8080"}'
check "deferred STOPSIGNAL" jq_is $E '.config.StopSignal' '"SIGUSR1"'
check "deferred USER" jq_is $E '.config.User' '"nobody"'
check "deferred WORKDIR" jq_is $E '.config.WorkingDir' '"/vol/w"'
check "deferred ENV" sh -c "jq -r '.config.Env[]' $E | grep -qx X=8080-x"
for bad in 'EXPOSE $NOPORT:invalid containerPort: 8o' 'STOPSIGNAL $PORT$WHO:invalid signal: 8080nobody'; do
	printf 'FROM oci-layout://%s/envimg:latest\n%s\nRUN true\n' "$TMP" "${bad%%:*}" >envbad/Dockerfile
	(cd envbad && "$DF2NINJA" . && "$NINJA") >envbad.log 2>&1
	check "deferred ${bad%%:*} is an error" test $? != 0
	check "... saying ${bad#*:}" assert_file_has envbad.log "Dockerfile:3.*${bad#*:}"
done

done_testing
