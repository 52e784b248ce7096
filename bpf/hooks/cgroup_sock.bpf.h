/* Socket lifecycle from the cgroup socket hooks (the default tier).
 *
 * Attached to the root of the cgroup v2 hierarchy, they run for every
 * process, in that process, and only on a socket operation: creating,
 * binding, connecting, configuring or releasing a socket. Unlike
 * sys_enter/sys_exit (--detail syscalls) they cost nothing on any other
 * syscall and nothing per packet, and the task running them is the one
 * acting on the socket, so owner and time are exact. They do not know the
 * fd: the task_file iterator supplies it.
 *
 * Each becomes an SS_EV_SYSCALL record with origin SS_CALL_FROM_CGROUP, so
 * the model treats both tiers' records alike. The context is a struct
 * bpf_sock (a view of struct sock the verifier converts), so identity is
 * read from its fields, not with fill_sock_id; netns and inode are left 0
 * and come with the next pass (the cookie joins them).
 *
 * setsockopt programs may not ask for a socket's cookie, so that one reads
 * it where the kernel keeps it (sock_cookie_kept); sock_create, the state
 * hook at SYN_RECV (accepted sockets, which sock_create never sees) and
 * every iterator pass make sure there is one. Nothing is stored per
 * socket: socket-local storage, allocated for each new socket, was the
 * largest single cost of the default tier under connection churn.
 *
 * listen() is reported by the state hook, at the move to LISTEN, which
 * runs in the listening process with the backlog already set: a sockops
 * program would have seen the same, but sockops runs for nine callbacks
 * of every connection (about 0.9 us under churn) whatever flags are set. Every program
 * returns 1: sockscope watches and never refuses an operation. */
#pragma once
#include "../lib/call_record.bpf.h"


static __always_inline bool modelled(__u32 family, __u32 type, __u32 protocol)
{
	return is_inet(family) && ((type == 1 /* STREAM */ && protocol == IPPROTO_TCP) ||
				   (type == 2 /* DGRAM */ && protocol == IPPROTO_UDP));
}

/* One 32-bit context field, loaded at ctx + its constant offset. The
 * verifier allows nothing else for these fields, and clang, left to
 * itself, reads an array of them through ctx + base + i. */
#define SS_CTX_U32(ctx, field)                                                              \
	({                                                                                  \
		__u32 v_;                                                                   \
		asm volatile("%0 = *(u32 *)(%1 + %2)"                                       \
			     : "=r"(v_)                                                     \
			     : "r"(ctx), "i"(__builtin_offsetof(typeof(*(ctx)), field)));   \
		v_;                                                                         \
	})

/* An address held as 32-bit context words, into a record's byte array. */
#define SS_COPY_ADDR4(dst, ctx, v4)                      \
	do {                                             \
		__u32 a4 = SS_CTX_U32(ctx, v4);          \
		__builtin_memcpy((dst), &a4, 4);         \
	} while (0)
#define SS_COPY_ADDR6(dst, ctx, v6)                                                         \
	do {                                                                                \
		__u32 a6[4] = {SS_CTX_U32(ctx, v6[0]), SS_CTX_U32(ctx, v6[1]),              \
			       SS_CTX_U32(ctx, v6[2]), SS_CTX_U32(ctx, v6[3])};             \
		__builtin_memcpy((dst), a6, 16);                                            \
	} while (0)

/* The source address and port are readable only in post_bind (the
 * verifier refuses them elsewhere; post_bind reads them itself); the state
 * change or the next pass brings them for the rest. */
static __always_inline void id_from_bpf_sock(struct ss_sock_id *id, struct bpf_sock *sk, __u64 cookie)
{
	__builtin_memset(id, 0, sizeof(*id));
	id->cookie = cookie;
	id->family = sk->family;
	id->protocol = sk->protocol;
	id->type = sk->type;
	id->state = sk->state;
	id->dport = bpf_ntohs(sk->dst_port);
	if (id->family == AF_INET)
		SS_COPY_ADDR4(id->daddr, sk, dst_ip4);
	else
		SS_COPY_ADDR6(id->daddr, sk, dst_ip6);
}

/* The cookie the socket already has, 0 if none was made yet, for
 * programs that may not call bpf_get_socket_cookie (setsockopt). The
 * verifier allows no arithmetic on a bpf_sock pointer, so the start of the
 * socket is read up to the field, whose offset CO-RE gives. */
#define SS_COOKIE_READ_MAX 256
static __always_inline __u64 sock_cookie_kept(struct bpf_sock *sk)
{
	__u32 off = bpf_core_field_offset(struct sock, __sk_common.skc_cookie);
	__u8 head[SS_COOKIE_READ_MAX];
	if (off > SS_COOKIE_READ_MAX - 8)
		return 0;
	if (bpf_probe_read_kernel(head, off + 8, sk))
		return 0;
	return *(__u64 *)(head + off);
}

/* sockscope's own start-up check (config.bpf.h): not a socket to show. */
static __always_inline bool is_canary(void)
{
	return canary_tgid && (bpf_get_current_pid_tgid() >> 32) == canary_tgid;
}

SEC("cgroup/sock_create")
int ss_cg_sock_create(struct bpf_sock *ctx)
{
	if (!modelled(ctx->family, ctx->type, ctx->protocol))
		return 1;
	if (is_canary()) {
		canary_seen++;
		return 1;
	}
	__u64 cookie = bpf_get_socket_cookie(ctx); /* made now, read later by setsockopt */
	struct ss_syscall_event *e = call_record(SS_CALL_SOCKET);
	if (!e)
		return 1;
	id_from_bpf_sock(&e->sock, ctx, cookie);
	e->arg0 = ctx->family;
	e->arg1 = ctx->type;
	e->arg2 = ctx->protocol;
	submit(e);
	return 1;
}

/* Called from inet_release for every inet socket whose last reference went:
 * close() of its last fd, or the exit of the last process holding it. */
SEC("cgroup/sock_release")
int ss_cg_sock_release(struct bpf_sock *ctx)
{
	if (!modelled(ctx->family, ctx->type, ctx->protocol) || is_canary())
		return 1;
	struct ss_syscall_event *e = call_record(SS_CALL_CLOSE);
	if (!e)
		return 1;
	id_from_bpf_sock(&e->sock, ctx, bpf_get_socket_cookie(ctx));
	e->arg0 = 1; /* the last reference */
	submit(e);
	return 1;
}

/* After a successful bind(): the address the socket now has. Each family's
 * program may read only its own address fields. */
static __always_inline int post_bind(struct bpf_sock *ctx, bool v6)
{
	if (!modelled(ctx->family, ctx->type, ctx->protocol))
		return 1;
	struct ss_syscall_event *e = call_record(SS_CALL_BIND);
	if (!e)
		return 1;
	id_from_bpf_sock(&e->sock, ctx, bpf_get_socket_cookie(ctx));
	e->sock.sport = ctx->src_port;
	if (v6)
		SS_COPY_ADDR6(e->sock.saddr, ctx, src_ip6);
	else
		SS_COPY_ADDR4(e->sock.saddr, ctx, src_ip4);
	e->addr_family = e->sock.family;
	e->addr_port = e->sock.sport;
	__builtin_memcpy(e->addr, e->sock.saddr, sizeof(e->addr));
	submit(e);
	return 1;
}

SEC("cgroup/post_bind4")
int ss_cg_post_bind4(struct bpf_sock *ctx) { return post_bind(ctx, false); }

SEC("cgroup/post_bind6")
int ss_cg_post_bind6(struct bpf_sock *ctx) { return post_bind(ctx, true); }

/* Before connect(): the address asked for (the source port is not chosen
 * yet; the state change to SYN_SENT carries it). */
static __always_inline int on_connect(struct bpf_sock_addr *ctx, bool v6)
{
	struct bpf_sock *sk = ctx->sk;
	if (!sk || !modelled(sk->family, sk->type, sk->protocol))
		return 1;
	struct ss_syscall_event *e = call_record(SS_CALL_CONNECT);
	if (!e)
		return 1;
	id_from_bpf_sock(&e->sock, sk, bpf_get_socket_cookie(ctx));
	e->addr_family = ctx->user_family;
	e->addr_port = bpf_ntohs((__u16)ctx->user_port);
	if (v6)
		SS_COPY_ADDR6(e->addr, ctx, user_ip6);
	else
		SS_COPY_ADDR4(e->addr, ctx, user_ip4);
	submit(e);
	return 1;
}

SEC("cgroup/connect4")
int ss_cg_connect4(struct bpf_sock_addr *ctx) { return on_connect(ctx, false); }

SEC("cgroup/connect6")
int ss_cg_connect6(struct bpf_sock_addr *ctx) { return on_connect(ctx, true); }

/* Before setsockopt() applies: level, name and the first value the app
 * passed (never past what it passed; optlen is left as it is). */
SEC("cgroup/setsockopt")
int ss_cg_setsockopt(struct bpf_sockopt *ctx)
{
	struct bpf_sock *sk = ctx->sk;
	if (!sk || !modelled(sk->family, sk->type, sk->protocol))
		return 1;
	__u64 cookie = cfg_sockopt_cookie ? sock_cookie_kept(sk) : 0;
	struct ss_syscall_event *e = call_record(SS_CALL_SETSOCKOPT);
	if (!e)
		return 1;
	/* no cookie: a socket made before sockscope started and not yet seen
	 * by a pass; the model joins nothing by a zero cookie and counts the
	 * record unmatched */
	id_from_bpf_sock(&e->sock, sk, cookie);
	e->arg0 = (__u32)ctx->level;
	e->arg1 = (__u32)ctx->optname;
	int *v = ctx->optval;
	if ((void *)(v + 1) <= ctx->optval_end && ctx->optlen >= 4) {
		e->arg2 = (__u32)v[0];
		if (e->arg0 == 1 /* SOL_SOCKET */ && e->arg1 == 13 /* SO_LINGER */ &&
		    (void *)(v + 2) <= ctx->optval_end && ctx->optlen >= 8)
			e->arg2 |= (__u64)(__u32)v[1] << 32;
	}
	submit(e);
	return 1;
}
