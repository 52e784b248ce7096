/* Per-socket counters and throttled occupancy samples. */
#pragma once
#include <bpf/bpf_endian.h>
#include "map_util.bpf.h"
#include "sock_read.bpf.h"

/* The packets tier with one --port (detail_port in config.bpf.h): other
 * sockets leave at once. */
static __always_inline bool in_port_scope(const struct sock *sk)
{
	__u16 only = detail_port;
	return !only || sk->__sk_common.skc_num == only || bpf_ntohs(sk->__sk_common.skc_dport) == only;
}

static __always_inline struct ss_sock_stats *stats_get(__u64 cookie, __u64 sk)
{
	struct ss_sock_stats init = { .sk = sk };
	return lookup_or_init(&sock_stats, &cookie, &init, SS_LOST_STATS_MAP, NULL);
}

/* Drop and retransmit records share one throttle per socket. */
static __always_inline __u64 net_record_interval(void)
{
	return cfg_sample_interval_ns / 10;
}

/* clang's BPF backend has no memcmp */
static __always_inline bool occ_differs(const struct ss_occupancy *a,
					const struct ss_occupancy *b)
{
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;
	return (x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]);
}

#define SS_MAX(field) \
	if (o.field > st->occ_max.field) st->occ_max.field = o.field

/* Take an occupancy sample: always into sock_stats (latest and high-water
 * marks), into the ring buffer only when it changed and the socket's
 * interval has passed, and not while a socket's queues have never held
 * anything (a short connection: the stats map has its limits). */
static __always_inline void sample_into(struct ss_sock_stats *st, struct sock *sk, __u64 cookie,
					__u8 state, __u8 why)
{
	struct ss_occupancy o = {};
	read_occupancy(sk, state, &o);
	bool changed = occ_differs(&o, &st->occ);
	__u64 now = bpf_ktime_get_ns();
	st->occ = o;
	st->last_sample_ns = now;
	SS_MAX(rx_queue);
	SS_MAX(tx_queue);
	SS_MAX(rmem_alloc);
	SS_MAX(wmem_queued);
	SS_MAX(ack_backlog);
	if (!changed || now - st->last_emit_ns < cfg_sample_interval_ns)
		return;
	if (!st->last_emit_ns && !o.rx_queue && !o.tx_queue)
		return;
	st->last_emit_ns = now;
	struct ss_sample_event *e = reserve(SS_EV_SAMPLE, sizeof(*e));
	if (!e)
		return;
	fill_sock_id(&e->sock, sk);
	e->sock.cookie = cookie;
	e->sock.state = state;
	e->occ = o;
	e->why = why;
	__builtin_memset(e->pad, 0, sizeof(e->pad));
	submit(e);
}

static __always_inline void sample_occupancy(struct sock *sk, __u64 cookie, __u8 state, __u8 why)
{
	struct ss_sock_stats *st = stats_get(cookie, (__u64)sk);
	if (st)
		sample_into(st, sk, cookie, state, why);
}
