/* SPDX-License-Identifier: Apache-2.0 */
/*
 * feeder-journal-client.c: a long-lived feeder driven over stdin, for test-journal-live.sh. One
 * process keeps one Feeder (journal sink) while the script stops and restarts journald around it.
 *
 *   feeder-journal-client FALLBACK_FILE
 *
 * Commands, one per line; each but quit is answered with one line:
 *   send POLICY N [INTERVAL_US]
 *       N Block alerts of POLICY, Resource /live/POLICY/<i> -> "sent ok=<n> err=<n>"
 *   odd POLICY
 *       one alert whose Resource holds a newline, a quote and invalid UTF-8 -> as send
 *   stats
 *       -> "stats journal=<n> fallback=<n> failures=<n> lost=<n> replayed=<n> last_error=<n>
 * up=<n>" flush feeder_flush() -> "flushed <return value>" quit
 */
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "core/macro.h"
#include "feeder/feeder.h"

static int send_n(Feeder *f, const char *policy, unsigned long n, unsigned long interval_us,
		  const char *odd)
{
	char resource[256], container[160];
	unsigned long ok = 0, err = 0;

	snprintf(container, sizeof(container), "cid-%s", policy);
	for (unsigned long i = 0; i < n; i++) {
		Alert a = {
			.host_ppid = 1,
			.host_pid = (int32_t)getpid(),
			.ppid = 1,
			.pid = (int32_t)getpid(),
			.uid = 0,
			.process_name = "/usr/bin/cat",
			.parent_process_name = "/usr/bin/bash",
			.container_id = container,
			.policy_name = policy,
			.severity = 8,
			.message = "live test",
			.type = ALERT_TYPE_MATCHED_POLICY,
			.source = "/usr/bin/cat",
			.operation = ALERT_OP_FILE,
			.resource = resource,
			.data = "syscall=SYS_OPENAT fd=-100 flags=O_RDONLY",
			.enforcer = "eBPF Monitor",
			.action = ALERT_ACTION_BLOCK,
			.result = "Permission denied",
		};

		if (odd)
			snprintf(resource, sizeof(resource), "%s", odd);
		else
			snprintf(resource, sizeof(resource), "/live/%s/%lu", policy, i);
		if (feeder_send(f, &a) == 0)
			ok++;
		else
			err++;
		if (interval_us > 0)
			(void)nanosleep(
				&(struct timespec){.tv_sec = (time_t)(interval_us / 1000000),
						   .tv_nsec = (long)(interval_us % 1000000) * 1000},
				NULL);
	}
	printf("sent ok=%lu err=%lu\n", ok, err);
	return 0;
}

int main(int argc, char *argv[])
{
	_cleanup_(feeder_freep) Feeder *f = NULL;
	_cleanup_close_ int fd = -EBADF;
	FeederOptions o;
	char line[512];
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: %s FALLBACK_FILE\n", argv[0]);
		return 2;
	}
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0) {
		perror("open");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	feeder_options_init(&o);
	o.sink = FEEDER_SINK_JOURNAL;
	o.fallback_fd = fd;
	o.throttling =
		false; /* throttling is covered by test-feeder; here every alert must arrive */
	o.host_name = "live-test";
	r = feeder_new(&o, &f);
	if (r < 0) {
		fprintf(stderr, "feeder_new: %s\n", strerror(-r));
		return 1;
	}

	while (fgets(line, sizeof(line), stdin)) {
		char policy[128];
		unsigned long n, interval = 0;
		FeederStats st;

		if (sscanf(line, "send %127s %lu %lu", policy, &n, &interval) >= 2)
			send_n(f, policy, n, interval, NULL);
		else if (sscanf(line, "odd %127s", policy) == 1)
			send_n(f, policy, 1, 0, "/tmp/odd\nname \"q\" \xff end");
		else if (strneq(line, "stats", 5)) {
			feeder_get_stats(f, &st);
			printf("stats journal=%" PRIu64 " fallback=%" PRIu64 " failures=%" PRIu64
			       " lost=%" PRIu64 " replayed=%" PRIu64 " last_error=%d up=%d\n",
			       st.sent_journal, st.sent_fallback, st.journal_failures, st.lost,
			       st.replayed, st.last_error, st.journal_up ? 1 : 0);
		} else if (strneq(line, "flush", 5)) {
			r = feeder_flush(f, feeder_now_monotonic());
			printf("flushed %d\n", r);
		} else if (strneq(line, "quit", 4))
			break;
		else {
			printf("error unknown command\n");
		}
	}
	return 0;
}
