/* Reading an sk_buff: its packet's addresses, its device, its length on
 * the wire. Fields by plain loads through the BTF-typed skb; the packet's
 * bytes through probe reads. */
#pragma once
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "emit.bpf.h"
#include "sock_read.bpf.h"

#define SS_ETH_P_IP 0x0800
#define SS_ETH_P_IPV6 0x86DD
#define SS_NO_HEADER 0xffff /* skb->*_header when unset */

/* The packet's addresses into id (saddr = the packet's source), for TCP
 * and UDP over IPv4/IPv6 without extension headers. false when the network
 * header is not set or not one of those. */
static __always_inline bool skb_packet_tuple(struct sk_buff *skb, struct ss_sock_id *id)
{
	unsigned char *head = skb->head;
	__u16 nh = skb->network_header;
	__u16 proto = bpf_ntohs(skb->protocol);
	if (!head || nh == SS_NO_HEADER)
		return false;
	__u8 l4;
	__u32 l4_off;
	__builtin_memset(id, 0, sizeof(*id));
	if (proto == SS_ETH_P_IP) {
		struct iphdr ip;
		if (bpf_probe_read_kernel(&ip, sizeof(ip), head + nh) || ip.version != 4)
			return false;
		id->family = AF_INET;
		l4 = ip.protocol;
		l4_off = nh + ip.ihl * 4;
		__builtin_memcpy(id->saddr, &ip.saddr, 4);
		__builtin_memcpy(id->daddr, &ip.daddr, 4);
	} else if (proto == SS_ETH_P_IPV6) {
		struct ipv6hdr ip6;
		if (bpf_probe_read_kernel(&ip6, sizeof(ip6), head + nh))
			return false;
		id->family = AF_INET6;
		l4 = ip6.nexthdr;
		l4_off = nh + sizeof(ip6);
		__builtin_memcpy(id->saddr, &ip6.saddr, 16);
		__builtin_memcpy(id->daddr, &ip6.daddr, 16);
	} else {
		return false;
	}
	if (l4 != IPPROTO_TCP && l4 != IPPROTO_UDP)
		return false;
	__be16 ports[2];
	if (bpf_probe_read_kernel(ports, sizeof(ports), head + l4_off))
		return false;
	id->protocol = l4;
	id->type = l4 == IPPROTO_TCP ? 1 : 2; /* SOCK_STREAM / SOCK_DGRAM */
	id->sport = bpf_ntohs(ports[0]);
	id->dport = bpf_ntohs(ports[1]);
	return true;
}

/* Swap the two ends: a packet's destination is our local side. */
static __always_inline void swap_ends(struct ss_sock_id *id)
{
	__u8 tmp[SS_ADDR_LEN];
	__builtin_memcpy(tmp, id->saddr, SS_ADDR_LEN);
	__builtin_memcpy(id->saddr, id->daddr, SS_ADDR_LEN);
	__builtin_memcpy(id->daddr, tmp, SS_ADDR_LEN);
	__u16 p = id->sport;
	id->sport = id->dport;
	id->dport = p;
}

static __always_inline void dev_key_of(struct net_device *dev, struct ss_dev_key *k)
{
	struct net *net = dev ? dev->nd_net.net : NULL;
	k->ifindex = dev ? dev->ifindex : 0;
	k->netns = net ? net->ns.inum : 0;
}

/* The ends of a reset sent in answer to this received packet: its
 * destination is our side; the namespace is its device's. */
static __always_inline bool packet_reset_id(struct sk_buff *skb, struct ss_sock_id *id)
{
	if (!skb_packet_tuple(skb, id))
		return false;
	swap_ends(id);
	struct ss_dev_key dk;
	dev_key_of(skb->dev, &dk);
	id->netns = dk.netns;
	return true;
}

/* The rest of a reset-sent record whose socket part is filled; sent. Both
 * tcp_send_reset and, before 6.9, kfree_skb's NO_SOCKET drop (a closed
 * port) report resets sent. */
static __always_inline void submit_reset_sent(struct ss_tcp_event *e, __u64 cookie, __u32 reason)
{
	e->sock.cookie = cookie;
	e->reason = reason;
	e->err = 0;
	e->segs = 0;
	e->kind = SS_TCP_RESET_SENT;
	e->suppressed = 0;
	submit(e);
}

#define SS_TCP_FLAG_RST 0x04

/* A received TCP segment's flags (byte 13 of its header), 0xff unknown. */
static __always_inline __u8 skb_tcp_flags(struct sk_buff *skb)
{
	__u16 th = skb->transport_header;
	__u8 flags;
	if (!skb->head || th == SS_NO_HEADER || bpf_probe_read_kernel(&flags, 1, skb->head + th + 13))
		return 0xff;
	return flags;
}

/* Bytes as the driver counts them: on receive the link-layer header has
 * already been pulled (eth_type_trans), so add it back. */
static __always_inline __u32 skb_wire_len(const struct sk_buff *skb)
{
	__u32 len = skb->len;
	__u16 mh = skb->mac_header;
	if (mh == SS_NO_HEADER)
		return len;
	__u64 data_off = skb->data - skb->head;
	return data_off > mh ? len + (__u32)(data_off - mh) : len;
}
