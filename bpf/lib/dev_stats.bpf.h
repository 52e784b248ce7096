/* Per network device counters (dev_stats, per CPU) and names. */
#pragma once
#include "map_util.bpf.h"
#include "skb_read.bpf.h"

static __always_inline struct ss_dev_stats *dev_stats_get(struct net_device *dev)
{
	struct ss_dev_key k;
	dev_key_of(dev, &k);
	/* a per-CPU map creates the element for every CPU at once: the name is
	 * written once, by whichever CPU created it */
	struct ss_dev_stats zero = {};
	bool created = false;
	struct ss_dev_stats *st = lookup_or_init(&dev_stats, &k, &zero, SS_LOST_STATS_MAP, &created);
	if (created && dev) {
		struct ss_dev_name n = {};
		bpf_core_read_str(n.name, sizeof(n.name), &dev->name);
		bpf_map_update_elem(&dev_names, &k, &n, BPF_ANY);
	}
	return st;
}

static __always_inline void count_dev_drop(struct net_device *dev, __u32 reason)
{
	struct ss_dev_drop_key k = { .reason = reason };
	struct ss_dev_key dk;
	dev_key_of(dev, &dk);
	k.netns = dk.netns;
	k.ifindex = dk.ifindex;
	count_in(&dev_drops, &k, SS_LOST_DROP_MAP);
}
