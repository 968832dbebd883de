/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench-policy.c: parse + validate every policy file of a directory, ROUNDS times, the way the
 * daemon loads them (policy_file_load), and report documents per second of CPU time and the peak
 * RSS. Not a test: tests/bench/bench-policy generates the input and prints the figures.
 *
 *   bench-policy DIR [ROUNDS]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "core/strv.h"
#include "policy/policy.h"

static double now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The same from memory: parse + validate without the file system. */
static int from_memory(char **files, size_t nfiles, unsigned rounds)
{
	char **bufs = calloc(nfiles, sizeof(char *));
	size_t *lens = calloc(nfiles, sizeof(size_t)), docs = 0;
	double cpu0, cpu;
	int r = 0;

	if (!bufs || !lens)
		r = -ENOMEM;
	for (size_t i = 0; r == 0 && i < nfiles; i++) {
		FILE *in = fopen(files[i], "re");

		bufs[i] = malloc(POLICY_MAX_FILE_SIZE);
		if (!in || !bufs[i]) {
			r = -EIO;
			if (in)
				fclose(in);
			break;
		}
		lens[i] = fread(bufs[i], 1, POLICY_MAX_FILE_SIZE, in);
		fclose(in);
	}
	cpu0 = now(CLOCK_PROCESS_CPUTIME_ID);
	for (unsigned k = 0; r == 0 && k < rounds; k++)
		for (size_t i = 0; r == 0 && i < nfiles; i++) {
			PolicyFile *f = NULL;

			r = policy_file_parse_buffer(files[i], bufs[i], lens[i], &f);
			if (r == 0) {
				docs += f->n_docs;
				policy_file_free(f);
			}
		}
	cpu = now(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
	if (r == 0)
		printf("documents/s from memory (cpu): %.0f\n", (double)docs / cpu);
	for (size_t i = 0; bufs && i < nfiles; i++)
		free(bufs[i]);
	free(bufs);
	free(lens);
	return r;
}

int main(int argc, char **argv)
{
	_cleanup_strv_free_ char **files = NULL;
	size_t docs = 0, invalid = 0, nfiles;
	unsigned rounds = argc > 2 ? (unsigned)atoi(argv[2]) : 5;
	double cpu0, wall0, cpu, wall;
	struct rusage ru;
	int r;

	if (argc < 2 || rounds == 0) {
		fprintf(stderr, "Usage: bench-policy DIR [ROUNDS]\n");
		return 2;
	}
	r = policy_dir_list(argv[1], &files);
	if (r < 0) {
		fprintf(stderr, "bench-policy: %s: %s\n", argv[1], strerror(-r));
		return 1;
	}
	nfiles = strv_length(files);
	if (nfiles == 0) {
		fprintf(stderr, "bench-policy: %s: no policy files\n", argv[1]);
		return 1;
	}

	cpu0 = now(CLOCK_PROCESS_CPUTIME_ID);
	wall0 = now(CLOCK_MONOTONIC);
	for (unsigned i = 0; i < rounds; i++)
		STRV_FOREACH(p, files)
		{
			PolicyFile *f = NULL;

			r = policy_file_load(*p, &f);
			if (r < 0) {
				fprintf(stderr, "bench-policy: %s: %s\n", *p, strerror(-r));
				return 1;
			}
			docs += f->n_docs;
			if (!policy_file_ok(f))
				invalid++;
			policy_file_free(f);
		}
	cpu = now(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
	wall = now(CLOCK_MONOTONIC) - wall0;
	getrusage(RUSAGE_SELF, &ru);

	printf("files: %zu x %u rounds, documents: %zu, invalid files: %zu\n", nfiles, rounds, docs,
	       invalid);
	printf("cpu: %.3f s, wall: %.3f s\n", cpu, wall);
	printf("documents/s (cpu): %.0f\n", (double)docs / cpu);
	printf("files/s (cpu): %.0f\n", (double)(nfiles * rounds) / cpu);
	printf("peak RSS: %.1f MiB\n", (double)ru.ru_maxrss / 1024.0);
	r = from_memory(files, nfiles, rounds);
	return invalid || r < 0 ? 1 : 0;
}
