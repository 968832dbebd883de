/* SPDX-License-Identifier: Apache-2.0 */
#include <arpa/inet.h>
#include <ctype.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "core/strv.h"
#include "daemon/conf.h"
#include "daemon/match.h"

#define ENFORCER_MONITOR "eBPF Monitor"

void match_context_init(MatchContext *ctx, const RuleSet *rules, unsigned visibility,
			const char *enforcer)
{
	*ctx = (MatchContext){.rules = rules, .visibility = visibility, .enforcer = enforcer};
	for (int c = 0; rules && c < _RULE_CLASS_MAX; c++)
		for (size_t i = 0; i < rules->classes[c].n_rules; i++) {
			const Rule *r = &rules->classes[c].rules[i];

			if (r->owner_only)
				ctx->needs_owner[c] = true;
			if (r->pts != PTS_UNSET)
				ctx->needs_tty[c] = true;
		}
}

/* x86-64 (asm-generic) open flag values as the syscall receives them. */
static const struct {
	unsigned long bit;
	const char *name;
} open_flags[] = {
	{00000100, "O_CREAT"},	  {00000200, "O_EXCL"},	     {00000400, "O_NOCTTY"},
	{00001000, "O_TRUNC"},	  {00002000, "O_APPEND"},    {00004000, "O_NONBLOCK"},
	{04010000, "O_SYNC"},	  {00010000, "O_DSYNC"},     {00020000, "O_ASYNC"},
	{00040000, "O_DIRECT"},	  {00100000, "O_LARGEFILE"}, {00200000, "O_DIRECTORY"},
	{00400000, "O_NOFOLLOW"}, {01000000, "O_NOATIME"},   {02000000, "O_CLOEXEC"},
	{010000000, "O_PATH"},	  {020200000, "O_TMPFILE"},
};

void match_format_open_flags(unsigned long flags, char *buf, size_t n)
{
	static const char *const acc[] = {"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"};
	size_t len;

	(void)snprintf(buf, n, "%s", acc[flags & 3]);
	flags &= ~3UL;
	for (size_t i = 0; i < ELEMENTSOF(open_flags); i++) {
		if ((flags & open_flags[i].bit) != open_flags[i].bit)
			continue;
		flags &= ~open_flags[i].bit;
		len = strlen(buf);
		(void)snprintf(buf + len, n - len, "|%s", open_flags[i].name);
	}
	if (flags) {
		len = strlen(buf);
		(void)snprintf(buf + len, n - len, "|0%lo", flags);
	}
}

const char *match_errno_result(int64_t ret, char *buf, size_t n)
{
	if (ret >= 0)
		return "Passed";
	if (ret < -4095) {
		(void)snprintf(buf, n, "Unknown error");
		return buf;
	}
	(void)snprintf(buf, n, "%s", strerror((int)-ret));
	return buf;
}

static bool result_matchable(int64_t ret)
{
	return ret >= 0 || ret == -EPERM || ret == -EACCES;
}

static bool open_is_write(unsigned long flags)
{
	return (flags & 3) != 0 || (flags & (00000100 | 00001000 | 00002000 | 020000000));
}

static const char *family_name(int f, char *buf, size_t n)
{
	switch (f) {
	case AF_UNIX:
		return "AF_UNIX";
	case AF_INET:
		return "AF_INET";
	case AF_INET6:
		return "AF_INET6";
	case AF_NETLINK:
		return "AF_NETLINK";
	case AF_PACKET:
		return "AF_PACKET";
	default:
		(void)snprintf(buf, n, "%d", f);
		return buf;
	}
}

static const char *socktype_name(int t, char *buf, size_t n)
{
	switch (t & 0xf) {
	case SOCK_STREAM:
		return "SOCK_STREAM";
	case SOCK_DGRAM:
		return "SOCK_DGRAM";
	case SOCK_RAW:
		return "SOCK_RAW";
	case SOCK_RDM:
		return "SOCK_RDM";
	case SOCK_SEQPACKET:
		return "SOCK_SEQPACKET";
	case SOCK_DCCP:
		return "SOCK_DCCP";
	case SOCK_PACKET:
		return "SOCK_PACKET";
	default:
		(void)snprintf(buf, n, "%d", t & 0xf);
		return buf;
	}
}

static const char *ipproto_name(int p, char *buf, size_t n)
{
	switch (p) {
	case IPPROTO_TCP:
		return "TCP";
	case IPPROTO_UDP:
		return "UDP";
	case IPPROTO_ICMP:
		return "ICMP";
	case IPPROTO_ICMPV6:
		return "ICMPv6";
	case IPPROTO_SCTP:
		return "SCTP";
	case IPPROTO_RAW:
		return "RAW";
	default:
		(void)snprintf(buf, n, "%d", p);
		return buf;
	}
}

static void format_sockaddr(const void *addr, size_t len, char *buf, size_t n)
{
	sa_family_t fam;
	char a[INET6_ADDRSTRLEN] = "", tmp[16];

	buf[0] = '\0';
	if (!addr || len < sizeof(sa_family_t))
		return;
	memcpy(&fam, addr, sizeof(fam));
	if (fam == AF_INET && len >= sizeof(struct sockaddr_in)) {
		struct sockaddr_in sin;

		memcpy(&sin, addr, sizeof(sin));
		(void)inet_ntop(AF_INET, &sin.sin_addr, a, sizeof(a));
		(void)snprintf(buf, n, "sa_family=AF_INET sin_port=%u sin_addr=%s",
			       ntohs(sin.sin_port), a);
	} else if (fam == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 sin6;

		memcpy(&sin6, addr, sizeof(sin6));
		(void)inet_ntop(AF_INET6, &sin6.sin6_addr, a, sizeof(a));
		(void)snprintf(buf, n, "sa_family=AF_INET6 sin6_port=%u sin6_addr=%s",
			       ntohs(sin6.sin6_port), a);
	} else if (fam == AF_UNIX && len > sizeof(sa_family_t)) {
		const char *p = (const char *)addr + sizeof(sa_family_t);
		size_t pl = strnlen(p, len - sizeof(sa_family_t));

		/* Abstract sockets start with a NUL: shown with '@'. */
		if (pl == 0 && len > sizeof(sa_family_t) + 1)
			(void)snprintf(buf, n, "sa_family=AF_UNIX sun_path=@%.*s",
				       (int)strnlen(p + 1, len - sizeof(sa_family_t) - 1), p + 1);
		else
			(void)snprintf(buf, n, "sa_family=AF_UNIX sun_path=%.*s", (int)pl, p);
	} else
		(void)snprintf(buf, n, "sa_family=%s", family_name(fam, tmp, sizeof(tmp)));
}

/* "SYS_UNLINKAT" → "unlinkat"; "SYS_UMOUNT2" → "umount2". */
static void syscall_rule_name(const char *sys, char *buf, size_t n)
{
	size_t i = 0;

	if (!sys) {
		buf[0] = '\0';
		return;
	}
	if (strneq(sys, "SYS_", 4))
		sys += 4;
	for (; sys[i] && i + 1 < n; i++)
		buf[i] = (char)tolower((unsigned char)sys[i]);
	buf[i] = '\0';
}

static bool subject_owns(const char *path, uint32_t uid)
{
	struct stat st;

	return path && stat(path, &st) == 0 && st.st_uid == uid;
}

static bool has_tty(uint32_t pid)
{
	char p[64], buf[512];
	const char *c;
	int tty = 0;
	FILE *f;

	(void)snprintf(p, sizeof(p), "/proc/%u/stat", pid);
	f = fopen(p, "re");
	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return false;
	}
	fclose(f);
	/* Field 7 (tty_nr), counted after the ")" that closes comm. */
	c = strrchr(buf, ')');
	if (!c || sscanf(c + 1, " %*c %*d %*d %*d %d", &tty) != 1)
		return false;
	return tty != 0;
}

static void fill_common(const MonitorEvent *ev, MatchRecord *rec, AlertOperation op)
{
	Alert *a = &rec->alert;

	*a = (Alert){0};
	a->host_pid = (int32_t)ev->proc.pid;
	a->host_ppid = (int32_t)ev->proc.ppid;
	a->pid = (int32_t)ev->proc.ns_pid;
	a->ppid = (int32_t)ev->proc.ns_ppid;
	a->uid = ev->proc.uid;
	a->process_name = isempty(ev->proc.exe) ? NULL : ev->proc.exe;
	a->parent_process_name = isempty(ev->proc.parent_exe) ? NULL : ev->proc.parent_exe;
	a->source = a->process_name;
	a->operation = op;
	a->resource = rec->resource;
	a->data = rec->data;
	a->result = match_errno_result(ev->ret, rec->result, sizeof(rec->result));
	a->executable_name = ev->proc.comm[0] ? ev->proc.comm : NULL;
}

/* Turns a decision into an alert (returns true) or leaves the record as telemetry. */
static bool apply_decision(const MatchContext *ctx, const RuleDecision *d, MatchRecord *rec,
			   bool denied)
{
	Alert *a = &rec->alert;
	RuleAction v = d->verdict;

	if (d->decider == RULE_DECIDER_NONE || v == ACTION_ALLOW)
		return false;
	/* Block decided in the kernel: the enforcer's event is the alert. */
	if (v == ACTION_BLOCK && ctx->enforcer &&
	    (d->decider == RULE_DECIDER_POSTURE ||
	     (ctx->rule_enforced && ctx->rule_enforced(d->rule, ctx->userdata))))
		return false;
	if (d->decider == RULE_DECIDER_RULE) {
		a->policy_name = d->rule->policy->name;
		a->severity = d->rule->meta->severity;
		a->tags = d->rule->meta->tags;
		a->message = d->rule->meta->message;
	} else
		a->policy_name = "DefaultPosture";
	a->type = ALERT_TYPE_MATCHED_HOST_POLICY;
	a->enforcer = ENFORCER_MONITOR;
	if (v == ACTION_AUDIT)
		a->action = ALERT_ACTION_AUDIT;
	else if (ctx->enforcer && denied)
		a->action = ALERT_ACTION_BLOCK;
	else
		a->action = ALERT_ACTION_AUDIT_BLOCK; /* nothing blocked it */
	return true;
}

static bool telemetry(const MatchContext *ctx, unsigned vis_bit, MatchRecord *rec)
{
	if (!(ctx->visibility & vis_bit))
		return false;
	rec->alert.type = ALERT_TYPE_HOST_LOG;
	return true;
}

static int match_exec(const MatchContext *ctx, const MonitorEvent *ev, MatchRecord *rec)
{
	_cleanup_strv_free_ char **args = NULL;
	RuleDecision d = {};
	RuleOp op = {
		.class = RULE_CLASS_PROCESS,
		.access = RULE_ACCESS_EXEC,
	};

	fill_common(ev, rec, ALERT_OP_PROCESS);
	rec->alert.source = rec->alert.parent_process_name;
	op.subject = rec->alert.parent_process_name;
	op.path = !isempty(ev->proc.exe) ? ev->proc.exe : ev->filename;
	if (isempty(op.path))
		return telemetry(ctx, VISIBILITY_PROCESS, rec);

	(void)snprintf(rec->resource, sizeof(rec->resource), "%s%s%s", op.path,
		       isempty(ev->proc.args) ? "" : " ", ev->proc.args ?: "");
	(void)snprintf(rec->data, sizeof(rec->data), "syscall=SYS_EXECVE");

	if (ctx->rules) {
		for (size_t i = 1; i < ev->argc; i++)
			if (strv_extend(&args, ev->argv[i]) < 0)
				return -ENOMEM;
		op.args = args;
		op.args_known = !(ev->flags & AGENT_F_ARGS_TRUNC);
		if (ctx->needs_owner[RULE_CLASS_PROCESS])
			op.owner = subject_owns(op.path, ev->proc.uid);
		if (ctx->needs_tty[RULE_CLASS_PROCESS])
			op.tty = has_tty(ev->proc.pid);
		if (rule_set_decide(ctx->rules, &op, &d) == 0 &&
		    apply_decision(ctx, &d, rec, false))
			return 1;
	}
	return telemetry(ctx, VISIBILITY_PROCESS, rec);
}

static int match_file_path(const MatchContext *ctx, const MonitorEvent *ev, MatchRecord *rec,
			   RuleAccess access)
{
	RuleDecision d = {};
	RuleOp op = {
		.class = RULE_CLASS_FILE,
		.subject = isempty(ev->proc.exe) ? NULL : ev->proc.exe,
		.path = ev->path,
		.access = access,
	};

	if (!ctx->rules || isempty(ev->path) || !result_matchable(ev->ret))
		return 0;
	if (ctx->needs_owner[RULE_CLASS_FILE])
		op.owner = subject_owns(ev->path, ev->proc.uid);
	if (ctx->needs_tty[RULE_CLASS_FILE])
		op.tty = has_tty(ev->proc.pid);
	if (rule_set_decide(ctx->rules, &op, &d) < 0)
		return 0;
	return apply_decision(ctx, &d, rec, ev->ret == -EPERM || ev->ret == -EACCES);
}

static int match_file(const MatchContext *ctx, const MonitorEvent *ev, MatchRecord *rec)
{
	char flags[256];
	unsigned long fl;

	fill_common(ev, rec, ALERT_OP_FILE);
	(void)snprintf(rec->resource, sizeof(rec->resource), "%s", ev->path ?: "");
	switch (ev->op) {
	case AGENT_OP_OPEN:
		fl = ev->args[1];
		match_format_open_flags(fl, flags, sizeof(flags));
		(void)snprintf(rec->data, sizeof(rec->data), "syscall=%s flags=%s",
			       ev->syscall ?: "SYS_OPEN", flags);
		break;
	default: /* openat, openat2 */
		fl = ev->args[2];
		match_format_open_flags(fl, flags, sizeof(flags));
		(void)snprintf(rec->data, sizeof(rec->data), "syscall=%s fd=%d flags=%s",
			       ev->syscall ?: "SYS_OPENAT", (int)ev->args[0], flags);
		break;
	}
	if (match_file_path(ctx, ev, rec, open_is_write(fl) ? RULE_ACCESS_WRITE : RULE_ACCESS_READ))
		return 1;
	return telemetry(ctx, VISIBILITY_FILE, rec);
}

/* unlink*, rmdir, chown*, setuid, setgid, ptrace, mount, umount2. */
static int match_syscall(const MatchContext *ctx, const MonitorEvent *ev, MatchRecord out[])
{
	char name[32];
	MatchRecord *rec = &out[0];
	const Rule *sr;
	bool file_op = false;
	unsigned vis = VISIBILITY_CAPABILITIES;
	int n = 0;

	fill_common(ev, rec, ALERT_OP_FILE);
	(void)snprintf(rec->resource, sizeof(rec->resource), "%s", ev->path ?: "");
	switch (ev->op) {
	case AGENT_OP_UNLINK:
	case AGENT_OP_RMDIR:
		(void)snprintf(rec->data, sizeof(rec->data), "syscall=%s", ev->syscall);
		file_op = true;
		break;
	case AGENT_OP_UNLINKAT:
		(void)snprintf(rec->data, sizeof(rec->data), "syscall=%s flags=%s", ev->syscall,
			       (ev->args[2] & AT_REMOVEDIR) ? "AT_REMOVEDIR" : "");
		file_op = true;
		break;
	case AGENT_OP_CHOWN:
		(void)snprintf(rec->data, sizeof(rec->data), "syscall=%s userid=%d group=%d",
			       ev->syscall, (int)ev->args[1], (int)ev->args[2]);
		file_op = true;
		break;
	case AGENT_OP_FCHOWNAT:
		(void)snprintf(rec->data, sizeof(rec->data),
			       "syscall=%s userid=%d group=%d mode=%d", ev->syscall,
			       (int)ev->args[2], (int)ev->args[3], (int)ev->args[4]);
		file_op = true;
		break;
	case AGENT_OP_SETUID:
		(void)snprintf(rec->data, sizeof(rec->data), "syscall=%s userid=%d", ev->syscall,
			       (int)ev->args[0]);
		break;
	case AGENT_OP_SETGID:
		(void)snprintf(rec->data, sizeof(rec->data), "syscall=%s groupid=%d", ev->syscall,
			       (int)ev->args[0]);
		break;
	case AGENT_OP_PTRACE:
		(void)snprintf(rec->data, sizeof(rec->data), "syscall=%s request=%d pid=%d",
			       ev->syscall, (int)ev->args[0], (int)ev->args[1]);
		break;
	case AGENT_OP_MOUNT:
		(void)snprintf(rec->data, sizeof(rec->data),
			       "syscall=%s source=%s target=%s filesystem=%s mountflag=%llu",
			       ev->syscall, ev->source ?: "", ev->path ?: "", ev->fstype ?: "",
			       (unsigned long long)ev->args[3]);
		break;
	case AGENT_OP_UMOUNT2:
		(void)snprintf(rec->data, sizeof(rec->data), "syscall=%s target=%s flag=%d",
			       ev->syscall, ev->path ?: "", (int)ev->args[1]);
		break;
	default:
		(void)snprintf(rec->data, sizeof(rec->data), "syscall=%s", ev->syscall ?: "");
		break;
	}
	if (file_op) {
		vis = VISIBILITY_FILE;
		if (match_file_path(ctx, ev, rec, RULE_ACCESS_WRITE))
			n = 1;
	} else {
		rec->alert.operation = ALERT_OP_SYSCALL;
		if (ev->op == AGENT_OP_SETUID || ev->op == AGENT_OP_SETGID)
			rec->resource[0] = '\0';
	}

	/* Syscall rules: a second record when the file rules already gave an alert. */
	syscall_rule_name(ev->syscall, name, sizeof(name));
	sr = ctx->rules && ev->ret >= 0
		     ? rule_set_match_syscall(ctx->rules, name, ev->path,
					      isempty(ev->proc.exe) ? NULL : ev->proc.exe)
		     : NULL;
	if (sr) {
		MatchRecord *s = &out[n];
		RuleDecision d = {
			.verdict = ACTION_AUDIT, .decider = RULE_DECIDER_RULE, .rule = sr};

		if (n > 0) {
			memcpy(s->resource, rec->resource, sizeof(s->resource));
			memcpy(s->data, rec->data, sizeof(s->data));
			fill_common(ev, s, ALERT_OP_SYSCALL);
		}
		s->alert.operation = ALERT_OP_SYSCALL;
		(void)apply_decision(ctx, &d, s, false);
		return n + 1;
	}
	if (n > 0)
		return n;
	return telemetry(ctx, vis, rec);
}

static int match_net(const MatchContext *ctx, const MonitorEvent *ev, MatchRecord *rec)
{
	char b1[16], b2[16], b3[16];

	fill_common(ev, rec, ALERT_OP_NETWORK);
	if (ev->op == AGENT_OP_SOCKET) {
		int dom = (int)ev->args[0], type = (int)ev->args[1], proto = (int)ev->args[2];
		int eff = net_effective_protocol(dom, type, proto);
		RuleDecision d = {};
		RuleOp op = {
			.class = RULE_CLASS_NETWORK,
			.subject = isempty(ev->proc.exe) ? NULL : ev->proc.exe,
			.domain = dom,
			.type = type,
			.protocol = proto,
		};

		if (eff >= 0)
			(void)snprintf(rec->resource, sizeof(rec->resource),
				       "domain=%s type=%s protocol=%s",
				       family_name(dom, b1, sizeof(b1)),
				       socktype_name(type, b2, sizeof(b2)),
				       ipproto_name(eff, b3, sizeof(b3)));
		else
			(void)snprintf(rec->resource, sizeof(rec->resource),
				       "domain=%s type=%s protocol=%d",
				       family_name(dom, b1, sizeof(b1)),
				       socktype_name(type, b2, sizeof(b2)), proto);
		(void)snprintf(rec->data, sizeof(rec->data), "syscall=%s",
			       ev->syscall ?: "SYS_SOCKET");
		if (ctx->needs_tty[RULE_CLASS_NETWORK])
			op.tty = has_tty(ev->proc.pid);
		if (ctx->rules && result_matchable(ev->ret) &&
		    rule_set_decide(ctx->rules, &op, &d) == 0 &&
		    apply_decision(ctx, &d, rec, ev->ret == -EPERM || ev->ret == -EACCES))
			return 1;
	} else {
		format_sockaddr(ev->addr, ev->addr_len, rec->resource, sizeof(rec->resource));
		(void)snprintf(rec->data, sizeof(rec->data), "syscall=%s fd=%d", ev->syscall ?: "",
			       (int)ev->args[0]);
	}
	return telemetry(ctx, VISIBILITY_NETWORK, rec);
}

int match_event(const MatchContext *ctx, const MonitorEvent *ev, MatchRecord out[MATCH_RECORDS_MAX])
{
	switch (ev->type) {
	case AGENT_EVT_EXEC:
		return match_exec(ctx, ev, &out[0]);
	case AGENT_EVT_FILE:
		return match_file(ctx, ev, &out[0]);
	case AGENT_EVT_SYSCALL:
		return match_syscall(ctx, ev, out);
	case AGENT_EVT_NET:
		return match_net(ctx, ev, &out[0]);
	default:
		return 0; /* fork, exit: the process tree only */
	}
}
