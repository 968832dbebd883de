/* SPDX-License-Identifier: Apache-2.0 */
/*
 * monitor-helper: the program the live monitor tests run, so they can watch one known process.
 *   monitor-helper open PATH         open(PATH, O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC) and close it
 *   monitor-helper openrel DIR NAME  chdir(DIR), openat(AT_FDCWD, NAME, O_RDONLY)
 *   monitor-helper unlink PATH       unlink(PATH)
 *   monitor-helper socket            socket(AF_INET, SOCK_STREAM), socket(AF_INET, SOCK_RAW, ICMP),
 *                                    connect to 127.0.0.1:9 (refused is fine)
 *   monitor-helper listen            bind 127.0.0.1:0, listen(5), connect to it, accept
 *   monitor-helper syscalls DIR      chown/fchownat DIR/f, rmdir DIR/d, setgid(0), setuid(0),
 *                                    ptrace(PTRACE_GETREGS, 1) (fails), and in a private mount
 *                                    namespace mount tmpfs on DIR/d2 and umount2 it
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
#include <sched.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
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
	} else if (strcmp(argv[1], "listen") == 0) {
		struct sockaddr_in sin = {.sin_family = AF_INET};
		socklen_t len = sizeof(sin);
		int l = socket(AF_INET, SOCK_STREAM, 0), cl = socket(AF_INET, SOCK_STREAM, 0), a;

		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (l < 0 || cl < 0 || bind(l, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
		    listen(l, 5) < 0 || getsockname(l, (struct sockaddr *)&sin, &len) < 0 ||
		    connect(cl, (struct sockaddr *)&sin, sizeof(sin)) < 0)
			return 1;
		len = sizeof(sin);
		a = accept(l, (struct sockaddr *)&sin, &len);
		if (a < 0)
			return 1;
		close(a);
		close(cl);
		close(l);
	} else if (strcmp(argv[1], "syscalls") == 0 && argc == 3) {
		char f[4096], d[4096], d2[4096];
		int fd;

		snprintf(f, sizeof(f), "%s/f", argv[2]);
		snprintf(d, sizeof(d), "%s/d", argv[2]);
		snprintf(d2, sizeof(d2), "%s/d2", argv[2]);
		fd = open(f, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0 || mkdir(d, 0700) < 0 || mkdir(d2, 0700) < 0)
			return 1;
		close(fd);
		if (chown(f, 0, 0) < 0 || fchownat(AT_FDCWD, f, 0, 0, 0) < 0 || rmdir(d) < 0)
			return 1;
		if (setgid(0) < 0 || setuid(0) < 0)
			return 1;
		(void)ptrace(PTRACE_GETREGS, 1, NULL, NULL);
		if (unshare(CLONE_NEWNS) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			return 1;
		if (mount("kanone", d2, "tmpfs", MS_NOSUID, "size=64k") < 0 || umount2(d2, 0) < 0)
			return 1;
		(void)rmdir(d2);
		(void)unlink(f);
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
