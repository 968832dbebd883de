/* SPDX-License-Identifier: Apache-2.0 */
/* aa-audit.c: the kernel's AppArmor audit records → EnforcerEvents. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/macro.h"
#include "enforcer/apparmor/aa-profile.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Fields whose value is text: the kernel writes them quoted, or hex-encoded when they contain a
 * space, a quote or a control character. */
static const char *const text_fields[] = {"apparmor",  "operation",	 "profile",	"name",
					  "comm",      "requested_mask", "denied_mask", "family",
					  "sock_type", "capname"};

int aa_audit_parse(const char *text, size_t len, AaAuditRecord *ret)
{
	const char *p = text, *end = text + len;
	size_t used = 0;

	*ret = (AaAuditRecord){.pid = 0, .fsuid = -1, .ouid = -1, .protocol = -1, .capability = -1};
	if (!memmem(text, len, "apparmor=", 9))
		return -EINVAL;

	while (p < end) {
		const char *key, *val, *vend;
		size_t klen;

		while (p < end && *p == ' ')
			p++;
		key = p;
		while (p < end && *p != '=' && *p != ' ')
			p++;
		if (p >= end || *p != '=') {
			while (p < end && *p != ' ')
				p++;
			continue;
		}
		klen = (size_t)(p - key);
		p++;
		if (p < end && *p == '"') {
			val = ++p;
			while (p < end && *p != '"')
				p++;
			vend = p;
			if (p < end)
				p++;
		} else {
			val = p;
			while (p < end && *p != ' ')
				p++;
			vend = p;
		}

		for (size_t i = 0; i < ELEMENTSOF(text_fields); i++) {
			size_t vlen = (size_t)(vend - val);
			bool hex = val > text && val[-1] != '"' && vlen > 0 && vlen % 2 == 0;
			char *dst;

			if (strlen(text_fields[i]) != klen || !strneq(key, text_fields[i], klen))
				continue;
			for (size_t j = 0; hex && j < vlen; j++)
				hex = hexval(val[j]) >= 0 && !(val[j] >= 'a' && val[j] <= 'f');
			if (used + vlen + 1 > sizeof(ret->buf))
				return -E2BIG;
			dst = ret->buf + used;
			if (hex) {
				for (size_t j = 0; j < vlen; j += 2)
					dst[j / 2] =
						(char)(hexval(val[j]) << 4 | hexval(val[j + 1]));
				dst[vlen / 2] = 0;
				used += vlen / 2 + 1;
			} else {
				memcpy(dst, val, vlen);
				dst[vlen] = 0;
				used += vlen + 1;
			}
			switch (i) {
			case 0:
				ret->apparmor = dst;
				break;
			case 1:
				ret->operation = dst;
				break;
			case 2:
				ret->profile = dst;
				break;
			case 3:
				ret->name = dst;
				break;
			case 4:
				ret->comm = dst;
				break;
			case 5:
				ret->requested_mask = dst;
				break;
			case 6:
				ret->denied_mask = dst;
				break;
			case 7:
				ret->family = dst;
				break;
			case 8:
				ret->sock_type = dst;
				break;
			case 9:
				ret->capname = dst;
				break;
			}
		}
		if (klen == 3 && strneq(key, "pid", 3))
			ret->pid = (pid_t)strtol(val, NULL, 10);
		else if (klen == 5 && strneq(key, "fsuid", 5))
			ret->fsuid = strtol(val, NULL, 10);
		else if (klen == 4 && strneq(key, "ouid", 4))
			ret->ouid = strtol(val, NULL, 10);
		else if (klen == 8 && strneq(key, "protocol", 8))
			ret->protocol = (int)strtol(val, NULL, 10);
		else if (klen == 10 && strneq(key, "capability", 10))
			ret->capability = (int)strtol(val, NULL, 10);
	}
	if (!ret->apparmor || !ret->operation)
		return -EINVAL;
	return 0;
}

bool aa_audit_is_ours(const AaAuditRecord *rec)
{
	size_t l = strlen(AA_PROFILE_PREFIX);
	const char *p = rec->profile;

	if (!p)
		return false;
	/* A stack "a//&b" holds ours if any part is ours. */
	for (;;) {
		if (strneq(p, AA_PROFILE_PREFIX, l) && (p[l] == 0 || p[l] == '-' || p[l] == '/'))
			return true;
		p = strstr(p, "//&");
		if (!p)
			return false;
		p += 3;
	}
}

static const struct {
	const char *name;
	int value;
} families[] = {{"unix", AF_UNIX},     {"inet", AF_INET},	    {"inet6", AF_INET6},
		{"packet", AF_PACKET}, {"netlink", AF_NETLINK},	    {"ax25", AF_AX25},
		{"ipx", AF_IPX},       {"appletalk", AF_APPLETALK}, {"bluetooth", AF_BLUETOOTH},
		{"tipc", AF_TIPC},     {"vsock", AF_VSOCK},	    {"can", AF_CAN}},
  types[] = {{"stream", SOCK_STREAM}, {"dgram", SOCK_DGRAM},	     {"raw", SOCK_RAW},
	     {"rdm", SOCK_RDM},	      {"seqpacket", SOCK_SEQPACKET}, {"dccp", SOCK_DCCP},
	     {"packet", 10}},
  protocols[] = {{"ICMP", 1}, {"TCP", 6}, {"UDP", 17}, {"ICMPV6", 58}, {"SCTP", 132}, {"RAW", 255}};

static int lookup(const char *name, bool by_value, int value, const void *table, size_t n,
		  const char **ret_name)
{
	const struct {
		const char *name;
		int value;
	} *t = table;

	for (size_t i = 0; i < n; i++)
		if (by_value ? t[i].value == value : (name && streq(name, t[i].name))) {
			if (ret_name)
				*ret_name = t[i].name;
			return t[i].value;
		}
	return -1;
}

static void upper(char *dst, size_t size, const char *src)
{
	size_t i = 0;

	for (; src[i] && i + 1 < size; i++)
		dst[i] = (char)toupper((unsigned char)src[i]);
	dst[i] = 0;
}

static void read_exe(const char *procfs, pid_t pid, char *buf, size_t size, const char **ret)
{
	char p[64];
	ssize_t n;

	*ret = NULL;
	if (!procfs || pid <= 0)
		return;
	snprintf(p, sizeof p, "%s/%d/exe", procfs, (int)pid);
	n = readlink(p, buf, size - 1);
	if (n <= 0)
		return;
	buf[n] = 0;
	*ret = buf;
}

/* ppid and real uid from /proc/<pid>/status. */
static void read_status(const char *procfs, pid_t pid, pid_t *ppid, uid_t *uid)
{
	char p[64], line[256];
	_cleanup_fclose_ FILE *f = NULL;

	if (!procfs || pid <= 0)
		return;
	snprintf(p, sizeof p, "%s/%d/status", procfs, (int)pid);
	f = fopen(p, "re");
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		if (strneq(line, "PPid:", 5))
			*ppid = (pid_t)strtol(line + 5, NULL, 10);
		else if (strneq(line, "Uid:", 4))
			*uid = (uid_t)strtoul(line + 4, NULL, 10);
	}
}

int aa_audit_to_event(const AaAuditRecord *rec, const char *procfs, EnforcerEvent *ev,
		      char scratch[4][4096])
{
	const char *op = rec->operation;
	bool denied = rec->apparmor && streq(rec->apparmor, "DENIED");
	const char *fam_name = NULL, *type_name = NULL, *proto_name = NULL;

	*ev = (EnforcerEvent){.pid = rec->pid,
			      .uid = (uid_t)-1,
			      .domain = -1,
			      .type = -1,
			      .protocol = -1,
			      .capability = -1};
	if (!rec->apparmor || (!denied && !streq(rec->apparmor, "AUDIT")))
		return -EINVAL;
	ev->action = denied ? ACTION_BLOCK : ACTION_AUDIT;

	if (rec->capname || streq(op, "capable")) {
		ev->class = RULE_CLASS_CAPABILITY;
		ev->capability = rec->capability;
		ev->error = denied ? EPERM : 0;
		memcpy(scratch[2], "CAP_", 4);
		upper(scratch[2] + 4, 4092, rec->capname ?: "unknown");
		ev->resource = scratch[2];
	} else if (rec->family) {
		ev->class = RULE_CLASS_NETWORK;
		ev->error = denied ? EACCES : 0;
		ev->domain =
			lookup(rec->family, false, 0, families, ELEMENTSOF(families), &fam_name);
		ev->type = lookup(rec->sock_type, false, 0, types, ELEMENTSOF(types), &type_name);
		ev->protocol = rec->protocol;
		if (rec->protocol >= 0)
			lookup(NULL, true, rec->protocol, protocols, ELEMENTSOF(protocols),
			       &proto_name);
		{
			char fam[32], typ[32], proto[16];

			upper(fam, sizeof fam, rec->family);
			upper(typ, sizeof typ, rec->sock_type ?: "unknown");
			if (proto_name)
				snprintf(proto, sizeof proto, "%s", proto_name);
			else
				snprintf(proto, sizeof proto, "%d", MAX(rec->protocol, 0));
			snprintf(scratch[2], 4096, "domain=AF_%s type=SOCK_%s protocol=%s", fam,
				 typ, proto);
		}
		ev->resource = scratch[2];
	} else if (streq(op, "exec")) {
		ev->class = RULE_CLASS_PROCESS;
		ev->access = RULE_ACCESS_EXEC;
		ev->error = denied ? EACCES : 0;
		ev->resource = rec->name;
	} else if (rec->name && rec->requested_mask) {
		ev->class = RULE_CLASS_FILE;
		ev->error = denied ? EACCES : 0;
		ev->access = strpbrk(rec->requested_mask, "wacdl") ? RULE_ACCESS_WRITE
								   : RULE_ACCESS_READ;
		if (strchr(rec->requested_mask, 'x') && !strpbrk(rec->requested_mask, "rwacdl"))
			ev->access = RULE_ACCESS_EXEC;
		ev->resource = rec->name;
	} else
		return -EINVAL;

	snprintf(scratch[3], 4096,
		 "apparmor=%s operation=%s profile=%s requested_mask=%s denied_mask=%s",
		 rec->apparmor, op, rec->profile ?: "", rec->requested_mask ?: "",
		 rec->denied_mask ?: "");
	ev->data = scratch[3];
	if (rec->fsuid >= 0)
		ev->uid = (uid_t)rec->fsuid;
	read_status(procfs, rec->pid, &ev->ppid, &ev->uid);
	read_exe(procfs, rec->pid, scratch[0], 4096, &ev->subject);
	read_exe(procfs, ev->ppid, scratch[1], 4096, &ev->parent);
	ev->policy_name = NULL;
	return 0;
}
