// SPDX-License-Identifier: Apache-2.0
/*
 * journal-send: writes one journal entry made of the FIELD=VALUE arguments with sd_journal_sendv(),
 * then with --stay keeps running until killed. journald reads a sender's unit from /proc, so a
 * sender that exits at once may lose _SYSTEMD_UNIT; a long-running one (like the agent) does not.
 *
 *   journal-send [--stay] FIELD=VALUE...
 */
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

int main(int argc, char **argv)
{
	struct iovec iov[64];
	int first = 1, stay = 0, n = 0, r;

	if (argc > 1 && strcmp(argv[1], "--stay") == 0) {
		stay = 1;
		first = 2;
	}
	for (int i = first; i < argc; i++) {
		if (n == (int)(sizeof(iov) / sizeof(iov[0])) || !strchr(argv[i], '=')) {
			fprintf(stderr,
				"usage: journal-send [--stay] FIELD=VALUE... (at most 64)\n");
			return 2;
		}
		iov[n].iov_base = argv[i];
		iov[n].iov_len = strlen(argv[i]);
		n++;
	}
	r = sd_journal_sendv(iov, n);
	if (r < 0) {
		fprintf(stderr, "journal-send: %s\n", strerror(-r));
		return 1;
	}
	while (stay)
		pause();
	return 0;
}
