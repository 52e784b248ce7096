/* Bytes moved by the app, and queue samples where queues change.
 *
 * sock_send_length / sock_recv_length (Linux 6.2+) fire inside
 * sock_sendmsg / sock_recvmsg, so every path into a socket is covered once:
 * send*, recv*, read/write/readv/writev, sendfile and splice, and the
 * mmsg calls once per message. They run in the caller's context with a
 * trusted sk, which also lets us tag the in-flight syscall with its cookie.
 * sk_data_ready (Linux 6.7+) fires when data, or for a listener a new
 * connection, is queued: the moment Recv-Q grows. */
#pragma once
#include "../lib/stats.bpf.h"
#include "journey.bpf.h"

#define SS_MSG_PEEK 2

static __always_inline void tag_inflight(__u64 cookie, struct sock *sk)
{
	struct inflight *in = bpf_task_storage_get(&inflight_calls, bpf_get_current_task_btf(), 0, 0);
	if (in && in->call >= SS_CALL_SENDTO) {
		in->cookie = cookie;
		in->sk = (__u64)sk;
	}
}

static __always_inline void on_io(struct sock *sk, int ret, int flags, bool send)
{
	if (!in_port_scope(sk) || !is_tcp_udp(sk))
		return;
	__u64 cookie = bpf_get_socket_cookie(sk);
	tag_inflight(cookie, sk);
	struct ss_sock_stats *st = stats_get(cookie, (__u64)sk);
	if (!st)
		return;
	if (ret > 0 && send)
		__sync_fetch_and_add(&st->bytes_sent, ret);
	else if (ret > 0 && !(flags & SS_MSG_PEEK))
		__sync_fetch_and_add(&st->bytes_received, ret);
	st->owner_pid = bpf_get_current_pid_tgid() >> 32;
	sample_into(st, sk, cookie, sk->__sk_common.skc_state, send ? SS_SAMPLE_SEND : SS_SAMPLE_RECV);
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(ss_send_length, struct sock *sk, int ret, int flags)
{
	on_io(sk, ret, flags, true);
	return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(ss_recv_length, struct sock *sk, int ret, int flags)
{
	on_io(sk, ret, flags, false);
	return 0;
}

SEC("tp_btf/sk_data_ready")
int BPF_PROG(ss_data_ready, const struct sock *csk)
{
	struct sock *sk = (struct sock *)csk;
	if (!in_port_scope(sk) || !is_tcp_udp(sk))
		return 0;
	__u64 cookie = bpf_get_socket_cookie(sk);
	/* UDP queues each datagram whole at the tail, then calls data_ready:
	 * the tail is the skb just queued (TCP is timed at tcp_probe, since it
	 * may merge a segment into the tail skb) */
	if (sk->sk_protocol == IPPROTO_UDP) {
		struct sk_buff *tail = sk->sk_receive_queue.prev;
		if (tail && (void *)tail != (void *)&sk->sk_receive_queue)
			journey_queued(tail, cookie);
	}
	sample_occupancy(sk, cookie, sk->__sk_common.skc_state,
			 SS_SAMPLE_DATA_READY);
	return 0;
}
