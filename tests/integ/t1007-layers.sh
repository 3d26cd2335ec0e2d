#!/bin/sh
# The modules of src/ include only from the layers below them
# (docs/architecture.md): a header reached upward, or sideways between
# the generate and execute sides, fails here, naming the line; and each
# include is spelled from src/ ("util/buf.h", never "../util/buf.h").
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"

src=$TOP_SRCDIR/src
# module: the modules it may include (besides itself)
cat >allowed <<'ALLOWED'
util:
run:
oci: util
shlex: util
match: util
plan: util
dockerfile: util
graph: util oci shlex match plan dockerfile
emit: util graph
image: util oci
registry: util oci image
sandbox: util
exec: util oci shlex match plan image registry sandbox run
trace: util plan
cli: util oci shlex match plan dockerfile graph emit image registry sandbox exec trace
ALLOWED

check "every module of src/ has a line" sh -c \
	'for d in "$1"/*/; do m=$(basename "$d"); grep -q "^$m:" allowed || { echo "# $m"; exit 1; }; done' \
	sh "$src"

# scan SRC: the include lines of SRC/*/ that reach a module not allowed
scan() {
	for d in "$1"/*/; do
		m=$(basename "$d")
		ok_mods=" $(sed -n "s/^$m://p" allowed) $m "
		# "x/y.h", "../x/y.h": module x; "y.h" is the module itself
		grep -nE '^#include "(\.\./)?[a-z]+/' "$d"*.c "$d"*.h 2>/dev/null |
		while IFS= read -r line; do
			inc=$(printf '%s\n' "$line" | sed -E 's/.*#include "(\.\.\/)?([a-z]+)\/.*/\2/')
			case $ok_mods in
			*" $inc "*) ;;
			*) printf '%s\n' "${line#"$1"/}" ;;
			esac
		done
	done
}
scan "$src" >upward
check "no include runs upward or across" sh -c \
	'test ! -s upward || { sed "s/^/#   /" upward; exit 1; }'
# one spelling: "x/y.h" from src/, never "../x/y.h"
grep -rnE '^#include "\.\./' "$src" --include='*.c' --include='*.h' >dotdot
check "every include names its module from src/, none with ../" sh -c \
	'test ! -s dotdot || { sed "s/^/#   /" dotdot; exit 1; }'
# the check can fail: made-up upward and sideways includes are caught
mkdir -p fake/util fake/graph fake/exec
echo '#include "exec/step.h"' >fake/util/x.c
echo '#include "../image/store.h"' >fake/graph/y.h
printf '#include "image/store.h"\n#include "graph/graph.h"\n' >fake/exec/z.c
scan "$PWD/fake" >caught
check "and made-up ones are caught, naming the line" sh -c \
	'test "$(cat caught)" = "exec/z.c:2:#include \"graph/graph.h\"
graph/y.h:1:#include \"../image/store.h\"
util/x.c:1:#include \"exec/step.h\"" || { sed "s/^/#   /" caught; exit 1; }'

done_testing
