#!/bin/sh
# Bad input gets a clear message naming the place, and the documented exit
# status: 1 for a bad Dockerfile, 2 for bad usage. Nothing is written.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"

# bad_df NAME TEXT REGEX: a Dockerfile holding TEXT (printf format) must be
# refused with a message matching REGEX
bad_df() {
	mkdir -p "$TMP/$1"
	# shellcheck disable=SC2059
	printf "$2" >"$TMP/$1/Dockerfile"
	check "$1" expect_fail 1 "$3" "$DF2NINJA" -o "$TMP/$1/build.ninja" "$TMP/$1"
	check "$1: no build.ninja written" test ! -e "$TMP/$1/build.ninja"
}

for d in "$CONFORMANCE"/buildkit-parser/testfiles-negative/*/; do
	name=$(basename "$d")
	check "negative case $name" expect_fail 1 "Dockerfile.*error: " \
		"$DF2NINJA" -f "$d/Dockerfile" --context "$TMP" -o "$TMP/neg.ninja"
done

bad_df unknown-instruction 'FROM scratch\nRUNN true\n' \
	"Dockerfile:2:1: error: unknown instruction 'RUNN'"
bad_df unknown-mount-stage 'FROM scratch\nRUN --mount=from=4,target=/x true\n' \
	"Dockerfile:2:.*error: .*4"
bad_df unknown-stage-number 'FROM scratch AS a\nCOPY --from=3 /a /a\n' \
	"Dockerfile:2:.*error: .*3"
bad_df cycle 'FROM b AS a\nFROM a AS b\n' \
	"Dockerfile:1:.*error: "
bad_df self-reference 'FROM scratch AS a\nCOPY --from=a /x /x\n' \
	"Dockerfile:2:.*error: "
bad_df unknown-instruction-flag 'FROM scratch\nCOPY --bogus=1 a /a\n' \
	"Dockerfile:2:.*error: .*--bogus"
bad_df flag-not-taken 'FROM scratch\nWORKDIR --chown=1 /a\n' \
	"Dockerfile:2:.*error: .*--chown"
bad_df instruction-before-from 'RUN true\nFROM scratch\n' \
	"Dockerfile:1:.*error: "
bad_df reserved-stage-name 'FROM scratch AS image\n' \
	"Dockerfile:1:.*error: .*image"
bad_df bad-network 'FROM scratch\nRUN --network=bogus true\n' \
	"Dockerfile:2:.*error: .*bogus"
bad_df bad-platform 'FROM --platform=linux/ scratch\n' \
	"Dockerfile:1:.*error: .*platform linux/"

mkdir -p "$TMP/empty"
check "missing Dockerfile" expect_fail 1 "cannot open '$TMP/empty/Dockerfile'" \
	"$DF2NINJA" "$TMP/empty"
check "missing context" expect_fail 1 "'$TMP/none'.*No such file" \
	"$DF2NINJA" "$TMP/none"
check "unknown option" expect_fail 2 "unknown option '--bogus'" "$DF2NINJA" --bogus
check "option without value" expect_fail 2 "needs a value" "$DF2NINJA" -o
check "unknown generator" expect_fail 2 "unknown generator 'cmake'" "$DF2NINJA" -G cmake
check "two paths" expect_fail 2 "at most one PATH" "$DF2NINJA" a b
check "--prefix without make" expect_fail 2 "only to -G make" "$DF2NINJA" --prefix x
check "bad --output" expect_fail 2 "type=" "$DF2NINJA" --output dest=x

mkdir -p "$TMP/foreign"
printf 'FROM scratch\n' >"$TMP/foreign/Dockerfile"
printf 'all:\n\techo mine\n' >"$TMP/foreign/Makefile"
check "refuses to overwrite a Makefile it did not write" expect_fail 1 "not written by df2ninja" \
	"$DF2NINJA" -G make -o "$TMP/foreign/Makefile" "$TMP/foreign"
check "the foreign Makefile is intact" grep -q 'echo mine' "$TMP/foreign/Makefile"

mkdir -p "$TMP/nl"
printf 'FROM scratch\n' >"$TMP/nl/Dockerfile"
check "a newline in a path is refused" expect_fail 1 "newline" \
	"$DF2NINJA" -o "$TMP/nl/bad
name" "$TMP/nl"
check "--help" sh -c '"$DF2NINJA" --help | grep -q "usage: df2ninja"'
check "--version" sh -c '"$DF2NINJA" --version | grep -q "^df2ninja [0-9]"'
done_testing
