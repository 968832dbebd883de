/* SPDX-License-Identifier: Apache-2.0 */
/* bpflsm-stub.c: the BPF-LSM enforcer in a build without BPF programs (-Dbpf=disabled). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "enforcer/bpflsm/bpflsm.h"

static int stub_probe(char **reason)
{
	*reason = strdup(
		"this build has no BPF programs (built with -Dbpf=disabled or without clang)");
	return -EOPNOTSUPP;
}

static int stub_new(const EnforcerOptions *opts, Enforcer **ret)
{
	return -EOPNOTSUPP;
}

int bpflsm_socket_resource(int domain, int type, int protocol, char *buf, size_t n)
{
	return -EOPNOTSUPP;
}

bool bpflsm_adopted(const Enforcer *e)
{
	return false;
}

const EnforcerOps enforcer_bpflsm_ops = {
	.name = "bpf",
	.display = "BPFLSM",
	.probe = stub_probe,
	.new = stub_new,
};
