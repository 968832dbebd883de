// SPDX-License-Identifier: GPL-2.0-only
/*
 * lsm-deny.bpf.c: the VM tier's BPF-LSM smoke test. A file_open program that denies opening one
 * file, named by (device, inode) in the one-entry "target" map. CO-RE with minimal type
 * definitions, so it builds without a vmlinux.h and relocates against whatever kernel loads it.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#define EPERM 1

struct super_block {
	__u32 s_dev;
} __attribute__((preserve_access_index));

struct inode {
	unsigned long i_ino;
	struct super_block *i_sb;
} __attribute__((preserve_access_index));

struct file {
	struct inode *f_inode;
} __attribute__((preserve_access_index));

struct target {
	__u64 ino;
	__u32 dev;
	__u32 armed;
	__u64 denied;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct target);
} target SEC(".maps");

SEC("lsm/file_open")
int BPF_PROG(deny_marker, struct file *file, int ret)
{
	__u32 zero = 0;
	struct target *t;

	if (ret != 0)
		return ret;
	t = bpf_map_lookup_elem(&target, &zero);
	if (!t || !t->armed)
		return 0;
	if (BPF_CORE_READ(file, f_inode, i_ino) != t->ino ||
	    BPF_CORE_READ(file, f_inode, i_sb, s_dev) != t->dev)
		return 0;
	__sync_fetch_and_add(&t->denied, 1);
	return -EPERM;
}

char LICENSE[] SEC("license") = "GPL";
