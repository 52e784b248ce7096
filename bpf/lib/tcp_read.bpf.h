/* Reading what the kernel keeps about a socket, as ss -tanmi shows it:
 * TCP metrics and counters, the last send and receive times, and the
 * timewait socket's remaining time. Shared by the iterators (every socket,
 * every interval) and the state hook (the final values at CLOSE). */
#pragma once
#include <bpf/bpf_core_read.h>
#include "sock_read.bpf.h"

/* The kernel's tick rate, for its jiffies timestamps; libbpf reads it from
 * the kernel's config (/proc/config.gz or /boot/config-*). 0 when there is
 * none: every age is then SS_AGE_UNKNOWN rather than a guess. */
extern unsigned int CONFIG_HZ __kconfig __weak;

static __always_inline void read_metrics(struct sock *sk, struct ss_tcp_metrics *m)
{
	struct tcp_sock *tp = ss_tcp_sock(sk);
	if (!tp) {
		__builtin_memset(m, 0, sizeof(*m));
		return;
	}
	struct inet_connection_sock *icsk = &tp->inet_conn;
	m->srtt_us = tp->srtt_us >> 3;
	m->rttvar_us = tp->mdev_us >> 2;
	m->snd_cwnd = tp->snd_cwnd;
	m->snd_ssthresh = tp->snd_ssthresh;
	m->snd_wnd = tp->snd_wnd;
	m->rcv_wnd = tp->rcv_wnd;
	m->probes_out = icsk->icsk_probes_out;
	m->ca_state = BPF_CORE_READ_BITFIELD(icsk, icsk_ca_state);
	__builtin_memset(m->pad, 0, sizeof(m->pad));
}

/* ms from a 32-bit jiffies stamp to now; SS_AGE_UNKNOWN for a stamp never
 * set or "in the future" (a wrapped or unset value). */
static __always_inline __u32 jiffies_age_ms(__u32 stamp, __u32 now)
{
	__u32 hz = CONFIG_HZ;
	__s32 d = (__s32)(now - stamp);
	if (!hz || !stamp || d < 0)
		return SS_AGE_UNKNOWN;
	__u64 ms = (__u64)d * 1000 / hz;
	return ms >= SS_AGE_UNKNOWN ? SS_AGE_UNKNOWN - 1 : (__u32)ms;
}

/* ms from now until a jiffies deadline; 0 when it has passed. */
static __always_inline __u32 jiffies_left_ms(unsigned long deadline, __u64 now)
{
	__u32 hz = CONFIG_HZ;
	if (!hz)
		return SS_AGE_UNKNOWN;
	__s64 d = (__s64)(deadline - now);
	if (d <= 0)
		return 0;
	__u64 ms = (__u64)d * 1000 / hz;
	return ms >= SS_AGE_UNKNOWN ? SS_AGE_UNKNOWN - 1 : (__u32)ms;
}

static __always_inline void sock_info_init(struct ss_sock_info *r, __u8 origin, __u8 kind, __u64 now)
{
	r->hdr.type = SS_EV_SOCK;
	r->hdr.size = sizeof(*r);
	r->hdr.cpu = bpf_get_smp_processor_id();
	r->hdr.ts_ns = now;
	r->origin = origin;
	r->kind = kind;
	r->last_send_ms = r->last_recv_ms = r->last_ack_ms = SS_AGE_UNKNOWN;
	r->tw_left_ms = SS_AGE_UNKNOWN;
}

/* A full socket: identity, queues, and for TCP its metrics and counters.
 * state: what to report (at a state change the new state, not yet written). */
/* The cgroup v2 a socket was made in (sk_cgrp_data, set at creation and
 * kept), by its kernfs id: what ss's `cgroup PATH` compares, and the
 * inode number of the cgroup's directory. 0 where the kernel keeps none
 * (cgroup v2 socket matching off) or lays it out otherwise (before 5.15
 * the field was a tagged word). */
static __always_inline __u64 sock_cgroup_id(struct sock *sk)
{
	if (!bpf_core_field_exists(struct sock_cgroup_data, cgroup))
		return 0;
	/* plain loads (a bad pointer reads 0): BPF_CORE_READ would make a
	 * probe-read call per step, a fifth of an iterator pass's cost */
	struct cgroup *cg = sk->sk_cgrp_data.cgroup;
	struct kernfs_node *kn = cg ? cg->kn : NULL;
	return kn ? kn->id : 0;
}

static __always_inline void fill_sock_info(struct ss_sock_info *r, struct sock *sk, __u8 state)
{
	fill_sock_id(&r->sock, sk);
	r->sock.state = state;
	read_occupancy(sk, state, &r->occ);
	r->sk_drops = sk->sk_drops.counter;
	r->err = sk->sk_err;
	r->bound_dev_if = sk->__sk_common.skc_bound_dev_if;
	r->cgroup_id = sock_cgroup_id(sk);
	if (sk->sk_protocol != IPPROTO_TCP)
		return;
	struct tcp_sock *tp = ss_tcp_sock(sk);
	if (!tp)
		return;
	read_metrics(sk, &r->m);
	r->bytes_sent = tp->bytes_sent;
	r->bytes_acked = tp->bytes_acked;
	/* tcpi_bytes_received counts the peer's FIN as a byte (it advances
	 * rcv_nxt like data); SOCK_DONE is set by tcp_fin alone (a reset does
	 * not set it), so the data bytes are the count less one once it is set. */
	__u64 rcvd = tp->bytes_received;
	if (rcvd && (sk->__sk_common.skc_flags & (1UL << bpf_core_enum_value(enum sock_flags, SOCK_DONE))))
		rcvd--;
	r->bytes_received = rcvd;
	r->segs_out = tp->segs_out;
	r->segs_in = tp->segs_in;
	r->total_retrans = tp->total_retrans;
	if (state == SS_TCP_LISTEN)
		return; /* a listener sends and receives no data */
	__u32 now = (__u32)bpf_jiffies64();
	r->last_send_ms = jiffies_age_ms(tp->lsndtime, now);
	r->last_recv_ms = jiffies_age_ms(tp->inet_conn.icsk_ack.lrcvtime, now);
	r->last_ack_ms = jiffies_age_ms(tp->rcv_tstamp, now);
}
