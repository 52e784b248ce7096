/* Per network device counters (dev_stats, per CPU) and names. */
#pragma once
#include "emit.bpf.h"
#include "skb_read.bpf.h"

static __always_inline struct ss_dev_stats *dev_stats_get(struct net_device *dev)
{
	struct ss_dev_key k;
	dev_key_of(dev, &k);
	struct ss_dev_stats *st = bpf_map_lookup_elem(&dev_stats, &k);
	if (st)
		return st;
	/* first packet of this device on this CPU: a per-CPU map creates the
	 * element for every CPU at once, so EEXIST means another CPU did */
	struct ss_dev_stats zero = {};
	long err = bpf_map_update_elem(&dev_stats, &k, &zero, BPF_NOEXIST);
	if (err && err != -17 /* EEXIST */)
		count_lost(SS_LOST_STATS_MAP);
	if (!err && dev) {
		struct ss_dev_name n = {};
		bpf_core_read_str(n.name, sizeof(n.name), &dev->name);
		bpf_map_update_elem(&dev_names, &k, &n, BPF_ANY);
	}
	return bpf_map_lookup_elem(&dev_stats, &k);
}

static __always_inline void count_dev_drop(struct net_device *dev, __u32 reason)
{
	struct ss_dev_drop_key k = { .reason = reason };
	struct ss_dev_key dk;
	dev_key_of(dev, &dk);
	k.netns = dk.netns;
	k.ifindex = dk.ifindex;
	__u64 *n = bpf_map_lookup_elem(&dev_drops, &k);
	if (n) {
		(*n)++;
		return;
	}
	__u64 one = 1;
	long err = bpf_map_update_elem(&dev_drops, &k, &one, BPF_NOEXIST);
	if (err == -17 && (n = bpf_map_lookup_elem(&dev_drops, &k)))
		(*n)++;
	else if (err)
		count_lost(SS_LOST_DROP_MAP);
}
