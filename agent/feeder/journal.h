/* SPDX-License-Identifier: Apache-2.0 */
/*
 * journal.h (internal to feeder/): the journald transport. journal.c is the only file that includes
 * <systemd/sd-journal.h>.
 */
#pragma once

#include <stdbool.h>

#include "feeder/feeder.h"

/* Whether journald's native socket exists (it may still be stale). */
bool journal_socket_present(void);

/* Sends rec->fields as one journal entry. Return: 0 or the -errno of sd_journal_sendv()
 * (-ECONNREFUSED: journald stopped; -ENOENT: never started). */
int journal_send_record(const FeederRecord *rec);
