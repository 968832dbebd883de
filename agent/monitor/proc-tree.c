/* SPDX-License-Identifier: Apache-2.0 */
/* proc-tree.c: bounded pid -> process map with a FIFO of exited entries (see proc-tree.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/macro.h"
#include "monitor/proc-tree.h"

struct ProcTree {
	ProcEntry **buckets;
	size_t nbuckets; /* power of two */
	size_t size;
	size_t max;
	uint64_t grace_usec;
	ProcEntry *xhead, *xtail; /* exited entries, oldest first */
	uint64_t evicted;
	uint64_t refused;
};

static size_t bucket_of(const ProcTree *t, uint32_t pid)
{
	/* Fibonacci hashing: consecutive pids spread over the table. */
	return (size_t)(((uint64_t)pid * 0x9E3779B97F4A7C15ULL) >> 32) & (t->nbuckets - 1);
}

int proc_tree_new(ProcTree **ret, size_t max, uint64_t grace_usec)
{
	_cleanup_free_ ProcTree *t = NULL;
	size_t n = 64;

	if (max == 0)
		return -EINVAL;
	while (n < max && n < (SIZE_MAX >> 2))
		n <<= 1;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->buckets = calloc(n, sizeof(*t->buckets));
	if (!t->buckets)
		return -ENOMEM;
	t->nbuckets = n;
	t->max = max;
	t->grace_usec = grace_usec;
	*ret = TAKE_PTR(t);
	return 0;
}

static void entry_free(ProcEntry *e)
{
	if (!e)
		return;
	free(e->exe);
	free(e->args);
	free(e);
}

ProcTree *proc_tree_free(ProcTree *t)
{
	if (!t)
		return NULL;
	for (size_t i = 0; i < t->nbuckets; i++) {
		ProcEntry *e = t->buckets[i];
		while (e) {
			ProcEntry *next = e->hnext;
			entry_free(e);
			e = next;
		}
	}
	free(t->buckets);
	free(t);
	return NULL;
}

ProcEntry *proc_tree_get(ProcTree *t, uint32_t pid)
{
	for (ProcEntry *e = t->buckets[bucket_of(t, pid)]; e; e = e->hnext)
		if (e->pid == pid)
			return e;
	return NULL;
}

static void exited_unlink(ProcTree *t, ProcEntry *e)
{
	if (e->xprev)
		e->xprev->xnext = e->xnext;
	else if (t->xhead == e)
		t->xhead = e->xnext;
	if (e->xnext)
		e->xnext->xprev = e->xprev;
	else if (t->xtail == e)
		t->xtail = e->xprev;
	e->xprev = e->xnext = NULL;
}

static void entry_remove(ProcTree *t, ProcEntry *e)
{
	ProcEntry **pp = &t->buckets[bucket_of(t, e->pid)];

	while (*pp && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = e->hnext;
	if (e->exited_usec)
		exited_unlink(t, e);
	t->size--;
	entry_free(e);
}

size_t proc_tree_gc(ProcTree *t, uint64_t now_usec)
{
	size_t n = 0;

	while (t->xhead && t->xhead->exited_usec + t->grace_usec <= now_usec) {
		entry_remove(t, t->xhead);
		n++;
	}
	t->evicted += n;
	return n;
}

/* Make room for one entry: expired first, then the oldest exited one, never a live one. */
static int make_room(ProcTree *t)
{
	if (t->size < t->max)
		return 0;
	if (!t->xhead) {
		t->refused++;
		return -ENOSPC;
	}
	entry_remove(t, t->xhead);
	t->evicted++;
	return 0;
}

static int set_str(char **dst, const char *src)
{
	char *s;

	if (!src) {
		if (*dst)
			return 0;
		src = "";
	}
	s = strdup(src);
	if (!s)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

static int entry_new(ProcTree *t, uint32_t pid, ProcEntry **ret)
{
	ProcEntry *e;
	size_t b;
	int r;

	r = make_room(t);
	if (r < 0)
		return r;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->pid = pid;
	b = bucket_of(t, pid);
	e->hnext = t->buckets[b];
	t->buckets[b] = e;
	t->size++;
	*ret = e;
	return 0;
}

int proc_tree_set(ProcTree *t, uint32_t pid, uint32_t ppid, uint64_t start_ns, const char *comm,
		  const char *exe, const char *args, ProcEntry **ret)
{
	ProcEntry *e = proc_tree_get(t, pid);
	int r;

	if (!e) {
		r = entry_new(t, pid, &e);
		if (r < 0)
			return r;
	} else if (e->exited_usec) {
		/* The pid was reused. */
		exited_unlink(t, e);
		e->exited_usec = 0;
	}
	e->ppid = ppid;
	if (start_ns)
		e->start_ns = start_ns;
	if (comm) {
		strncpy(e->comm, comm, sizeof(e->comm) - 1);
		e->comm[sizeof(e->comm) - 1] = '\0';
	}
	r = set_str(&e->exe, exe);
	if (r >= 0)
		r = set_str(&e->args, args);
	if (r < 0) {
		/* Never leave NULL strings behind. */
		if (!e->exe || !e->args) {
			entry_remove(t, e);
			return r;
		}
		return r;
	}
	if (ret)
		*ret = e;
	return 0;
}

int proc_tree_fork(ProcTree *t, uint32_t parent, uint32_t child, uint64_t child_start_ns)
{
	ProcEntry *p = proc_tree_get(t, parent);
	_cleanup_free_ char *exe = NULL, *args = NULL;
	char comm[AGENT_COMM_LEN + 1] = "";

	/* Copies first: inserting the child may evict the parent if it already exited. */
	if (p) {
		exe = strdup(p->exe);
		args = strdup(p->args);
		if (!exe || !args)
			return -ENOMEM;
		memcpy(comm, p->comm, sizeof(comm));
	}
	return proc_tree_set(t, child, parent, child_start_ns, comm, exe ?: "", args ?: "", NULL);
}

void proc_tree_exit(ProcTree *t, uint32_t pid, uint64_t now_usec)
{
	ProcEntry *e = proc_tree_get(t, pid);

	if (!e || e->exited_usec)
		return;
	e->exited_usec = now_usec ?: 1;
	e->xprev = t->xtail;
	e->xnext = NULL;
	if (t->xtail)
		t->xtail->xnext = e;
	else
		t->xhead = e;
	t->xtail = e;
}

char *proc_tree_join_args(const char *area, size_t len)
{
	size_t off, n = 0;
	char *s;

	off = strnlen(area, len) + 1; /* skip argv[0] */
	s = malloc(len + 1);
	if (!s)
		return NULL;
	while (off < len) {
		size_t l = strnlen(area + off, len - off);

		if (n > 0)
			s[n++] = ' ';
		memcpy(s + n, area + off, l);
		n += l;
		off += l + 1;
	}
	s[n] = '\0';
	return s;
}

/* Read at most @max bytes of a small /proc file. Returns the length or -errno. */
static ssize_t read_small(int dirfd, const char *name, char *buf, size_t max)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	size_t n = 0;

	if (fd < 0)
		return -errno;
	while (n < max) {
		ssize_t k = read(fd, buf + n, max - n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (k == 0)
			break;
		n += k;
	}
	return n;
}

int proc_tree_load_proc(ProcTree *t, const char *proc_root, uint32_t pid, ProcEntry **ret)
{
	char dir[PATH_MAX], stat[1024], cmdline[AGENT_ARGS_MAX], exe[PATH_MAX],
		comm[AGENT_COMM_LEN + 1];
	_cleanup_close_ int dfd = -EBADF;
	_cleanup_free_ char *args = NULL;
	unsigned ppid = 0;
	const char *close_paren;
	ssize_t n;

	snprintf(dir, sizeof(dir), "%s/%u", proc_root, pid);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;

	/* stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses: use the last
	 * ')'. */
	n = read_small(dfd, "stat", stat, sizeof(stat) - 1);
	if (n < 0)
		return (int)n;
	stat[n] = '\0';
	close_paren = strrchr(stat, ')');
	if (!close_paren || sscanf(close_paren + 1, " %*c %u", &ppid) != 1)
		return -EBADMSG;
	{
		const char *open_paren = strchr(stat, '(');
		size_t l = open_paren && open_paren < close_paren
				   ? (size_t)(close_paren - open_paren - 1)
				   : 0;

		if (l > AGENT_COMM_LEN)
			l = AGENT_COMM_LEN;
		memcpy(comm, open_paren ? open_paren + 1 : "", l);
		comm[l] = '\0';
	}

	n = readlinkat(dfd, "exe", exe, sizeof(exe) - 1);
	exe[n < 0 ? 0 : n] = '\0';

	n = read_small(dfd, "cmdline", cmdline, sizeof(cmdline));
	args = proc_tree_join_args(cmdline, n < 0 ? 0 : (size_t)n);
	if (!args)
		return -ENOMEM;
	return proc_tree_set(t, pid, ppid, 0, comm, exe, args, ret);
}

int proc_tree_seed(ProcTree *t, const char *proc_root)
{
	DIR *d = opendir(proc_root);
	struct dirent *de;
	int added = 0, r = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char *end;
		unsigned long pid = strtoul(de->d_name, &end, 10);

		if (*end || pid == 0 || pid > UINT32_MAX)
			continue;
		r = proc_tree_load_proc(t, proc_root, (uint32_t)pid, NULL);
		if (r == -ENOMEM || r == -ENOSPC)
			break;
		if (r >= 0)
			added++;
		r = 0; /* a process that vanished meanwhile is fine */
	}
	closedir(d);
	return r < 0 ? r : added;
}

size_t proc_tree_size(const ProcTree *t)
{
	return t->size;
}

uint64_t proc_tree_evicted(const ProcTree *t)
{
	return t->evicted;
}

uint64_t proc_tree_refused(const ProcTree *t)
{
	return t->refused;
}
