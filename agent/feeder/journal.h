/* SPDX-License-Identifier: Apache-2.0 */
/*
 * journal.h (internal to feeder/): the journald transport. journal.c is the only file that includes
 * <systemd/sd-journal.h>.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "feeder/feeder.h"

/* Whether journald's native socket exists (it may still be stale). */
bool journal_socket_present(void);

/* Sends rec->fields as one journal entry. On success *ret_instance identifies the socket that
 * took it (device, inode and change time of /run/systemd/journal/socket; never 0): a restarted
 * journald binds a new socket, so a change means the previous journald may have died with unread
 * entries queued.
 * Return: 0, -ENOENT when there is no socket, or the -errno of sd_journal_sendv() (-ECONNREFUSED:
 * journald stopped, its socket left behind). */
int journal_send_record(const FeederRecord *rec, uint64_t *ret_instance);

/* The identity journal_send_record() would report now, without sending. Return: 0 or -errno of
 * stat() (-ENOENT: no journald). */
int journal_instance(uint64_t *ret_instance);

/* net.unix.max_dgram_qlen: journald's socket queues at most this many + 1 unread datagrams.
 * 0 if unknown. */
unsigned journal_queue_limit(void);
