// SPDX-License-Identifier: Apache-2.0
/*
 * lsm-deny: loads lsm-deny.bpf.o, arms it for FILE, runs CMD with the program attached, detaches
 * and exits with CMD's exit status. Prints how many opens the program denied on stderr.
 *
 *   lsm-deny OBJ FILE CMD [ARG...]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

struct target {
	__u64 ino;
	__u32 dev;
	__u32 armed;
	__u64 denied;
};

int main(int argc, char **argv)
{
	struct bpf_object *obj = NULL;
	struct bpf_program *prog;
	struct bpf_link *link = NULL;
	struct target t = {0};
	struct stat st;
	__u32 zero = 0;
	int map_fd, status, r = 2;
	pid_t pid;

	if (argc < 4) {
		fprintf(stderr, "usage: %s OBJ FILE CMD [ARG...]\n", argv[0]);
		return 2;
	}
	if (stat(argv[2], &st) < 0) {
		fprintf(stderr, "lsm-deny: %s: %s\n", argv[2], strerror(errno));
		return 2;
	}
	libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "lsm-deny: open %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	if (bpf_object__load(obj) < 0) {
		fprintf(stderr, "lsm-deny: load: %s\n", strerror(errno));
		goto out;
	}
	map_fd = bpf_object__find_map_fd_by_name(obj, "target");
	prog = bpf_object__find_program_by_name(obj, "deny_marker");
	if (map_fd < 0 || !prog) {
		fprintf(stderr, "lsm-deny: map or program missing from %s\n", argv[1]);
		goto out;
	}
	/* The kernel's s_dev is MKDEV(major, minor) = major << 20 | minor. */
	t.ino = st.st_ino;
	t.dev = (__u32)(major(st.st_dev) << 20 | minor(st.st_dev));
	t.armed = 1;
	if (bpf_map_update_elem(map_fd, &zero, &t, BPF_ANY) < 0) {
		fprintf(stderr, "lsm-deny: map update: %s\n", strerror(errno));
		goto out;
	}
	link = bpf_program__attach(prog);
	if (!link) {
		fprintf(stderr, "lsm-deny: attach: %s\n", strerror(errno));
		goto out;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "lsm-deny: fork: %s\n", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		execvp(argv[3], argv + 3);
		fprintf(stderr, "lsm-deny: exec %s: %s\n", argv[3], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		fprintf(stderr, "lsm-deny: waitpid: %s\n", strerror(errno));
		goto out;
	}
	if (bpf_map_lookup_elem(map_fd, &zero, &t) == 0)
		fprintf(stderr, "lsm-deny: denied %llu open(s)\n", (unsigned long long)t.denied);
	r = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
out:
	bpf_link__destroy(link);
	bpf_object__close(obj);
	return r;
}
