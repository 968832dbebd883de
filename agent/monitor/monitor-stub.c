/* SPDX-License-Identifier: Apache-2.0 */
/*
 * monitor-stub.c: the monitor API when the agent is built without BPF support (-Dbpf=disabled, or
 * no clang/bpftool/kernel BTF at build time). Everything fails with -EOPNOTSUPP; the decoder and
 * the process tree (event.c, proc-tree.c) are still built and tested.
 */
#include <errno.h>

#include "monitor/monitor.h"

int monitor_new(Monitor **ret, const MonitorOptions *opts)
{
	return -EOPNOTSUPP;
}

Monitor *monitor_free(Monitor *m)
{
	return NULL;
}

int monitor_get_fd(Monitor *m)
{
	return -EOPNOTSUPP;
}

uint64_t monitor_poll_interval_usec(Monitor *m)
{
	return 0;
}

int monitor_consume(Monitor *m)
{
	return -EOPNOTSUPP;
}

int monitor_set_visibility(Monitor *m, uint32_t visibility)
{
	return -EOPNOTSUPP;
}

int monitor_read_stats(Monitor *m, MonitorStats *ret)
{
	return -EOPNOTSUPP;
}

int monitor_lookup_process(Monitor *m, uint32_t pid, MonitorProcess *ret)
{
	return -EOPNOTSUPP;
}

int monitor_log_drops(Monitor *m)
{
	return -EOPNOTSUPP;
}
