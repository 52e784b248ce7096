/* Socket syscalls: entry and exit, so time blocked in the call is known.
 *
 * The raw sys_enter/sys_exit pair as tp_btf, not the per-syscall
 * tracepoints (syscalls:sys_enter_X): those fill a perf trace buffer on
 * every call before the program runs, which made the floor (empty
 * programs) cost 20 % on a send/recv loop (docs/performance.md). These two
 * run for every syscall, so each first looks the number up in
 * cfg_syscall_call (a .rodata array userspace fills from its own
 * <sys/syscall.h>) and leaves at once for any other call. read/write/close
 * also run for every file, so their entry first checks that the fd is an
 * inet socket and records nothing otherwise.
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

/* The thread's in-flight slot, created on its first socket call. */
static __always_inline struct inflight *new_inflight(void)
{
	struct inflight *in = bpf_task_storage_get(&inflight_calls, bpf_get_current_task_btf(), 0,
						   BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!in) {
		count_lost(SS_LOST_INFLIGHT);
		return NULL;
	}
	__builtin_memset(in, 0, sizeof(*in));
	return in;
}

/* The call this thread is in, or NULL. */
static __always_inline struct inflight *current_inflight(void)
{
	struct inflight *in = bpf_task_storage_get(&inflight_calls, bpf_get_current_task_btf(), 0, 0);
	return in && in->call ? in : NULL;
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
static __always_inline void enter_fd(const __u64 *args, __u16 call)
{
	int fd = args[0];
	struct file *f = NULL;
	struct sock *sk = fd_to_sock(fd, &f);
	if (!sk)
		return;
	struct inflight *in = new_inflight();
	if (!in)
		return;
	in->enter_ns = bpf_ktime_get_ns();
	in->fd = fd;
	in->sk = (__u64)sk;
	if (is_data_call(call)) {
		/* the socket's cookie if it has one: the packets tier tags the
		 * call again at sock_sendmsg/recvmsg, and without that tier
		 * (--detail calls alone) nothing else would */
		in->cookie = sk->__sk_common.skc_cookie.counter;
		switch (call) {
		case SS_CALL_SENDTO:
		case SS_CALL_RECVFROM:
		case SS_CALL_SENDMMSG:
		case SS_CALL_RECVMMSG: /* (fd, buf|vec, len|vlen, flags, ...) */
			in->arg0 = args[2];
			in->arg1 = args[3];
			break;
		case SS_CALL_SENDMSG:
		case SS_CALL_RECVMSG: /* (fd, msg, flags) */
			in->arg1 = args[2];
			break;
		default: /* read/write (fd, buf, len), readv/writev (fd, iov, n) */
			in->arg0 = args[2];
			break;
		}
		in->call = call; /* last: the slot is live from here */
		return;
	}
	fill_sock_id(&in->sock, sk);
	in->cookie = in->sock.cookie;
	switch (call) {
	case SS_CALL_BIND:
	case SS_CALL_CONNECT:
		read_user_sockaddr(in, (const void *)args[1]);
		break;
	case SS_CALL_LISTEN:
	case SS_CALL_SHUTDOWN:
		in->arg0 = args[1];
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
		in->arg0 = args[1];
		in->arg1 = args[2];
		int v[2] = {};
		const void *optval = (const void *)args[3];
		__u64 optlen = args[4];
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
	in->call = call;
}

static __always_inline void enter_socket(const __u64 *args, __u16 call)
{
	int domain = args[0];
	int type = args[1] & 0xf; /* strip SOCK_NONBLOCK | SOCK_CLOEXEC */
	int proto = args[2];
	if (!is_inet(domain) || (type != 1 /* STREAM */ && type != 2 /* DGRAM */))
		return;
	if (proto != 0 && proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return; /* SCTP, MPTCP, ICMP datagram sockets: not modelled */
	struct inflight *in = new_inflight();
	if (!in)
		return;
	in->enter_ns = bpf_ktime_get_ns();
	in->fd = -1;
	in->arg0 = domain;
	in->arg1 = args[1];
	in->arg2 = args[2];
	in->call = call;
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

static __always_inline void exit_call(struct inflight *in, long ret)
{
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
#ifndef SS_NO_RDONLY_CAST
		fill_sock_id(&e->sock, ss_cast(struct sock, in->sk));
#else
		/* unreachable there: fd_to_sock finds no socket without the cast */
		__builtin_memset(&e->sock, 0, sizeof(e->sock));
#endif
		if (data)
			e->sock.cookie = in->cookie;
	}
#ifndef SS_NO_RDONLY_CAST
	if ((in->call == SS_CALL_ACCEPT || in->call == SS_CALL_ACCEPT4) && in->cookie)
		sample_occupancy(ss_cast(struct sock, in->sk), in->cookie, SS_TCP_LISTEN, SS_SAMPLE_ACCEPT);
#endif
	e->enter_ns = in->enter_ns;
	e->ret = ret;
	e->call = in->call;
	e->origin = SS_CALL_FROM_SYSCALL;
	e->arg0 = in->arg0;
	e->arg1 = in->arg1;
	e->arg2 = in->arg2;
	e->addr_family = in->addr_family;
	e->addr_port = in->addr_port;
	__builtin_memset(e->pad2, 0, sizeof(e->pad2));
	__builtin_memcpy(e->addr, in->addr, sizeof(e->addr));
	submit(e);
out:
	in->call = 0;
}

/* Native calls only: a 32-bit process's calls have other numbers. */
static __always_inline bool native_syscall(void)
{
#if defined(__TARGET_ARCH_x86)
	return !(bpf_get_current_task_btf()->thread_info.status & 0x0002 /* TS_COMPAT */);
#else
#error "sockscope's syscall hooks know the x86-64 syscall ABI only"
#endif
}

/* --detail for one process (top's detail key, -p): others leave at once. */
static __always_inline bool in_detail_scope(void)
{
	__u32 only = detail_tgid;
	return !only || (bpf_get_current_pid_tgid() >> 32) == only;
}

static __always_inline __u16 call_of(long nr)
{
	if (nr < 0 || nr >= SS_SYSCALL_NR_MAX)
		return 0;
	return cfg_syscall_call[nr];
}

SEC("tp_btf/sys_enter")
int BPF_PROG(ss_sys_enter, struct pt_regs *regs, long nr)
{
	__u16 call = call_of(nr);
	if (!call || !in_detail_scope() || !native_syscall())
		return 0;
	__u64 args[5] = {
		PT_REGS_PARM1_SYSCALL(regs), PT_REGS_PARM2_SYSCALL(regs), PT_REGS_PARM3_SYSCALL(regs),
		PT_REGS_PARM4_SYSCALL(regs), PT_REGS_PARM5_SYSCALL(regs),
	};
	if (call == SS_CALL_SOCKET)
		enter_socket(args, call);
	else
		enter_fd(args, call);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(ss_sys_exit, struct pt_regs *regs, long ret)
{
	if (!call_of(regs->orig_ax) || !in_detail_scope())
		return 0;
	struct inflight *in = current_inflight();
	if (in)
		exit_call(in, ret);
	return 0;
}
