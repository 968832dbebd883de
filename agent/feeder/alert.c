/* SPDX-License-Identifier: Apache-2.0 */
/*
 * alert.c: the fixed vocabulary of records: Type, Operation and Action strings, MESSAGE_IDs and the
 * PRIORITY mapping documented in feeder.h.
 */
#include <string.h>
#include <syslog.h>

#include "feeder/feeder.h"

static const char *const type_table[_ALERT_TYPE_MAX] = {
	[ALERT_TYPE_MATCHED_HOST_POLICY] = "MatchedHostPolicy",
	[ALERT_TYPE_MATCHED_POLICY] = "MatchedPolicy",
	[ALERT_TYPE_HOST_LOG] = "HostLog",
	[ALERT_TYPE_CONTAINER_LOG] = "ContainerLog",
	[ALERT_TYPE_SYSTEM_EVENT] = "SystemEvent",
};

static const char *const operation_table[_ALERT_OP_MAX] = {
	[ALERT_OP_PROCESS] = "Process",
	[ALERT_OP_FILE] = "File",
	[ALERT_OP_NETWORK] = "Network",
	[ALERT_OP_CAPABILITIES] = "Capabilities",
	[ALERT_OP_SYSCALL] = "Syscall",
	[ALERT_OP_DEVICE] = "Device",
	[ALERT_OP_NETWORK_FIREWALL] = "NetworkFirewall",
	[ALERT_OP_ALERT_THRESHOLD] = "AlertThreshold",
};

static const char *const action_table[_ALERT_ACTION_MAX] = {
	[ALERT_ACTION_ALLOW] = "Allow",
	[ALERT_ACTION_AUDIT] = "Audit",
	[ALERT_ACTION_BLOCK] = "Block",
	[ALERT_ACTION_AUDIT_ALLOW] = "Audit (Allow)",
	[ALERT_ACTION_AUDIT_BLOCK] = "Audit (Block)",
};

static const char *const message_id_table[_ALERT_TYPE_MAX] = {
	[ALERT_TYPE_MATCHED_HOST_POLICY] = FEEDER_MESSAGE_ID_MATCHED_HOST_POLICY,
	[ALERT_TYPE_MATCHED_POLICY] = FEEDER_MESSAGE_ID_MATCHED_POLICY,
	[ALERT_TYPE_HOST_LOG] = FEEDER_MESSAGE_ID_HOST_LOG,
	[ALERT_TYPE_CONTAINER_LOG] = FEEDER_MESSAGE_ID_CONTAINER_LOG,
	[ALERT_TYPE_SYSTEM_EVENT] = FEEDER_MESSAGE_ID_SYSTEM_EVENT,
};

static const char *table_lookup(const char *const *table, size_t n, int i)
{
	if (i <= 0 || (size_t)i >= n)
		return NULL;
	return table[i];
}

static int table_find(const char *const *table, size_t n, const char *s)
{
	if (!s)
		return -EINVAL;
	for (size_t i = 1; i < n; i++)
		if (table[i] && streq(table[i], s))
			return (int)i;
	return -EINVAL;
}

const char *alert_type_to_string(AlertType t)
{
	return table_lookup(type_table, ELEMENTSOF(type_table), (int)t);
}

const char *alert_operation_to_string(AlertOperation op)
{
	return table_lookup(operation_table, ELEMENTSOF(operation_table), (int)op);
}

const char *alert_action_to_string(AlertAction a)
{
	return table_lookup(action_table, ELEMENTSOF(action_table), (int)a);
}

int alert_type_from_string(const char *s)
{
	return table_find(type_table, ELEMENTSOF(type_table), s);
}

int alert_operation_from_string(const char *s)
{
	return table_find(operation_table, ELEMENTSOF(operation_table), s);
}

int alert_action_from_string(const char *s)
{
	return table_find(action_table, ELEMENTSOF(action_table), s);
}

const char *alert_type_message_id(AlertType t)
{
	return table_lookup(message_id_table, ELEMENTSOF(message_id_table), (int)t);
}

int alert_priority(const Alert *a)
{
	switch (a->type) {
	case ALERT_TYPE_MATCHED_HOST_POLICY:
	case ALERT_TYPE_MATCHED_POLICY:
		if (a->action == ALERT_ACTION_BLOCK)
			return a->severity >= 7 ? LOG_ERR : LOG_WARNING;
		return LOG_NOTICE;
	case ALERT_TYPE_HOST_LOG:
	case ALERT_TYPE_CONTAINER_LOG:
		return LOG_INFO;
	case ALERT_TYPE_SYSTEM_EVENT:
	default:
		return LOG_WARNING;
	}
}
