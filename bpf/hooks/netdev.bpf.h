/* The NIC side, per device: packets entering the receive path, NAPI polls
 * against their budget, and transmit.
 *
 * Receive is counted at the entry points a driver calls, once per skb the
 * driver handed over, so the counts match the device's own (ip -s link):
 * net:netif_rx (every netif_rx path, loopback and veth without NAPI),
 * net:napi_gro_receive_entry / napi_gro_frags_entry (NAPI drivers, before
 * GRO merges), net:netif_receive_skb_entry / _list_entry (drivers that skip
 * GRO). Each also starts the skb's journey timing. */
#pragma once
#include "../lib/dev_stats.bpf.h"
#include "journey.bpf.h"

static __always_inline void on_rx_entry(const struct sk_buff *skb)
{
	struct ss_dev_stats *st = dev_stats_get(skb->dev);
	if (st) {
		st->rx_packets++;
		st->rx_bytes += skb_wire_len(skb);
	}
	journey_enter(skb);
}

SEC("tp_btf/netif_rx")
int BPF_PROG(ss_netif_rx, struct sk_buff *skb)
{
	on_rx_entry(skb);
	return 0;
}

SEC("tp_btf/napi_gro_receive_entry")
int BPF_PROG(ss_gro_receive, const struct sk_buff *skb)
{
	on_rx_entry(skb);
	return 0;
}

SEC("tp_btf/napi_gro_frags_entry")
int BPF_PROG(ss_gro_frags, const struct sk_buff *skb)
{
	on_rx_entry(skb);
	return 0;
}

SEC("tp_btf/netif_receive_skb_entry")
int BPF_PROG(ss_receive_skb_entry, const struct sk_buff *skb)
{
	on_rx_entry(skb);
	return 0;
}

SEC("tp_btf/netif_receive_skb_list_entry")
int BPF_PROG(ss_receive_list_entry, const struct sk_buff *skb)
{
	on_rx_entry(skb);
	return 0;
}

/* work == budget: the poll stopped because it ran out of budget and the
 * device still had packets: softirq is not keeping up. */
SEC("tp_btf/napi_poll")
int BPF_PROG(ss_napi_poll, struct napi_struct *napi, int work, int budget)
{
	struct ss_dev_stats *st = dev_stats_get(napi->dev);
	if (!st)
		return 0;
	st->napi_polls++;
	if (work > 0)
		st->napi_work += work;
	if (budget > 0 && work >= budget)
		st->napi_budget_exhausted++;
	return 0;
}

SEC("tp_btf/net_dev_queue")
int BPF_PROG(ss_dev_queue, struct sk_buff *skb)
{
	struct ss_dev_stats *st = dev_stats_get(skb->dev);
	if (st)
		st->tx_queued++;
	return 0;
}

/* After the driver's ndo_start_xmit, once per skb it was given (GSO
 * already segmented for devices without TSO). */
SEC("tp_btf/net_dev_xmit")
int BPF_PROG(ss_dev_xmit, struct sk_buff *skb, int rc, struct net_device *dev, unsigned int skb_len)
{
	struct ss_dev_stats *st = dev_stats_get(dev);
	if (!st)
		return 0;
	if (rc == 0 /* NETDEV_TX_OK */) {
		st->tx_packets++;
		st->tx_bytes += skb_len;
	} else {
		st->tx_errors++;
	}
	return 0;
}
