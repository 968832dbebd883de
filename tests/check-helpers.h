/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check-helpers.h: the shared main for Check suites and the guards of tests that need something
 * this machine may lack. A guard prints one line saying what is missing and exits 77 (meson's
 * SKIP).
 */
#pragma once

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/macro.h"

#define AGENT_CHECK_MAIN(suite_fn)                                \
	int main(void)                                            \
	{                                                         \
		SRunner *sr = srunner_create(suite_fn());         \
		int failed;                                       \
		srunner_run_all(sr, CK_ENV);                      \
		failed = srunner_ntests_failed(sr);               \
		srunner_free(sr);                                 \
		return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE; \
	}

static inline void require_root(void)
{
	if (geteuid() != 0) {
		printf("SKIP: needs root\n");
		exit(77);
	}
}

/* Source-tree locations, passed by tests/meson.build. */
#ifndef TEST_SRCDIR
#error "TEST_SRCDIR must be defined"
#endif
