/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bpflsm-driver.c: drives the BPF-LSM enforcer through enforcer_bpflsm_ops, without the daemon, for
 * the VM tier (a kernel with BPF-LSM). Host policies are read from files, compiled for this host,
 * and applied.
 *
 *   bpflsm-driver run [--posture block] POLICY.yaml...
 *       select "bpf", apply, print "ready", then print one line per kernel event until SIGTERM
 *       (removes enforcement) or SIGHUP (re-reads the files and re-applies; prints "reloaded");
 *       SIGUSR1 exits leaving enforcement pinned (as a restart would).
 *   bpflsm-driver adopt POLICY.yaml...   start over pinned state, reconcile, exit leaving it pinned
 *   bpflsm-driver stop                    adopt pinned state and remove it (systemctl stop)
 *   bpflsm-driver diff [--posture block] DIR POLICY.yaml...
 *       the differential check: apply, then perform a list of real operations on the files below
 * DIR (exec, open for read/write, unlink, rename, chmod, socket, chown) in child processes, and
 * compare each kernel outcome with the reference decision. Prints every disagreement; exit 1 if
 * any. Exit: 0 ok, 1 failure, 77 BPF-LSM not usable here.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/log.h"
#include "core/macro.h"
#include "enforcer/bpflsm/bpflsm.h"
#include "enforcer/enforcer.h"
#include "policy/policy.h"
#include "rules/rules.h"

typedef struct Loaded {
	PolicyFile **files;
	size_t n_files;
	const Policy **policies;
	size_t n_policies;
	Workload *host;
	RuleSet *rs;
} Loaded;

static void loaded_done(Loaded *l)
{
	rule_set_free(l->rs);
	workload_free(l->host);
	for (size_t i = 0; i < l->n_files; i++)
		policy_file_free(l->files[i]);
	free(l->files);
	free(l->policies);
	*l = (Loaded){};
}

static int load(char **paths, size_t n, RuleAction posture, Loaded *ret)
{
	RulePostures post = {posture, posture, posture};
	char host[256] = "";
	Loaded l = {};
	int r;

	l.files = new0(PolicyFile *, n);
	if (!l.files)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		r = policy_file_load(paths[i], &l.files[i]);
		if (r < 0)
			return r;
		l.n_files++;
		if (!policy_file_ok(l.files[i])) {
			fprintf(stderr, "%s: invalid policy file (%zu errors)\n", paths[i],
				policy_file_error_count(l.files[i]));
			loaded_done(&l);
			return -EINVAL;
		}
		for (size_t d = 0; d < l.files[i]->n_docs; d++) {
			const Policy **np = realloc(l.policies, (l.n_policies + 1) * sizeof(*np));

			if (!np)
				return -ENOMEM;
			l.policies = np;
			l.policies[l.n_policies++] = l.files[i]->docs[d].policy;
		}
	}
	(void)gethostname(host, sizeof(host) - 1);
	r = workload_new_host(host[0] ? host : "localhost", NULL, &l.host);
	if (r >= 0)
		r = rule_set_compile(l.policies, l.n_policies, l.host, &post, &l.rs);
	if (r < 0) {
		loaded_done(&l);
		return r;
	}
	*ret = l;
	return 0;
}

static bool quiet_events;
static unsigned n_events;

static void on_event(const EnforcerEvent *ev, void *userdata)
{
	n_events++;
	if (quiet_events)
		return;
	printf("EVENT class=%s action=%s error=%d policy=%s resource=%s data=%s subject=%s "
	       "pid=%d\n",
	       rule_class_to_string(ev->class), rule_action_to_string(ev->action), ev->error,
	       ev->policy_name ?: "-", ev->resource ?: "-", ev->data ?: "-", ev->subject ?: "-",
	       (int)ev->pid);
	fflush(stdout);
}

static int start(EnforcerSelection *sel)
{
	char *order[] = {(char *)"bpf", NULL};
	EnforcerOptions opts = {.self_pid = getpid(), .on_event = on_event};
	int r = enforcer_select(order, &opts, sel);

	if (r < 0)
		return r;
	if (!sel->ops) {
		printf("SKIP: %s\n", sel->summary ?: "no enforcer");
		enforcer_selection_done(sel, false);
		return -EOPNOTSUPP;
	}
	return 0;
}

static void print_status(EnforcerSelection *sel, const RuleSet *rs)
{
	for (int c = 0; c < _RULE_CLASS_MAX; c++)
		for (size_t i = 0; i < rs->classes[c].n_rules; i++) {
			const Rule *r = &rs->classes[c].rules[i];
			const char *reason = NULL;
			RuleEnforcement s = sel->ops->rule_status(sel->enforcer, r, &reason);

			printf("RULE %s %s %s %s%s%s\n", r->policy->name, rule_class_to_string(c),
			       r->target ?: "-", rule_enforcement_to_string(s), reason ? ": " : "",
			       reason ?: "");
		}
}

static RuleAction parse_posture(int *argc, char ***argv)
{
	if (*argc >= 2 && streq((*argv)[0], "--posture")) {
		RuleAction a = streq((*argv)[1], "block") ? ACTION_BLOCK : ACTION_AUDIT;

		*argc -= 2;
		*argv += 2;
		return a;
	}
	return ACTION_AUDIT;
}

static int cmd_run(int argc, char **argv, bool adopt_only)
{
	RuleAction posture = parse_posture(&argc, &argv);
	EnforcerSelection sel = {};
	Loaded l = {};
	sigset_t mask;
	int r, sfd;
	bool remove = true;

	r = load(argv, (size_t)argc, posture, &l);
	if (r < 0)
		return log_error_errno(r, "loading policies: %m");
	r = start(&sel);
	if (r == -EOPNOTSUPP) {
		loaded_done(&l);
		return 77;
	}
	if (r < 0)
		return log_error_errno(r, "enforcer: %m");
	r = sel.ops->apply_host(sel.enforcer, l.host, l.rs);
	if (r < 0) {
		log_error_errno(r, "apply: %m");
		enforcer_selection_done(&sel, false);
		loaded_done(&l);
		return 1;
	}
	print_status(&sel, l.rs);
	printf("ready%s\n", bpflsm_adopted(sel.enforcer) ? " (adopted pinned state)" : "");
	fflush(stdout);
	if (adopt_only) {
		enforcer_selection_done(&sel, false);
		loaded_done(&l);
		return 0;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	for (;;) {
		struct pollfd p[2] = {{.fd = sfd, .events = POLLIN},
				      {.fd = sel.ops->get_fd(sel.enforcer), .events = POLLIN}};
		struct signalfd_siginfo si;

		if (poll(p, 2, 1000) < 0 && errno != EINTR)
			break;
		(void)sel.ops->process(sel.enforcer);
		if (!(p[0].revents & POLLIN))
			continue;
		if (read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo == SIGHUP) {
			Loaded nl = {};

			r = load(argv, (size_t)argc, posture, &nl);
			if (r >= 0)
				r = sel.ops->apply_host(sel.enforcer, nl.host, nl.rs);
			if (r < 0) {
				log_error_errno(r, "reload failed, previous rules stay: %m");
				loaded_done(&nl);
				continue;
			}
			loaded_done(&l);
			l = nl;
			printf("reloaded\n");
			fflush(stdout);
			continue;
		}
		remove = si.ssi_signo != SIGUSR1;
		break;
	}
	enforcer_selection_done(&sel, remove);
	printf("%s\n", remove ? "stopped: enforcement removed" : "exited: enforcement left pinned");
	loaded_done(&l);
	return 0;
}

static int cmd_stop(void)
{
	EnforcerSelection sel = {};
	int r = start(&sel);

	if (r == -EOPNOTSUPP)
		return 77;
	if (r < 0)
		return 1;
	enforcer_selection_done(&sel, true);
	printf("stopped: enforcement removed\n");
	return 0;
}

/* ---- differential ---------------------------------------------------------------------------- */

typedef enum OpKind {
	OP_EXEC,
	OP_READ,
	OP_WRITE,
	OP_UNLINK,
	OP_RENAME,
	OP_CHMOD,
	OP_SOCKET
} OpKind;

/* Performs `k` on `path` in a child; returns 1 if the kernel said EACCES/EPERM, 0 if it passed. */
static int perform(OpKind k, const char *path, int d, int t, int p)
{
	pid_t pid = fork();
	int status = 0;

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int fd, r = 0;
		char tmp[PATH_MAX];

		switch (k) {
		case OP_EXEC:
			execl(path, path, (char *)NULL);
			r = -errno;
			break;
		case OP_READ:
			fd = open(path, O_RDONLY);
			r = fd < 0 ? -errno : 0;
			break;
		case OP_WRITE:
			fd = open(path, O_WRONLY | O_APPEND);
			r = fd < 0 ? -errno : 0;
			break;
		case OP_UNLINK:
			/* a hard link of the file, unlinked: the same inode, so the same decision
			 */
			r = unlink(path) < 0 ? -errno : 0;
			break;
		case OP_RENAME:
			snprintf(tmp, sizeof(tmp), "%s.renamed", path);
			r = rename(path, tmp) < 0 ? -errno : 0;
			if (r == 0)
				(void)rename(tmp, path);
			break;
		case OP_CHMOD: {
			struct stat st;

			/* to the mode it has: the operation is checked, nothing changes */
			r = stat(path, &st) < 0			  ? -errno
			    : chmod(path, st.st_mode & 07777) < 0 ? -errno
								  : 0;
			break;
		}
		case OP_SOCKET:
			fd = socket(d, t, p);
			r = fd < 0 ? -errno : 0;
			break;
		}
		_exit(r == -EACCES || r == -EPERM ? 10 : r < 0 ? 11 : 0);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (!WIFEXITED(status))
		return -EIO;
	return WEXITSTATUS(status) == 10 ? 1 : 0;
}

typedef struct DiffOp {
	OpKind k;
	RuleOp op;
	char path[PATH_MAX];
	const char *name;
	bool base_denied; /* denied by the kernel without any policy (permissions, sysctls) */
} DiffOp;

static int cmd_diff(int argc, char **argv)
{
	RuleAction posture = parse_posture(&argc, &argv);
	static const struct {
		OpKind k;
		RuleClass c;
		RuleAccess a;
		const char *name;
	} kinds[] = {
		{OP_EXEC, RULE_CLASS_PROCESS, RULE_ACCESS_EXEC, "exec"},
		{OP_READ, RULE_CLASS_FILE, RULE_ACCESS_READ, "read"},
		{OP_WRITE, RULE_CLASS_FILE, RULE_ACCESS_WRITE, "write"},
		{OP_RENAME, RULE_CLASS_FILE, RULE_ACCESS_WRITE, "rename"},
		{OP_CHMOD, RULE_CLASS_FILE, RULE_ACCESS_WRITE, "chmod"},
	};
	static const struct {
		int d, t, p;
	} socks[] = {{AF_INET, SOCK_STREAM, 0},	 {AF_INET, SOCK_DGRAM, 0},
		     {AF_INET, SOCK_RAW, 1},	 {AF_INET, SOCK_DGRAM, 1},
		     {AF_INET6, SOCK_DGRAM, 58}, {AF_UNIX, SOCK_STREAM, 0},
		     {AF_UNIX, SOCK_DGRAM, 0},	 {AF_PACKET, SOCK_RAW, 0}};
	EnforcerSelection sel = {};
	_cleanup_free_ DiffOp *ops = NULL;
	size_t n_ops = 0;
	char self[PATH_MAX], cmd[PATH_MAX + 64], line[PATH_MAX];
	Loaded l = {};
	unsigned n = 0, bad = 0, skipped = 0;
	ssize_t sl;
	FILE *f;
	int r;

	quiet_events = true;
	if (argc < 2)
		return log_error_errno(-EINVAL, "diff DIR POLICY...");
	sl = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (sl <= 0)
		return 1;
	self[sl] = 0;

	/* The operations: every file and directory below DIR with each kind, and socket() triples.
	 */
	ops = new0(DiffOp, 4096);
	if (!ops)
		return 1;
	snprintf(cmd, sizeof(cmd), "find '%s' -type f -o -type d", argv[0]);
	f = popen(cmd, "r");
	while (f && fgets(line, sizeof(line), f)) {
		struct stat st;
		char real[PATH_MAX];

		line[strcspn(line, "\n")] = 0;
		if (!realpath(line, real) || stat(real, &st) < 0)
			continue;
		for (size_t k = 0; k < ELEMENTSOF(kinds) && n_ops < 4000; k++) {
			DiffOp *o = &ops[n_ops];

			if (S_ISDIR(st.st_mode) &&
			    (kinds[k].k == OP_EXEC || kinds[k].k == OP_WRITE))
				continue;
			o->k = kinds[k].k;
			o->name = kinds[k].name;
			snprintf(o->path, sizeof(o->path), "%s", real);
			o->op = (RuleOp){.class = kinds[k].c,
					 .path = o->path,
					 .access = kinds[k].a,
					 .subject = self,
					 .owner = st.st_uid == 0};
			n_ops++;
		}
	}
	if (f)
		pclose(f);
	for (size_t s = 0; s < ELEMENTSOF(socks) && n_ops < 4096; s++) {
		DiffOp *o = &ops[n_ops++];

		o->k = OP_SOCKET;
		o->name = "socket";
		snprintf(o->path, sizeof(o->path), "socket(%d,%d,%d)", socks[s].d, socks[s].t,
			 socks[s].p);
		o->op = (RuleOp){.class = RULE_CLASS_NETWORK,
				 .subject = self,
				 .domain = socks[s].d,
				 .type = socks[s].t,
				 .protocol = socks[s].p};
	}

	/* Baseline, without enforcement: what the kernel refuses anyway is not a verdict. */
	for (size_t i = 0; i < n_ops; i++)
		ops[i].base_denied = perform(ops[i].k, ops[i].path, ops[i].op.domain,
					     ops[i].op.type, ops[i].op.protocol) != 0;

	r = load(argv + 1, (size_t)argc - 1, posture, &l);
	if (r < 0)
		return log_error_errno(r, "loading policies: %m");
	r = start(&sel);
	if (r == -EOPNOTSUPP)
		return 77;
	if (r < 0)
		return 1;
	r = sel.ops->apply_host(sel.enforcer, l.host, l.rs);
	if (r < 0) {
		log_error_errno(r, "apply: %m");
		enforcer_selection_done(&sel, true);
		return 1;
	}
	for (size_t i = 0; i < n_ops; i++) {
		DiffOp *o = &ops[i];
		RuleDecision d = {};
		int got;

		if (o->base_denied) {
			skipped++;
			continue;
		}
		if (rule_set_decide(l.rs, &o->op, &d) < 0)
			continue;
		if (o->k == OP_RENAME && d.verdict != ACTION_BLOCK) {
			/* a rename writes both names */
			char to[PATH_MAX + 16];
			RuleOp op2 = o->op;
			RuleDecision d2 = {};

			snprintf(to, sizeof(to), "%s.renamed", o->path);
			op2.path = to;
			if (rule_set_decide(l.rs, &op2, &d2) == 0 && d2.verdict == ACTION_BLOCK)
				d = d2;
		}
		got = perform(o->k, o->path, o->op.domain, o->op.type, o->op.protocol);
		n++;
		if (got < 0 || (got == 1) != (d.verdict == ACTION_BLOCK)) {
			bad++;
			printf("DISAGREE %s %s: kernel %s, reference %s (%s)\n", o->name, o->path,
			       got < 0 ? "error"
			       : got   ? "denied"
				       : "passed",
			       rule_action_to_string(d.verdict),
			       d.rule				   ? d.rule->policy->name
			       : d.decider == RULE_DECIDER_POSTURE ? "posture"
								   : "-");
		}
	}
	(void)sel.ops->process(sel.enforcer);
	enforcer_selection_done(&sel, true);
	loaded_done(&l);
	printf("differential: %u operations, %u disagreements (%u refused by the kernel without "
	       "policy, not compared; %u kernel events)\n",
	       n, bad, skipped, n_events);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s run|adopt|stop|diff ...\n", argv[0]);
		return 2;
	}
	if (streq(argv[1], "run"))
		return cmd_run(argc - 2, argv + 2, false);
	if (streq(argv[1], "adopt"))
		return cmd_run(argc - 2, argv + 2, true);
	if (streq(argv[1], "stop"))
		return cmd_stop();
	if (streq(argv[1], "diff"))
		return cmd_diff(argc - 2, argv + 2);
	fprintf(stderr, "unknown command '%s'\n", argv[1]);
	return 2;
}
