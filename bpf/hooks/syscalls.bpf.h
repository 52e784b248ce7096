/* Socket syscalls: entry and exit, so time blocked in the call is known.
 *
 * Per-syscall tracepoints (syscalls:sys_enter_X) rather than the raw
 * sys_enter/sys_exit pair: only the calls we care about pay for a program
 * run. read/write/close also run for every file, so their entry handlers
 * first check that the fd is an inet socket and record nothing otherwise.
 *
 * Lifecycle calls (socket, bind, listen, accept, connect, shutdown, close,
 * setsockopt) are rare and each becomes a record. Data calls are counted in
 * sock_stats, and become records only at the per-call detail level. */
#pragma once
#include "../lib/stats.bpf.h"
#include "../lib/core_fixes.bpf.h"

#define SS_SOL_SOCKET 1
#define SS_SO_LINGER 13

static __always_inline bool is_data_call(__u16 call)
{
	return call >= SS_CALL_SENDTO;
}

static __always_inline bool is_send_call(__u16 call)
{
	return call == SS_CALL_SENDTO || call == SS_CALL_SENDMSG ||
	       call == SS_CALL_SENDMMSG || call == SS_CALL_WRITE ||
	       call == SS_CALL_WRITEV;
}

static __always_inline struct inflight *scratch_inflight(void)
{
	__u32 zero = 0;
	struct inflight *in = bpf_map_lookup_elem(&inflight_scratch, &zero);
	if (in)
		__builtin_memset(in, 0, sizeof(*in));
	return in;
}

static __always_inline void store_inflight(struct inflight *in)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	if (bpf_map_update_elem(&inflight_calls, &tid, in, BPF_ANY))
		count_lost(SS_LOST_INFLIGHT);
}

/* Copy a user sockaddr (v4 or v6) into the record's address fields. */
static __always_inline void read_user_sockaddr(struct inflight *in, const void *uaddr)
{
	struct sockaddr_in6 sa = {};
	if (!uaddr || bpf_probe_read_user(&sa, sizeof(sa), uaddr) < 0)
		return;
	in->addr_family = sa.sin6_family;
	in->addr_port = bpf_ntohs(sa.sin6_port);
	if (sa.sin6_family == AF_INET)
		__builtin_memcpy(in->addr, &((struct sockaddr_in *)&sa)->sin_addr, 4);
	else if (sa.sin6_family == AF_INET6)
		__builtin_memcpy(in->addr, &sa.sin6_addr, 16);
}

/* Entry of any call whose first argument is a socket fd. */
static __always_inline int enter_fd(struct trace_event_raw_sys_enter *ctx, __u16 call)
{
	int fd = ctx->args[0];
	struct file *f = NULL;
	struct sock *sk = fd_to_sock(fd, &f);
	if (!sk)
		return 0;
	struct inflight *in = scratch_inflight();
	if (!in)
		return 0;
	in->enter_ns = bpf_ktime_get_ns();
	in->call = call;
	in->fd = fd;
	in->sk = (__u64)sk;
	if (is_data_call(call)) {
		/* Read only arguments the call has: the kernel refuses to attach
		 * a program that reads past its tracepoint's context (EACCES). */
		switch (call) {
		case SS_CALL_SENDTO:
		case SS_CALL_RECVFROM:
		case SS_CALL_SENDMMSG:
		case SS_CALL_RECVMMSG: /* (fd, buf|vec, len|vlen, flags, ...) */
			in->arg0 = ctx->args[2];
			in->arg1 = ctx->args[3];
			break;
		case SS_CALL_SENDMSG:
		case SS_CALL_RECVMSG: /* (fd, msg, flags) */
			in->arg1 = ctx->args[2];
			break;
		default: /* read/write (fd, buf, len), readv/writev (fd, iov, n) */
			in->arg0 = ctx->args[2];
			break;
		}
		store_inflight(in);
		return 0;
	}
	fill_sock_id(&in->sock, sk);
	in->cookie = in->sock.cookie;
	switch (call) {
	case SS_CALL_BIND:
	case SS_CALL_CONNECT:
		read_user_sockaddr(in, (const void *)ctx->args[1]);
		break;
	case SS_CALL_LISTEN:
	case SS_CALL_SHUTDOWN:
		in->arg0 = ctx->args[1];
		break;
	case SS_CALL_ACCEPT:
	case SS_CALL_ACCEPT4:
		in->arg0 = fd;
		in->arg1 = in->sock.cookie;
		break;
	case SS_CALL_CLOSE:
		in->arg0 = file_last_ref(f);
		break;
	case SS_CALL_SETSOCKOPT: {
		in->arg0 = ctx->args[1];
		in->arg1 = ctx->args[2];
		int v[2] = {};
		/* plain loads first: the verifier refuses a load through a ctx
		 * pointer the compiler has offset */
		const void *optval = (const void *)ctx->args[3];
		__u64 optlen = ctx->args[4];
		barrier_var(optlen);
		/* never read past what the app passed */
		if (optlen >= sizeof(v))
			bpf_probe_read_user(v, sizeof(v), optval);
		else if (optlen >= sizeof(v[0]))
			bpf_probe_read_user(v, sizeof(v[0]), optval);
		in->arg2 = (__u32)v[0];
		if (in->arg0 == SS_SOL_SOCKET && in->arg1 == SS_SO_LINGER)
			in->arg2 |= (__u64)(__u32)v[1] << 32;
		break;
	}
	}
	store_inflight(in);
	return 0;
}

static __always_inline int enter_socket(struct trace_event_raw_sys_enter *ctx, __u16 call)
{
	int domain = ctx->args[0];
	int type = ctx->args[1] & 0xf; /* strip SOCK_NONBLOCK | SOCK_CLOEXEC */
	int proto = ctx->args[2];
	if (!is_inet(domain) || (type != 1 /* STREAM */ && type != 2 /* DGRAM */))
		return 0;
	if (proto != 0 && proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return 0; /* SCTP, MPTCP, ICMP datagram sockets: not modelled */
	struct inflight *in = scratch_inflight();
	if (!in)
		return 0;
	in->enter_ns = bpf_ktime_get_ns();
	in->call = call;
	in->fd = -1;
	in->arg0 = domain;
	in->arg1 = ctx->args[1];
	in->arg2 = ctx->args[2];
	store_inflight(in);
	return 0;
}

static __always_inline void account_data_call(struct inflight *in, long ret, __u64 now)
{
	struct ss_sock_stats *st = stats_get(in->cookie, in->sk);
	if (!st)
		return;
	__u64 dur = now - in->enter_ns;
	if (is_send_call(in->call)) {
		__sync_fetch_and_add(&st->send_calls, 1);
		__sync_fetch_and_add(&st->send_ns, dur);
		if (dur > st->send_ns_max)
			st->send_ns_max = dur;
		st->last_send_ns = now;
	} else {
		__sync_fetch_and_add(&st->recv_calls, 1);
		__sync_fetch_and_add(&st->recv_ns, dur);
		if (dur > st->recv_ns_max)
			st->recv_ns_max = dur;
		st->last_recv_ns = now;
	}
	st->owner_pid = bpf_get_current_pid_tgid() >> 32;
}

/* Shared by every exit program; not inlined so 19 copies stay one. */
static __noinline int exit_call(long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct inflight *in = bpf_map_lookup_elem(&inflight_calls, &tid);
	if (!in)
		return 0;
	__u64 now = bpf_ktime_get_ns();
	bool data = is_data_call(in->call);
	if (data) {
		/* untagged: the call never reached sock_sendmsg/recvmsg */
		if (!in->cookie)
			goto out;
		account_data_call(in, ret, now);
		if (!cfg_detail_calls)
			goto out;
	}
	struct ss_syscall_event *e = reserve(SS_EV_SYSCALL, sizeof(*e));
	if (!e)
		goto out;
	fill_task(&e->task);
	e->fd = in->fd;
	if (in->call == SS_CALL_SOCKET || in->call == SS_CALL_ACCEPT ||
	    in->call == SS_CALL_ACCEPT4) {
		/* the socket is the one the call returned */
		struct sock *sk = ret >= 0 ? fd_to_sock(ret, NULL) : NULL;
		e->fd = ret;
		if (sk) {
			fill_sock_id(&e->sock, sk);
		} else if (in->call != SS_CALL_SOCKET) {
			/* a failed accept belongs to the listener */
			e->fd = in->fd;
			e->sock = in->sock;
		} else {
			__builtin_memset(&e->sock, 0, sizeof(e->sock));
		}
	} else if (in->call == SS_CALL_CLOSE) {
		/* after close the sock may be freed: use what entry saw */
		e->sock = in->sock;
	} else {
		fill_sock_id(&e->sock, (struct sock *)in->sk);
		if (data)
			e->sock.cookie = in->cookie;
	}
	if ((in->call == SS_CALL_ACCEPT || in->call == SS_CALL_ACCEPT4) && in->cookie)
		sample_occupancy((struct sock *)in->sk, in->cookie, SS_TCP_LISTEN, SS_SAMPLE_ACCEPT);
	e->enter_ns = in->enter_ns;
	e->ret = ret;
	e->call = in->call;
	e->pad = 0;
	e->arg0 = in->arg0;
	e->arg1 = in->arg1;
	e->arg2 = in->arg2;
	e->addr_family = in->addr_family;
	e->addr_port = in->addr_port;
	__builtin_memset(e->pad2, 0, sizeof(e->pad2));
	__builtin_memcpy(e->addr, in->addr, sizeof(e->addr));
	submit(e);
out:
	bpf_map_delete_elem(&inflight_calls, &tid);
	return 0;
}

#define SS_SYSCALL(name, call, enter)                                          \
	SEC("tracepoint/syscalls/sys_enter_" #name)                            \
	int ss_enter_##name(struct trace_event_raw_sys_enter *ctx)             \
	{                                                                      \
		return enter(ctx, call);                                       \
	}                                                                      \
	SEC("tracepoint/syscalls/sys_exit_" #name)                             \
	int ss_exit_##name(struct trace_event_raw_sys_exit *ctx)               \
	{                                                                      \
		return exit_call(ctx->ret);                                    \
	}

SS_SYSCALL(socket, SS_CALL_SOCKET, enter_socket)
SS_SYSCALL(bind, SS_CALL_BIND, enter_fd)
SS_SYSCALL(listen, SS_CALL_LISTEN, enter_fd)
SS_SYSCALL(accept, SS_CALL_ACCEPT, enter_fd)
SS_SYSCALL(accept4, SS_CALL_ACCEPT4, enter_fd)
SS_SYSCALL(connect, SS_CALL_CONNECT, enter_fd)
SS_SYSCALL(shutdown, SS_CALL_SHUTDOWN, enter_fd)
SS_SYSCALL(close, SS_CALL_CLOSE, enter_fd)
SS_SYSCALL(setsockopt, SS_CALL_SETSOCKOPT, enter_fd)
SS_SYSCALL(sendto, SS_CALL_SENDTO, enter_fd)
SS_SYSCALL(sendmsg, SS_CALL_SENDMSG, enter_fd)
SS_SYSCALL(sendmmsg, SS_CALL_SENDMMSG, enter_fd)
SS_SYSCALL(recvfrom, SS_CALL_RECVFROM, enter_fd)
SS_SYSCALL(recvmsg, SS_CALL_RECVMSG, enter_fd)
SS_SYSCALL(recvmmsg, SS_CALL_RECVMMSG, enter_fd)
SS_SYSCALL(read, SS_CALL_READ, enter_fd)
SS_SYSCALL(write, SS_CALL_WRITE, enter_fd)
SS_SYSCALL(readv, SS_CALL_READV, enter_fd)
SS_SYSCALL(writev, SS_CALL_WRITEV, enter_fd)
