/* SPDX-License-Identifier: Apache-2.0 */
/*
 * journal.c: one FeederRecord → one journal entry through sd_journal_sendv(). The only file that
 * includes <systemd/sd-journal.h>.
 *
 * sd_journal_sendv() takes "NAME=value" iovecs; values may hold any byte (newlines included),
 * libsystemd picks the binary-safe encoding itself. Source-location fields (CODE_FILE, ...) are
 * suppressed: they would name this file for every alert.
 */
#define SD_JOURNAL_SUPPRESS_LOCATION 1

#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "feeder/journal.h"

#define JOURNAL_SOCKET "/run/systemd/journal/socket"

bool journal_socket_present(void)
{
	return access(JOURNAL_SOCKET, F_OK) == 0;
}

/* tmpfs hands a new socket the inode number of the old one at once, so the change time (set when
 * journald creates and chmods its socket) is part of the identity. Never 0. */
static uint64_t socket_identity(const struct stat *st)
{
	uint64_t h = UINT64_C(14695981039346656037);
	uint64_t parts[] = {(uint64_t)st->st_dev, (uint64_t)st->st_ino,
			    (uint64_t)st->st_ctim.tv_sec, (uint64_t)st->st_ctim.tv_nsec};

	for (size_t i = 0; i < ELEMENTSOF(parts); i++)
		h = (h ^ parts[i]) * UINT64_C(1099511628211);
	return h | 1U;
}

int journal_send_record(const FeederRecord *rec, uint64_t *ret_instance)
{
	_cleanup_free_ char *buf = NULL;
	struct iovec iov[FEEDER_FIELDS_MAX];
	size_t total = 0;
	struct stat st;
	char *p;
	int r;

	if (rec->n_fields == 0 || rec->n_fields > FEEDER_FIELDS_MAX)
		return -EINVAL;

	if (stat(JOURNAL_SOCKET, &st) < 0)
		return -errno;
	for (size_t i = 0; i < rec->n_fields; i++)
		total += strlen(rec->fields[i].name) + 1 + strlen(rec->fields[i].value) + 1;

	buf = malloc(total);
	if (!buf)
		return -ENOMEM;
	p = buf;
	for (size_t i = 0; i < rec->n_fields; i++) {
		char *start = p;

		p = stpcpy(p, rec->fields[i].name);
		*p++ = '=';
		p = stpcpy(p, rec->fields[i].value);
		iov[i] = (struct iovec){.iov_base = start, .iov_len = (size_t)(p - start)};
		p++;
	}
	r = sd_journal_sendv(iov, (int)rec->n_fields);
	if (r < 0)
		return r;
	*ret_instance = socket_identity(&st);
	return 0;
}

int journal_instance(uint64_t *ret_instance)
{
	struct stat st;

	if (stat(JOURNAL_SOCKET, &st) < 0)
		return -errno;
	*ret_instance = socket_identity(&st);
	return 0;
}

unsigned journal_queue_limit(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/sys/net/unix/max_dgram_qlen", "re");
	unsigned v;

	if (!f || fscanf(f, "%u", &v) != 1)
		return 0;
	return v;
}
