/* Ring-buffer output with loss accounting and batched wakeups. */
#pragma once
#include "maps.bpf.h"
#include "config.bpf.h"

static __always_inline void count_lost(__u32 kind)
{
	__u64 *n = bpf_map_lookup_elem(&lost_counts, &kind);
	if (n)
		(*n)++;
}

/* Reserve a record and fill its header; counts the loss on failure. */
static __always_inline void *reserve(__u16 type, __u32 size)
{
	struct ss_hdr *h = bpf_ringbuf_reserve(&events, size, 0);
	if (!h) {
		count_lost(SS_LOST_RINGBUF);
		return NULL;
	}
	h->type = type;
	h->size = size;
	h->cpu = bpf_get_smp_processor_id();
	h->ts_ns = bpf_ktime_get_ns();
	return h;
}

/* Wake the reader once, as the unread bytes cross cfg_wakeup_bytes, and
 * on every record once they pass cfg_urgent_bytes (the reader is behind).
 * Waking on every record past the threshold kept the reader draining
 * record by record, bouncing the ring's positions between CPUs: that cost
 * ~800 ns per record under connection churn. The reader also drains on a
 * short timer, so a missed crossing costs latency, never a record. */
static __always_inline void submit(void *rec)
{
	__u64 size = ((struct ss_hdr *)rec)->size + 8 /* BPF_RINGBUF_HDR_SZ */;
	__u64 avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	bool crossed = avail >= cfg_wakeup_bytes && avail - size < cfg_wakeup_bytes;
	bpf_ringbuf_submit(rec, crossed || avail >= cfg_urgent_bytes ? BPF_RB_FORCE_WAKEUP
								     : BPF_RB_NO_WAKEUP);
}
