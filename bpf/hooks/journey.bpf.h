/* The journey of received data: when each skb entered the stack, when it
 * was queued on its socket, when the app copied it out. Two histograms per
 * socket tell "slow before the socket" (softirq backlog, socket owned by
 * the app while packets wait in its backlog) from "slow app".
 *
 *  entered:  the stack's receive entry points (netdev.bpf.h calls
 *            journey_enter): netif_rx, napi_gro_receive_entry,
 *            napi_gro_frags_entry, netif_receive_skb(_list)_entry. Not
 *            net:netif_receive_skb: it fires after GRO merged packets and
 *            after any backlog queue, so it is neither the earliest time nor
 *            once per packet the driver counted.
 *  queued:   TCP: tcp:tcp_probe, which runs as tcp_rcv_established takes a
 *            segment (after any socket backlog wait); UDP: sk_data_ready,
 *            with the skb just added at the tail of the receive queue.
 *  read:     skb:skb_copy_datagram_iovec, inside the app's recv.
 *
 * Marks live in skb_marks keyed by skb address (LRU).
 *
 * Under load only some skbs are timed: the map updates are most of a
 * received packet's cost. Each CPU marks at most cfg_journey_per_ms skbs
 * per millisecond and skips the rest, so a quiet socket, or one that
 * stalls, has every packet timed, and a busy one a sample spread over
 * time. An skb not marked at entry must not meet a mark left at its
 * address by an earlier skb that never reached the app (a pure ACK, a drop,
 * a segment coalesced into another): entry looks for one and deletes it. */
#pragma once
#include "../lib/stats.bpf.h"

/* Initial value for a socket's histograms: too big for the stack. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ss_journey);
} journey_zero SEC(".maps");

static __always_inline struct ss_journey *journey_get(__u64 cookie)
{
	struct ss_journey *j = bpf_map_lookup_elem(&sock_journey, &cookie);
	if (j)
		return j;
	__u32 zero = 0;
	struct ss_journey *init = bpf_map_lookup_elem(&journey_zero, &zero);
	if (!init)
		return NULL;
	return lookup_or_init(&sock_journey, &cookie, init, SS_LOST_JOURNEY, NULL);
}

static __always_inline void hist_add(struct ss_hist *h, __u64 v)
{
	__u32 i = ss_hist_bucket(v);
	barrier_var(i);
	if (i >= SS_HIST_BUCKETS)
		return;
	__sync_fetch_and_add(&h->bucket[i], 1);
	__sync_fetch_and_add(&h->count, 1);
	__sync_fetch_and_add(&h->sum_ns, v);
	if (v > h->max_ns)
		h->max_ns = v; /* racy between CPUs: at worst a max slightly low */
}

/* This CPU's marks in the current millisecond (~2^20 ns). */
struct journey_budget {
	__u64 window;
	__u32 used;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct journey_budget);
} journey_budget SEC(".maps");

/* May this CPU mark one more skb now? */
static __always_inline bool journey_take(__u64 now)
{
	if (!cfg_journey_per_ms)
		return true;
	__u32 zero = 0;
	struct journey_budget *b = bpf_map_lookup_elem(&journey_budget, &zero);
	if (!b)
		return false;
	if (b->window != now >> 20) {
		b->window = now >> 20;
		b->used = 0;
	}
	if (b->used >= cfg_journey_per_ms)
		return false;
	b->used++;
	return true;
}

static __always_inline void journey_enter(const struct sk_buff *skb)
{
	if (!cfg_journey)
		return;
	__u64 key = (__u64)skb, now = bpf_ktime_get_ns();
	if (journey_take(now)) {
		struct skb_mark m = { .nic_ns = now };
		bpf_map_update_elem(&skb_marks, &key, &m, BPF_ANY);
	} else if (bpf_map_lookup_elem(&skb_marks, &key)) {
		bpf_map_delete_elem(&skb_marks, &key);
	}
}

/* skb was queued on the socket with this cookie. */
static __always_inline void journey_queued(const struct sk_buff *skb, __u64 cookie)
{
	if (!cfg_journey || !skb)
		return;
	__u64 key = (__u64)skb, now = bpf_ktime_get_ns();
	struct skb_mark *m = bpf_map_lookup_elem(&skb_marks, &key);
	if (!m) {
		/* not marked at entry: skipped there, or entered by a path
		 * without an entry tracepoint. Time its wait for the app if
		 * this CPU may mark one more. */
		if (!journey_take(now))
			return;
		struct skb_mark fresh = { .queue_ns = now, .cookie = cookie };
		bpf_map_update_elem(&skb_marks, &key, &fresh, BPF_ANY);
		return;
	}
	if (m->queue_ns)
		return; /* seen already (a segment handled twice) */
	m->queue_ns = now;
	m->cookie = cookie;
	if (m->nic_ns && now >= m->nic_ns) {
		struct ss_journey *j = journey_get(cookie);
		if (j)
			hist_add(&j->nic_to_queue, now - m->nic_ns);
	}
}

SEC("tp_btf/skb_copy_datagram_iovec")
int BPF_PROG(ss_skb_copy, const struct sk_buff *skb, int len)
{
	if (!cfg_journey)
		return 0;
	__u64 key = (__u64)skb;
	struct skb_mark *m = bpf_map_lookup_elem(&skb_marks, &key);
	if (!m || !m->queue_ns)
		return 0;
	__u64 now = bpf_ktime_get_ns(), queued = m->queue_ns, cookie = m->cookie;
	/* first copy only: a partly read skb is not timed again */
	bpf_map_delete_elem(&skb_marks, &key);
	if (now < queued)
		return 0;
	struct ss_journey *j = journey_get(cookie);
	if (j)
		hist_add(&j->queue_to_read, now - queued);
	return 0;
}
