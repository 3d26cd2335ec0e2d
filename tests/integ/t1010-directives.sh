#!/bin/sh
# Parser directives: '# syntax=' is not silently ignored: generation says
# once, on stderr, naming its line, that df2ninja builds with its own
# frontend (and builds the Dockerfile all the same). BuildKit's build
# checks: --check prints each warning with its line and rule and exits 1
# without writing anything; '# check=' skips rules (skip=all: every one),
# makes generation print the warnings, and with error=true fail.
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

# --check: every rule on a Dockerfile that breaks them
mkdir ../lint && cd ../lint || exit 99
cat >Dockerfile <<'DF'
FROM scratch AS Build
from scratch as base2
FROM --platform=linux/amd64 scratch as other
MAINTAINER me
ENV key value
ENV MY_PASSWORD=x PUBLIC_KEY=y
ARG GITHUB_TOKEN
LABEL a b
WORKDIR rel
WORKDIR rel2
EXPOSE 80/TCP 127.0.0.1:80:80 81/udp
CMD echo a
CMD ["b"]
FROM scratch AS context
FROM --platform=$TARGETPLATFORM scratch AS build
ENTRYPOINT run
FROM --platform=linux/arm64 scratch AS arm64-tools
SHELL ["/bin/sh", "-c"]
CMD echo with a shell
FROM arm64-tools
ENTRYPOINT echo on a stage with a shell
DF
check "--check exits 1 on warnings" expect_fail 1 StageNameCasing "$DF2NINJA" --check .
check "... and writes nothing" test ! -e build.ninja -a ! -e .df2ninja
for w in \
	"Dockerfile:1: StageNameCasing: Stage name 'Build' should be lowercase" \
	"Dockerfile:2: ConsistentInstructionCasing: Command 'from' should match the case of the command majority (uppercase)" \
	"Dockerfile:3: FromAsCasing: 'as' and 'FROM' keywords' casing do not match" \
	'Dockerfile:3: FromPlatformFlagConstDisallowed: FROM --platform flag should not use constant value "linux/amd64"' \
	"Dockerfile:4: MaintainerDeprecated: Maintainer instruction is deprecated in favor of using label" \
	'Dockerfile:5: LegacyKeyValueFormat: "ENV key=value" should be used instead of legacy "ENV key value" format' \
	'Dockerfile:6: SecretsUsedInArgOrEnv: Do not use ARG or ENV instructions for sensitive data (ENV "MY_PASSWORD")' \
	'Dockerfile:7: SecretsUsedInArgOrEnv: Do not use ARG or ENV instructions for sensitive data (ARG "GITHUB_TOKEN")' \
	'Dockerfile:8: LegacyKeyValueFormat: "LABEL key=value"' \
	'Dockerfile:9: WorkdirRelativePath: Relative workdir "rel" can have unexpected results if the base image changes' \
	"Dockerfile:11: ExposeProtoCasing: Defined protocol '80/TCP' in EXPOSE instruction should be lowercase" \
	"Dockerfile:11: ExposeInvalidFormat: EXPOSE instruction should not define an IP address or host-port mapping, found '127.0.0.1:80:80'" \
	"Dockerfile:12: JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals" \
	"Dockerfile:12: MultipleInstructionsDisallowed: Multiple CMD instructions should not be used in the same stage because only the last one will be used" \
	'Dockerfile:14: ReservedStageName: Stage name should not use the same name as reserved stage "context"' \
	'Dockerfile:15: DuplicateStageName: Duplicate stage name "build", stage names should be unique' \
	'Dockerfile:15: RedundantTargetPlatform: Setting platform to predefined $TARGETPLATFORM in FROM is redundant' \
	"Dockerfile:16: JSONArgsRecommended: JSON arguments recommended for ENTRYPOINT"; do
	check "warns: $w" grep -qF "df2ninja: warning: $w" "$TMP/.err"
done
check "a second WORKDIR is not warned" sh -c "! grep -q 'rel2' '$TMP/.err'"
check "PUBLIC_KEY is allowed" sh -c "! grep -q 'PUBLIC_KEY' '$TMP/.err'"
check "81/udp is fine" sh -c "! grep -q '81/udp' '$TMP/.err'"
check "a constant platform named in the stage is fine" sh -c "! grep -q 'linux/arm64' '$TMP/.err'"
check "a SHELL, here or in the stage below, silences JSONArgsRecommended" \
	sh -c "! grep -q 'Dockerfile:\(19\|21\): JSON' '$TMP/.err'"
check "in line order" sh -c "sed 's/^df2ninja: warning: Dockerfile:\([0-9]*\):.*/\1/' '$TMP/.err' | sort -nc"

# --check: the rules on variables, as BuildKit reads them with no build args
mkdir ../vars && cd ../vars || exit 99
cat >Dockerfile <<'DF'
ARG IMG=
ARG GOOD=busybox
ARG BASE
FROM ${IMG} AS a
FROM $GOOD AS b
FROM $BAZE AS c
FROM --platform=$BUILDPLATFROM scratch AS d
ENV FOO=1 BAR=$FO
ARG X
ARG Y=$UNSET_Y
RUN echo $NOPE
WORKDIR /$X/$Z/$BUILDKIT_SBOM_SCAN_STAGE
COPY --chown=$UID f $DEST
LABEL l=$PATH$FOO$Y
FROM d AS e
USER $FOO:$Y:$X
ENV A=1 MY_TOKEN=x
FROM busybox
WORKDIR $HOME
DF
check "--check: variables" expect_fail 1 UndefinedVar "$DF2NINJA" --check .
for w in \
	'Dockerfile:4: InvalidDefaultArgInFrom: Default value for ARG ${IMG} results in empty or invalid base image name' \
	'Dockerfile:6: InvalidDefaultArgInFrom: Default value for ARG $BAZE results in empty or invalid base image name' \
	"Dockerfile:6: UndefinedArgInFrom: FROM argument 'BAZE' is not declared (did you mean BASE?)" \
	"Dockerfile:7: UndefinedArgInFrom: FROM argument 'BUILDPLATFROM' is not declared (did you mean BUILDPLATFORM?)" \
	"Dockerfile:8: UndefinedVar: Usage of undefined variable '\$FO'" \
	"Dockerfile:10: UndefinedVar: Usage of undefined variable '\$UNSET_Y'" \
	"Dockerfile:12: UndefinedVar: Usage of undefined variable '\$Z' (did you mean \$Y?)" \
	"Dockerfile:13: UndefinedVar: Usage of undefined variable '\$UID'" \
	"Dockerfile:13: UndefinedVar: Usage of undefined variable '\$DEST'" \
	"Dockerfile:16: UndefinedVar: Usage of undefined variable '\$X' (did you mean \$Y?)" \
	'Dockerfile:17: SecretsUsedInArgOrEnv: Do not use ARG or ENV instructions for sensitive data (ENV "MY_TOKEN")'; do
	check "warns: $w" grep -qF "df2ninja: warning: $w" "$TMP/.err"
done
check "a FROM of a set global ARG is fine" sh -c "! grep -q 'Dockerfile:5:' '$TMP/.err'"
check "RUN is left to the shell" sh -c "! grep -q 'NOPE' '$TMP/.err'"
check "an ARG of the stage without a value counts as defined" \
	sh -c "! grep -q 'Dockerfile:12:.*\\\$X' '$TMP/.err'"
check "PATH, an ENV, an ARG with a value are defined" sh -c "! grep -q 'Dockerfile:14:' '$TMP/.err'"
check "BuildKit's non-env args are skipped" sh -c "! grep -q 'SBOM' '$TMP/.err'"
check "a stage on an image: its ENV unknown, nothing said" sh -c "! grep -q 'Dockerfile:19:' '$TMP/.err'"
check "nothing more" test "$(grep -c 'Undefined\|InvalidDefault' "$TMP/.err")" -eq 10
printf '# check=skip=UndefinedVar,UndefinedArgInFrom,InvalidDefaultArgInFrom\n' | cat - Dockerfile >D2
check "# check=skip= silences them" sh -c '"$DF2NINJA" --check -f D2 . 2>err; grep -q SecretsUsedInArgOrEnv err && ! grep -q "Undefined\|InvalidDefault" err'

mkdir ../clean && cd ../clean || exit 99
printf 'FROM scratch AS base\nENV A=b\nCMD ["x"]\n' >Dockerfile
check "--check on a clean Dockerfile: exit 0, silent" sh -c '"$DF2NINJA" --check . 2>err && test ! -s err && test ! -e build.ninja'

# '# check=': skip= and error=
mkdir ../skip && cd ../skip || exit 99
printf '# check=skip=StageNameCasing, MaintainerDeprecated\nFROM scratch AS Base\nMAINTAINER me\nLABEL a b\n' >Dockerfile
"$DF2NINJA" . >out 2>err
check "# check= without error: generates" test $? -eq 0 -a -e build.ninja
check "... printing the warnings not skipped" assert_file_has err 'Dockerfile:4: LegacyKeyValueFormat'
check "... and not the skipped ones" sh -c "! grep -q -e StageNameCasing -e MaintainerDeprecated err"
check "--check honours skip= too" expect_fail 1 'LegacyKeyValueFormat' "$DF2NINJA" --check .
check "... skipped rules left out" sh -c "! grep -q -e StageNameCasing -e MaintainerDeprecated '$TMP/.err'"

mkdir ../err && cd ../err || exit 99
printf '# check=skip=MaintainerDeprecated;error=true\nFROM scratch AS Base\nMAINTAINER me\n' >Dockerfile
check "# check=error=true: a violation fails generation" expect_fail 1 \
	'Dockerfile:1: error: lint violation found for rules: StageNameCasing' "$DF2NINJA" .
check "... writing nothing" test ! -e build.ninja
printf '# check=skip=all;error=true\nFROM scratch AS Base\nMAINTAINER me\n' >Dockerfile
check "# check=skip=all: nothing to say" sh -c '"$DF2NINJA" . 2>err && test ! -s err'
printf '# check=skip\nFROM scratch\n' >Dockerfile
check "a bad # check= is an error naming its line" expect_fail 1 \
	'Dockerfile:1: error: invalid check option "skip"' "$DF2NINJA" .
printf '# check=error=maybe\nFROM scratch\n' >Dockerfile
check "... error= takes a boolean" expect_fail 1 'Dockerfile:1: error: failed to parse check option' "$DF2NINJA" .

# --check of a Dockerfile on stdin reads the text where it is: a build's
# copy in the build dir (-f -) is left alone, and none is made
mkdir ../stdin && cd ../stdin || exit 99
echo hi >a.txt
printf 'FROM scratch\nCOPY a.txt /b\n' >built
check "-f -: generate a build" sh -c '"$1" -f - . <built' sh "$DF2NINJA"
printf 'from scratch AS X\nCOPY a.txt /checked\n' >other
check "--check -f - warns" expect_fail 1 StageNameCasing sh -c '"$1" --check -f - . <other' sh "$DF2NINJA"
check "... and leaves the build's copy" cmp built .df2ninja/Dockerfile.stdin
mkdir ../stdin2 && cd ../stdin2 || exit 99
check "--check - of a clean Dockerfile" sh -c 'printf "FROM scratch\n" | "$1" --check -' sh "$DF2NINJA"
check "... writes nothing" test -z "$(ls -A)"
check "graph -f - is refused with a reason" expect_fail 1 "graph reads the Dockerfile from a file" \
	sh -c '"$1" graph -f - . <../stdin/other' sh "$DF2NINJA"

done_testing
