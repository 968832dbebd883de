/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <time.h>

#include "core/log.h"
#include "core/strv.h"
#include "daemon/policy-store.h"

#define DIR_WATCH_MASK                                                                      \
	(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE | IN_ATTRIB | \
	 IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW)
#define PARENT_WATCH_MASK (IN_CREATE | IN_MOVED_TO | IN_ATTRIB | IN_ONLYDIR)

struct PolicyStore {
	char *dir;
	bool dir_present;
	bool dir_warned;   /* "directory missing" logged once per absence */
	StoreFile **files; /* sorted by name */
	size_t n_files;
	uint64_t generation;

	sd_event *event;
	sd_event_source *inotify_source;
	sd_event_source *debounce;
	sd_event_source *retry;
	int inotify_fd;
	int wd_dir;
	int wd_parent;
	uint64_t first_event_usec; /* CLOCK_MONOTONIC of the first change of the pending batch */
	char **dirty;		   /* names inotify reported since the last batch */
	bool all_dirty;		   /* queue overflow or directory change: re-read everything */

	PolicyStoreChanged cb;
	void *userdata;
};

static const char *const state_names[_STORE_FILE_STATE_MAX] = {
	[STORE_FILE_OK] = "ok",
	[STORE_FILE_ERROR] = "error",
	[STORE_FILE_REFUSED] = "refused",
};

const char *store_file_state_to_string(StoreFileState st)
{
	return st < _STORE_FILE_STATE_MAX ? state_names[st] : NULL;
}

static StoreFile *store_file_free(StoreFile *f)
{
	if (!f)
		return NULL;
	free(f->name);
	strv_free(f->messages);
	policy_file_free(f->good);
	free(f);
	return NULL;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(StoreFile *, store_file_free);

PolicyStore *policy_store_free(PolicyStore *s)
{
	if (!s)
		return NULL;
	for (size_t i = 0; i < s->n_files; i++)
		store_file_free(s->files[i]);
	free(s->files);
	sd_event_source_disable_unref(s->inotify_source);
	sd_event_source_disable_unref(s->debounce);
	sd_event_source_disable_unref(s->retry);
	sd_event_unref(s->event);
	safe_close(s->inotify_fd);
	strv_free(s->dirty);
	free(s->dir);
	free(s);
	return NULL;
}

int policy_store_new(const char *dir, PolicyStore **ret)
{
	_cleanup_(policy_store_freep) PolicyStore *s = NULL;
	struct sigaction sa;

	if (isempty(dir) || dir[0] != '/')
		return -EINVAL;
	s = new0(PolicyStore, 1);
	if (!s)
		return -ENOMEM;
	s->inotify_fd = -EBADF;
	s->wd_dir = s->wd_parent = -1;
	s->dir = strdup(dir);
	if (!s->dir)
		return -ENOMEM;

	/* Read leases (see read_policy_fd()) signal their holder with SIGIO when a writer opens the
	 * file; the default action would terminate us. The lease is dropped right after reading. */
	if (sigaction(SIGIO, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL)
		(void)signal(SIGIO, SIG_IGN);

	*ret = TAKE_PTR(s);
	return 0;
}

const char *policy_store_dir(const PolicyStore *s)
{
	return s->dir;
}

bool policy_store_dir_present(const PolicyStore *s)
{
	return s->dir_present;
}

uint64_t policy_store_generation(const PolicyStore *s)
{
	return s->generation;
}

size_t policy_store_n_files(const PolicyStore *s)
{
	return s->n_files;
}

const StoreFile *policy_store_file(const PolicyStore *s, size_t i)
{
	return i < s->n_files ? s->files[i] : NULL;
}

static ssize_t find_index(const PolicyStore *s, const char *name, size_t *ret_insert)
{
	size_t lo = 0, hi = s->n_files;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(s->files[mid]->name, name);

		if (c == 0)
			return (ssize_t)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (ret_insert)
		*ret_insert = lo;
	return -1;
}

const StoreFile *policy_store_find(const PolicyStore *s, const char *name)
{
	ssize_t i = find_index(s, name, NULL);

	return i < 0 ? NULL : s->files[i];
}

static size_t file_n_policies(const PolicyFile *pf)
{
	size_t n = 0;

	for (size_t d = 0; pf && d < pf->n_docs; d++)
		if (pf->docs[d].policy)
			n++;
	return n;
}

size_t policy_store_n_policies(const PolicyStore *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n_files; i++)
		n += file_n_policies(s->files[i]->good);
	return n;
}

int policy_store_policies(const PolicyStore *s, PolicyKind kind, const Policy ***ret, size_t *ret_n)
{
	const Policy **l;
	size_t n = 0;

	l = new0(const Policy *, policy_store_n_policies(s) + 1);
	if (!l)
		return -ENOMEM;
	for (size_t i = 0; i < s->n_files; i++) {
		const PolicyFile *pf = s->files[i]->good;

		for (size_t d = 0; pf && d < pf->n_docs; d++)
			if (pf->docs[d].policy && pf->docs[d].policy->kind == kind)
				l[n++] = pf->docs[d].policy;
	}
	*ret = l;
	*ret_n = n;
	return 0;
}

static bool is_policy_file_name(const char *name)
{
	size_t n = strlen(name);

	if (name[0] == '.')
		return false;
	return (n > 5 && streq(name + n - 5, ".yaml")) || (n > 4 && streq(name + n - 4, ".yml"));
}

static int msg_add(char ***l, const char *fmt, ...) _printf_(2, 3);
static int msg_add(char ***l, const char *fmt, ...)
{
	char *m = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&m, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	r = strv_consume(l, m);
	if (r < 0)
		free(m);
	return r;
}

static int format_policy_error(const char *path, const PolicyError *e, char ***l)
{
	char pos[64] = "";

	if (e->line > 0 && e->column > 0)
		(void)snprintf(pos, sizeof(pos), ":%u:%u", e->line, e->column);
	else if (e->line > 0)
		(void)snprintf(pos, sizeof(pos), ":%u", e->line);
	return msg_add(l, "%s%s: %s%s%s%s%s%s", path, pos, e->field ?: "", e->field ? ": " : "",
		       e->message ?: "invalid", e->hint ? " (hint: " : "", e->hint ? e->hint : "",
		       e->hint ? ")" : "");
}

typedef enum LoadOutcome {
	LOAD_OK,
	LOAD_ERROR,
	LOAD_REFUSED,
	LOAD_GONE, /* the name no longer exists */
	LOAD_BUSY, /* open for writing: wait for IN_CLOSE_WRITE */
} LoadOutcome;

static int open_beneath(int dir_fd, const char *name)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	long fd;

	fd = syscall(SYS_openat2, dir_fd, name, &how, sizeof(how));
	if (fd >= 0)
		return (int)fd;
	if (errno != ENOSYS)
		return -errno;
	/* Kernels before 5.6: no symlinks at all. */
	fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
	return fd >= 0 ? (int)fd : -errno;
}

static bool owner_trusted(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

/* Reads the whole file under a read lease, so that a file someone still has open for writing is
 * never parsed half-written. */
static int read_policy_fd(int fd, char **ret, size_t *ret_len, char ***msgs, const char *path)
{
	_cleanup_free_ char *buf = NULL;
	bool leased = false;
	size_t len = 0, cap;
	struct stat st;

	if (fcntl(fd, F_SETLEASE, F_RDLCK) < 0) {
		if (errno == EAGAIN)
			return LOAD_BUSY;
		/* Not supported by this file system: go on without. */
	} else
		leased = true;

	/* Sized by fstat(); grows (up to the limit + 1) if the file grew meanwhile. */
	cap = fstat(fd, &st) == 0 && st.st_size >= 0 && (uint64_t)st.st_size < POLICY_MAX_FILE_SIZE
		      ? (size_t)st.st_size + 1
		      : POLICY_MAX_FILE_SIZE + 1;
	buf = malloc(cap + 1);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len == cap && cap < POLICY_MAX_FILE_SIZE + 1) {
			size_t ncap = MIN(cap * 2, (size_t)POLICY_MAX_FILE_SIZE + 1);
			char *nb = realloc(buf, ncap + 1);

			if (!nb)
				return -ENOMEM;
			buf = nb;
			cap = ncap;
		}
		n = read(fd, buf + len, cap - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			if (leased)
				(void)fcntl(fd, F_SETLEASE, F_UNLCK);
			(void)msg_add(msgs, "%s: cannot read: %s", path, strerror(e));
			return LOAD_ERROR;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > POLICY_MAX_FILE_SIZE)
			break;
	}
	if (leased)
		(void)fcntl(fd, F_SETLEASE, F_UNLCK);
	if (len > POLICY_MAX_FILE_SIZE) {
		(void)msg_add(msgs, "%s: larger than %d bytes", path, POLICY_MAX_FILE_SIZE);
		return LOAD_ERROR;
	}
	buf[len] = '\0';
	*ret = TAKE_PTR(buf);
	*ret_len = len;
	return LOAD_OK;
}

/* Opens, checks and parses one file. On LOAD_OK *ret_pf holds a valid PolicyFile; on LOAD_ERROR and
 * LOAD_REFUSED *msgs says why. Returns a LoadOutcome, or -ENOMEM. */
static int load_file(int dir_fd, const char *dir_problem, const char *path, const char *name,
		     PolicyFile **ret_pf, struct stat *ret_st, char ***msgs)
{
	_cleanup_(policy_file_freep) PolicyFile *pf = NULL;
	_cleanup_close_ int fd = -EBADF;
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t len = 0;
	int r;

	fd = open_beneath(dir_fd, name);
	if (fd == -ENOENT) {
		struct stat lst;

		/* A dangling symlink is an error; a name that went away is gone. */
		if (fstatat(dir_fd, name, &lst, AT_SYMLINK_NOFOLLOW) == 0) {
			*ret_st = lst;
			(void)msg_add(msgs, "%s: cannot open: symlink target does not exist", path);
			return LOAD_ERROR;
		}
		return LOAD_GONE;
	}
	if (fd == -EXDEV || fd == -ELOOP) {
		if (fstatat(dir_fd, name, ret_st, AT_SYMLINK_NOFOLLOW) < 0)
			return LOAD_GONE;
		(void)msg_add(msgs, "%s: refused: symlink resolves outside the policy directory",
			      path);
		return LOAD_REFUSED;
	}
	if (fd < 0) {
		if (fstatat(dir_fd, name, ret_st, AT_SYMLINK_NOFOLLOW) < 0)
			memset(ret_st, 0, sizeof(*ret_st));
		(void)msg_add(msgs, "%s: cannot open: %s", path, strerror(-fd));
		return LOAD_ERROR;
	}
	if (fstat(fd, &st) < 0) {
		(void)msg_add(msgs, "%s: cannot stat: %m", path);
		return LOAD_ERROR;
	}
	*ret_st = st;

	if (dir_problem) {
		(void)msg_add(msgs, "%s: refused: %s", path, dir_problem);
		return LOAD_REFUSED;
	}
	if (!S_ISREG(st.st_mode)) {
		(void)msg_add(msgs, "%s: refused: not a regular file", path);
		return LOAD_REFUSED;
	}
	if (!owner_trusted(st.st_uid)) {
		(void)msg_add(msgs, "%s: refused: owned by uid %u, not root (chown root)", path,
			      (unsigned)st.st_uid);
		return LOAD_REFUSED;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		(void)msg_add(msgs,
			      "%s: refused: writable by group or others (mode %04o; chmod go-w)",
			      path, (unsigned)(st.st_mode & 07777));
		return LOAD_REFUSED;
	}

	r = read_policy_fd(fd, &buf, &len, msgs, path);
	if (r != LOAD_OK)
		return r;

	r = policy_file_parse_buffer(path, buf, len, &pf);
	if (r < 0)
		return r;
	if (!policy_file_ok(pf)) {
		for (size_t i = 0; i < pf->n_errors; i++)
			if (format_policy_error(path, &pf->errors[i], msgs) < 0)
				return -ENOMEM;
		for (size_t d = 0; d < pf->n_docs; d++)
			for (size_t i = 0; i < pf->docs[d].n_errors; i++)
				if (format_policy_error(path, &pf->docs[d].errors[i], msgs) < 0)
					return -ENOMEM;
		if (!*msgs)
			(void)msg_add(msgs, "%s: invalid", path);
		return LOAD_ERROR;
	}
	*ret_pf = TAKE_PTR(pf);
	return LOAD_OK;
}

static bool same_policy_id(const Policy *a, const Policy *b)
{
	return a->kind == b->kind && streq(a->name, b->name) &&
	       streq(a->namespace ?: "", b->namespace ?: "");
}

static const char *policy_label(const Policy *p, char *buf, size_t n)
{
	if (p->namespace)
		(void)snprintf(buf, n, "%s '%s/%s'", policy_kind_to_string(p->kind), p->namespace,
			       p->name);
	else
		(void)snprintf(buf, n, "%s '%s'", policy_kind_to_string(p->kind), p->name);
	return buf;
}

/* Duplicate policies inside `pf`, or against what other files have in force. */
static int check_duplicates(const PolicyStore *s, const StoreFile *self, const PolicyFile *pf,
			    const char *path, char ***msgs, bool *ret_conflict)
{
	char label[POLICY_MAX_NAME * 2 + 64];
	bool conflict = false;
	int n = 0;

	for (size_t d = 0; d < pf->n_docs; d++) {
		const Policy *p = pf->docs[d].policy;

		if (!p)
			continue;
		for (size_t e = 0; e < d; e++)
			if (pf->docs[e].policy && same_policy_id(p, pf->docs[e].policy)) {
				(void)msg_add(msgs,
					      "%s:%u: %s is defined twice in this file (first at "
					      "line %u)",
					      path, pf->docs[d].line,
					      policy_label(p, label, sizeof(label)),
					      pf->docs[e].line);
				n++;
			}
		for (size_t i = 0; i < s->n_files; i++) {
			const StoreFile *o = s->files[i];

			if (o == self || !o->good)
				continue;
			for (size_t e = 0; e < o->good->n_docs; e++)
				if (o->good->docs[e].policy &&
				    same_policy_id(p, o->good->docs[e].policy)) {
					(void)msg_add(msgs, "%s:%u: %s is already defined in '%s'",
						      path, pf->docs[d].line,
						      policy_label(p, label, sizeof(label)),
						      o->name);
					conflict = true;
					n++;
				}
		}
	}
	*ret_conflict = conflict;
	return n;
}

static uint64_t now(clockid_t clock)
{
	struct timespec ts;

	(void)clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

static uint64_t now_realtime_usec(void)
{
	return now(CLOCK_REALTIME);
}

static char *policy_names(const PolicyFile *pf)
{
	_cleanup_strv_free_ char **l = NULL;

	for (size_t d = 0; pf && d < pf->n_docs; d++)
		if (pf->docs[d].policy && strv_extend(&l, pf->docs[d].policy->name) < 0)
			return NULL;
	return strv_join(l, ", ");
}

static const char *plural(size_t n)
{
	return n == 1 ? "policy" : "policies";
}

static void log_kept(const StoreFile *f, const char *path)
{
	if (f->good)
		log_warning("policy: '%s': its last good version (%zu %s) stays in force", path,
			    file_n_policies(f->good), plural(file_n_policies(f->good)));
	else
		log_warning("policy: '%s': nothing from it is in force", path);
}

static int store_insert(PolicyStore *s, const char *name, StoreFile **ret)
{
	_cleanup_(store_file_freep) StoreFile *f = NULL;
	StoreFile **nf;
	size_t at = 0;

	if (find_index(s, name, &at) >= 0)
		return -EEXIST;
	f = new0(StoreFile, 1);
	if (!f)
		return -ENOMEM;
	f->name = strdup(name);
	if (!f->name)
		return -ENOMEM;
	nf = realloc(s->files, (s->n_files + 1) * sizeof(*nf));
	if (!nf)
		return -ENOMEM;
	s->files = nf;
	memmove(s->files + at + 1, s->files + at, (s->n_files - at) * sizeof(*nf));
	s->files[at] = TAKE_PTR(f);
	s->n_files++;
	*ret = s->files[at];
	return 0;
}

static bool store_remove(PolicyStore *s, size_t i)
{
	StoreFile *f = s->files[i];
	bool had = f->good && file_n_policies(f->good) > 0;

	if (f->good)
		log_info("policy: '%s/%s' removed; %zu %s no longer in force", s->dir, f->name,
			 file_n_policies(f->good), plural(file_n_policies(f->good)));
	else
		log_info("policy: '%s/%s' removed", s->dir, f->name);
	store_file_free(f);
	memmove(s->files + i, s->files + i + 1, (s->n_files - i - 1) * sizeof(*s->files));
	s->n_files--;
	return had;
}

/* Loads `name` and applies the outcome. Returns 1 if the set in force changed, 0 if not, -ENOMEM.
 */
static int store_update(PolicyStore *s, int dir_fd, const char *dir_problem, const char *name)
{
	_cleanup_(policy_file_freep) PolicyFile *pf = NULL;
	_cleanup_strv_free_ char **msgs = NULL;
	_cleanup_free_ char *path = NULL;
	StoreFile *f = NULL;
	struct stat st = {};
	bool conflict = false;
	ssize_t idx;
	int r, outcome;

	if (asprintf(&path, "%s/%s", s->dir, name) < 0)
		return -ENOMEM;

	outcome = load_file(dir_fd, dir_problem, path, name, &pf, &st, &msgs);
	if (outcome < 0)
		return outcome;
	idx = find_index(s, name, NULL);
	if (outcome == LOAD_GONE)
		return idx >= 0 ? store_remove(s, (size_t)idx) : 0;
	if (outcome == LOAD_BUSY) {
		log_debug("policy: '%s' is open for writing; waiting for it to be closed", path);
		return 0;
	}
	if (idx >= 0)
		f = s->files[idx];
	else {
		if (s->n_files >= POLICY_STORE_MAX_FILES) {
			log_error("policy: '%s' refused: more than %d policy files in '%s'", path,
				  POLICY_STORE_MAX_FILES, s->dir);
			return 0;
		}
		r = store_insert(s, name, &f);
		if (r < 0)
			return r;
	}
	f->st = st;
	f->have_st = true;
	f->checked_realtime_usec = now_realtime_usec();
	f->conflict = false;

	if (outcome == LOAD_OK && check_duplicates(s, f, pf, path, &msgs, &conflict) > 0) {
		outcome = LOAD_ERROR;
		f->conflict = conflict;
	}

	strv_free(f->messages);
	f->messages = TAKE_PTR(msgs);

	if (outcome == LOAD_OK) {
		_cleanup_free_ char *names = policy_names(pf);
		bool had = f->good && file_n_policies(f->good) > 0;

		policy_file_free(f->good);
		f->good = TAKE_PTR(pf);
		f->state = STORE_FILE_OK;
		f->good_generation = s->generation + 1;
		f->good_realtime_usec = now_realtime_usec();
		log_info("policy: '%s' applied: %zu %s (%s)", path, file_n_policies(f->good),
			 plural(file_n_policies(f->good)), names ?: "");
		return had || file_n_policies(f->good) > 0;
	}

	f->state = outcome == LOAD_REFUSED ? STORE_FILE_REFUSED : STORE_FILE_ERROR;
	STRV_FOREACH(m, f->messages)
	log_error("policy: %s", *m);
	log_kept(f, path);
	return 0;
}

/* Why files in the directory cannot be trusted, or NULL. */
static const char *dir_problem_of(int dir_fd, char *buf, size_t n)
{
	struct stat st;

	if (fstat(dir_fd, &st) < 0)
		return NULL;
	if (!owner_trusted(st.st_uid)) {
		(void)snprintf(buf, n, "the policy directory is owned by uid %u, not root",
			       (unsigned)st.st_uid);
		return buf;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		(void)snprintf(buf, n,
			       "the policy directory is writable by group or others (mode %04o)",
			       (unsigned)(st.st_mode & 07777));
		return buf;
	}
	return NULL;
}

static bool stat_changed(const StoreFile *f, const struct stat *st)
{
	return !f->have_st || f->st.st_dev != st->st_dev || f->st.st_ino != st->st_ino ||
	       f->st.st_size != st->st_size || f->st.st_mode != st->st_mode ||
	       f->st.st_uid != st->st_uid || f->st.st_mtim.tv_sec != st->st_mtim.tv_sec ||
	       f->st.st_mtim.tv_nsec != st->st_mtim.tv_nsec ||
	       f->st.st_ctim.tv_sec != st->st_ctim.tv_sec ||
	       f->st.st_ctim.tv_nsec != st->st_ctim.tv_nsec;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void store_watch_dir(PolicyStore *s);
static int arm_retry(PolicyStore *s);

static int rescan_internal(PolicyStore *s, bool force, char *const *dirty)
{
	_cleanup_close_ int dir_fd = -EBADF;
	_cleanup_strv_free_ char **names = NULL;
	char problem_buf[160];
	const char *problem;
	DIR *d;
	bool changed = false;
	int r;

	dir_fd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0) {
		if (s->dir_present || !s->dir_warned) {
			if (errno == ENOENT)
				log_warning("policy: directory '%s' does not exist; %zu policies "
					    "stay in "
					    "force until it is back",
					    s->dir, policy_store_n_policies(s));
			else
				log_error_errno(
					errno,
					"policy: cannot open directory '%s': %m; %zu policies "
					"stay in force",
					s->dir, policy_store_n_policies(s));
			s->dir_warned = true;
		}
		s->dir_present = false;
		store_watch_dir(s);
		(void)arm_retry(s);
		return 0;
	}
	if (!s->dir_present && s->dir_warned) {
		log_notice("policy: directory '%s' is back; reading it", s->dir);
		force = true;
	}
	s->dir_present = true;
	s->dir_warned = false;
	store_watch_dir(s);

	problem = dir_problem_of(dir_fd, problem_buf, sizeof(problem_buf));
	if (problem)
		log_error("policy: '%s': %s; its files are refused (chmod go-w, chown root)",
			  s->dir, problem);

	d = fdopendir(dup(dir_fd));
	if (!d)
		return log_error_errno(errno, "policy: cannot read directory '%s': %m", s->dir), 0;
	for (struct dirent *de; (errno = 0, de = readdir(d));) {
		if (!is_policy_file_name(de->d_name))
			continue;
		r = strv_extend(&names, de->d_name);
		if (r < 0) {
			closedir(d);
			return r;
		}
	}
	closedir(d);
	if (names)
		qsort(names, strv_length(names), sizeof(char *), cmp_str);

	for (size_t i = 0; i < s->n_files; i++)
		s->files[i]->seen = false;

	STRV_FOREACH(n, names)
	{
		ssize_t idx = find_index(s, *n, NULL);
		bool load = force || idx < 0 || strv_contains(dirty, *n);

		if (idx >= 0) {
			struct stat st;

			s->files[idx]->seen = true;
			if (!load) {
				if (fstatat(dir_fd, *n, &st, 0) < 0 &&
				    fstatat(dir_fd, *n, &st, AT_SYMLINK_NOFOLLOW) < 0)
					load = true; /* let load_file() say what happened */
				else
					load = stat_changed(s->files[idx], &st);
			}
		}
		if (!load)
			continue;
		r = store_update(s, dir_fd, problem, *n);
		if (r < 0)
			return r;
		if (r > 0)
			changed = true;
		idx = find_index(s, *n, NULL);
		if (idx >= 0)
			s->files[idx]->seen = true;
	}

	for (size_t i = s->n_files; i > 0; i--)
		if (!s->files[i - 1]->seen && store_remove(s, i - 1))
			changed = true;

	/* A file held back by a duplicate name may apply now that another one went away. */
	for (int round = 0; changed && round < 2; round++) {
		bool again = false;

		for (size_t i = 0; i < s->n_files; i++) {
			_cleanup_free_ char *name = NULL;

			if (!s->files[i]->conflict)
				continue;
			name = strdup(s->files[i]->name);
			if (!name)
				return -ENOMEM;
			r = store_update(s, dir_fd, problem, name);
			if (r < 0)
				return r;
			if (r > 0)
				again = true;
		}
		if (!again)
			break;
	}

	if (changed)
		s->generation++;
	return changed;
}

int policy_store_rescan(PolicyStore *s, bool force)
{
	return rescan_internal(s, force, NULL);
}

/* ---- inotify ---- */

static int on_batch(sd_event_source *es, uint64_t usec, void *userdata)
{
	PolicyStore *s = userdata;
	_cleanup_strv_free_ char **dirty = TAKE_PTR(s->dirty);
	bool all = s->all_dirty;
	int r;

	s->all_dirty = false;
	log_debug("policy: applying a batch %llu us after its first change",
		  (unsigned long long)(now(CLOCK_MONOTONIC) - s->first_event_usec));
	r = rescan_internal(s, all, dirty);
	log_debug("policy: batch done %llu us after its first change",
		  (unsigned long long)(now(CLOCK_MONOTONIC) - s->first_event_usec));
	if (r < 0)
		log_error_errno(r, "policy: rescanning '%s' failed: %m", s->dir);
	if (r > 0 && s->cb)
		s->cb(s, s->userdata);
	return 0;
}

static int arm_debounce(PolicyStore *s)
{
	int r, enabled = SD_EVENT_OFF;

	if (!s->event)
		return 0;
	if (s->debounce) {
		(void)sd_event_source_get_enabled(s->debounce, &enabled);
		if (enabled != SD_EVENT_OFF)
			return 0; /* a batch is already pending */
	}
	s->first_event_usec = now(CLOCK_MONOTONIC);
	if (s->debounce) {
		r = sd_event_source_set_time_relative(s->debounce, POLICY_STORE_DEBOUNCE_USEC);
		if (r < 0)
			return r;
		return sd_event_source_set_enabled(s->debounce, SD_EVENT_ONESHOT);
	}
	r = sd_event_add_time_relative(s->event, &s->debounce, CLOCK_MONOTONIC,
				       POLICY_STORE_DEBOUNCE_USEC, 1, on_batch, s);
	if (r >= 0)
		(void)sd_event_source_set_priority(s->debounce, SD_EVENT_PRIORITY_IMPORTANT);
	return r;
}

static int on_retry(sd_event_source *es, uint64_t usec, void *userdata)
{
	PolicyStore *s = userdata;

	s->all_dirty = true;
	return on_batch(es, usec, s);
}

static int arm_retry(PolicyStore *s)
{
	int r;

	if (!s->event)
		return 0;
	if (s->retry) {
		r = sd_event_source_set_time_relative(s->retry, POLICY_STORE_DIR_RETRY_USEC);
		if (r < 0)
			return r;
		return sd_event_source_set_enabled(s->retry, SD_EVENT_ONESHOT);
	}
	return sd_event_add_time_relative(s->event, &s->retry, CLOCK_MONOTONIC,
					  POLICY_STORE_DIR_RETRY_USEC, 1000, on_retry, s);
}

static void store_watch_dir(PolicyStore *s)
{
	_cleanup_free_ char *parent = NULL;
	char *slash;
	int wd;

	if (s->inotify_fd < 0)
		return;

	if (s->dir_present) {
		wd = inotify_add_watch(s->inotify_fd, s->dir, DIR_WATCH_MASK);
		if (wd < 0) {
			log_warning_errno(
				errno,
				"policy: cannot watch '%s': %m; changes are seen on reload "
				"only",
				s->dir);
			return;
		}
		if (s->wd_dir >= 0 && s->wd_dir != wd)
			(void)inotify_rm_watch(s->inotify_fd, s->wd_dir);
		s->wd_dir = wd;
		if (s->wd_parent >= 0) {
			(void)inotify_rm_watch(s->inotify_fd, s->wd_parent);
			s->wd_parent = -1;
		}
		if (s->retry)
			(void)sd_event_source_set_enabled(s->retry, SD_EVENT_OFF);
		return;
	}

	/* The directory is gone: watch its parent for it to come back (the retry timer covers a
	 * missing parent). */
	parent = strdup(s->dir);
	if (!parent)
		return;
	slash = strrchr(parent, '/');
	if (!slash)
		return;
	if (slash == parent)
		slash[1] = '\0';
	else
		*slash = '\0';
	wd = inotify_add_watch(s->inotify_fd, parent, PARENT_WATCH_MASK);
	if (wd >= 0)
		s->wd_parent = wd;
}

static int on_inotify(sd_event_source *es, int fd, uint32_t revents, void *userdata)
{
	PolicyStore *s = userdata;
	union {
		struct inotify_event ev;
		char raw[16 * (sizeof(struct inotify_event) + NAME_MAX + 1)];
	} buf;
	bool trigger = false;

	for (;;) {
		ssize_t n = read(fd, &buf, sizeof(buf));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				log_warning_errno(errno,
						  "policy: reading inotify events failed: %m");
			break;
		}
		for (char *p = buf.raw; p < buf.raw + n;) {
			struct inotify_event *ev = (struct inotify_event *)p;

			p += sizeof(*ev) + ev->len;
			if (ev->mask & IN_Q_OVERFLOW) {
				s->all_dirty = trigger = true;
				continue;
			}
			if (ev->wd == s->wd_dir) {
				if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
					if (ev->mask & IN_IGNORED)
						s->wd_dir = -1;
					trigger = true;
					continue;
				}
				if (ev->len == 0 || !is_policy_file_name(ev->name))
					continue;
				if (!strv_contains(s->dirty, ev->name) &&
				    strv_extend(&s->dirty, ev->name) < 0)
					s->all_dirty = true;
				trigger = true;
			} else if (ev->wd == s->wd_parent) {
				const char *base = strrchr(s->dir, '/');

				if (ev->mask & IN_IGNORED)
					s->wd_parent = -1;
				if (base && ev->len > 0 && streq(ev->name, base + 1))
					s->all_dirty = trigger = true;
			}
		}
	}
	if (trigger) {
		int r = arm_debounce(s);

		if (r < 0)
			log_error_errno(r, "policy: cannot arm the change timer: %m");
	}
	return 0;
}

int policy_store_attach_event(PolicyStore *s, sd_event *e, PolicyStoreChanged cb, void *userdata)
{
	int r;

	s->event = sd_event_ref(e);
	s->cb = cb;
	s->userdata = userdata;
	s->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (s->inotify_fd < 0)
		return -errno;
	r = sd_event_add_io(e, &s->inotify_source, s->inotify_fd, EPOLLIN, on_inotify, s);
	if (r < 0)
		return r;
	(void)sd_event_source_set_description(s->inotify_source, "policy-inotify");
	/* Policy changes go before queued monitor events. */
	(void)sd_event_source_set_priority(s->inotify_source, SD_EVENT_PRIORITY_IMPORTANT);
	store_watch_dir(s);
	if (!s->dir_present)
		(void)arm_retry(s);
	return 0;
}

int policy_store_set_dir(PolicyStore *s, const char *dir)
{
	char *n;
	int r;

	if (isempty(dir) || dir[0] != '/')
		return -EINVAL;
	if (streq(dir, s->dir))
		return 0;
	n = strdup(dir);
	if (!n)
		return -ENOMEM;
	if (s->inotify_fd >= 0) {
		if (s->wd_dir >= 0)
			(void)inotify_rm_watch(s->inotify_fd, s->wd_dir);
		if (s->wd_parent >= 0)
			(void)inotify_rm_watch(s->inotify_fd, s->wd_parent);
	}
	s->wd_dir = s->wd_parent = -1;
	free(s->dir);
	s->dir = n;
	s->dir_present = false;
	s->dir_warned = false;
	log_info("policy: policy directory is now '%s'", s->dir);
	r = rescan_internal(s, true, NULL);
	if (r > 0 && s->cb)
		s->cb(s, s->userdata);
	return r < 0 ? r : 0;
}
