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

/* Reserve a record and fill its header with the time ts_ns; counts the
 * loss on failure. A hook that already read the clock passes its reading:
 * a clock read costs tens of ns on a paravirtual clock, and the state hook
 * would otherwise read it up to four times per change. */
static __always_inline void *reserve_at(__u16 type, __u32 size, __u64 ts_ns)
{
	struct ss_hdr *h = bpf_ringbuf_reserve(&events, size, 0);
	if (!h) {
		count_lost(SS_LOST_RINGBUF);
		return NULL;
	}
	h->type = type;
	h->size = size;
	h->cpu = bpf_get_smp_processor_id();
	h->ts_ns = ts_ns;
	return h;
}

/* The same, stamped now. */
static __always_inline void *reserve(__u16 type, __u32 size)
{
	return reserve_at(type, size, bpf_ktime_get_ns());
}

/* Wake the reader as the unread bytes cross each multiple of
 * cfg_wakeup_bytes (a sixteenth of the ring, see wakeup_bytes_for in
 * userspace/source/kernel/bpf_loader.h), however far behind it is.
 * A wakeup is an irq_work on this CPU, about 1 µs on a VM; waking on every
 * record once the reader was behind (as this did before) made each record
 * cost that, under churn, when the reader was busy draining anyway. The
 * reader also drains on a short timer, so a missed crossing costs latency,
 * never a record. */
static __always_inline void submit(void *rec)
{
	__u64 size = ((struct ss_hdr *)rec)->size + 8 /* BPF_RINGBUF_HDR_SZ */;
	__u64 avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	__u64 step = cfg_wakeup_bytes;
	bool crossed = step && avail >= size && avail / step != (avail - size) / step;
	bpf_ringbuf_submit(rec, crossed ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}
