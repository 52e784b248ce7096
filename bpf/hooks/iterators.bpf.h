/* Samples: the kernel's own socket tables, read once per interval.
 *
 * Events say when and why; these say what is. Userspace runs iter/tcp and
 * iter/udp in every network namespace (an iterator sees the namespace of
 * whoever created its fd) and iter/task_file when owners may have changed.
 * Each writes fixed-size ABI records into the iterator's seq_file, which
 * userspace reads with read(): nothing goes through the ring buffer, so a
 * pass cannot be lost to a full one, and a gap in the events heals at the
 * next pass.
 *
 * iter/tcp visits full sockets, timewait sockets and request sockets (ss's
 * TIME-WAIT and SYN-RECV rows); each kind is read through the matching
 * bpf_skc_to_* cast, which also says which one it is. */
#pragma once
#include "../lib/tcp_read.bpf.h"
#include "../lib/state_run.bpf.h"

static __always_inline void write_record(struct seq_file *seq, struct ss_sock_info *r)
{
	__builtin_memset(r->pad, 0, sizeof(r->pad));
	bpf_seq_write(seq, r, sizeof(*r));
}

SEC("iter/tcp")
int ss_iter_tcp(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	if (!skc)
		return 0; /* the end of the pass */
	struct ss_sock_info r = {};
	struct tcp_sock *tp = bpf_skc_to_tcp_sock(skc);
	if (tp) {
		struct sock *sk = (struct sock *)tp;
		if (!is_inet(sk->__sk_common.skc_family))
			return 0;
		sock_info_init(&r, SS_SOCK_PASS, SS_SK_FULL, bpf_ktime_get_ns());
		__u64 cookie = bpf_get_socket_cookie(sk); /* generated if it has none yet */
		fill_sock_info(&r, sk, sk->__sk_common.skc_state);
		/* the state changes waiting on it go out now (to the ring
		 * buffer): how it got to the state this record shows. The
		 * iterator holds the socket's lock here, so no change can
		 * come between the flush and the release. */
		struct state_run_buf *l = cfg_state_runs ? run_of(cookie) : NULL;
		if (l) {
			run_flush(sk, l, cookie, 0);
			run_release(l, cookie);
		}
	} else {
		struct tcp_timewait_sock *tw = bpf_skc_to_tcp_timewait_sock(skc);
		struct tcp_request_sock *req = tw ? NULL : bpf_skc_to_tcp_request_sock(skc);
		if (!tw && !req)
			return 0;
		/* a timewait socket keeps its full socket's cookie */
		__u64 cookie = bpf_get_socket_cookie(skc);
		if (tw && iter_tw_brief_ms && tw->tw_sk.tw_substate == SS_TCP_TIME_WAIT &&
		    jiffies_left_ms(tw->tw_sk.tw_timer.expires, bpf_jiffies64()) < iter_tw_brief_ms) {
			struct ss_sock_brief b = {};
			b.hdr.type = SS_EV_SOCK_BRIEF;
			b.hdr.size = sizeof(b);
			b.cookie = cookie;
			bpf_seq_write(ctx->meta->seq, &b, sizeof(b));
			return 0;
		}
		sock_info_init(&r, SS_SOCK_PASS, tw ? SS_SK_TIMEWAIT : SS_SK_REQUEST, bpf_ktime_get_ns());
		struct sock *sk = (struct sock *)skc;
		fill_sock_common(&r.sock, sk);
		r.bound_dev_if = sk->__sk_common.skc_bound_dev_if; /* the full socket's, kept */
		if (tw) {
			/* as ss shows it: TIME-WAIT, or FIN-WAIT-2 for an orphan
			 * the kernel keeps as a timewait socket */
			r.sock.state = tw->tw_sk.tw_substate;
			r.tw_left_ms = jiffies_left_ms(tw->tw_sk.tw_timer.expires, bpf_jiffies64());
		}
	}
	r.uid = ctx->uid;
	write_record(ctx->meta->seq, &r);
	return 0;
}

SEC("iter/udp")
int ss_iter_udp(struct bpf_iter__udp *ctx)
{
	struct udp_sock *udp = ctx->udp_sk;
	if (!udp)
		return 0;
	struct sock *sk = (struct sock *)udp;
	if (!is_inet(sk->__sk_common.skc_family))
		return 0;
	struct ss_sock_info r = {};
	sock_info_init(&r, SS_SOCK_PASS, SS_SK_FULL, bpf_ktime_get_ns());
	bpf_get_socket_cookie(sk);
	fill_sock_info(&r, sk, sk->__sk_common.skc_state);
	r.uid = ctx->uid;
	write_record(ctx->meta->seq, &r);
	return 0;
}

/* Who holds each inet socket: every process's fds, threads sharing a file
 * table visited once. The owner is the process that holds the fd now, not
 * whoever ran a hook: on loopback the connecting process runs the
 * receiver's path. */
SEC("iter/task_file")
int ss_iter_files(struct bpf_iter__task_file *ctx)
{
	struct file *file = ctx->file;
	struct task_struct *task = ctx->task;
	if (!file || !task)
		return 0;
	struct socket *so = bpf_sock_from_file(file);
	if (!so)
		return 0;
	struct sock *sk = so->sk;
	if (!sk || !is_tcp_udp(sk))
		return 0;
	struct ss_file_event r = {};
	r.hdr.type = SS_EV_FILE;
	r.hdr.size = sizeof(r);
	r.hdr.cpu = bpf_get_smp_processor_id();
	r.hdr.ts_ns = bpf_ktime_get_ns();
	r.task.pid = task->tgid;
	r.task.tid = task->tgid;
	bpf_probe_read_kernel_str(r.task.comm, sizeof(r.task.comm), task->group_leader->comm);
	/* The socket is reached through the file, which the verifier does not
	 * let a helper take: read its cookie, which the tcp and udp passes (run
	 * first) or the syscall hooks generated; 0 for a socket neither has
	 * seen, then joined by its address. */
	r.cookie = BPF_CORE_READ(sk, __sk_common.skc_cookie.counter);
	r.sk = (__u64)sk;
	r.inode = file->f_inode->i_ino;
	r.fd = ctx->fd;
	struct net *net = sk->__sk_common.skc_net.net;
	r.netns = net ? net->ns.inum : 0;
	r.family = sk->__sk_common.skc_family;
	r.protocol = sk->sk_protocol;
	r.state = sk->__sk_common.skc_state;
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}
