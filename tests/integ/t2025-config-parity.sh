#!/bin/sh
# The image config and the environment of RUN as BuildKit makes them:
# HOME as runc sets it (from /etc/passwd, else "/"; an ENV HOME wins),
# a stage built on a stage gets the parent image's Env again over the
# parent's ARG values, every CMD sets ArgsEscaped, FROM scratch has
# WorkingDir "/", and a base image's legacy fields (container,
# container_config, docker_version, comment, config.Image, ...) are not
# carried into the image. The expected values are BuildKit's (checked
# with docker 20.10's BuildKit, and dockerfile2llb's source).
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox
. "$TOP_SRCDIR/tests/integ/layout.sh"

# jq_is FILE FILTER EXPECTED: jq -c FILTER FILE prints EXPECTED
jq_is() {
	_got=$(jq -c "$2" "$1") || return 1
	[ "$_got" = "$3" ] && return 0
	echo "# jq '$2': got '$_got', expected '$3'" >&2
	return 1
}

# a base image with a Docker daemon's legacy fields, as `docker commit`
# and the legacy builder leave them
layout_new legacy
jq -c '. + {container: "0123abcd", docker_version: "20.10.24", comment: "old",
	    container_config: {Hostname: "0123abcd", Cmd: ["/bin/sh"]}} |
       .config += {Image: "sha256:0000000000000000000000000000000000000000000000000000000000000000",
		   Hostname: "0123abcd", AttachStdin: false, Tty: false}' "$BB_CONFIG" >legacy.json
BB_CONFIG=$PWD/legacy.json
layout_image legacy latest >/dev/null

mkdir ctx && cd ctx || exit 99
printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'u:x:1000:1000::/home/u:/bin/sh' >passwd
printf '%s\n' 'root:x:0:' 'u:x:1000:' >group
cat >Dockerfile <<DF
FROM $BUSYBOX AS bb

FROM scratch AS nopw
COPY --from=bb /bin/busybox /bin/busybox
RUN ["/bin/busybox", "sh", "-c", "/bin/busybox mkdir -m 1777 /t && echo \$HOME >/t/root"]
USER 4242
RUN ["/bin/busybox", "sh", "-c", "echo \$HOME >/t/u4242"]

FROM nopw AS pw
USER root
COPY passwd group /etc/
RUN ["/bin/busybox", "sh", "-c", "echo \$HOME >/t/root-pw"]
USER 1000
RUN ["/bin/busybox", "sh", "-c", "echo \$HOME >/t/u1000"]
USER 4242
RUN ["/bin/busybox", "sh", "-c", "echo \$HOME >/t/u4242-pw"]
ENV HOME=/envhome
RUN ["/bin/busybox", "sh", "-c", "echo \$HOME >/t/env"]

FROM scratch AS argenv
COPY --from=bb /bin/busybox /bin/busybox
ENV X=env
ARG X=arg
ARG PATH=/argpath
ARG Y=argy
RUN ["/bin/busybox", "sh", "-c", "echo \$X \$PATH \$Y >/p"]

FROM argenv AS argenv-child
WORKDIR /w-\$X
RUN ["/bin/busybox", "sh", "-c", "echo \$X \$PATH \$Y >/c"]

FROM $BUSYBOX AS img-parent
ENV Z=env
ARG Z=arg
ARG PATH=/argpath
RUN echo "\$Z \$PATH" >/p

FROM img-parent AS img-child
WORKDIR /w-\$Z
RUN echo "\$Z \$PATH" >/c

FROM scratch AS cmd-exec
CMD ["x"]

FROM scratch AS cmd-shell
CMD echo hi

FROM scratch AS ep-only
ENTRYPOINT ["x"]

FROM oci-layout://$TMP/legacy:latest AS legacy
LABEL l=1
DF

# build STAGE: STAGE into $TMP/img-STAGE (its config in $TMP/STAGE.json)
# and its files into $TMP/root-STAGE
build() {
	"$DF2NINJA" --target "$1" --output "type=oci,dest=$TMP/img-$1" \
		--output "type=local,dest=$TMP/root-$1" . >"$TMP/$1.log" 2>&1 &&
		"$NINJA" >>"$TMP/$1.log" 2>&1 &&
		image_config "$TMP/img-$1" >"$TMP/$1.json"
	_st=$?
	[ $_st = 0 ] || sed 's/^/# /' "$TMP/$1.log" >&2
	return $_st
}

for s in pw argenv-child img-child cmd-exec cmd-shell ep-only legacy; do
	check "build $s" build "$s"
done
cd "$TMP" || exit 99

# HOME
check "HOME: root without /etc/passwd is /" file_is root-pw/t/root /
check "HOME: a numeric user without /etc/passwd is /" file_is root-pw/t/u4242 /
check "HOME: root's /etc/passwd entry" file_is root-pw/t/root-pw /root
check "HOME: a user's /etc/passwd entry" file_is root-pw/t/u1000 /home/u
check "HOME: a uid /etc/passwd lacks is /" file_is root-pw/t/u4242-pw /
check "HOME: an ENV HOME wins" file_is root-pw/t/env /envhome

# ARG and ENV across stages
check "the parent stage sees its ARG over its ENV" file_is root-argenv-child/p "arg /argpath argy"
check "the child stage sees the parent's ENV again, and its other ARGs" \
	file_is root-argenv-child/c "env /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin argy"
check "... and expands words with it" jq_is argenv-child.json '.config.WorkingDir' '"/w-env"'
bbpath=$(jq -r '.config.Env[] | select(startswith("PATH=")) | .[5:]' "$BB_CONFIG")
check "from an image: the parent sees its ARGs" file_is root-img-child/p "arg /argpath"
check "from an image: the child sees the image's Env again" file_is root-img-child/c "env $bbpath"
check "from an image: ... and expands words with it" jq_is img-child.json '.config.WorkingDir' '"/w-env"'

# config
check "CMD sets ArgsEscaped" jq_is cmd-exec.json '.config.ArgsEscaped' true
check "ENTRYPOINT alone does not" jq_is ep-only.json '.config.ArgsEscaped' null
check "FROM scratch: WorkingDir /" jq_is cmd-exec.json '.config.WorkingDir' '"/"'
check "a shell-form CMD sets ArgsEscaped" jq_is cmd-shell.json '[.config.Cmd, .config.ArgsEscaped]' \
	'[["/bin/sh","-c","echo hi"],true]'
check "legacy top-level fields are dropped" jq_is legacy.json \
	'[.container, .container_config, .docker_version, .comment]' '[null,null,null,null]'
check "legacy config fields are dropped" jq_is legacy.json \
	'[.config.Image, .config.Hostname, .config.AttachStdin, .config.Tty]' '[null,null,null,null]'
check "the config's own fields stay" jq_is legacy.json \
	'[(.config.Env | length > 0), .config.Labels.l]' '[true,"1"]'

done_testing
