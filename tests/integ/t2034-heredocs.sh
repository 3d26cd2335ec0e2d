#!/bin/sh
# here-documents as BuildKit runs them: several on one RUN line (the line
# and the documents go to the shell), <<- stripping leading tabs, a
# single document run as a script file when it starts with #! (also after
# <<- stripping), quoted delimiters: no expansion by the shell in a RUN
# (a single RUN document is the shell's text whatever the quotes), none
# by df2ninja in COPY, where an unquoted one expands ARG and ENV; COPY of
# several documents into a directory, a file descriptor other than stdin.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox

mkdir ctx && cd ctx || exit 99
T=$(printf '\t')
cat >Dockerfile <<DF
FROM $BUSYBOX
ARG NAME=world
ENV WHO=env
RUN mkdir /out
RUN <<A cat >/out/a && <<B cat >/out/b
first \$NAME
A
second
B
RUN <<-EOF
${T}echo tabbed >/out/tabbed
${T}${T}echo deeper >>/out/tabbed
${T}EOF
RUN <<EOF cat >/out/kept
${T}kept tab
EOF
RUN <<-EOF cat >/out/stripped
${T}${T}no tab
${T}EOF
RUN <<-EOF
${T}#!/bin/sh
${T}echo "\$0" >/out/script-name
EOF
RUN <<'EOF' cat >/out/quoted
\$NAME \$WHO
EOF
RUN <<EOF cat >/out/unquoted
\$NAME \$WHO
EOF
RUN <<'EOF'
echo "\$WHO" >/out/single-quoted
EOF
RUN 3<<EOF cat <&3 >/out/fd3
three
EOF
COPY <<EOF /out/copy-unquoted
hello \$NAME \$WHO
EOF
COPY <<'EOF' /out/copy-quoted
hello \$NAME \$WHO
EOF
COPY <<"EOF" /out/copy-dquoted
hello \$NAME
EOF
COPY <<-EOF /out/copy-chomp
${T}${T}chomped
${T}EOF
COPY <<one.txt <<two.txt /out/many/
first file
one.txt
second file
two.txt
DF
check "generate" "$DF2NINJA" --output "type=local,dest=$TMP/root" .
check "build" ninja_logged

O=$TMP/root/out
check "two documents on one RUN line: the first" file_is "$O/a" 'first world'
check "... the second" file_is "$O/b" second
check "<<- strips leading tabs (a single RUN document)" file_is "$O/tabbed" "tabbed
deeper"
check "<< keeps them" file_is "$O/kept" "${T}kept tab"
check "<<- in a command's document" file_is "$O/stripped" "no tab"
check "#! after <<- stripping: run as a script file" file_is "$O/script-name" /dev/pipes/EOF
check "RUN <<'EOF' cmd: the shell does not expand" file_is "$O/quoted" '$NAME $WHO'
check "RUN <<EOF cmd: the shell expands ARG and ENV" file_is "$O/unquoted" 'world env'
check "RUN <<'EOF' alone: the text is the shell's, which expands" file_is "$O/single-quoted" env
check "3<<EOF: another file descriptor" file_is "$O/fd3" three
check "COPY <<EOF expands ARG and ENV" file_is "$O/copy-unquoted" 'hello world env'
check "COPY <<'EOF' does not" file_is "$O/copy-quoted" 'hello $NAME $WHO'
check "COPY <<\"EOF\" does not either" file_is "$O/copy-dquoted" 'hello $NAME'
check "COPY <<-EOF strips tabs" file_is "$O/copy-chomp" chomped
check "COPY <<a <<b dir/: the first" file_is "$O/many/one.txt" "first file"
check "... the second" file_is "$O/many/two.txt" "second file"
check "no script file in the image" test ! -e "$TMP/root/dev/pipes"

done_testing
