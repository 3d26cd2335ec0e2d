/*
 * sockping [SOCKET]: ask the ssh agent at SOCKET (default
 * $SSH_AUTH_SOCK) for its identities and print the reply's message type
 * ("answer 12"). Static, for t2032 to run inside a step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : getenv("SSH_AUTH_SOCK");
	/* SSH_AGENTC_REQUEST_IDENTITIES: length 1, type 11 */
	static const unsigned char req[] = { 0, 0, 0, 1, 11 };
	unsigned char rep[5];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t got = 0;
	int fd;

	if (!path || strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "sockping: no socket\n");
		return 2;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("sockping: connect");
		return 1;
	}
	if (write(fd, req, sizeof(req)) != (ssize_t)sizeof(req)) {
		perror("sockping: write");
		return 1;
	}
	while (got < sizeof(rep)) {
		ssize_t r = read(fd, rep + got, sizeof(rep) - got);

		if (r <= 0) {
			fprintf(stderr, "sockping: short reply\n");
			return 1;
		}
		got += (size_t)r;
	}
	printf("answer %d\n", rep[4]);
	return 0;
}
