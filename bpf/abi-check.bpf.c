/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * abi-check.bpf.c: one global of every struct in agent-abi.h, so clang's layout of each lands in
 * this object's BTF. tests/bpf/test-abi.c compares it with the host compiler's sizeof/offsetof.
 * Never loaded.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "agent-abi.h"

struct agent_evt_hdr abi_evt_hdr SEC(".data.abi");
struct agent_task abi_task SEC(".data.abi");
struct agent_evt_common abi_evt_common SEC(".data.abi");
struct agent_evt_exec abi_evt_exec SEC(".data.abi");
struct agent_evt_exit abi_evt_exit SEC(".data.abi");
struct agent_evt_fork abi_evt_fork SEC(".data.abi");
struct agent_evt_sys abi_evt_sys SEC(".data.abi");
struct agent_config abi_config SEC(".data.abi");

char LICENSE[] SEC("license") = "GPL";
