/* CO-RE workarounds for fields that moved between kernels. */
#pragma once
#include <bpf/bpf_core_read.h>

/* Linux 6.13 (commit 90ee6ed776c0, "fs: port files to file_ref") replaced
 * struct file::f_count (1 == one reference) by f_ref (0 == one reference). */
struct file___old {
	atomic_long_t f_count;
};

/* True when this file has exactly one reference, i.e. a close() of it
 * releases the socket. */
static __always_inline bool file_last_ref(struct file *f)
{
	if (bpf_core_field_exists(f->f_ref))
		return BPF_CORE_READ(f, f_ref.refcnt.counter) == 0;
	struct file___old *fo = (void *)f;
	return BPF_CORE_READ(fo, f_count.counter) == 1;
}
