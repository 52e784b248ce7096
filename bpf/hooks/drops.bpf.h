/* Drops: skb:kfree_skb with the kernel's reason, and the socket-level
 * refusals that precede some of them.
 *
 * Counts are exact and kept in maps (per socket and reason: sock_drops; per
 * device and reason: dev_drops; totals in sock_stats). Records in the ring
 * buffer are for the timeline and `watch`, and are throttled per socket
 * (or per CPU for drops without a socket) with the number throttled away
 * carried in the next record, so a drop storm cannot flood the buffer. */
#pragma once
#include "../lib/dev_stats.bpf.h"
#include "../lib/stats.bpf.h"

/* Drops without a socket: one record per CPU per interval at most. */
struct sockless_throttle {
	__u64 last_ns;
	__u32 suppressed;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sockless_throttle);
} sockless_drops SEC(".maps");

static __always_inline void count_sock_drop(__u64 cookie, __u32 reason)
{
	struct ss_sock_drop_key k = { .cookie = cookie, .reason = reason };
	count_in(&sock_drops, &k, SS_LOST_DROP_MAP);
}

static __always_inline long sock_drop_throttle(struct ss_sock_stats *st)
{
	return throttle(&st->last_net_emit_ns, &st->drops_suppressed, net_record_interval());
}

static __always_inline long sockless_throttle(void)
{
	__u32 zero = 0;
	struct sockless_throttle *t = bpf_map_lookup_elem(&sockless_drops, &zero);
	return t ? throttle(&t->last_ns, &t->suppressed, net_record_interval()) : -1;
}

static __always_inline void emit_drop(struct sock *sk, bool full, struct sk_buff *skb,
				      __u64 cookie, __u8 origin, __u32 reason,
				      __u64 location, long suppressed)
{
	struct ss_drop_event *e = reserve(SS_EV_DROP, sizeof(*e));
	if (!e)
		return;
	struct net_device *dev = skb ? skb->dev : NULL;
	struct ss_dev_key dk;
	dev_key_of(dev, &dk);
	e->from_packet = 0;
	if (sk && full) {
		fill_sock_id(&e->sock, sk);
	} else if (sk) {
		fill_sock_common(&e->sock, sk);
	} else if (skb && skb_packet_tuple(skb, &e->sock)) {
		e->sock.netns = dk.netns;
		e->from_packet = 1;
	} else {
		__builtin_memset(&e->sock, 0, sizeof(e->sock));
		e->sock.netns = dk.netns;
	}
	e->sock.cookie = cookie;
	e->location = location;
	e->reason = reason;
	e->ifindex = dk.ifindex;
	e->dev_netns = dk.netns;
	e->len = skb ? skb->len : 0;
	e->origin = origin;
	e->pad[0] = e->pad[1] = 0;
	e->suppressed = suppressed;
	submit(e);
}

/* Before Linux 6.9 tcp_send_reset is silent for a segment no socket wanted
 * (a closed port): the reset tcp_v4/v6_rcv sends for it is seen here,
 * from the NO_SOCKET drop of that segment, which follows the reset in the
 * same function unless the segment was itself a reset (nothing is sent)
 * or had a bad checksum (another reason). */
static __always_inline void reset_for_no_socket(struct sk_buff *skb)
{
	struct ss_tcp_event *e = reserve(SS_EV_TCP, sizeof(*e));
	if (!e)
		return;
	if (!packet_reset_id(skb, &e->sock) || e->sock.protocol != IPPROTO_TCP ||
	    (skb_tcp_flags(skb) & SS_TCP_FLAG_RST)) {
		bpf_ringbuf_discard(e, BPF_RB_NO_WAKEUP);
		return;
	}
	__builtin_memset(&e->m, 0, sizeof(e->m));
	e->from_packet = 1;
	submit_reset_sent(e, 0, 0);
}

/* skb->sk is set on transmit and once a socket owns the skb; rx_sk (Linux
 * 6.12+) is the socket a received skb was being delivered to. Either may be
 * a TIME_WAIT or request socket, of which only the common part exists. */
SEC("tp_btf/kfree_skb")
int BPF_PROG(ss_kfree_skb, struct sk_buff *skb, void *location, enum skb_drop_reason reason)
{
	/* the fourth argument where the tracepoint has it (config.bpf.h) */
	struct sock *rx_sk = cfg_kfree_skb_rx_sk ? (struct sock *)ctx[3] : NULL;
	/* not a drop: SKB_CONSUMED (6.3+: consume_skb reports here too), or
	 * before it SKB_NOT_DROPPED_YET, 0 */
	__u32 consumed = bpf_core_enum_value_exists(enum skb_drop_reason, SKB_CONSUMED)
				 ? bpf_core_enum_value(enum skb_drop_reason, SKB_CONSUMED)
				 : 0;
	if (reason <= consumed)
		return 0;
	/* skbs still queued when a socket is torn down (its write queue, the
	 * out-of-order queue): freed by __skb_queue_purge, nothing that was
	 * on its way to anyone was lost */
	if (bpf_core_enum_value_exists(enum skb_drop_reason, SKB_DROP_REASON_QUEUE_PURGE) &&
	    reason == bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_QUEUE_PURGE))
		return 0;
	/* skb->sk is an RCU pointer, which bpf_get_socket_cookie refuses: read
	 * the cookie it already has (every socket our hooks have touched has
	 * one). rx_sk is a trusted argument and may have one generated. */
	struct sock *sk = skb->sk;
	bool from_skb = sk != NULL;
	if (!sk)
		sk = rx_sk;
	/* A segment handed to a TIME_WAIT socket is freed after that socket
	 * handled it (tcp_v4_rcv's do_time_wait: the peer's FIN, acked, or a
	 * late ACK), with NOT_SPECIFIED since no reason applies: under
	 * connection churn a third of all connections end this way. Real
	 * refusals there carry their own reason (PAWS, a bad sequence). */
	if (sk && reason == bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_NOT_SPECIFIED) &&
	    sk->__sk_common.skc_state == SS_TCP_TIME_WAIT)
		return 0;
	count_dev_drop(skb->dev, reason);
	if (!cfg_reset_tp_no_socket && !sk &&
	    reason == bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_NO_SOCKET))
		reset_for_no_socket(skb);
	__u16 family = sk ? sk->__sk_common.skc_family : 0;
	if (sk && !is_inet(family))
		sk = NULL; /* unix, netlink, ...: not ours, count the device only */
	bool full = sk && is_full_sock(sk);
	if (sk && full && !is_tcp_udp(sk))
		sk = NULL;
	long suppressed;
	__u64 cookie = 0;
	/* rx_sk tested again: where the tracepoint lacks it, it is a constant
	 * NULL the verifier must see kept away from the helper */
	if (sk && from_skb)
		cookie = sk->__sk_common.skc_cookie.counter;
	else if (sk && rx_sk)
		cookie = bpf_get_socket_cookie(rx_sk);
	if (sk && cookie) {
		count_sock_drop(cookie, reason);
		struct ss_sock_stats *st = stats_get(cookie, (__u64)sk);
		if (!st)
			return 0;
		__sync_fetch_and_add(&st->tcp.drops, 1);
		suppressed = sock_drop_throttle(st);
	} else {
		suppressed = sockless_throttle();
	}
	if (suppressed >= 0)
		emit_drop(sk, full, skb, cookie, SS_DROP_KFREE_SKB, reason, (__u64)location, suppressed);
	return 0;
}

/* The three refusals below each count on the socket and are followed by
 * a kfree_skb with a reason, which counts the drop itself. */
static __always_inline void on_refusal(struct sock *sk, struct sk_buff *skb, __u8 origin, __u32 reason)
{
	if (!is_tcp_udp(sk))
		return;
	__u64 cookie = bpf_get_socket_cookie(sk);
	struct ss_sock_stats *st = stats_get(cookie, (__u64)sk);
	if (!st)
		return;
	if (origin == SS_DROP_RCVQUEUE_FULL)
		__sync_fetch_and_add(&st->tcp.rcvqueue_full, 1);
	else if (origin == SS_DROP_EXCEED_BUF)
		__sync_fetch_and_add(&st->tcp.buf_limit, 1);
	else
		__sync_fetch_and_add(&st->tcp.udp_queue_fail, 1);
	long suppressed = sock_drop_throttle(st);
	if (suppressed >= 0)
		emit_drop(sk, true, skb, cookie, origin, reason, 0, suppressed);
}

/* sock_queue_rcv_skb: the receive buffer is full (UDP and others; TCP
 * reports a full buffer through its drop reasons and zero window). */
SEC("tp_btf/sock_rcvqueue_full")
int BPF_PROG(ss_rcvqueue_full, struct sock *sk, struct sk_buff *skb)
{
	on_refusal(sk, skb, SS_DROP_RCVQUEUE_FULL, 0);
	return 0;
}

/* __sk_mem_raise_allocated: the protocol's memory limit (tcp_mem,
 * udp_mem) refused a charge; kind 0 send, 1 receive. */
SEC("tp_btf/sock_exceed_buf_limit")
int BPF_PROG(ss_exceed_buf, struct sock *sk, struct proto *prot, long allocated, int kind)
{
	on_refusal(sk, NULL, SS_DROP_EXCEED_BUF, kind);
	return 0;
}

SEC("tp_btf/udp_fail_queue_rcv_skb")
int BPF_PROG(ss_udp_fail_queue, int rc, struct sock *sk)
{
	struct sk_buff *skb = cfg_udp_fail_skb ? (struct sk_buff *)ctx[2] : NULL;
	on_refusal(sk, skb, SS_DROP_UDP_QUEUE_FAIL, rc < 0 ? -rc : rc);
	return 0;
}
