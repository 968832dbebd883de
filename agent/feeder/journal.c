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
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "feeder/journal.h"

bool journal_socket_present(void)
{
	return access("/run/systemd/journal/socket", F_OK) == 0;
}

int journal_send_record(const FeederRecord *rec)
{
	_cleanup_free_ char *buf = NULL;
	struct iovec iov[FEEDER_FIELDS_MAX];
	size_t total = 0;
	char *p;

	if (rec->n_fields == 0 || rec->n_fields > FEEDER_FIELDS_MAX)
		return -EINVAL;
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
	return sd_journal_sendv(iov, (int)rec->n_fields);
}
