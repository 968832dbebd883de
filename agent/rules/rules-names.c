/* SPDX-License-Identifier: Apache-2.0 */
/* rules-names.c: protocol and capability names, enum names, postures. */
#include <linux/capability.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "core/macro.h"
#include "rules/rules.h"

#ifndef SOCK_PACKET
#define SOCK_PACKET 10
#endif

static const struct {
	const char *name;
	NetProto np;
	int domain, type, protocol; /* a representative socket() call */
} net_names[] = {
	{"tcp", {NET_PROTO_IP, IPPROTO_TCP}, AF_INET, SOCK_STREAM, IPPROTO_TCP},
	{"udp", {NET_PROTO_IP, IPPROTO_UDP}, AF_INET, SOCK_DGRAM, IPPROTO_UDP},
	{"icmp", {NET_PROTO_IP, IPPROTO_ICMP}, AF_INET, SOCK_DGRAM, IPPROTO_ICMP},
	{"icmpv6", {NET_PROTO_IP, IPPROTO_ICMPV6}, AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6},
	{"sctp", {NET_PROTO_IP, IPPROTO_SCTP}, AF_INET, SOCK_STREAM, IPPROTO_SCTP},
	{"raw", {NET_PROTO_TYPE, SOCK_RAW}, AF_INET, SOCK_RAW, IPPROTO_RAW},
	{"stream", {NET_PROTO_TYPE, SOCK_STREAM}, AF_UNIX, SOCK_STREAM, 0},
	{"dgram", {NET_PROTO_TYPE, SOCK_DGRAM}, AF_UNIX, SOCK_DGRAM, 0},
	{"rdm", {NET_PROTO_TYPE, SOCK_RDM}, AF_TIPC, SOCK_RDM, 0},
	{"seqpacket", {NET_PROTO_TYPE, SOCK_SEQPACKET}, AF_UNIX, SOCK_SEQPACKET, 0},
	{"dccp", {NET_PROTO_TYPE, SOCK_DCCP}, AF_INET, SOCK_DCCP, IPPROTO_DCCP},
	{"packet", {NET_PROTO_PACKET, 0}, AF_PACKET, SOCK_RAW, 0},
	{"all", {NET_PROTO_ALL, 0}, AF_INET, SOCK_STREAM, IPPROTO_TCP},
};

int net_proto_from_name(const char *name, NetProto *ret)
{
	if (!name)
		return -EINVAL;
	for (size_t i = 0; i < ELEMENTSOF(net_names); i++)
		if (strcasecmp(name, net_names[i].name) == 0) {
			*ret = net_names[i].np;
			return 0;
		}
	return -EINVAL;
}

const char *net_proto_to_name(const NetProto *np)
{
	for (size_t i = 0; i < ELEMENTSOF(net_names); i++)
		if (net_names[i].np.kind == np->kind && net_names[i].np.value == np->value)
			return net_names[i].name;
	return NULL;
}

int net_effective_protocol(int domain, int type, int protocol)
{
	if (domain != AF_INET && domain != AF_INET6)
		return -1;
	if (protocol != 0)
		return protocol;
	switch (type & 0xf) {
	case SOCK_STREAM:
		return IPPROTO_TCP;
	case SOCK_DGRAM:
		return IPPROTO_UDP;
	case SOCK_SEQPACKET:
		return IPPROTO_SCTP;
	default:
		return 0;
	}
}

bool net_proto_matches(const NetProto *np, int domain, int type, int protocol)
{
	int t = type & 0xf; /* drops SOCK_NONBLOCK / SOCK_CLOEXEC */

	switch (np->kind) {
	case NET_PROTO_ALL:
		return true;
	case NET_PROTO_IP:
		return net_effective_protocol(domain, t, protocol) == np->value;
	case NET_PROTO_TYPE:
		return t == np->value;
	case NET_PROTO_PACKET:
		return domain == AF_PACKET || t == SOCK_PACKET;
	}
	return false;
}

int net_socket_from_name(const char *name, int *ret_domain, int *ret_type, int *ret_protocol)
{
	char *end;
	long v[3];
	const char *p;

	if (!name)
		return -EINVAL;
	for (size_t i = 0; i < ELEMENTSOF(net_names); i++)
		if (strcasecmp(name, net_names[i].name) == 0) {
			*ret_domain = net_names[i].domain;
			*ret_type = net_names[i].type;
			*ret_protocol = net_names[i].protocol;
			return 0;
		}
	p = name;
	for (int i = 0; i < 3; i++) {
		errno = 0;
		v[i] = strtol(p, &end, 10);
		if (errno || end == p || v[i] < 0 || v[i] > 65535)
			return -EINVAL;
		if (i < 2 && *end != ',')
			return -EINVAL;
		p = end + 1;
	}
	if (*end)
		return -EINVAL;
	*ret_domain = (int)v[0];
	*ret_type = (int)v[1];
	*ret_protocol = (int)v[2];
	return 0;
}

static const char *const cap_names[] = {
	[CAP_CHOWN] = "chown",
	[CAP_DAC_OVERRIDE] = "dac_override",
	[CAP_DAC_READ_SEARCH] = "dac_read_search",
	[CAP_FOWNER] = "fowner",
	[CAP_FSETID] = "fsetid",
	[CAP_KILL] = "kill",
	[CAP_SETGID] = "setgid",
	[CAP_SETUID] = "setuid",
	[CAP_SETPCAP] = "setpcap",
	[CAP_LINUX_IMMUTABLE] = "linux_immutable",
	[CAP_NET_BIND_SERVICE] = "net_bind_service",
	[CAP_NET_BROADCAST] = "net_broadcast",
	[CAP_NET_ADMIN] = "net_admin",
	[CAP_NET_RAW] = "net_raw",
	[CAP_IPC_LOCK] = "ipc_lock",
	[CAP_IPC_OWNER] = "ipc_owner",
	[CAP_SYS_MODULE] = "sys_module",
	[CAP_SYS_RAWIO] = "sys_rawio",
	[CAP_SYS_CHROOT] = "sys_chroot",
	[CAP_SYS_PTRACE] = "sys_ptrace",
	[CAP_SYS_PACCT] = "sys_pacct",
	[CAP_SYS_ADMIN] = "sys_admin",
	[CAP_SYS_BOOT] = "sys_boot",
	[CAP_SYS_NICE] = "sys_nice",
	[CAP_SYS_RESOURCE] = "sys_resource",
	[CAP_SYS_TIME] = "sys_time",
	[CAP_SYS_TTY_CONFIG] = "sys_tty_config",
	[CAP_MKNOD] = "mknod",
	[CAP_LEASE] = "lease",
	[CAP_AUDIT_WRITE] = "audit_write",
	[CAP_AUDIT_CONTROL] = "audit_control",
	[CAP_SETFCAP] = "setfcap",
	[CAP_MAC_OVERRIDE] = "mac_override",
	[CAP_MAC_ADMIN] = "mac_admin",
	[CAP_SYSLOG] = "syslog",
	[CAP_WAKE_ALARM] = "wake_alarm",
	[CAP_BLOCK_SUSPEND] = "block_suspend",
	[CAP_AUDIT_READ] = "audit_read",
	[38] = "perfmon",
	[39] = "bpf",
	[40] = "checkpoint_restore",
};

int rules_capability_from_name(const char *name)
{
	if (!name)
		return -EINVAL;
	if (strncasecmp(name, "cap_", 4) == 0)
		name += 4;
	for (size_t i = 0; i < ELEMENTSOF(cap_names); i++)
		if (cap_names[i] && strcasecmp(name, cap_names[i]) == 0)
			return (int)i;
	return -EINVAL;
}

const char *rules_capability_to_name(int number)
{
	if (number < 0 || (size_t)number >= ELEMENTSOF(cap_names))
		return NULL;
	return cap_names[number];
}

int rules_posture_from_string(const char *s)
{
	if (s && strcasecmp(s, "audit") == 0)
		return ACTION_AUDIT;
	if (s && strcasecmp(s, "block") == 0)
		return ACTION_BLOCK;
	return -EINVAL;
}

static const char *const class_names[_RULE_CLASS_MAX] = {
	[RULE_CLASS_PROCESS] = "process", [RULE_CLASS_FILE] = "file",
	[RULE_CLASS_NETWORK] = "network", [RULE_CLASS_CAPABILITY] = "capabilities",
	[RULE_CLASS_DNS] = "dns",	  [RULE_CLASS_SYSCALL] = "syscalls",
};

const char *rule_class_to_string(RuleClass c)
{
	return (unsigned)c < _RULE_CLASS_MAX ? class_names[c] : NULL;
}

static const char *const match_names[_RULE_MATCH_MAX] = {
	[RULE_MATCH_PATH] = "path",
	[RULE_MATCH_EXECNAME] = "execname",
	[RULE_MATCH_DIR] = "dir",
	[RULE_MATCH_DIR_RECURSIVE] = "dir-recursive",
	[RULE_MATCH_PATTERN] = "pattern",
	[RULE_MATCH_PROTOCOL] = "protocol",
	[RULE_MATCH_CAPABILITY] = "capability",
	[RULE_MATCH_DOMAIN] = "domain",
	[RULE_MATCH_SYSCALL] = "syscall",
};

const char *rule_match_to_string(RuleMatch m)
{
	return (unsigned)m < _RULE_MATCH_MAX ? match_names[m] : NULL;
}

const char *rule_access_to_string(RuleAccess a)
{
	switch (a) {
	case RULE_ACCESS_READ:
		return "read";
	case RULE_ACCESS_WRITE:
		return "write";
	case RULE_ACCESS_EXEC:
		return "exec";
	}
	return NULL;
}
