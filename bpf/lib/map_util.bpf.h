/* Map patterns every hook shares: create-on-first-use, counters, and the
 * per-socket record throttle. Failures are counted, never silent. */
#pragma once
#include "emit.bpf.h"

#define SS_EEXIST 17

/* The value under key, created from init if absent. Another CPU may create
 * it between the lookup and the insert (EEXIST): then its value is used.
 * *created (may be NULL) says whether this call made it. */
static __always_inline void *lookup_or_init(void *map, const void *key, const void *init,
					    __u32 lost_kind, bool *created)
{
	void *v = bpf_map_lookup_elem(map, key);
	if (v)
		return v;
	long err = bpf_map_update_elem(map, key, init, BPF_NOEXIST);
	if (err && err != -SS_EEXIST)
		count_lost(lost_kind);
	if (created)
		*created = !err;
	return bpf_map_lookup_elem(map, key);
}

/* Adds one to a u64 counter map entry, creating it. */
static __always_inline void count_in(void *map, const void *key, __u32 lost_kind)
{
	__u64 zero = 0;
	__u64 *n = lookup_or_init(map, key, &zero, lost_kind, NULL);
	if (n)
		__sync_fetch_and_add(n, 1);
}

/* At most one record per interval: returns how many were held back since
 * the last one (and starts a new interval), or -1 for "not now". */
static __always_inline long throttle(__u64 *last_ns, __u32 *suppressed, __u64 interval_ns)
{
	__u64 now = bpf_ktime_get_ns();
	if (now - *last_ns < interval_ns) {
		__sync_fetch_and_add(suppressed, 1);
		return -1;
	}
	*last_ns = now;
	long n = *suppressed;
	*suppressed = 0;
	return n;
}
