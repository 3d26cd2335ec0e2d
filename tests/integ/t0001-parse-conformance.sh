#!/bin/sh
# BuildKit's parser test data through `df2ninja parse --dump`: every positive
# case matches its result byte for byte, every negative case is refused.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"

count=0
for d in "$CONFORMANCE"/buildkit-parser/testfiles/*/; do
	name=$(basename "$d")
	if "$DF2NINJA" parse --dump "$d/Dockerfile" >"$TMP/out" 2>"$TMP/err" &&
	    cmp -s "$d/result" "$TMP/out"; then
		ok "parse --dump $name"
	else
		not_ok "parse --dump $name"
		diff -u "$d/result" "$TMP/out" | sed 's/^/# /'
		sed 's/^/# /' "$TMP/err"
	fi
	count=$((count + 1))
done
check "33 positive cases were run" test "$count" -eq 33

for d in "$CONFORMANCE"/buildkit-parser/testfiles-negative/*/; do
	name=$(basename "$d")
	check "parse refuses $name" expect_fail 1 "Dockerfile.*error: " \
		"$DF2NINJA" parse --dump "$d/Dockerfile"
done

check "negative: empty file message" expect_fail 1 "file with no instructions" \
	"$DF2NINJA" parse --dump "$CONFORMANCE/buildkit-parser/testfiles-negative/empty_dockerfile/Dockerfile"
check "negative: ENV without value message" expect_fail 1 "ENV must have two arguments" \
	"$DF2NINJA" parse --dump "$CONFORMANCE/buildkit-parser/testfiles-negative/env_no_value/Dockerfile"
check "negative: nested JSON message" expect_fail 1 "arrays must be comprised of strings only" \
	"$DF2NINJA" parse --dump "$CONFORMANCE/buildkit-parser/testfiles-negative/shykes-nested-json/Dockerfile"
check "parse of a missing file names it" expect_fail 1 "cannot open 'nope/Dockerfile'" \
	"$DF2NINJA" parse --dump nope/Dockerfile
check "parse without --dump is a usage error" expect_fail 2 "nothing to do" \
	"$DF2NINJA" parse x
done_testing
