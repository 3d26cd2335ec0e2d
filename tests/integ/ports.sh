# tests/integ/ports.sh: sourced by the tests and scripts that start servers
# on 127.0.0.1 (t3001, tests/buildkit/check.sh, bench/pull.sh).

# free_port: print a TCP port on 127.0.0.1 that nothing listens on
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_port PORT: until something listens there (10 s at most)
wait_port() {
	python3 - "$1" <<'PY'
import socket, sys, time
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
PY
}
