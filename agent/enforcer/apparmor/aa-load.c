/* SPDX-License-Identifier: Apache-2.0 */
/* aa-load.c: apparmor_parser runs (fork/exec with argv, never a shell) and profile removal. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/macro.h"
#include "core/strv.h"
#include "enforcer/apparmor/aa-profile.h"

#define PARSER_OUTPUT_MAX (64 * 1024)

static const char *find_parser(void)
{
	static const char *const cands[] = {"/sbin/apparmor_parser", "/usr/sbin/apparmor_parser",
					    "/usr/local/sbin/apparmor_parser"};

	for (size_t i = 0; i < ELEMENTSOF(cands); i++)
		if (access(cands[i], X_OK) == 0)
			return cands[i];
	return NULL;
}

/* In the child: ask AppArmor to start the next program unconfined, so that the host profile (which
 * attaches to every program) never confines the agent's own parser runs. Unconfined tasks may do
 * this; without AppArmor it fails and nothing changes. */
static void child_unconfined(void)
{
	static const char msg[] = "exec unconfined";
	const char *files[] = {"/proc/self/attr/apparmor/exec", "/proc/self/attr/exec"};

	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		int fd = open(files[i], O_WRONLY | O_CLOEXEC);

		if (fd < 0)
			continue;
		if (write(fd, msg, sizeof(msg) - 1) == (ssize_t)(sizeof(msg) - 1)) {
			close(fd);
			return;
		}
		close(fd);
	}
}

int aa_run_parser(char *const *args, const char *file, char **ret_stderr)
{
	_cleanup_strv_free_ char **argv = NULL;
	_cleanup_free_ char *out = NULL;
	const char *parser = find_parser();
	size_t out_len = 0;
	int pipefd[2], status, r;
	pid_t pid;

	if (!parser)
		return -ENOENT;
	if (strv_extend(&argv, parser) < 0)
		return -ENOMEM;
	STRV_FOREACH(a, args)
	if (strv_extend(&argv, *a) < 0)
		return -ENOMEM;
	if (file && strv_extend(&argv, file) < 0)
		return -ENOMEM;

	out = malloc(PARSER_OUTPUT_MAX + 1);
	if (!out)
		return -ENOMEM;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;

	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(pipefd[0]);
		close(pipefd[1]);
		return r;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (null < 0 || dup2(null, STDIN_FILENO) < 0 ||
		    dup2(pipefd[1], STDOUT_FILENO) < 0 || dup2(pipefd[1], STDERR_FILENO) < 0)
			_exit(127);
		signal(SIGPIPE, SIG_DFL);
		child_unconfined();
		execv(parser, argv);
		_exit(127);
	}
	close(pipefd[1]);
	for (;;) {
		char buf[4096];
		ssize_t n = read(pipefd[0], buf, sizeof buf);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (out_len < PARSER_OUTPUT_MAX) {
			size_t take = MIN((size_t)n, PARSER_OUTPUT_MAX - out_len);

			memcpy(out + out_len, buf, take);
			out_len += take;
		}
	}
	close(pipefd[0]);
	out[out_len] = 0;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (ret_stderr)
		*ret_stderr = TAKE_PTR(out);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

int aa_remove_profile(const char *securityfs, const char *name)
{
	_cleanup_free_ char *p = NULL;
	_cleanup_close_ int fd = -1;
	size_t len = strlen(name);
	ssize_t n;

	/* Only names we generate: never a path or anything the kernel would parse differently. */
	size_t pl = strlen(AA_PROFILE_PREFIX);

	if (!strneq(name, AA_PROFILE_PREFIX, pl) || (name[pl] != 0 && name[pl] != '-') ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") != len)
		return -EINVAL;
	if (asprintf(&p, "%s/apparmor/.remove", securityfs ?: "/sys/kernel/security") < 0)
		return -ENOMEM;
	fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, name, len);
	if (n < 0)
		return -errno;
	return n == (ssize_t)len ? 0 : -EIO;
}
