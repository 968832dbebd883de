/* SPDX-License-Identifier: Apache-2.0 */
/*
 * monitor-helper: the program the live monitor tests run, so they can watch one known process.
 *   monitor-helper open PATH         open(PATH, O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC) and close it
 *   monitor-helper openrel DIR NAME  chdir(DIR), openat(AT_FDCWD, NAME, O_RDONLY)
 *   monitor-helper unlink PATH       unlink(PATH)
 *   monitor-helper socket            socket(AF_INET, SOCK_STREAM), socket(AF_INET, SOCK_RAW, ICMP),
 *                                    connect to 127.0.0.1:9 (refused is fine)
 *   monitor-helper burst N PATH      N x open+close of PATH
 *   monitor-helper args A B C        nothing: the test checks argv
 * It waits for a byte on fd 3 first when fd 3 is open, so the test can order things.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char c;

	if (fcntl(3, F_GETFD) >= 0) {
		if (read(3, &c, 1) != 1)
			return 2;
		close(3);
	}
	if (argc < 2)
		return 2;
	if (strcmp(argv[1], "open") == 0 && argc == 3) {
		int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0)
			return 1;
		close(fd);
	} else if (strcmp(argv[1], "openrel") == 0 && argc == 4) {
		int fd;
		if (chdir(argv[2]) < 0)
			return 1;
		fd = openat(AT_FDCWD, argv[3], O_RDONLY);
		if (fd >= 0)
			close(fd);
	} else if (strcmp(argv[1], "unlink") == 0 && argc == 3) {
		return unlink(argv[2]) < 0;
	} else if (strcmp(argv[1], "socket") == 0) {
		struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(9)};
		int s = socket(AF_INET, SOCK_STREAM, 0);
		int raw = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);

		if (s < 0)
			return 1;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		(void)connect(s, (struct sockaddr *)&sin, sizeof(sin));
		close(s);
		if (raw >= 0)
			close(raw);
	} else if (strcmp(argv[1], "burst") == 0 && argc == 4) {
		long n = strtol(argv[2], NULL, 10);
		for (long i = 0; i < n; i++) {
			int fd = open(argv[3], O_RDONLY | O_CLOEXEC);
			if (fd >= 0)
				close(fd);
		}
	} else if (strcmp(argv[1], "args") == 0) {
		/* nothing */
	} else {
		return 2;
	}
	return 0;
}
