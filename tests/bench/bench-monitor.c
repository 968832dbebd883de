/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench-monitor: what the eBPF monitor costs the rest of the machine, as ratios against no monitor,
 * measured in one run with the configurations interleaved round by round (medians reported):
 *   - open+close loop: no monitor / monitor with file visibility off / monitor with everything on;
 *   - fork+exec(/bin/true)+wait loop: no monitor / monitor with everything on (default visibility);
 *   - the monitor's RSS (delta of this process, which hosts it) and its CPU use while idle.
 * The workload runs in a child (the monitor ignores its own process); this process consumes the
 * ring as the daemon would (fd + timer). Target: open+close with file visibility off <= 1.05.
 * BENCH_STRICT=1 makes a missed target fatal; BENCH_ROUNDS, BENCH_OPENS, BENCH_EXECS scale the run,
 * BENCH_RING_BYTES sets the ring size (default: the monitor's, 8 MiB).
 * Needs root and a BPF build; otherwise exits 77.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "core/macro.h"
#include "monitor/monitor.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static long env_long(const char *name, long def)
{
	const char *v = getenv(name);
	return v && *v ? strtol(v, NULL, 10) : def;
}

static int count_events(const MonitorEvent *ev, void *userdata)
{
	(*(uint64_t *)userdata)++;
	return 0;
}

typedef enum Workload { OPEN_CLOSE, FORK_EXEC } Workload;

static void run_workload(Workload w, long n, const char *path)
{
	if (w == OPEN_CLOSE) {
		for (long i = 0; i < n; i++) {
			int fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				_exit(1);
			close(fd);
		}
		return;
	}
	for (long i = 0; i < n; i++) {
		pid_t p = fork();
		if (p < 0)
			_exit(1);
		if (p == 0) {
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		if (waitpid(p, NULL, 0) != p)
			_exit(1);
	}
}

typedef struct Sample {
	double wall; /* ns per op, wall clock */
	double cpu;  /* ns per op, CPU time of the workload (user + system, children included) */
} Sample;

/*
 * Time @n iterations of @w in a child; consume the monitor (if any) meanwhile. The CPU figure is
 * the one compared: on a loaded machine wall time mostly measures the wait for a core, while the
 * BPF programs run in the workload's own system time.
 */
static Sample measure(Monitor *m, Workload w, long n, const char *path)
{
	uint64_t res[2] = {};
	int p[2];
	pid_t pid;

	if (pipe(p) < 0)
		exit(EXIT_FAILURE);
	pid = fork();
	if (pid < 0)
		exit(EXIT_FAILURE);
	if (pid == 0) {
		/* Re-exec: the workload must not inherit the monitor's memory (fork cost would
		 * grow). */
		char nbuf[32], fdbuf[16];

		close(p[0]);
		snprintf(nbuf, sizeof(nbuf), "%ld", n);
		snprintf(fdbuf, sizeof(fdbuf), "%d", p[1]);
		execl("/proc/self/exe", "bench-monitor", "--workload",
		      w == OPEN_CLOSE ? "open" : "exec", nbuf, path, fdbuf, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	for (;;) {
		struct pollfd pfd[2] = {{.fd = p[0], .events = POLLIN},
					{.fd = m ? monitor_get_fd(m) : -1, .events = POLLIN}};
		int timeout = m ? (int)(monitor_poll_interval_usec(m) / 1000) : -1;

		if (poll(pfd, 2, timeout) < 0)
			continue;
		if (m)
			(void)monitor_consume(m);
		if (pfd[0].revents) {
			if (read(p[0], res, sizeof(res)) != sizeof(res))
				res[0] = 0;
			break;
		}
	}
	close(p[0]);
	(void)waitpid(pid, NULL, 0);
	if (res[0] == 0) {
		fprintf(stderr, "bench-monitor: workload failed\n");
		exit(EXIT_FAILURE);
	}
	return (Sample){.wall = (double)res[0] / n, .cpu = (double)res[1] / n};
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(double), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	long kib = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static double cpu_sec(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

#define ROUNDS_MAX 15

static uint64_t cpu_ns_all(void)
{
	struct rusage a, b;

	getrusage(RUSAGE_SELF, &a);
	getrusage(RUSAGE_CHILDREN, &b);
	return (uint64_t)(a.ru_utime.tv_sec + a.ru_stime.tv_sec + b.ru_utime.tv_sec +
			  b.ru_stime.tv_sec) *
		       1000000000ULL +
	       (uint64_t)(a.ru_utime.tv_usec + a.ru_stime.tv_usec + b.ru_utime.tv_usec +
			  b.ru_stime.tv_usec) *
		       1000ULL;
}

/* bench-monitor --workload open|exec N PATH FD: the timed child; writes {wall ns, cpu ns} to FD. */
static int workload_main(char **argv)
{
	Workload w = streq(argv[2], "open") ? OPEN_CLOSE : FORK_EXEC;
	long n = strtol(argv[3], NULL, 10);
	int fd = atoi(argv[5]);
	uint64_t res[2], t0, c0;

	run_workload(w, n / 20, argv[4]); /* warm-up */
	c0 = cpu_ns_all();
	t0 = now_ns();
	run_workload(w, n, argv[4]);
	res[0] = now_ns() - t0;
	res[1] = cpu_ns_all() - c0;
	return write(fd, res, sizeof(res)) == sizeof(res) ? 0 : 1;
}

/*
 * Sum of run time and run count of the loaded programs whose (15-character) name starts with
 * @prefix: the kernel's own BPF statistics, independent of how busy the machine is.
 */
static void prog_stats(const char *prefix, uint64_t *ret_ns, uint64_t *ret_cnt)
{
	uint32_t id = 0;

	*ret_ns = *ret_cnt = 0;
	while (bpf_prog_get_next_id(id, &id) == 0) {
		struct bpf_prog_info info = {};
		uint32_t len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
		    strncmp(info.name, prefix, strlen(prefix)) == 0) {
			*ret_ns += info.run_time_ns;
			*ret_cnt += info.run_cnt;
		}
		close(fd);
	}
}

enum { BASE_OC, OFF_OC, PROC_OC, ON_OC, BASE_FE, ON_FE, _CONF_MAX };

static const char *const conf_name[_CONF_MAX] = {
	[BASE_OC] = "open+close  no monitor",
	[OFF_OC] = "open+close  monitor, file visibility off",
	[PROC_OC] = "open+close  monitor, process visibility only",
	[ON_OC] = "open+close  monitor, all visibility on",
	[BASE_FE] = "fork+exec   no monitor",
	[ON_FE] = "fork+exec   monitor, default visibility",
};

static Monitor *start_monitor(const MonitorOptions *o, const char *path)
{
	Monitor *m = NULL;
	int r = monitor_new(&m, o);

	if (r < 0) {
		(void)unlink(path);
		if (r == -EOPNOTSUPP || r == -EPERM) {
			printf("SKIP: monitor unavailable: %s\n", strerror(-r));
			exit(77);
		}
		fprintf(stderr, "bench-monitor: monitor_new: %s\n", strerror(-r));
		exit(EXIT_FAILURE);
	}
	return m;
}

int main(int argc, char **argv)
{
	int rounds = (int)env_long("BENCH_ROUNDS", 9);
	long opens = env_long("BENCH_OPENS", 50000), execs = env_long("BENCH_EXECS", 200);
	Sample smp[_CONF_MAX][ROUNDS_MAX];
	double ratio[_CONF_MAX][ROUNDS_MAX], wratio[_CONF_MAX][ROUNDS_MAX], v[ROUNDS_MAX];
	uint64_t delivered = 0, delivered0, k_ns0 = 0, k_cnt0 = 0, k_ns1 = 0, k_cnt1 = 0;
	uint64_t ke_ns0 = 0, ke_cnt0 = 0, ke_ns1 = 0, ke_cnt1 = 0;
	char path[] = "/tmp/bench-monitor-XXXXXX";
	MonitorOptions o = {.callback = count_events, .userdata = &delivered};
	MonitorStats st = {};
	long rss0, rss1 = -1, rss_loaded;
	double idle_cpu = 0, consumer_cpu = 0, c_start, off_ratio;
	unsigned long long timer_ms = 0;
	Monitor *m;
	int fd, stats_fd = -1;

	if (argc == 6 && streq(argv[1], "--workload"))
		return workload_main(argv);
	if (geteuid() != 0) {
		printf("SKIP: needs root\n");
		return 77;
	}
	if (rounds < 1 || rounds > ROUNDS_MAX)
		rounds = 9;
	o.ring_bytes = (uint32_t)env_long("BENCH_RING_BYTES", 0);
	fd = mkstemp(path);
	if (fd < 0)
		return EXIT_FAILURE;
	close(fd);

	/* RSS and idle CPU of a monitor that only runs its timer (plus this machine's activity). */
	rss0 = rss_kib();
	m = start_monitor(&o, path);
	rss_loaded = rss_kib();
	{
		double c0 = cpu_sec();
		uint64_t t0 = now_ns();

		while (now_ns() - t0 < 3000000000ULL) {
			struct pollfd pfd = {.fd = monitor_get_fd(m), .events = POLLIN};
			(void)poll(&pfd, 1, (int)(monitor_poll_interval_usec(m) / 1000));
			(void)monitor_consume(m);
		}
		idle_cpu = (cpu_sec() - c0) / ((now_ns() - t0) / 1e9);
		timer_ms = monitor_poll_interval_usec(m) / 1000;
	}
	m = monitor_free(m);

	/*
	 * Each round: the no-monitor baselines, then a fresh monitor in each configuration. Ratios
	 * are taken within a round (samples close in time) and the median over rounds is reported,
	 * which keeps a busy machine's drifting load out of the figures.
	 */
	for (int i = 0; i < rounds; i++) {
		bool last = i == rounds - 1;

		smp[BASE_OC][i] = measure(NULL, OPEN_CLOSE, opens, path);
		smp[BASE_FE][i] = measure(NULL, FORK_EXEC, execs, path);
		m = start_monitor(&o, path);
		(void)monitor_set_visibility(m,
					     MONITOR_VIS_ALL & ~MONITOR_VIS_BIT(MONITOR_VIS_FILE));
		smp[OFF_OC][i] = measure(m, OPEN_CLOSE, opens, path);
		(void)monitor_set_visibility(m, MONITOR_VIS_BIT(MONITOR_VIS_PROCESS));
		smp[PROC_OC][i] = measure(m, OPEN_CLOSE, opens, path);
		(void)monitor_set_visibility(m, MONITOR_VIS_ALL);
		c_start = cpu_sec();
		delivered0 = delivered;
		if (last) {
			stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
			prog_stats("tp_sys_e", &k_ns0, &k_cnt0);
			prog_stats("tp_sys_enter", &ke_ns0, &ke_cnt0);
		}
		smp[ON_OC][i] = measure(m, OPEN_CLOSE, opens, path);
		if (last) {
			prog_stats("tp_sys_e", &k_ns1, &k_cnt1);
			prog_stats("tp_sys_enter", &ke_ns1, &ke_cnt1);
			consumer_cpu = (cpu_sec() - c_start) * 1e9 /
				       (double)MAX(delivered - delivered0, (uint64_t)1);
		}
		smp[ON_FE][i] = measure(m, FORK_EXEC, execs, path);
		if (last) {
			rss1 = rss_kib();
			(void)monitor_read_stats(m, &st);
		}
		m = monitor_free(m);
		for (int c = 0; c < _CONF_MAX; c++) {
			int base = c < BASE_FE ? BASE_OC : BASE_FE;
			ratio[c][i] = smp[c][i].cpu / smp[base][i].cpu;
			wratio[c][i] = smp[c][i].wall / smp[base][i].wall;
		}
	}
	if (stats_fd >= 0)
		close(stats_fd);
	(void)unlink(path);

	printf("bench-monitor: %d rounds x (%ld open+close, %ld fork+exec); ratio = CPU time of "
	       "the "
	       "workload against no monitor, median of per-round ratios [wall-clock ratio]\n",
	       rounds, opens, execs);
	for (int c = 0; c < _CONF_MAX; c++) {
		double cpu_med, wall_med, r, wr;

		for (int i = 0; i < rounds; i++)
			v[i] = smp[c][i].cpu;
		cpu_med = median(v, rounds);
		for (int i = 0; i < rounds; i++)
			v[i] = smp[c][i].wall;
		wall_med = median(v, rounds);
		r = median(ratio[c], rounds);
		wr = median(wratio[c], rounds);
		printf("  %-46s cpu %8.0f ns/op  wall %8.0f ns/op  ratio %.3f [%.3f]%s\n",
		       conf_name[c], cpu_med, wall_med, r, wr,
		       c == OFF_OC ? "  (target <= 1.05)" : "");
	}
	off_ratio = median(ratio[OFF_OC], rounds);
	if (stats_fd >= 0) {
		double ent =
			(double)(ke_ns1 - ke_ns0) / (double)MAX(ke_cnt1 - ke_cnt0, (uint64_t)1);
		double ex = (double)(k_ns1 - k_ns0 - (ke_ns1 - ke_ns0)) /
			    (double)MAX(k_cnt1 - k_cnt0 - (ke_cnt1 - ke_cnt0), (uint64_t)1);

		printf("  in-kernel BPF time, all on: entry program %.0f ns + exit program %.0f ns "
		       "= "
		       "%.0f ns per monitored syscall (kernel bpf_stats, %llu runs machine-wide)\n",
		       ent, ex, ent + ex, (unsigned long long)(k_cnt1 - k_cnt0));
	} else
		printf("  in-kernel BPF time: unavailable (BPF_ENABLE_STATS refused)\n");
	printf("  consumer CPU %.0f ns per delivered event (decode + process tree + callback)\n",
	       consumer_cpu);
	{
		long ring_kib = (o.ring_bytes ? o.ring_bytes : 8U << 20) / 1024;

		printf("  monitor RSS: %ld KiB once loaded, %ld KiB after a busy round; of that, "
		       "%ld KiB "
		       "is the %ld KiB ring mapped twice (kernel memory, counted twice), the rest "
		       "%ld "
		       "KiB (growth of the hosting process; sanitizer builds inflate it)\n",
		       rss_loaded - rss0, rss1 - rss0, 2 * ring_kib, ring_kib,
		       rss1 - rss0 - 2 * ring_kib);
	}
	printf("  monitor idle CPU %.2f%% of one core (3 s, timer %llu ms, this machine's "
	       "background "
	       "activity included)\n",
	       idle_cpu * 100, timer_ms);
	printf("  last round: kernel emitted %llu, dropped %llu (ring full %llu, no slot %llu, "
	       "exit "
	       "without entry %llu), read errors %llu, delivered %llu, rejected %llu\n",
	       (unsigned long long)st.kernel_emitted, (unsigned long long)st.kernel_dropped,
	       (unsigned long long)st.kernel_drop[AGENT_STAT_DROP_RINGBUF],
	       (unsigned long long)st.kernel_drop[AGENT_STAT_DROP_PENDING],
	       (unsigned long long)st.kernel_drop[AGENT_STAT_EXIT_NO_ENTER],
	       (unsigned long long)st.kernel_read_errors, (unsigned long long)st.delivered,
	       (unsigned long long)(st.rejected_truncated + st.rejected_version + st.rejected_type +
				    st.rejected_malformed));
	if (off_ratio > 1.05) {
		printf("  MISSED: open+close with file visibility off %.3f > 1.05\n", off_ratio);
		if (env_long("BENCH_STRICT", 0))
			return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
