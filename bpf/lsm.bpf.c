/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lsm.bpf.c: the BPF-LSM enforcer. Each program computes the workload, the subject and the
 * operation, asks the shared matcher (lib/lsm-match.bpf.h) for the verdict, and returns -EACCES for
 * Block. Block and Audit verdicts are reported in lsm_events; a full ring buffer never changes a
 * verdict (the drop is counted). The agent's own process is never mediated. Programs and maps are
 * pinned by user space, so enforcement continues while the agent is down.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "agent-abi.h"
#include "lib/lsm-maps.bpf.h"
#include "lib/lsm-match.bpf.h"
#include "lib/lsm-hook.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Decides a file/process operation on (dentry, mnt) and reports it; returns 0 or -EACCES. */
static __always_inline int lsm_path_op(__u8 class, __u8 access, __u32 hook, struct dentry *dentry,
				       struct vfsmount *mnt)
{
	struct lsm_dec dec = {};
	struct lsm_op op = {};
	struct lsm_wl_cfg *cfg;

	if (!dentry)
		return 0;
	cfg = lsm_begin(&op, class, access);
	if (!cfg)
		return 0;
	lsm_decide_dentry(&dec, &op, dentry, mnt);
	lsm_finish(&dec, cfg, class);
	if (dec.verdict == LSM_ACT_ALLOW || lsm_exempt())
		return 0;
	if (dec.verdict == LSM_ACT_BLOCK) {
		lsm_stat_inc(LSM_STAT_DENIED);
		lsm_emit(&op, &dec, hook, dentry, mnt, 0, 0, 0, 0, -EACCES);
		return -EACCES;
	}
	lsm_emit(&op, &dec, hook, dentry, mnt, 0, 0, 0, 0, 0);
	return 0;
}

SEC("lsm/bprm_check_security")
int BPF_PROG(kubearmor_bprm_check, struct linux_binprm *bprm, int ret)
{
	struct file *f;

	if (ret)
		return ret;
	f = bprm->file;
	if (!f)
		return 0;
	return lsm_path_op(LSM_CLASS_PROCESS, LSM_ACCESS_EXEC, LSM_HOOK_BPRM_CHECK,
			   f->f_path.dentry, f->f_path.mnt);
}

SEC("lsm/file_open")
int BPF_PROG(kubearmor_file_open, struct file *file, int ret)
{
	unsigned int mode;

	if (ret)
		return ret;
	mode = file->f_mode;
	/* Opening a binary for execution (execve, the ELF interpreter, uselib) is a process
	 * operation, decided at bprm_check. The open flag __FMODE_EXEC marks it in f_flags. */
	if ((mode & FMODE_EXEC) || (file->f_flags & FMODE_EXEC))
		return 0;
	return lsm_path_op(LSM_CLASS_FILE,
			   (mode & FMODE_WRITE) ? LSM_ACCESS_WRITE : LSM_ACCESS_READ,
			   LSM_HOOK_FILE_OPEN, file->f_path.dentry, file->f_path.mnt);
}

SEC("lsm/path_unlink")
int BPF_PROG(kubearmor_path_unlink, const struct path *dir, struct dentry *dentry, int ret)
{
	if (ret)
		return ret;
	return lsm_path_op(LSM_CLASS_FILE, LSM_ACCESS_WRITE, LSM_HOOK_UNLINK, dentry, dir->mnt);
}

SEC("lsm/path_rmdir")
int BPF_PROG(kubearmor_path_rmdir, const struct path *dir, struct dentry *dentry, int ret)
{
	if (ret)
		return ret;
	return lsm_path_op(LSM_CLASS_FILE, LSM_ACCESS_WRITE, LSM_HOOK_RMDIR, dentry, dir->mnt);
}

SEC("lsm/path_mkdir")
int BPF_PROG(kubearmor_path_mkdir, const struct path *dir, struct dentry *dentry, umode_t mode,
	     int ret)
{
	if (ret)
		return ret;
	return lsm_path_op(LSM_CLASS_FILE, LSM_ACCESS_WRITE, LSM_HOOK_MKDIR, dentry, dir->mnt);
}

SEC("lsm/path_mknod")
int BPF_PROG(kubearmor_path_mknod, const struct path *dir, struct dentry *dentry, umode_t mode,
	     unsigned int dev, int ret)
{
	if (ret)
		return ret;
	return lsm_path_op(LSM_CLASS_FILE, LSM_ACCESS_WRITE, LSM_HOOK_MKNOD, dentry, dir->mnt);
}

SEC("lsm/path_symlink")
int BPF_PROG(kubearmor_path_symlink, const struct path *dir, struct dentry *dentry,
	     const char *old_name, int ret)
{
	if (ret)
		return ret;
	return lsm_path_op(LSM_CLASS_FILE, LSM_ACCESS_WRITE, LSM_HOOK_SYMLINK, dentry, dir->mnt);
}

SEC("lsm/path_link")
int BPF_PROG(kubearmor_path_link, struct dentry *old_dentry, const struct path *new_dir,
	     struct dentry *new_dentry, int ret)
{
	struct vfsmount *mnt;
	int r;

	if (ret)
		return ret;
	mnt = new_dir->mnt; /* links never cross mounts */
	r = lsm_path_op(LSM_CLASS_FILE, LSM_ACCESS_WRITE, LSM_HOOK_LINK, old_dentry, mnt);
	if (r)
		return r;
	return lsm_path_op(LSM_CLASS_FILE, LSM_ACCESS_WRITE, LSM_HOOK_LINK, new_dentry, mnt);
}

static __always_inline int lsm_rename(const struct path *old_dir, struct dentry *old_dentry,
				      const struct path *new_dir, struct dentry *new_dentry)
{
	int r = lsm_path_op(LSM_CLASS_FILE, LSM_ACCESS_WRITE, LSM_HOOK_RENAME, old_dentry,
			    old_dir->mnt);

	if (r)
		return r;
	return lsm_path_op(LSM_CLASS_FILE, LSM_ACCESS_WRITE, LSM_HOOK_RENAME, new_dentry,
			   new_dir->mnt);
}

/* path_rename has 4 arguments up to 6.2 and 5 (flags) from 6.3: the previous program's return
 * follows the arguments, so each shape has its program; user space loads the one the kernel's BTF
 * has. */
SEC("lsm/path_rename")
int BPF_PROG(kubearmor_path_rename, const struct path *old_dir, struct dentry *old_dentry,
	     const struct path *new_dir, struct dentry *new_dentry, int ret)
{
	if (ret)
		return ret;
	return lsm_rename(old_dir, old_dentry, new_dir, new_dentry);
}

SEC("lsm/path_rename")
int BPF_PROG(kubearmor_path_rename_flags, const struct path *old_dir, struct dentry *old_dentry,
	     const struct path *new_dir, struct dentry *new_dentry, unsigned int flags, int ret)
{
	if (ret)
		return ret;
	return lsm_rename(old_dir, old_dentry, new_dir, new_dentry);
}

SEC("lsm/path_truncate")
int BPF_PROG(kubearmor_path_truncate, const struct path *path, int ret)
{
	if (ret)
		return ret;
	return lsm_path_op(LSM_CLASS_FILE, LSM_ACCESS_WRITE, LSM_HOOK_TRUNCATE, path->dentry,
			   path->mnt);
}

SEC("lsm/path_chmod")
int BPF_PROG(kubearmor_path_chmod, const struct path *path, umode_t mode, int ret)
{
	if (ret)
		return ret;
	return lsm_path_op(LSM_CLASS_FILE, LSM_ACCESS_WRITE, LSM_HOOK_CHMOD, path->dentry,
			   path->mnt);
}

SEC("lsm/path_chown")
int BPF_PROG(kubearmor_path_chown, const struct path *path, void *uid, void *gid, int ret)
{
	if (ret)
		return ret;
	return lsm_path_op(LSM_CLASS_FILE, LSM_ACCESS_WRITE, LSM_HOOK_CHOWN, path->dentry,
			   path->mnt);
}

SEC("lsm/socket_create")
int BPF_PROG(kubearmor_socket_create, int family, int type, int protocol, int kern, int ret)
{
	struct lsm_dec dec = {};
	struct lsm_op op = {};
	struct lsm_wl_cfg *cfg;

	if (ret)
		return ret;
	if (kern)
		return 0;
	cfg = lsm_begin(&op, LSM_CLASS_NETWORK, LSM_ACCESS_READ);
	if (!cfg)
		return 0;
	lsm_decide_socket(&dec, &op, family, type, protocol);
	lsm_finish(&dec, cfg, LSM_CLASS_NETWORK);
	if (dec.verdict == LSM_ACT_ALLOW || lsm_exempt())
		return 0;
	if (dec.verdict == LSM_ACT_BLOCK) {
		lsm_stat_inc(LSM_STAT_DENIED);
		lsm_emit(&op, &dec, LSM_HOOK_SOCKET_CREATE, NULL, NULL, family, type, protocol, 0,
			 -EACCES);
		return -EACCES;
	}
	lsm_emit(&op, &dec, LSM_HOOK_SOCKET_CREATE, NULL, NULL, family, type, protocol, 0, 0);
	return 0;
}

SEC("lsm/capable")
int BPF_PROG(kubearmor_capable, const struct cred *cred, struct user_namespace *ns, int cap,
	     unsigned int opts, int ret)
{
	struct task_struct *task;
	struct lsm_dec dec = {};
	struct lsm_op op = {};
	struct lsm_wl_cfg *cfg;

	if (ret)
		return ret;
	task = bpf_get_current_task_btf();
	if (task->flags & PF_KTHREAD)
		return 0;
	cfg = lsm_begin(&op, LSM_CLASS_CAPABILITY, LSM_ACCESS_READ);
	if (!cfg)
		return 0;
	lsm_decide_cap(&dec, &op, cap);
	lsm_finish(&dec, cfg, LSM_CLASS_CAPABILITY);
	if (dec.verdict == LSM_ACT_ALLOW || lsm_exempt())
		return 0;
	if (dec.verdict == LSM_ACT_BLOCK) {
		lsm_stat_inc(LSM_STAT_DENIED);
		if (!(opts & CAP_OPT_NOAUDIT))
			lsm_emit(&op, &dec, LSM_HOOK_CAPABLE, NULL, NULL, 0, 0, 0, cap, -EACCES);
		return -EACCES;
	}
	if (!(opts & CAP_OPT_NOAUDIT))
		lsm_emit(&op, &dec, LSM_HOOK_CAPABLE, NULL, NULL, 0, 0, 0, cap, 0);
	return 0;
}
