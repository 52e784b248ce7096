// Names for kernel values, as the kernel and ss spell them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "model/event.h"

namespace sockscope {

// Kernel names: "ESTABLISHED", "SYN_SENT", ... ; "UNKNOWN" out of range.
std::string_view tcp_state_name(TcpState s);
// Accepts kernel names and ss names, any case, '-' or '_': "established",
// "syn-sent", "time_wait", "listening", "unconn" (UDP unconnected).
std::optional<TcpState> parse_state(std::string_view name);

std::string_view call_name(Call c);
std::string_view family_name(uint16_t family);      // "inet" / "inet6"
std::string_view protocol_name(uint16_t protocol);  // "tcp" / "udp"
std::string_view sample_why_name(SampleWhy w);
std::string_view lost_kind_name(LostKind k);
// "kfree_skb", "rcvqueue_full", "exceed_buf_limit", "udp_fail_queue"
std::string_view drop_origin_name(DropOrigin o);
// "retransmit", "reset_sent", "zero_window_received", ...
std::string_view tcp_kind_name(TcpKind k);
// "SO_RCVBUF", "TCP_NODELAY", ... or "level:optname" numerically.
std::string sockopt_name(uint64_t level, uint64_t optname);

// "127.0.0.1:80", "[::1]:80"; "*" for an unset address like ss.
std::string format_endpoint(uint16_t family, const Endpoint& e);

}  // namespace sockscope
