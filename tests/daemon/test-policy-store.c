/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "check-helpers.h"
#include "core/log.h"
#include "core/strv.h"
#include "daemon/policy-store.h"

static char tmpdir[] = "/tmp/test-store-XXXXXX";
static char dir[sizeof(tmpdir) + 8];

static void setup(void)
{
	log_set_max_level(LOG_DEBUG);
	log_set_prefix_levels(false);
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	(void)snprintf(dir, sizeof(dir), "%s/p", tmpdir);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
}

static void teardown(void)
{
	char cmd[128];

	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	(void)system(cmd);
	strcpy(tmpdir, "/tmp/test-store-XXXXXX");
}

static char *policy_text(const char *name)
{
	char *t = NULL;

	ck_assert_int_ge(asprintf(&t,
				  "apiVersion: security.kubearmor.com/v1\n"
				  "kind: KubeArmorHostPolicy\n"
				  "metadata:\n"
				  "  name: %s\n"
				  "spec:\n"
				  "  nodeSelector:\n"
				  "    matchLabels:\n"
				  "      kubearmor.io/hostname: \"*\"\n"
				  "  file:\n"
				  "    matchPaths:\n"
				  "    - path: /etc/%s\n"
				  "  action: Audit\n",
				  name, name),
			 0);
	return t;
}

static const char *broken_text = "apiVersion: security.kubearmor.com/v1\n"
				 "kind: KubeArmorHostPolicy\n"
				 "metadata:\n"
				 "  name: broken\n"
				 "spec:\n"
				 "  nodeSelector:\n"
				 "    matchLabels:\n"
				 "      kubearmor.io/hostname: \"*\"\n"
				 "  file:\n"
				 "    matchPaths:\n"
				 "    - path: relative\n"
				 "  action: Audit\n";

static void write_at(const char *name, const char *text, mode_t mode)
{
	char p[256];
	int fd;

	(void)snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

static void write_policy(const char *file, const char *name)
{
	_cleanup_free_ char *t = policy_text(name);

	write_at(file, t, 0644);
}

/* Write-then-rename, as editors and config managers do. */
static void rename_policy(const char *file, const char *name)
{
	char from[256], to[256];

	write_policy(".tmp-write", name);
	(void)snprintf(from, sizeof(from), "%s/.tmp-write", dir);
	(void)snprintf(to, sizeof(to), "%s/%s", dir, file);
	ck_assert_int_eq(rename(from, to), 0);
}

static void unlink_at(const char *name)
{
	char p[256];

	(void)snprintf(p, sizeof(p), "%s/%s", dir, name);
	ck_assert_int_eq(unlink(p), 0);
}

static bool has_message(const StoreFile *f, const char *needle)
{
	STRV_FOREACH(m, f->messages)
	if (strstr(*m, needle))
		return true;
	return false;
}

static size_t n_hsp(PolicyStore *s)
{
	_cleanup_free_ const Policy **l = NULL;
	size_t n = 0;

	ck_assert_int_eq(policy_store_policies(s, POLICY_KIND_HSP, &l, &n), 0);
	return n;
}

START_TEST(test_scan_and_names)
{
	_cleanup_(policy_store_freep) PolicyStore *s = NULL;

	write_policy("b.yml", "pb");
	write_policy("a.yaml", "pa");
	write_policy(".hidden.yaml", "ph");
	write_policy("notes.txt", "pt");
	write_policy("a.yaml~", "pbak");
	ck_assert_int_eq(policy_store_new(dir, &s), 0);
	ck_assert_int_eq(policy_store_rescan(s, false), 1);
	ck_assert_uint_eq(policy_store_generation(s), 1);
	ck_assert_uint_eq(policy_store_n_files(s), 2);
	ck_assert_str_eq(policy_store_file(s, 0)->name, "a.yaml");
	ck_assert_str_eq(policy_store_file(s, 1)->name, "b.yml");
	ck_assert_int_eq(policy_store_file(s, 0)->state, STORE_FILE_OK);
	ck_assert_uint_eq(n_hsp(s), 2);
	/* Nothing changed: nothing re-read, no new generation. */
	ck_assert_int_eq(policy_store_rescan(s, false), 0);
	ck_assert_uint_eq(policy_store_generation(s), 1);
}
END_TEST

START_TEST(test_error_keeps_last_good)
{
	_cleanup_(policy_store_freep) PolicyStore *s = NULL;
	const StoreFile *f;

	write_policy("a.yaml", "pa");
	ck_assert_int_eq(policy_store_new(dir, &s), 0);
	ck_assert_int_eq(policy_store_rescan(s, false), 1);

	write_at("a.yaml", broken_text, 0644);
	ck_assert_int_eq(policy_store_rescan(s, false), 0);
	f = policy_store_find(s, "a.yaml");
	ck_assert_int_eq(f->state, STORE_FILE_ERROR);
	ck_assert(has_message(f, "a.yaml:11:13: spec.file.matchPaths[0].path"));
	ck_assert_ptr_nonnull(f->good);
	ck_assert_str_eq(f->good->docs[0].policy->name, "pa");
	ck_assert_uint_eq(n_hsp(s), 1);

	/* Fixed: the new version replaces the old one. */
	write_policy("a.yaml", "pa2");
	ck_assert_int_eq(policy_store_rescan(s, false), 1);
	f = policy_store_find(s, "a.yaml");
	ck_assert_int_eq(f->state, STORE_FILE_OK);
	ck_assert_ptr_null(f->messages);
	ck_assert_str_eq(f->good->docs[0].policy->name, "pa2");

	/* Broken from the start: nothing in force. */
	write_at("c.yaml", "kind: [\n", 0644);
	ck_assert_int_eq(policy_store_rescan(s, false), 0);
	f = policy_store_find(s, "c.yaml");
	ck_assert_int_eq(f->state, STORE_FILE_ERROR);
	ck_assert_ptr_null(f->good);
}
END_TEST

START_TEST(test_size_limit)
{
	_cleanup_(policy_store_freep) PolicyStore *s = NULL;
	_cleanup_free_ char *big = malloc(POLICY_MAX_FILE_SIZE + 11), *t = policy_text("small");
	const StoreFile *f;

	memset(big, '#', POLICY_MAX_FILE_SIZE + 10);
	big[POLICY_MAX_FILE_SIZE + 10] = '\0';
	write_at("big.yaml", big, 0644);
	/* Next to it, a small file (its buffer sized by fstat) applies. */
	write_at("small.yaml", t, 0644);
	ck_assert_int_eq(policy_store_new(dir, &s), 0);
	ck_assert_int_eq(policy_store_rescan(s, false), 1);
	f = policy_store_find(s, "big.yaml");
	ck_assert_int_eq(f->state, STORE_FILE_ERROR);
	ck_assert(has_message(f, "larger than 1048576 bytes"));
	ck_assert_int_eq(policy_store_find(s, "small.yaml")->state, STORE_FILE_OK);
}
END_TEST

START_TEST(test_refusals)
{
	_cleanup_(policy_store_freep) PolicyStore *s = NULL;
	char p[256], q[256];
	const StoreFile *f;

	write_policy("a.yaml", "pa");
	ck_assert_int_eq(policy_store_new(dir, &s), 0);
	ck_assert_int_eq(policy_store_rescan(s, false), 1);

	/* Group-writable: refused, the version read while it was safe stays. */
	(void)snprintf(p, sizeof(p), "%s/a.yaml", dir);
	ck_assert_int_eq(chmod(p, 0664), 0);
	ck_assert_int_eq(policy_store_rescan(s, false), 0);
	f = policy_store_find(s, "a.yaml");
	ck_assert_int_eq(f->state, STORE_FILE_REFUSED);
	ck_assert(has_message(f, "writable by group or others (mode 0664"));
	ck_assert_ptr_nonnull(f->good);
	ck_assert_int_eq(chmod(p, 0644), 0);
	ck_assert_int_eq(policy_store_rescan(s, false), 1);
	ck_assert_int_eq(policy_store_find(s, "a.yaml")->state, STORE_FILE_OK);

	/* World-writable new file: never read. */
	write_at("w.yaml", "kind: [\n", 0666);
	ck_assert_int_eq(policy_store_rescan(s, false), 0);
	f = policy_store_find(s, "w.yaml");
	ck_assert_int_eq(f->state, STORE_FILE_REFUSED);
	ck_assert(has_message(f, "refused: writable by group or others (mode 0666"));

	/* A symlink out of the directory. */
	(void)snprintf(q, sizeof(q), "%s/outside.yaml", tmpdir);
	{
		_cleanup_free_ char *t = policy_text("outside");
		FILE *o = fopen(q, "we");

		fputs(t, o);
		fclose(o);
	}
	(void)snprintf(p, sizeof(p), "%s/out.yaml", dir);
	ck_assert_int_eq(symlink(q, p), 0);
	(void)snprintf(p, sizeof(p), "%s/out2.yaml", dir);
	ck_assert_int_eq(symlink("../outside.yaml", p), 0);
	/* A symlink inside it, and a dangling one. */
	(void)snprintf(p, sizeof(p), "%s/sub", dir);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	write_policy("sub/x.yaml", "px");
	(void)snprintf(p, sizeof(p), "%s/in.yaml", dir);
	ck_assert_int_eq(symlink("sub/x.yaml", p), 0);
	(void)snprintf(p, sizeof(p), "%s/dangling.yaml", dir);
	ck_assert_int_eq(symlink("sub/none.yaml", p), 0);
	/* A FIFO: refused without blocking. */
	(void)snprintf(p, sizeof(p), "%s/fifo.yaml", dir);
	ck_assert_int_eq(mkfifo(p, 0644), 0);
	/* A directory with a policy name. */
	(void)snprintf(p, sizeof(p), "%s/dir.yaml", dir);
	ck_assert_int_eq(mkdir(p, 0755), 0);

	ck_assert_int_eq(policy_store_rescan(s, false), 1);
	ck_assert_int_eq(policy_store_find(s, "out.yaml")->state, STORE_FILE_REFUSED);
	ck_assert(has_message(policy_store_find(s, "out.yaml"),
			      "symlink resolves outside the policy directory"));
	ck_assert_int_eq(policy_store_find(s, "out2.yaml")->state, STORE_FILE_REFUSED);
	ck_assert_int_eq(policy_store_find(s, "in.yaml")->state, STORE_FILE_OK);
	ck_assert_int_eq(policy_store_find(s, "dangling.yaml")->state, STORE_FILE_ERROR);
	ck_assert(has_message(policy_store_find(s, "dangling.yaml"),
			      "symlink target does not exist"));
	ck_assert_int_eq(policy_store_find(s, "fifo.yaml")->state, STORE_FILE_REFUSED);
	ck_assert(has_message(policy_store_find(s, "fifo.yaml"), "not a regular file"));
	ck_assert_int_eq(policy_store_find(s, "dir.yaml")->state, STORE_FILE_REFUSED);
	ck_assert_uint_eq(n_hsp(s), 2); /* pa, px */

	/* The directory itself writable by others: every file refused, what was in force stays. */
	ck_assert_int_eq(chmod(dir, 0777), 0);
	ck_assert_int_eq(policy_store_rescan(s, true), 0);
	ck_assert_int_eq(policy_store_find(s, "a.yaml")->state, STORE_FILE_REFUSED);
	ck_assert(has_message(policy_store_find(s, "a.yaml"),
			      "the policy directory is writable by group or others"));
	ck_assert_uint_eq(n_hsp(s), 2);
	ck_assert_int_eq(chmod(dir, 0755), 0);
}
END_TEST

START_TEST(test_duplicates)
{
	_cleanup_(policy_store_freep) PolicyStore *s = NULL;
	_cleanup_free_ char *two = NULL, *t1 = policy_text("dup"), *t2 = policy_text("dup");
	const StoreFile *f;

	write_policy("a.yaml", "pa");
	write_policy("b.yaml", "pa");
	ck_assert_int_eq(policy_store_new(dir, &s), 0);
	ck_assert_int_eq(policy_store_rescan(s, false), 1);
	/* At start-up, the later name loses. */
	f = policy_store_find(s, "b.yaml");
	ck_assert_int_eq(f->state, STORE_FILE_ERROR);
	ck_assert(f->conflict);
	ck_assert(has_message(f, "KubeArmorHostPolicy 'pa' is already defined in 'a.yaml'"));

	/* Later, the file that has it in force keeps it, whatever the names. */
	write_policy("0.yaml", "pa");
	ck_assert_int_eq(policy_store_rescan(s, false), 0);
	ck_assert_int_eq(policy_store_find(s, "0.yaml")->state, STORE_FILE_ERROR);
	ck_assert_int_eq(policy_store_find(s, "a.yaml")->state, STORE_FILE_OK);

	/* When the holder goes, a waiting file takes over. */
	unlink_at("a.yaml");
	ck_assert_int_eq(policy_store_rescan(s, false), 1);
	ck_assert_int_eq(policy_store_find(s, "0.yaml")->state, STORE_FILE_OK);
	ck_assert_int_eq(policy_store_find(s, "b.yaml")->state, STORE_FILE_ERROR);
	ck_assert_uint_eq(n_hsp(s), 1);

	/* Twice in one file. */
	ck_assert_int_ge(asprintf(&two, "%s---\n%s", t1, t2), 0);
	write_at("two.yaml", two, 0644);
	ck_assert_int_eq(policy_store_rescan(s, false), 0);
	f = policy_store_find(s, "two.yaml");
	ck_assert_int_eq(f->state, STORE_FILE_ERROR);
	/* The parser reports it (the store would too). */
	ck_assert(has_message(f, "two.yaml:13:1: metadata.name: 'dup'"));
}
END_TEST

START_TEST(test_directory_goes_and_comes_back)
{
	_cleanup_(policy_store_freep) PolicyStore *s = NULL;
	char cmd[256];

	write_policy("a.yaml", "pa");
	ck_assert_int_eq(policy_store_new(dir, &s), 0);
	ck_assert_int_eq(policy_store_rescan(s, false), 1);
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(policy_store_rescan(s, false), 0);
	ck_assert(!policy_store_dir_present(s));
	ck_assert_uint_eq(n_hsp(s), 1); /* stays in force */
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	write_policy("b.yaml", "pb");
	ck_assert_int_eq(policy_store_rescan(s, false), 1);
	ck_assert(policy_store_dir_present(s));
	ck_assert_uint_eq(policy_store_n_files(s), 1);
	ck_assert_str_eq(policy_store_file(s, 0)->name, "b.yaml");
}
END_TEST

START_TEST(test_open_for_writing_waits)
{
	_cleanup_(policy_store_freep) PolicyStore *s = NULL;
	_cleanup_free_ char *t = policy_text("late");
	char p[256];
	int fd;

	ck_assert_int_eq(policy_store_new(dir, &s), 0);
	(void)snprintf(p, sizeof(p), "%s/late.yaml", dir);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	/* Half a file, still open: not read at all. */
	ck_assert_int_eq(write(fd, t, 60), 60);
	ck_assert_int_eq(policy_store_rescan(s, false), 0);
	ck_assert_ptr_null(policy_store_find(s, "late.yaml"));
	ck_assert_int_eq(write(fd, t + 60, strlen(t) - 60), (ssize_t)(strlen(t) - 60));
	close(fd);
	ck_assert_int_eq(policy_store_rescan(s, false), 1);
	ck_assert_int_eq(policy_store_find(s, "late.yaml")->state, STORE_FILE_OK);
}
END_TEST

/* ---- with the event loop ---- */

typedef struct Watch {
	unsigned calls;
	uint64_t last_usec;
} Watch;

static uint64_t mono_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

static void on_change(PolicyStore *s, void *userdata)
{
	Watch *w = userdata;

	w->calls++;
	w->last_usec = mono_usec();
}

/* Runs the loop until the callback ran `calls` times or 3 s passed; returns the latency from
 * `start`. */
static uint64_t run_until(sd_event *e, Watch *w, unsigned calls, uint64_t start)
{
	uint64_t deadline = mono_usec() + 3000000ULL;

	while (w->calls < calls && mono_usec() < deadline)
		ck_assert_int_ge(sd_event_run(e, 100000), 0);
	ck_assert_uint_ge(w->calls, calls);
	return w->last_usec - start;
}

START_TEST(test_inotify)
{
	_cleanup_(policy_store_freep) PolicyStore *s = NULL;
	sd_event *e = NULL;
	Watch w = {};
	uint64_t t0, lat;
	char cmd[256];

	ck_assert_int_eq(sd_event_new(&e), 0);
	ck_assert_int_eq(policy_store_new(dir, &s), 0);
	ck_assert_int_eq(policy_store_attach_event(s, e, on_change, &w), 0);
	ck_assert_int_eq(policy_store_rescan(s, false), 0);

	t0 = mono_usec();
	write_policy("a.yaml", "pa");
	lat = run_until(e, &w, 1, t0);
	printf("written file applied after %llu us\n", (unsigned long long)lat);
	ck_assert_uint_eq(n_hsp(s), 1);

	t0 = mono_usec();
	rename_policy("a.yaml", "pa-renamed");
	lat = run_until(e, &w, 2, t0);
	printf("renamed-over file applied after %llu us\n", (unsigned long long)lat);
	ck_assert_str_eq(policy_store_find(s, "a.yaml")->good->docs[0].policy->name, "pa-renamed");

	/* Many files at once: one or a few batches, all applied. */
	t0 = mono_usec();
	for (int i = 0; i < 50; i++) {
		char f[32], n[32];

		(void)snprintf(f, sizeof(f), "m%02d.yaml", i);
		(void)snprintf(n, sizeof(n), "m%02d", i);
		write_policy(f, n);
	}
	(void)run_until(e, &w, 3, t0);
	while (n_hsp(s) < 51 && mono_usec() - t0 < 3000000ULL)
		ck_assert_int_ge(sd_event_run(e, 100000), 0);
	printf("50 files applied in %u batches\n", w.calls - 2);
	ck_assert_uint_eq(n_hsp(s), 51);
	ck_assert_uint_le(w.calls - 2, 5);

	t0 = mono_usec();
	unlink_at("a.yaml");
	lat = run_until(e, &w, w.calls + 1, t0);
	printf("removed file dropped after %llu us\n", (unsigned long long)lat);
	ck_assert_ptr_null(policy_store_find(s, "a.yaml"));

	/* The directory goes away and comes back: noticed without a rescan call. */
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	for (uint64_t end = mono_usec() + 200000; mono_usec() < end;)
		ck_assert_int_ge(sd_event_run(e, 50000), 0);
	ck_assert(!policy_store_dir_present(s));
	ck_assert_uint_eq(n_hsp(s), 50);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	write_policy("back.yaml", "back");
	{
		unsigned c = w.calls;

		(void)run_until(e, &w, c + 1, mono_usec());
	}
	while (n_hsp(s) != 1 && mono_usec() - t0 < 5000000ULL)
		ck_assert_int_ge(sd_event_run(e, 100000), 0);
	ck_assert(policy_store_dir_present(s));
	ck_assert_uint_eq(n_hsp(s), 1);

	s = policy_store_free(s);
	sd_event_unref(e);
}
END_TEST

static Suite *store_suite(void)
{
	Suite *s = suite_create("daemon/policy-store");
	TCase *tc = tcase_create("store");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_scan_and_names);
	tcase_add_test(tc, test_error_keeps_last_good);
	tcase_add_test(tc, test_size_limit);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_duplicates);
	tcase_add_test(tc, test_directory_goes_and_comes_back);
	tcase_add_test(tc, test_open_for_writing_waits);
	tcase_add_test(tc, test_inotify);
	suite_add_tcase(s, tc);
	return s;
}

AGENT_CHECK_MAIN(store_suite)
