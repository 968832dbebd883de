/* SPDX-License-Identifier: Apache-2.0 */
#include "aa-test-util.h"
static Suite *s(void)
{
	return suite_create("x");
}
AGENT_CHECK_MAIN(s)
