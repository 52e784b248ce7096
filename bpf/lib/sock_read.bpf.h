/* Reading a socket's identity and queues.
 *
 * Hot paths read fields with plain loads through BTF-typed pointers: the
 * trusted arguments of tp_btf hooks, pointers walked from them, and raw
 * addresses retyped with bpf_rdonly_cast (Linux 6.2+). The verifier turns
 * each into a load that cannot fault (a bad address reads 0), a few ns
 * instead of a bpf_probe_read_kernel call per field. Copies of arrays
 * (addresses) still go through probe reads. */
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

#ifndef SS_NO_RDONLY_CAST
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

/* A kernel address kept as a number (in a map, a record), typed again for
 * plain loads. */
#define ss_cast(type, addr) \
	((type *)bpf_rdonly_cast((const void *)(addr), bpf_core_type_id_kernel(type)))
/* One field of a struct the verifier does not know the pointer to be. */
#define ss_cast_read(type, addr, field) (ss_cast(type, addr)->field)
/* A socket's TCP part, for plain loads; NULL if it is not a full TCP
 * socket. */
#define ss_tcp_sock(sk) ss_cast(struct tcp_sock, sk)
#else
/* The object built for kernels before 6.2, which have no bpf_rdonly_cast
 * (the loader picks it: userspace/source/kernel/bpf_loader.cpp). A kfunc
 * call the kernel does not know fails the whole program, even where it
 * cannot run, so this object has none: the TCP part comes from
 * bpf_skc_to_tcp_sock (5.9+, a BTF pointer the verifier knows), single
 * fields through probe reads, and what needs a pointer rebuilt from a
 * number (the syscalls tier's fd walk) is off. */
#define ss_cast_read(type, addr, field) BPF_CORE_READ((type *)(addr), field)
#define ss_tcp_sock(sk) bpf_skc_to_tcp_sock(sk)
#endif

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
	__u16 proto = sk->sk_protocol;
	return is_inet(sk->__sk_common.skc_family) &&
	       (proto == IPPROTO_TCP || proto == IPPROTO_UDP);
}

/* The inet socket behind fd in the current task, or NULL. *filep gets the
 * struct file. */
static __always_inline struct sock *fd_to_sock(int fd, struct file **filep)
{
	if (fd < 0)
		return NULL;
	struct task_struct *task = bpf_get_current_task_btf();
	struct files_struct *files = task->files;
	if (!files)
		return NULL;
	struct fdtable *fdt = files->fdt;
	if (!fdt || (unsigned int)fd >= fdt->max_fds)
		return NULL;
	/* the fd array is indexed by a variable: one probe read */
	struct file *fp = NULL;
	bpf_probe_read_kernel(&fp, sizeof(fp), (void *)fdt->fd + fd * sizeof(fp));
	if (!fp)
		return NULL;
#ifdef SS_NO_RDONLY_CAST
	return NULL;
#else
	struct file *f = ss_cast(struct file, fp);
	struct inode *ino = f->f_inode;
	if (!ino || (ino->i_mode & S_IFMT) != S_IFSOCK)
		return NULL;
	struct socket *so = ss_cast(struct socket, f->private_data);
	struct sock *sk = so->sk;
	if (!sk || !is_tcp_udp(sk))
		return NULL;
	if (filep)
		*filep = fp;
	return sk;
#endif
}

/* TIME_WAIT and NEW_SYN_RECV sockets are a struct sock_common and little
 * more: only the common part may be read (the kernel's sk_fullsock()). */
static __always_inline bool is_full_sock(struct sock *sk)
{
	__u8 st = sk->__sk_common.skc_state;
	return st != SS_TCP_TIME_WAIT && st != SS_TCP_NEW_SYN_RECV;
}

/* The identity fields every socket has, full or not. */
static __always_inline void fill_sock_common(struct ss_sock_id *id, struct sock *sk)
{
	id->sk = (__u64)sk;
	__builtin_memset(id->pad, 0, sizeof(id->pad));
	id->inode = 0;
	id->cookie = sk->__sk_common.skc_cookie.counter;
	struct net *net = sk->__sk_common.skc_net.net;
	id->netns = net ? net->ns.inum : 0;
	id->family = sk->__sk_common.skc_family;
	id->protocol = IPPROTO_TCP; /* only TCP has partial sockets */
	id->type = 1;               /* SOCK_STREAM */
	id->state = sk->__sk_common.skc_state;
	id->sport = sk->__sk_common.skc_num;
	id->dport = bpf_ntohs(sk->__sk_common.skc_dport);
	/* plain loads through the typed pointer, as every field above: a
	 * bpf_core_read is a probe-read helper call, and an iterator pass
	 * makes four per socket (per-socket cost at 100,000 sockets a second:
	 * docs/performance.md, "Sampling cost") */
	if (id->family == AF_INET) {
		__u32 s4 = sk->__sk_common.skc_rcv_saddr, d4 = sk->__sk_common.skc_daddr;
		__builtin_memcpy(id->saddr, &s4, 4);
		__builtin_memcpy(id->daddr, &d4, 4);
		__builtin_memset(id->saddr + 4, 0, SS_ADDR_LEN - 4);
		__builtin_memset(id->daddr + 4, 0, SS_ADDR_LEN - 4);
	} else {
		struct in6_addr s6 = sk->__sk_common.skc_v6_rcv_saddr, d6 = sk->__sk_common.skc_v6_daddr;
		__builtin_memcpy(id->saddr, &s6, 16);
		__builtin_memcpy(id->daddr, &d6, 16);
	}
}

static __always_inline void fill_sock_id(struct ss_sock_id *id, struct sock *sk)
{
	fill_sock_common(id, sk);
	/* struct socket is allocated inside struct socket_alloc, next to its
	 * inode: the number ss, sock_diag and /proc/PID/fd show */
	struct socket *so = sk->sk_socket;
	id->inode = so ? ss_cast_read(struct socket_alloc, so, vfs_inode.i_ino) : 0;
	id->protocol = sk->sk_protocol;
	id->type = sk->sk_type;
	/* at the move to CLOSE the kernel has given the port back (inet_num
	 * is 0) but still has it as the source port */
	if (!id->sport)
		id->sport = bpf_ntohs(ss_cast_read(struct inet_sock, sk, inet_sport));
}

/* Queue sizes as ss reports them (Recv-Q / Send-Q), plus the raw memory
 * counters and limits. state is the state to compute for: at a state
 * change the tracepoint fires before sk_state is written. */
static __always_inline void read_occupancy(struct sock *sk, __u8 state,
					   struct ss_occupancy *o)
{
	o->rmem_alloc = sk->sk_backlog.rmem_alloc.counter;
	o->wmem_queued = sk->sk_wmem_queued;
	o->rcvbuf = sk->sk_rcvbuf;
	o->sndbuf = sk->sk_sndbuf;
	o->ack_backlog = sk->sk_ack_backlog;
	o->max_ack_backlog = sk->sk_max_ack_backlog;
	if (state == SS_TCP_LISTEN) {
		o->rx_queue = o->ack_backlog;
		o->tx_queue = o->max_ack_backlog;
	} else if (sk->sk_protocol == IPPROTO_TCP) {
		struct tcp_sock *tp = ss_tcp_sock(sk);
		if (!tp) {
			o->rx_queue = o->tx_queue = 0;
			return;
		}
		__s32 rx = tp->rcv_nxt - tp->copied_seq;
		__s32 tx = tp->write_seq - tp->snd_una;
		o->rx_queue = rx < 0 ? 0 : rx;
		o->tx_queue = tx < 0 ? 0 : tx;
	} else {
		__s32 wmem = sk->sk_wmem_alloc.refs.counter - 1;
		o->rx_queue = o->rmem_alloc;
		o->tx_queue = wmem < 0 ? 0 : wmem;
	}
}
