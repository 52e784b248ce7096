/* TCP health: retransmits, resets, zero windows, persist probes, and the
 * connection's metrics (srtt, cwnd, windows).
 *
 * tcp:tcp_probe runs for every segment tcp_rcv_established takes, in the
 * socket's context (softirq, or the app's release_sock for a backlog): the
 * one hook that sees an established connection's metrics change. It is
 * also where the journey marks a TCP skb as queued. Zero windows are seen
 * there, on the next segment after the window closed: the receiver's
 * rcv_wnd (we advertise 0) or the sender's snd_wnd (the peer does); the
 * sender's window probes show as icsk_probes_out growing. */
#pragma once
#include "../lib/stats.bpf.h"
#include "../lib/skb_read.bpf.h"
#include "../lib/tcp_read.bpf.h"
#include "journey.bpf.h"

#define SS_EBUSY 16
#define SS_ENOMEM 12
#define SS_EAGAIN 11
#define SS_EHOSTUNREACH 113

static __always_inline void emit_tcp(struct sock *sk, __u64 cookie, __u8 kind,
				     const struct ss_tcp_metrics *m, __u32 reason,
				     __s32 err, __u16 segs, __u32 suppressed)
{
	struct ss_tcp_event *e = reserve(SS_EV_TCP, sizeof(*e));
	if (!e)
		return;
	fill_sock_id(&e->sock, sk);
	e->sock.cookie = cookie;
	if (m)
		e->m = *m;
	else
		__builtin_memset(&e->m, 0, sizeof(e->m));
	e->reason = reason;
	e->err = err;
	e->segs = segs;
	e->kind = kind;
	e->from_packet = 0;
	e->suppressed = suppressed;
	submit(e);
}

/* Linux 6.13+ reports failed retransmits too, with err. Whether the kernel
 * counted one in total_retrans does not follow from err alone: -EBUSY
 * comes both before the count (the first copy still queued) and after it
 * (from the transmit). So the kernel's own counter decides: what it grew
 * by since this socket's last retransmit is what this one added. For a
 * socket's first, err does: failures before the count (still queued, no
 * memory, no route, window) are not retransmits. */
static __always_inline bool failed_before_count(int err)
{
	return err == -SS_EBUSY || err == -SS_ENOMEM || err == -SS_EAGAIN || err == -SS_EHOSTUNREACH;
}

/* One retransmit attempt that ended with err (0: sent). */
static __always_inline void on_retransmit(struct sock *sk, const struct sk_buff *skb, int err)
{
	struct tcp_skb_cb *cb = (void *)skb->cb;
	__u16 segs = BPF_CORE_READ(cb, tcp_gso_segs);
	if (!segs)
		segs = 1;
	__u64 cookie = bpf_get_socket_cookie(sk);
	struct ss_sock_stats *st = stats_get(cookie, (__u64)sk);
	if (!st)
		return;
	struct tcp_sock *tp = ss_tcp_sock(sk);
	if (!tp)
		return;
	__u32 total = tp->total_retrans;
	__u32 added = st->retrans_seen ? total - (st->retrans_seen - 1) : (failed_before_count(err) ? 0 : segs);
	st->retrans_seen = total + 1;
	if (!added)
		return;
	/* Before 6.13 the tracepoint fires only for a retransmit that was
	 * sent, but the kernel counts one that its transmit refused (a
	 * firewall, no buffer) too: what the counter grew by beyond this
	 * retransmit's segments is those, failed since the last one seen. */
	if (!cfg_retransmit_err && added > segs)
		__sync_fetch_and_add(&st->tcp.retrans_failed, added - segs);
	segs = added;
	__sync_fetch_and_add(&st->tcp.retrans_segs, segs);
	if (err)
		__sync_fetch_and_add(&st->tcp.retrans_failed, segs);
	long suppressed = throttle(&st->last_net_emit_ns, &st->retrans_suppressed, net_record_interval());
	if (suppressed < 0)
		return;
	struct ss_tcp_metrics m;
	read_metrics(sk, &m);
	emit_tcp(sk, cookie, SS_TCP_RETRANSMIT, &m, 0, err, segs, suppressed);
}

SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(ss_retransmit, const struct sock *csk, const struct sk_buff *skb)
{
	int err = cfg_retransmit_err ? (int)ctx[2] : 0; /* 6.13+ (config.bpf.h) */
	on_retransmit((struct sock *)csk, skb, err);
	return 0;
}

/* Counted on the listener: its handshakes are not completing. */
SEC("tp_btf/tcp_retransmit_synack")
int BPF_PROG(ss_retransmit_synack, const struct sock *csk, const struct request_sock *req)
{
	struct sock *sk = (struct sock *)csk;
	__u64 cookie = bpf_get_socket_cookie(sk);
	struct ss_sock_stats *st = stats_get(cookie, (__u64)sk);
	if (st)
		__sync_fetch_and_add(&st->tcp.synack_retrans, 1);
	emit_tcp(sk, cookie, SS_TCP_SYNACK_RETRANSMIT, NULL, 0, 0, 1, 0);
	return 0;
}

/* sk is NULL for a segment no socket wanted (a closed port), a TIME_WAIT
 * socket for one that hit it, or a full socket (an abort); skb is the
 * segment answered, NULL for an active reset. */
SEC("tp_btf/tcp_send_reset")
int BPF_PROG(ss_send_reset, const struct sock *csk, const struct sk_buff *cskb)
{
	int reason = cfg_send_reset_reason ? (int)ctx[2] : 0; /* 6.10+ (config.bpf.h) */
	struct sock *sk = (struct sock *)csk;
	struct sk_buff *skb = (struct sk_buff *)cskb;
	/* keeps clang from testing (sk | skb), pointer arithmetic the
	 * verifier refuses */
	barrier_var(sk);
	if (!sk && !skb)
		return 0;
	__u64 cookie = 0;
	bool full = false;
	if (sk) {
		full = is_full_sock(sk);
		cookie = bpf_get_socket_cookie(sk);
		struct ss_sock_stats *st = stats_get(cookie, (__u64)sk);
		if (st)
			__sync_fetch_and_add(&st->tcp.resets_sent, 1);
	}
	struct ss_tcp_event *e = reserve(SS_EV_TCP, sizeof(*e));
	if (!e)
		return 0;
	__builtin_memset(&e->m, 0, sizeof(e->m));
	e->from_packet = 0;
	if (sk && full) {
		fill_sock_id(&e->sock, sk);
		read_metrics(sk, &e->m);
	} else if (sk) {
		fill_sock_common(&e->sock, sk);
	} else if (skb && packet_reset_id(skb, &e->sock)) {
		e->from_packet = 1;
	} else {
		bpf_ringbuf_discard(e, BPF_RB_NO_WAKEUP);
		return 0;
	}
	submit_reset_sent(e, cookie, reason);
	return 0;
}

SEC("tp_btf/tcp_receive_reset")
int BPF_PROG(ss_receive_reset, struct sock *sk)
{
	__u64 cookie = bpf_get_socket_cookie(sk);
	struct ss_sock_stats *st = stats_get(cookie, (__u64)sk);
	if (st)
		__sync_fetch_and_add(&st->tcp.resets_received, 1);
	struct ss_tcp_metrics m;
	read_metrics(sk, &m);
	emit_tcp(sk, cookie, SS_TCP_RESET_RECEIVED, &m, 0, 0, 0, 0);
	return 0;
}

/* Bytes of payload in a segment at tcp_rcv_established: skb->data is at
 * the TCP header. */
static __always_inline __u32 tcp_payload_len(const struct sk_buff *skb)
{
	__u8 off = 0;
	if (bpf_probe_read_kernel(&off, 1, skb->data + 12))
		return 0;
	__u32 len = skb->len, hdr = (off >> 4) * 4;
	return len > hdr ? len - hdr : 0;
}

SEC("tp_btf/tcp_probe")
int BPF_PROG(ss_tcp_probe, struct sock *sk, const struct sk_buff *skb)
{
	if (!in_port_scope(sk))
		return 0;
	__u64 cookie = bpf_get_socket_cookie(sk);
	if (tcp_payload_len(skb))
		journey_queued(skb, cookie);
	struct ss_sock_stats *st = stats_get(cookie, (__u64)sk);
	if (!st)
		return 0;
	struct ss_tcp_metrics m;
	read_metrics(sk, &m);
	__u64 now = bpf_ktime_get_ns();
	bool changed = m.srtt_us != st->metrics.srtt_us || m.snd_cwnd != st->metrics.snd_cwnd ||
		       m.snd_wnd != st->metrics.snd_wnd || m.rcv_wnd != st->metrics.rcv_wnd ||
		       m.snd_ssthresh != st->metrics.snd_ssthresh;
	st->metrics = m;
	st->metrics_ns = now;

	if (m.rcv_wnd == 0 && !st->zw_sent) {
		st->zw_sent = 1;
		__sync_fetch_and_add(&st->tcp.zero_window_sent, 1);
		emit_tcp(sk, cookie, SS_TCP_ZERO_WINDOW_SENT, &m, 0, 0, 0, 0);
	} else if (m.rcv_wnd) {
		st->zw_sent = 0;
	}
	if (m.snd_wnd == 0 && !st->zw_recv) {
		st->zw_recv = 1;
		__sync_fetch_and_add(&st->tcp.zero_window_received, 1);
		emit_tcp(sk, cookie, SS_TCP_ZERO_WINDOW_RECEIVED, &m, 0, 0, 0, 0);
	} else if (m.snd_wnd) {
		st->zw_recv = 0;
	}
	/* icsk_probes_out counts keepalive probes as well: only while the
	 * peer's window is zero are they window (persist) probes */
	if (st->zw_recv && m.probes_out > st->probes_seen) {
		__sync_fetch_and_add(&st->tcp.persist_probes, m.probes_out - st->probes_seen);
		emit_tcp(sk, cookie, SS_TCP_PERSIST_PROBE, &m, 0, 0, 0, 0);
	}
	st->probes_seen = m.probes_out;

	if (changed && now - st->last_metrics_emit_ns >= cfg_metrics_interval_ns) {
		st->last_metrics_emit_ns = now;
		emit_tcp(sk, cookie, SS_TCP_METRICS, &m, 0, 0, 0, 0);
	}
	return 0;
}
