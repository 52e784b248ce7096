/* An SS_EV_SYSCALL record for a call seen inside it (origin
 * SS_CALL_FROM_CGROUP): by a cgroup socket hook, or by the state hook at
 * the move to LISTEN. The task is the caller; the fd is not known. */
#pragma once
#include "emit.bpf.h"
#include "sock_read.bpf.h"

/* A record for one call, its socket identity already filled by the caller. */
static __always_inline struct ss_syscall_event *call_record_at(__u16 call, __u64 now)
{
	struct ss_syscall_event *e = reserve_at(SS_EV_SYSCALL, sizeof(*e), now);
	if (!e)
		return NULL;
	fill_task(&e->task);
	e->enter_ns = e->hdr.ts_ns;
	e->ret = 0;
	e->fd = -1;
	e->call = call;
	e->origin = SS_CALL_FROM_CGROUP;
	e->arg0 = e->arg1 = e->arg2 = 0;
	e->addr_family = 0;
	e->addr_port = 0;
	__builtin_memset(e->pad2, 0, sizeof(e->pad2));
	__builtin_memset(e->addr, 0, sizeof(e->addr));
	return e;
}

static __always_inline struct ss_syscall_event *call_record(__u16 call)
{
	return call_record_at(call, bpf_ktime_get_ns());
}
