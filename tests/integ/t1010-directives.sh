#!/bin/sh
# Parser directives: '# syntax=' is not silently ignored: generation says
# once, on stderr, naming its line, that df2ninja builds with its own
# frontend (and builds the Dockerfile all the same).
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"

mkdir syn && cd syn || exit 99
printf '# escape=`\n#  syntax = docker/dockerfile:1.7\nFROM scratch\nENV A=b\n' >Dockerfile
"$DF2NINJA" . >out 2>err
check "generates with a # syntax= directive" test $? -eq 0 -a -e build.ninja
check "the note names the line and the frontend" assert_file_has err \
	"^df2ninja: Dockerfile:2: note: '# syntax=docker/dockerfile:1.7' ignored: df2ninja builds with its own frontend$"
check "... once" test "$(grep -c 'syntax=' err)" -eq 1
check "... on stderr only" test ! -s out
check "no other message" test "$(wc -l <err)" -eq 1
check "parse --dump says nothing of it" sh -c '"$DF2NINJA" parse --dump Dockerfile 2>&1 | grep -q note && exit 1 || exit 0'

mkdir ../nosyn && cd ../nosyn || exit 99
printf 'FROM scratch\nENV A=b\n' >Dockerfile
"$DF2NINJA" . >out 2>err
check "no directive, no note" test ! -s err

mkdir ../late && cd ../late || exit 99
printf 'FROM scratch\n# syntax=docker/dockerfile:1\nENV A=b\n' >Dockerfile
"$DF2NINJA" . >out 2>err
check "a # syntax= after an instruction is a comment: no note" test ! -s err

done_testing
