/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "daemon/verbs.h"

int verb_explain(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "kubearmor explain: not built yet\n");
	return 1;
}
