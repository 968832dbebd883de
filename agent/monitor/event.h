/* SPDX-License-Identifier: Apache-2.0 */
/*
 * event.h: decoding of raw ring-buffer records (bpf/agent-abi.h) into MonitorEvent. Pure functions:
 * no I/O, no logging. A record is trusted only after its size, type, version and every length were
 * checked; strings are copied into a MonitorDecodeBuf and always NUL-terminated there.
 * Internal to agent/monitor (and its tests).
 */
#pragma once

#include <stddef.h>

#include "monitor/monitor.h"

typedef struct MonitorDecodeBuf {
	char filename[AGENT_PATH_MAX + 1];
	char args[AGENT_ARGS_MAX + 1];
	char path[AGENT_PATH_MAX + 1];
	char source[AGENT_STR_SHORT_MAX + 1];
	char fstype[AGENT_FSTYPE_MAX + 1];
	unsigned char addr[AGENT_SOCKADDR_MAX];
} MonitorDecodeBuf;

/* Reasons a record is rejected, as returned by monitor_event_decode(). */
#define MONITOR_DECODE_TRUNCATED   (-EBADMSG) /* shorter than the header or the type's layout */
#define MONITOR_DECODE_BAD_VERSION (-EPROTO)  /* unknown version for the type */
#define MONITOR_DECODE_BAD_TYPE	   (-EPROTONOSUPPORT) /* unknown record type */
#define MONITOR_DECODE_MALFORMED   (-EINVAL)	      /* lengths or fields inconsistent */

/**
 * monitor_event_decode() - validate @size bytes at @data and fill @ret (process names left empty:
 * exe/args/parent_exe point to ""; path == path_raw). Strings point into @buf.
 * Returns 0 or one of the MONITOR_DECODE_* codes; @ret is then unspecified.
 */
int monitor_event_decode(const void *data, size_t size, MonitorEvent *ret, MonitorDecodeBuf *buf);
