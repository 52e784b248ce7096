/* Reading a socket's identity and queues. Every read goes through CO-RE
 * probe reads, so these work on the trusted pointers of tp_btf hooks and on
 * addresses found by walking the fd table alike. */
#pragma once
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include "../abi/sockscope_abi.h"

#define AF_INET 2
#define AF_INET6 10
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define SS_TCP_LISTEN 10
#define SS_TCP_TIME_WAIT 6
#define SS_TCP_NEW_SYN_RECV 12

static __always_inline void fill_task(struct ss_task *t)
{
	__u64 id = bpf_get_current_pid_tgid();
	t->pid = id >> 32;
	t->tid = (__u32)id;
	bpf_get_current_comm(t->comm, sizeof(t->comm));
}

static __always_inline bool is_inet(__u16 family)
{
	return family == AF_INET || family == AF_INET6;
}

/* TCP or UDP over IPv4/IPv6: what sockscope models (not raw, ICMP, SCTP) */
static __always_inline bool is_tcp_udp(struct sock *sk)
{
	__u16 proto = BPF_CORE_READ(sk, sk_protocol);
	return is_inet(BPF_CORE_READ(sk, __sk_common.skc_family)) &&
	       (proto == IPPROTO_TCP || proto == IPPROTO_UDP);
}

/* The inet socket behind fd in the current task, or NULL. *filep gets the
 * struct file. */
static __always_inline struct sock *fd_to_sock(int fd, struct file **filep)
{
	if (fd < 0)
		return NULL;
	struct task_struct *task = (void *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	if (!fdt || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	if (!f)
		return NULL;
	__u16 mode = BPF_CORE_READ(f, f_inode, i_mode);
	if ((mode & S_IFMT) != S_IFSOCK)
		return NULL;
	struct socket *so = BPF_CORE_READ(f, private_data);
	struct sock *sk = BPF_CORE_READ(so, sk);
	if (!sk || !is_tcp_udp(sk))
		return NULL;
	if (filep)
		*filep = f;
	return sk;
}

/* TIME_WAIT and NEW_SYN_RECV sockets are a struct sock_common and little
 * more: only the common part may be read (the kernel's sk_fullsock()). */
static __always_inline bool is_full_sock(struct sock *sk)
{
	__u8 st = BPF_CORE_READ(sk, __sk_common.skc_state);
	return st != SS_TCP_TIME_WAIT && st != SS_TCP_NEW_SYN_RECV;
}

/* The identity fields every socket has, full or not. */
static __always_inline void fill_sock_common(struct ss_sock_id *id, struct sock *sk)
{
	id->sk = (__u64)sk;
	__builtin_memset(id->pad, 0, sizeof(id->pad));
	id->inode = 0;
	id->cookie = BPF_CORE_READ(sk, __sk_common.skc_cookie.counter);
	id->netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	id->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	id->protocol = IPPROTO_TCP; /* only TCP has partial sockets */
	id->type = 1;               /* SOCK_STREAM */
	id->state = BPF_CORE_READ(sk, __sk_common.skc_state);
	id->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	id->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	/* bpf_core_read with explicit sizes: BPF_CORE_READ_INTO on an array
	 * destination copies sizeof(element), one byte */
	if (id->family == AF_INET) {
		bpf_core_read(id->saddr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(id->daddr, 4, &sk->__sk_common.skc_daddr);
		__builtin_memset(id->saddr + 4, 0, SS_ADDR_LEN - 4);
		__builtin_memset(id->daddr + 4, 0, SS_ADDR_LEN - 4);
	} else {
		bpf_core_read(id->saddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(id->daddr, 16, &sk->__sk_common.skc_v6_daddr);
	}
}

static __always_inline void fill_sock_id(struct ss_sock_id *id, struct sock *sk)
{
	fill_sock_common(id, sk);
	/* struct socket is allocated inside struct socket_alloc, next to its
	 * inode: the number ss, sock_diag and /proc/PID/fd show */
	struct socket *so = BPF_CORE_READ(sk, sk_socket);
	id->inode = so ? BPF_CORE_READ(container_of(so, struct socket_alloc, socket), vfs_inode.i_ino) : 0;
	id->protocol = BPF_CORE_READ(sk, sk_protocol);
	id->type = BPF_CORE_READ(sk, sk_type);
}

/* Queue sizes as ss reports them (Recv-Q / Send-Q), plus the raw memory
 * counters and limits. state is the state to compute for: at a state
 * change the tracepoint fires before sk_state is written. */
static __always_inline void read_occupancy(struct sock *sk, __u8 state,
					   struct ss_occupancy *o)
{
	__u16 proto = BPF_CORE_READ(sk, sk_protocol);
	o->rmem_alloc = BPF_CORE_READ(sk, sk_backlog.rmem_alloc.counter);
	o->wmem_queued = BPF_CORE_READ(sk, sk_wmem_queued);
	o->rcvbuf = BPF_CORE_READ(sk, sk_rcvbuf);
	o->sndbuf = BPF_CORE_READ(sk, sk_sndbuf);
	o->ack_backlog = BPF_CORE_READ(sk, sk_ack_backlog);
	o->max_ack_backlog = BPF_CORE_READ(sk, sk_max_ack_backlog);
	if (state == SS_TCP_LISTEN) {
		o->rx_queue = o->ack_backlog;
		o->tx_queue = o->max_ack_backlog;
	} else if (proto == IPPROTO_TCP) {
		struct tcp_sock *tp = (void *)sk;
		__s32 rx = BPF_CORE_READ(tp, rcv_nxt) - BPF_CORE_READ(tp, copied_seq);
		__s32 tx = BPF_CORE_READ(tp, write_seq) - BPF_CORE_READ(tp, snd_una);
		o->rx_queue = rx < 0 ? 0 : rx;
		o->tx_queue = tx < 0 ? 0 : tx;
	} else {
		__s32 wmem = BPF_CORE_READ(sk, sk_wmem_alloc.refs.counter) - 1;
		o->rx_queue = o->rmem_alloc;
		o->tx_queue = wmem < 0 ? 0 : wmem;
	}
}
