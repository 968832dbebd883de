/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd-explain.c: `kubearmor explain`: load policies exactly as the agent does, select them for one
 * workload, compile its RuleSet, and show the reference decision for one operation with the rule
 * (or the posture) behind it. Nothing here touches the kernel: a policy can be tried before it is
 * dropped into the policy directory.
 *
 * Exit status: 0 the decision was printed and every policy file loaded; 1 the decision was printed
 * but some files were not loaded (they are skipped, as the agent skips them), or nothing could be
 * decided; 2 usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/strv.h"
#include "daemon/verbs.h"
#include "policy/policy.h"
#include "rules/rules.h"

#define EXPLAIN_MAX_FILES 4096
#define EXPLAIN_MAX_ARGS  64

typedef enum OpKind {
	OP_NONE,
	OP_EXEC,
	OP_OPEN,
	OP_SOCKET,
	OP_CAPABILITY,
	OP_DNS,
	OP_SYSCALL,
} OpKind;

typedef struct ExplainArgs {
	char **policies;
	const char *workload;
	const char *hostname;
	const char *namespace;
	char **labels;
	RulePostures postures;
	OpKind op;
	const char *target;
	const char *source;
	const char *path;
	char **args;
	bool args_given;
	bool write, owner, tty, verbose;
} ExplainArgs;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: kubearmor explain --policies PATH --workload host|KEY=VALUE,... OPERATION "
		"[OPTIONS]\n"
		"\n"
		"Show the decision the policies give for one operation of one workload, and the "
		"rule\n"
		"(or default posture) behind it. Nothing is enforced.\n"
		"\n"
		"  -p --policies PATH         A policy file, or a directory of *.yaml/*.yml files "
		"(repeatable)\n"
		"  -w --workload host|K=V,... The host, or a container given by its labels\n"
		"     --hostname NAME         Host name of the host workload (default: this "
		"host's)\n"
		"     --label K=V             An extra host label, as from the config file "
		"(repeatable)\n"
		"     --namespace NS          The container's namespace\n"
		"     --file-posture audit|block, --network-posture ..., --capabilities-posture "
		"...\n"
		"                             Default postures (default: audit)\n"
		"\n"
		"Operation (exactly one):\n"
		"     --exec PATH             Execute PATH\n"
		"     --open PATH             Open PATH for reading (--write: writing, or any "
		"change such as\n"
		"                             unlink, rename, chmod, truncate)\n"
		"     --socket PROTO          Create a socket: tcp, udp, icmp, icmpv6, sctp, raw, "
		"stream,\n"
		"                             dgram, rdm, seqpacket, dccp, packet, or "
		"DOMAIN,TYPE,PROTOCOL\n"
		"     --capability NAME       Use a capability (net_raw, CAP_SYS_ADMIN, ...)\n"
		"     --dns DOMAIN            Send a DNS query for DOMAIN\n"
		"     --syscall NAME          Make a system call (with --path: on that path)\n"
		"\n"
		"  -s --source PATH           The acting executable (for --exec: the launcher)\n"
		"     --write                 With --open: a write access\n"
		"     --owner                 The actor owns the target\n"
		"     --tty                   The actor has a controlling terminal\n"
		"     --arg ARG               With --exec: an argument after argv[0] "
		"(repeatable)\n"
		"     --path PATH             With --syscall: the path it works on\n"
		"  -v --verbose               Also list the policies that do not apply, and why\n"
		"  -h --help                  Show this help\n"
		"\n"
		"See kubearmor-policy(5), DECISION SEMANTICS.\n");
}

enum {
	ARG_HOSTNAME = 0x100,
	ARG_LABEL,
	ARG_NAMESPACE,
	ARG_FILE_POSTURE,
	ARG_NETWORK_POSTURE,
	ARG_CAP_POSTURE,
	ARG_EXEC,
	ARG_OPEN,
	ARG_SOCKET,
	ARG_CAPABILITY,
	ARG_DNS,
	ARG_SYSCALL,
	ARG_WRITE,
	ARG_OWNER,
	ARG_TTY,
	ARG_ARG,
	ARG_PATH,
};

static int set_op(ExplainArgs *a, OpKind k, const char *target)
{
	if (a->op != OP_NONE) {
		fprintf(stderr, "kubearmor explain: give exactly one operation\n");
		return -EINVAL;
	}
	a->op = k;
	a->target = target;
	return 0;
}

static int set_posture(RuleAction *p, const char *name, const char *value)
{
	int r = rules_posture_from_string(value);

	if (r < 0) {
		fprintf(stderr, "kubearmor explain: --%s: '%s' is not 'audit' or 'block'\n", name,
			value);
		return r;
	}
	*p = (RuleAction)r;
	return 0;
}

/* Returns 0, or an exit code (2 usage, 1 OOM) plus 0x100 to stop, help printed as 0x100. */
static int parse_argv(int argc, char **argv, ExplainArgs *a)
{
	static const struct option options[] = {
		{"policies", required_argument, NULL, 'p'},
		{"workload", required_argument, NULL, 'w'},
		{"hostname", required_argument, NULL, ARG_HOSTNAME},
		{"label", required_argument, NULL, ARG_LABEL},
		{"namespace", required_argument, NULL, ARG_NAMESPACE},
		{"file-posture", required_argument, NULL, ARG_FILE_POSTURE},
		{"network-posture", required_argument, NULL, ARG_NETWORK_POSTURE},
		{"capabilities-posture", required_argument, NULL, ARG_CAP_POSTURE},
		{"exec", required_argument, NULL, ARG_EXEC},
		{"open", required_argument, NULL, ARG_OPEN},
		{"socket", required_argument, NULL, ARG_SOCKET},
		{"capability", required_argument, NULL, ARG_CAPABILITY},
		{"dns", required_argument, NULL, ARG_DNS},
		{"syscall", required_argument, NULL, ARG_SYSCALL},
		{"source", required_argument, NULL, 's'},
		{"write", no_argument, NULL, ARG_WRITE},
		{"owner", no_argument, NULL, ARG_OWNER},
		{"tty", no_argument, NULL, ARG_TTY},
		{"arg", required_argument, NULL, ARG_ARG},
		{"path", required_argument, NULL, ARG_PATH},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	int c, r = 0;

	optind = 0; /* the verb may run more than once in one process (tests) */
	while ((c = getopt_long(argc, argv, "p:w:s:vh", options, NULL)) >= 0) {
		switch (c) {
		case 'p':
			if (strv_length(a->policies) >= EXPLAIN_MAX_FILES)
				return 2;
			r = strv_extend(&a->policies, optarg);
			break;
		case 'w':
			a->workload = optarg;
			break;
		case ARG_HOSTNAME:
			a->hostname = optarg;
			break;
		case ARG_LABEL:
			if (!strchr(optarg, '=') || optarg[0] == '=') {
				fprintf(stderr,
					"kubearmor explain: --label '%s': expected KEY=VALUE\n",
					optarg);
				return 2;
			}
			r = strv_extend(&a->labels, optarg);
			break;
		case ARG_NAMESPACE:
			a->namespace = optarg;
			break;
		case ARG_FILE_POSTURE:
			r = set_posture(&a->postures.file, "file-posture", optarg);
			break;
		case ARG_NETWORK_POSTURE:
			r = set_posture(&a->postures.network, "network-posture", optarg);
			break;
		case ARG_CAP_POSTURE:
			r = set_posture(&a->postures.capabilities, "capabilities-posture", optarg);
			break;
		case ARG_EXEC:
			r = set_op(a, OP_EXEC, optarg);
			break;
		case ARG_OPEN:
			r = set_op(a, OP_OPEN, optarg);
			break;
		case ARG_SOCKET:
			r = set_op(a, OP_SOCKET, optarg);
			break;
		case ARG_CAPABILITY:
			r = set_op(a, OP_CAPABILITY, optarg);
			break;
		case ARG_DNS:
			r = set_op(a, OP_DNS, optarg);
			break;
		case ARG_SYSCALL:
			r = set_op(a, OP_SYSCALL, optarg);
			break;
		case 's':
			a->source = optarg;
			break;
		case ARG_WRITE:
			a->write = true;
			break;
		case ARG_OWNER:
			a->owner = true;
			break;
		case ARG_TTY:
			a->tty = true;
			break;
		case ARG_ARG:
			if (strv_length(a->args) >= EXPLAIN_MAX_ARGS)
				return 2;
			a->args_given = true;
			r = strv_extend(&a->args, optarg);
			break;
		case ARG_PATH:
			a->path = optarg;
			break;
		case 'v':
			a->verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0x100;
		default:
			usage(stderr);
			return 2;
		}
		if (r == -ENOMEM)
			return 1;
		if (r < 0)
			return 2;
	}
	if (optind < argc) {
		fprintf(stderr, "kubearmor explain: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (!a->policies || !a->workload || a->op == OP_NONE) {
		fprintf(stderr, "kubearmor explain: --policies, --workload and one operation are "
				"required; see --help\n");
		return 2;
	}
	if (a->write && a->op != OP_OPEN) {
		fprintf(stderr, "kubearmor explain: --write goes with --open\n");
		return 2;
	}
	if (a->args_given && a->op != OP_EXEC) {
		fprintf(stderr, "kubearmor explain: --arg goes with --exec\n");
		return 2;
	}
	if ((a->op == OP_EXEC || a->op == OP_OPEN) && a->target[0] != '/') {
		fprintf(stderr, "kubearmor explain: '%s' is not an absolute path\n", a->target);
		return 2;
	}
	if (a->source && a->source[0] != '/') {
		fprintf(stderr, "kubearmor explain: --source '%s' is not an absolute path\n",
			a->source);
		return 2;
	}
	if (a->path && a->op != OP_SYSCALL) {
		fprintf(stderr, "kubearmor explain: --path goes with --syscall\n");
		return 2;
	}
	return 0;
}

typedef struct Loaded {
	PolicyFile **files;
	size_t n_files;
	const Policy **policies;
	size_t n_policies;
	size_t n_failed;
} Loaded;

static void loaded_done(Loaded *l)
{
	for (size_t i = 0; i < l->n_files; i++)
		policy_file_free(l->files[i]);
	free(l->files);
	free(l->policies);
}

static int load_one(Loaded *l, const char *path)
{
	PolicyFile *f = NULL, **nf;
	int r;

	if (l->n_files >= EXPLAIN_MAX_FILES)
		return -E2BIG;
	r = policy_file_load(path, &f);
	if (r < 0)
		return r;
	nf = realloc(l->files, (l->n_files + 1) * sizeof(*nf));
	if (!nf) {
		policy_file_free(f);
		return -ENOMEM;
	}
	l->files = nf;
	l->files[l->n_files++] = f;
	if (!policy_file_ok(f)) {
		/* Never half a file: the agent skips a file with any error, and so does explain. */
		fprintf(stderr,
			"kubearmor explain: %s: %zu error%s, not loaded (see 'kubearmor validate "
			"%s')\n",
			path, policy_file_error_count(f),
			policy_file_error_count(f) == 1 ? "" : "s", path);
		l->n_failed++;
		return 0;
	}
	for (size_t i = 0; i < f->n_docs; i++) {
		const Policy **np;

		if (!f->docs[i].policy)
			continue;
		np = realloc(l->policies, (l->n_policies + 1) * sizeof(*np));
		if (!np)
			return -ENOMEM;
		l->policies = np;
		l->policies[l->n_policies++] = f->docs[i].policy;
	}
	return 0;
}

static int load_all(Loaded *l, char *const *paths)
{
	int r;

	STRV_FOREACH(p, paths)
	{
		struct stat st;

		if (stat(*p, &st) < 0) {
			fprintf(stderr, "kubearmor explain: %s: %s\n", *p, strerror(errno));
			return -errno;
		}
		if (S_ISDIR(st.st_mode)) {
			_cleanup_strv_free_ char **names = NULL;

			r = policy_dir_list(*p, &names);
			if (r < 0) {
				fprintf(stderr, "kubearmor explain: %s: %s\n", *p, strerror(-r));
				return r;
			}
			STRV_FOREACH(n, names)
			{
				r = load_one(l, *n);
				if (r < 0)
					return r;
			}
		} else {
			r = load_one(l, *p);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int make_workload(const ExplainArgs *a, Workload **ret)
{
	char host[256];
	int r;

	if (streq(a->workload, "host")) {
		const char *name = a->hostname;

		if (!name) {
			if (gethostname(host, sizeof host - 1) < 0)
				return -errno;
			host[sizeof host - 1] = 0;
			name = host;
		}
		r = workload_new_host(name, a->labels, ret);
		if (r == -EINVAL)
			fprintf(stderr, "kubearmor explain: bad host name '%s' or --label\n", name);
		return r;
	}
	r = workload_parse_container(a->workload, ret);
	if (r == -EINVAL) {
		fprintf(stderr,
			"kubearmor explain: --workload '%s': expected 'host' or KEY=VALUE,...\n",
			a->workload);
		return r;
	}
	if (r >= 0 && a->namespace) {
		free((*ret)->namespace);
		(*ret)->namespace = strdup(a->namespace);
		if (!(*ret)->namespace)
			return -ENOMEM;
	}
	return r;
}

static int make_op(const ExplainArgs *a, RuleOp *op)
{
	int r;

	*op = (RuleOp){.subject = a->source, .owner = a->owner, .tty = a->tty};
	switch (a->op) {
	case OP_EXEC:
		op->class = RULE_CLASS_PROCESS;
		op->path = a->target;
		op->access = RULE_ACCESS_EXEC;
		op->args = a->args;
		op->args_known = a->args_given;
		break;
	case OP_OPEN:
		op->class = RULE_CLASS_FILE;
		op->path = a->target;
		op->access = a->write ? RULE_ACCESS_WRITE : RULE_ACCESS_READ;
		break;
	case OP_SOCKET:
		op->class = RULE_CLASS_NETWORK;
		if (net_socket_from_name(a->target, &op->domain, &op->type, &op->protocol) < 0) {
			fprintf(stderr, "kubearmor explain: --socket '%s': unknown protocol\n",
				a->target);
			return -EINVAL;
		}
		break;
	case OP_CAPABILITY:
		op->class = RULE_CLASS_CAPABILITY;
		r = rules_capability_from_name(a->target);
		if (r < 0) {
			fprintf(stderr,
				"kubearmor explain: --capability '%s': unknown capability\n",
				a->target);
			return r;
		}
		op->capability = r;
		break;
	case OP_DNS:
		op->class = RULE_CLASS_DNS;
		op->domain_name = a->target;
		break;
	case OP_SYSCALL:
		op->class = RULE_CLASS_SYSCALL;
		op->syscall = a->target;
		op->path = a->path;
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

static void print_op(const RuleOp *op)
{
	switch (op->class) {
	case RULE_CLASS_PROCESS:
		printf("operation:  exec %s", op->path);
		STRV_FOREACH(s, op->args)
		printf(" %s", *s);
		break;
	case RULE_CLASS_FILE:
		printf("operation:  %s %s", op->access == RULE_ACCESS_WRITE ? "write" : "read",
		       op->path);
		break;
	case RULE_CLASS_NETWORK:
		printf("operation:  socket(domain %d, type %d, protocol %d)", op->domain, op->type,
		       op->protocol);
		break;
	case RULE_CLASS_CAPABILITY:
		printf("operation:  capability %s (%d)", rules_capability_to_name(op->capability),
		       op->capability);
		break;
	case RULE_CLASS_DNS:
		printf("operation:  dns query %s", op->domain_name);
		break;
	case RULE_CLASS_SYSCALL:
		printf("operation:  syscall %s%s%s", op->syscall, op->path ? " on " : "",
		       op->path ?: "");
		break;
	default:
		break;
	}
	printf(" by %s%s%s\n", op->subject ?: "any program", op->owner ? ", owner" : "",
	       op->tty ? ", on a terminal" : "");
}

static const char *path_list_name(const Rule *r)
{
	switch (r->match) {
	case RULE_MATCH_PATH:
		return "matchPaths path";
	case RULE_MATCH_EXECNAME:
		return "matchPaths execname";
	case RULE_MATCH_DIR:
	case RULE_MATCH_DIR_RECURSIVE:
		return "matchDirectories dir";
	case RULE_MATCH_PATTERN:
		return "matchPatterns pattern";
	case RULE_MATCH_PROTOCOL:
		return "matchProtocols protocol";
	case RULE_MATCH_CAPABILITY:
		return "matchCapabilities capability";
	case RULE_MATCH_DOMAIN:
		return "matchDNSQueries domain";
	case RULE_MATCH_SYSCALL:
		return r->target ? "matchPaths" : "matchSyscalls";
	default:
		return "?";
	}
}

static void print_rule(const Rule *r)
{
	const Policy *p = r->policy;
	const char *section =
		r->class == RULE_CLASS_DNS ? "network" : rule_class_to_string(r->class);

	printf("policy:     %s (%s%s%s)\n", p->name, policy_kind_to_string(p->kind),
	       p->namespace ? ", namespace " : "", p->namespace ?: "");
	if (p->file)
		printf("location:   %s:%u:%u\n", p->file, r->pos.line, r->pos.column);
	if (r->class == RULE_CLASS_SYSCALL) {
		_cleanup_free_ char *names = strv_join(r->syscalls, ",");

		printf("rule:       %s.%s syscall=%s", section, path_list_name(r), names ?: "?");
		if (r->target)
			printf(" path=%s%s", r->target, r->target_recursive ? " recursive" : "");
	} else
		printf("rule:       %s.%s %s", section, path_list_name(r), r->target ?: "?");
	if (r->match == RULE_MATCH_DIR_RECURSIVE)
		printf(" recursive");
	if (r->read_only)
		printf(" readOnly");
	if (r->owner_only)
		printf(" ownerOnly");
	if (r->pts == PTS_FALSE)
		printf(" pts:false");
	if (r->allowed_args) {
		_cleanup_free_ char *s = strv_join((char **)r->allowed_args, ",");

		printf(" allowedArgs=%s", s ?: "?");
	}
	if (r->source)
		printf(" fromSource=%s", r->source);
	if (r->source_dir)
		printf(" fromSource.dir=%s%s", r->source_dir,
		       r->source_recursive ? " recursive" : "");
	printf(" action=%s\n", rule_action_to_string(r->action));
	if (r->meta->severity > 0 || r->meta->tags || r->meta->message) {
		_cleanup_free_ char *tags = strv_join(r->meta->tags, ",");

		printf("alert:      severity=%d tags=%s message=%s\n", r->meta->severity,
		       tags ?: "", r->meta->message ?: "");
	}
}

static const Rule *first_allow_rule(const RuleClassSet *cs)
{
	for (size_t i = 0; i < cs->n_rules; i++)
		if (cs->rules[i].action == ACTION_ALLOW)
			return &cs->rules[i];
	return NULL;
}

static const char *posture_class_name(RuleClass c)
{
	switch (c) {
	case RULE_CLASS_PROCESS:
	case RULE_CLASS_FILE:
		return "file";
	case RULE_CLASS_NETWORK:
	case RULE_CLASS_DNS:
		return "network";
	case RULE_CLASS_CAPABILITY:
		return "capabilities";
	default:
		return "-";
	}
}

static void print_decision(const RuleSet *rs, const RuleOp *op, const RuleDecision *d)
{
	const RuleClassSet *cs = &rs->classes[op->class];
	const Rule *allow = first_allow_rule(cs);

	printf("decision:   %s\n", rule_action_to_string(d->verdict));
	switch (d->decider) {
	case RULE_DECIDER_RULE:
		printf("decided by: %s rule\n", rule_action_to_string(d->rule->action));
		if (d->verdict == ACTION_AUDIT && d->rule->action == ACTION_AUDIT)
			printf("            (permitted, and alerted)\n");
		else if (d->verdict != d->rule->action)
			printf("            (%s)\n",
			       d->rule->owner_only && !op->owner ? "ownerOnly: not the owner"
			       : d->rule->read_only && op->access == RULE_ACCESS_WRITE
				       ? "readOnly: a write"
			       : d->rule->pts == PTS_FALSE && op->tty ? "pts:false: on a terminal"
			       : d->rule->owner_only		      ? "ownerOnly: the owner"
			       : d->rule->allowed_args		      ? "allowedArgs"
								      : "rule flags");
		print_rule(d->rule);
		break;
	case RULE_DECIDER_POSTURE:
		printf("decided by: default %s posture '%s'\n", posture_class_name(op->class),
		       d->verdict == ACTION_BLOCK ? "block" : "audit");
		printf("            no rule matches, and %s rules are in allow-list mode because "
		       "of "
		       "Allow rules (first: policy %s)\n",
		       rule_class_to_string(op->class), allow ? allow->policy->name : "?");
		break;
	case RULE_DECIDER_NONE:
		printf("decided by: nothing: no rule matches and %s rules have no Allow rule "
		       "(no allow-list mode)\n",
		       rule_class_to_string(op->class));
		break;
	}
}

int verb_explain(int argc, char **argv)
{
	ExplainArgs a = {.postures = RULE_POSTURES_DEFAULT};
	_cleanup_(workload_freep) Workload *w = NULL;
	_cleanup_(rule_set_freep) RuleSet *rs = NULL;
	Loaded l = {};
	RuleOp op;
	RuleDecision d;
	int r, ret = 1;

	r = parse_argv(argc, argv, &a);
	if (r != 0) {
		ret = r == 0x100 ? 0 : r;
		goto finish;
	}
	r = make_workload(&a, &w);
	if (r < 0) {
		ret = r == -EINVAL ? 2 : 1;
		goto finish;
	}
	r = make_op(&a, &op);
	if (r < 0) {
		ret = 2;
		goto finish;
	}
	r = load_all(&l, a.policies);
	if (r < 0) {
		if (r == -ENOMEM)
			fprintf(stderr, "kubearmor explain: out of memory\n");
		goto finish;
	}
	r = rule_set_compile(l.policies, l.n_policies, w, &a.postures, &rs);
	if (r < 0) {
		fprintf(stderr, "kubearmor explain: compiling the rules failed: %s\n",
			strerror(-r));
		goto finish;
	}

	if (w->kind == WORKLOAD_HOST)
		printf("workload:   host %s\n", w->name);
	else
		printf("workload:   container %s%s%s\n", isempty(w->name) ? "(unnamed)" : w->name,
		       w->namespace ? " in namespace " : "", w->namespace ?: "");
	printf("policies:   %zu loaded, %zu apply%s\n", l.n_policies, rs->n_policies,
	       l.n_failed ? " (some files not loaded, see above)" : "");
	for (size_t i = 0; i < rs->n_policies; i++)
		printf("  applies:  %s (%s)\n", rs->policies[i]->name,
		       rs->policies[i]->file ?: "-");
	if (a.verbose)
		for (size_t i = 0; i < l.n_policies; i++) {
			const char *why;

			if (!workload_selects(w, l.policies[i], &why))
				printf("  skipped:  %s (%s): %s\n", l.policies[i]->name,
				       l.policies[i]->file ?: "-", why);
		}
	print_op(&op);
	r = rule_set_decide(rs, &op, &d);
	if (r < 0) {
		fprintf(stderr, "kubearmor explain: the operation cannot be decided: %s\n",
			strerror(-r));
		goto finish;
	}
	print_decision(rs, &op, &d);
	ret = l.n_failed ? 1 : 0;

finish:
	fflush(stdout);
	rs = rule_set_free(rs); /* before the policies it borrows */
	loaded_done(&l);
	strv_free(a.policies);
	strv_free(a.labels);
	strv_free(a.args);
	return ret;
}
