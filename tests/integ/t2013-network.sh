#!/bin/sh
# --network isolated: a RUN step gets a network namespace of its own with
# outbound access through pasta, or slirp4netns (DF2NINJA_NET_HELPER picks
# one; each is tested when installed). It reaches a server on another host,
# resolves names through the host's nameserver, keeps CAP_NET_RAW, and
# reaches nothing that listens only on the host's loopback. --network none
# reaches nothing. The helper goes away with the step, and with the
# executor when that is killed. Without a helper the error names both
# Debian packages.
#
# Nothing leaves the machine: the builds run in a network namespace made
# here (the "host", 10.203.0.2) whose only link is a veth to a second one
# (the "server", 10.203.0.1, its default gateway and nameserver), where
# the test's HTTP and DNS servers listen.
. "${TOP_SRCDIR:-.}/tests/integ/lib.sh"
need_root
use_busybox

for c in ip python3; do
	if ! command -v "$c" >/dev/null 2>&1; then
		echo "1..0 # SKIP needs $c"
		exit 0
	fi
done
NINJA_BIN=$(command -v "$NINJA")

NS_HOST=d2n-host-$$
NS_SRV=d2n-srv-$$
SRV=10.203.0.1
pids=
cleanup_net() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	ip netns del "$NS_HOST" 2>/dev/null
	ip netns del "$NS_SRV" 2>/dev/null
	cleanup
}
trap cleanup_net EXIT

# --- the two hosts ---------------------------------------------------------

setup_net() {
	ip netns add "$NS_SRV" &&
		ip netns add "$NS_HOST" &&
		ip link add "d2n$$h" netns "$NS_HOST" type veth peer name "d2n$$s" netns "$NS_SRV" &&
		ip -n "$NS_SRV" addr add "$SRV/24" dev "d2n$$s" &&
		ip -n "$NS_SRV" link set "d2n$$s" up &&
		ip -n "$NS_SRV" link set lo up &&
		ip -n "$NS_HOST" addr add 10.203.0.2/24 dev "d2n$$h" &&
		ip -n "$NS_HOST" link set "d2n$$h" up &&
		ip -n "$NS_HOST" link set lo up &&
		ip -n "$NS_HOST" route add default via "$SRV"
}
if ! setup_net; then
	echo "Bail out! cannot make the test's network namespaces"
	exit 1
fi

mkdir www
echo "served from the server" >www/file
echo "served from the host's loopback" >www/loopback
echo "nameserver $SRV" >resolv.conf

# a DNS server answering every A query with $SRV (at most 200 queries, 300 s)
cat >dns.py <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 53))
s.settimeout(300)
for _ in range(200):
    try:
        q, peer = s.recvfrom(512)
    except socket.timeout:
        break
    end = 12
    while q[end]:
        end += q[end] + 1
    qtype = struct.unpack('!H', q[end + 1:end + 3])[0]
    ans = b''
    if qtype == 1:
        ans = b'\xc0\x0c' + struct.pack('!HHIH', 1, 1, 60, 4) + socket.inet_aton(sys.argv[1])
    hdr = struct.pack('!HHHHHH', struct.unpack('!H', q[:2])[0], 0x8180, 1, 1 if ans else 0, 0, 0)
    s.sendto(hdr + q[12:end + 5] + ans, peer)
PY

# every server stops by itself after 300 s
ip netns exec "$NS_SRV" timeout 300 python3 -m http.server --bind "$SRV" 8000 \
	-d www >srv.log 2>&1 &
pids="$pids $!"
ip netns exec "$NS_SRV" timeout 300 python3 dns.py "$SRV" >dns.log 2>&1 &
pids="$pids $!"
ip netns exec "$NS_HOST" timeout 300 python3 -m http.server --bind 127.0.0.1 8001 \
	-d www >lo.log 2>&1 &
pids="$pids $!"

# in_host CMD...: CMD on the "host", whose resolv.conf names $SRV
in_host() {
	ip netns exec "$NS_HOST" sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' \
		"$TMP/resolv.conf" "$@"
}

servers_up() {
	_i=0
	until in_host busybox wget -q -O /dev/null "http://$SRV:8000/file" 2>/dev/null &&
		in_host busybox wget -q -O /dev/null http://127.0.0.1:8001/loopback 2>/dev/null &&
		in_host busybox nslookup web.test "$SRV" >/dev/null 2>&1; do
		_i=$((_i + 1))
		[ $_i -lt 100 ] || return 1
		sleep 0.1
	done
}
check "the test's servers answer on the host" servers_up

# --- the builds ------------------------------------------------------------

mkdir ctx && cd ctx || exit 99
cat >Dockerfile <<DF
FROM $BUSYBOX
RUN mkdir /out; \\
    wget -q -O /out/file http://$SRV:8000/file; echo \$? >/out/wget-status; \\
    nslookup web.test >/out/nslookup 2>&1; \\
    cat /etc/resolv.conf >/out/resolv; \\
    cat /proc/net/dev >/out/netdev; ip addr >/out/ipaddr 2>&1; ip route >/out/route 2>&1; \\
    grep CapEff /proc/self/status >/out/capeff; \\
    timeout 3 wget -q -O /out/lo http://127.0.0.1:8001/loopback; echo \$? >/out/lo-status; \\
    gw=\$(ip route | awk '/^default/ { print \$3 }'); \\
    timeout 3 wget -q -O /out/gw http://\$gw:8001/loopback; echo \$? >/out/gw-status
DF

# build NAME NETWORK [VAR=VALUE...]: build in the host with --network
# NETWORK into $TMP/NAME (the rootfs), its output in $TMP/NAME.log
build() {
	_name=$1
	_net=$2
	shift 2
	"$DF2NINJA" --network "$_net" -B ".df2ninja-$_name" -o "$_name.ninja" \
		--output "type=local,dest=$TMP/$_name" . >"$TMP/$_name.log" 2>&1 &&
		in_host env "$@" "$NINJA_BIN" -f "$_name.ninja" >>"$TMP/$_name.log" 2>&1
}

# helper_procs: the helpers running now
helper_procs() { pgrep -f -- '--netns=/proc/self/fd/4|--ready-fd=3 --netns-type=path'; }

# the step of an isolated build, for a helper
isolated() {
	_h=$1
	if ! command -v "$_h" >/dev/null 2>&1; then
		skip "$_h is not installed"
		return
	fi
	build "$_h" isolated DF2NINJA_NET_HELPER="$_h"
	_st=$?
	if [ $_st != 0 ]; then
		not_ok "$_h: the build succeeds"
		sed 's/^/#   /' "$TMP/$_h.log"
		return
	fi
	ok "$_h: the build succeeds"
	O=$TMP/$_h/out
	check "$_h: wget from the server" test "$(cat "$O/wget-status")" = 0
	check "$_h: ... gets the file" file_is "$O/file" "served from the server"
	check "$_h: resolv.conf names the helper's resolver" file_is "$O/resolv" "nameserver 10.0.2.3"
	check "$_h: a name resolves through the host's nameserver" \
		assert_file_has "$O/nslookup" "^Address: $SRV\$"
	check "$_h: an interface besides lo" \
		sh -c "grep ':' '$O/netdev' | grep -v '^ *lo:' | grep -q ."
	check "$_h: ... with an address" grep -q 'inet .* scope global' "$O/ipaddr"
	check "$_h: ... and a default route" grep -q '^default via ' "$O/route"
	check "$_h: CapEff is Docker's default, with NET_RAW" \
		file_is "$O/capeff" "CapEff:	00000000a80425fb"
	check "$_h: the host's 127.0.0.1 is out of reach" \
		test "$(cat "$O/lo-status")" != 0 -a ! -s "$O/lo"
	check "$_h: ... and so is its loopback through the gateway" \
		test "$(cat "$O/gw-status")" != 0 -a ! -s "$O/gw"
	check "$_h: no helper is left running" test -z "$(helper_procs)"
}
isolated pasta
isolated slirp4netns

build none none
check "--network none: the build succeeds" test $? = 0
check "--network none: wget from the server fails" test "$(cat "$TMP/none/out/wget-status")" != 0
check "--network none: only lo" sh -c "! grep ':' '$TMP/none/out/netdev' | grep -v '^ *lo:' | grep -q ."
check "--network none: CapEff is Docker's default" \
	file_is "$TMP/none/out/capeff" "CapEff:	00000000a80425fb"

# --- errors ----------------------------------------------------------------

# fails_with REGEX CMD...: CMD fails and what it prints matches REGEX
fails_with() {
	_re=$1
	shift
	if "$@" >"$TMP/.out" 2>&1; then
		echo "# it succeeded:" >&2
		sed 's/^/#   /' "$TMP/.out" >&2
		return 1
	fi
	assert_file_has "$TMP/.out" "$_re"
}

mkdir "$TMP/empty"
"$DF2NINJA" --network isolated -B .df2ninja-err -o err.ninja . >/dev/null 2>&1
check "neither helper installed: the error names both packages" \
	fails_with "isolated needs pasta or slirp4netns: install Debian's package passt or slirp4netns" \
	env PATH="$TMP/empty" "$NINJA_BIN" -f err.ninja
check "DF2NINJA_NET_HELPER names a helper that is not installed" \
	fails_with "DF2NINJA_NET_HELPER is slirp4netns, which is not installed (Debian's package slirp4netns)" \
	env PATH="$TMP/empty" DF2NINJA_NET_HELPER=slirp4netns "$NINJA_BIN" -f err.ninja
check "DF2NINJA_NET_HELPER names no helper" \
	fails_with "DF2NINJA_NET_HELPER 'bogus': use pasta or slirp4netns" \
	env DF2NINJA_NET_HELPER=bogus "$NINJA_BIN" -f err.ninja

# --- the executor killed ---------------------------------------------------

# alive PID: PID runs (a zombie does not)
alive() {
	[ -r "/proc/$1/stat" ] &&
		! sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | grep -q '^Z'
}

# killed HELPER: SIGKILL the executor of a running isolated step; the
# helper it started dies too
killed() {
	_h=$1
	if ! command -v "$_h" >/dev/null 2>&1; then
		skip "$_h is not installed"
		return
	fi
	mkdir "$TMP/kill-$_h" && cd "$TMP/kill-$_h" || exit 99
	nap="sleep 30 0.000$(printf %07d $$)$_n"
	printf 'FROM %s\nRUN %s\n' "$BUSYBOX" "$nap" >Dockerfile
	"$DF2NINJA" --network isolated . >/dev/null 2>&1
	in_host env DF2NINJA_NET_HELPER="$_h" "$NINJA_BIN" >out 2>&1 &
	_bg=$!
	wait_for_process "$nap" 200
	# this build's executor (other tests build beside this one): `exec
	# step`, or a step server's worker running the step; not the
	# container's init (a fork of it); and the helper it started
	_exe= _helper=
	for _p in $(pgrep -f "^$DF2NINJA exec (step|serve)"); do
		[ "$(readlink "/proc/$_p/cwd" 2>/dev/null)" = "$TMP/kill-$_h" ] &&
			[ "$(cat "/proc/$_p/comm" 2>/dev/null)" = df2ninja ] || continue
		for _q in $(helper_procs); do
			[ "$(ps -o ppid= -p "$_q" | tr -d ' ')" = "$_p" ] && _exe=$_p _helper=$_q
		done
	done
	if [ -z "$_exe" ] || [ -z "$_helper" ]; then
		not_ok "$_h: the step runs with its helper"
		sed 's/^/#   /' out
		pkill -9 -f "$nap"
		wait "$_bg"
		cd "$TMP/ctx" || exit 99
		return
	fi
	kill -9 "$_exe"
	_i=0
	while alive "$_helper" && [ $_i -lt 50 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	if alive "$_helper"; then
		not_ok "$_h: the helper dies with the executor"
	else
		ok "$_h: the helper dies with the executor"
	fi
	pkill -9 -f "$nap"
	kill -9 "$_helper" 2>/dev/null
	wait "$_bg"
	cd "$TMP/ctx" || exit 99
}
killed pasta
killed slirp4netns

done_testing
