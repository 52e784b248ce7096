// SPDX-License-Identifier: GPL-2.0
/* sockscope's kernel side: one object, hooks grouped by purpose in hooks/.
 * Every hook is a tracepoint, raw tracepoint, tp_btf, cgroup or
 * iterator program; userspace turns off (set_autoload) any whose target
 * this kernel lacks and reports it, and attaches only the tiers asked for
 * (userspace/source/kernel/tiers.cpp). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "hooks/tcp_state.bpf.h"
#include "hooks/sock_io.bpf.h"
#include "hooks/syscalls.bpf.h"
#include "hooks/netdev.bpf.h"
#include "hooks/drops.bpf.h"
#include "hooks/tcp_health.bpf.h"
#include "hooks/iterators.bpf.h"
#include "hooks/cgroup_sock.bpf.h"

char LICENSE[] SEC("license") = "GPL";
