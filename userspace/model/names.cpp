#include "model/names.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>

namespace sockscope {
namespace {

constexpr std::array<std::string_view, kTcpStateMax + 1> kStateNames = {
    "UNKNOWN",   "ESTABLISHED", "SYN_SENT", "SYN_RECV",   "FIN_WAIT1",
    "FIN_WAIT2", "TIME_WAIT",   "CLOSE",    "CLOSE_WAIT", "LAST_ACK",
    "LISTEN",    "CLOSING",     "NEW_SYN_RECV", "BOUND_INACTIVE",
};

constexpr std::array<std::string_view, kCallMax + 1> kCallNames = {
    "?",        "socket",   "bind",     "listen",  "accept",   "accept4",  "connect",
    "shutdown", "close",    "setsockopt", "sendto", "sendmsg", "sendmmsg", "recvfrom",
    "recvmsg",  "recvmmsg", "read",     "write",   "readv",    "writev",
};

std::string normalise(std::string_view s) {
  std::string out;
  for (char c : s) out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string_view tcp_state_name(TcpState s) {
  auto i = static_cast<size_t>(s);
  return i < kStateNames.size() ? kStateNames[i] : "UNKNOWN";
}

std::optional<TcpState> parse_state(std::string_view name) {
  std::string n = normalise(name);
  // ss spellings that differ from the kernel's
  if (n == "ESTAB") n = "ESTABLISHED";
  if (n == "LISTENING") n = "LISTEN";
  if (n == "CLOSED" || n == "UNCONN") n = "CLOSE";
  if (n == "FIN_WAIT_1") n = "FIN_WAIT1";
  if (n == "FIN_WAIT_2") n = "FIN_WAIT2";
  for (size_t i = 1; i < kStateNames.size(); ++i)
    if (kStateNames[i] == n) return static_cast<TcpState>(i);
  return std::nullopt;
}

std::string_view call_name(Call c) {
  auto i = static_cast<size_t>(c);
  return i < kCallNames.size() ? kCallNames[i] : "?";
}

std::string_view family_name(uint16_t family) {
  return family == kAfInet ? "inet" : family == kAfInet6 ? "inet6" : "?";
}

std::string_view protocol_name(uint16_t protocol) {
  return protocol == kProtoTcp ? "tcp" : protocol == kProtoUdp ? "udp" : "?";
}

std::string_view sample_why_name(SampleWhy w) {
  switch (w) {
    case SampleWhy::Send: return "send";
    case SampleWhy::Recv: return "recv";
    case SampleWhy::DataReady: return "data_ready";
    case SampleWhy::State: return "state";
    case SampleWhy::Accept: return "accept";
    case SampleWhy::Poll: return "poll";
  }
  return "?";
}

std::string_view lost_kind_name(LostKind k) {
  switch (k) {
    case LostKind::Ringbuf: return "ringbuf";
    case LostKind::StatsMap: return "stats_map";
    case LostKind::Inflight: return "inflight";
    case LostKind::DropMap: return "drop_map";
    case LostKind::Journey: return "journey";
    case LostKind::Skipped: return "skipped";
    case LostKind::Count: break;
  }
  return "?";
}

std::string_view drop_origin_name(DropOrigin o) {
  switch (o) {
    case DropOrigin::KfreeSkb: return "kfree_skb";
    case DropOrigin::RcvqueueFull: return "rcvqueue_full";
    case DropOrigin::ExceedBuf: return "exceed_buf_limit";
    case DropOrigin::UdpQueueFail: return "udp_fail_queue";
  }
  return "?";
}

std::string_view tcp_kind_name(TcpKind k) {
  switch (k) {
    case TcpKind::Retransmit: return "retransmit";
    case TcpKind::SynackRetransmit: return "synack_retransmit";
    case TcpKind::ResetSent: return "reset_sent";
    case TcpKind::ResetReceived: return "reset_received";
    case TcpKind::ZeroWindowSent: return "zero_window_sent";
    case TcpKind::ZeroWindowReceived: return "zero_window_received";
    case TcpKind::PersistProbe: return "persist_probe";
    case TcpKind::Metrics: return "metrics";
  }
  return "?";
}

std::string sockopt_name(uint64_t level, uint64_t optname) {
  struct Opt { uint64_t level, name; std::string_view text; };
  static constexpr Opt kOpts[] = {
      {SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF"},       {SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF"},
      {SOL_SOCKET, SO_RCVBUFFORCE, "SO_RCVBUFFORCE"}, {SOL_SOCKET, SO_SNDBUFFORCE, "SO_SNDBUFFORCE"},
      {SOL_SOCKET, SO_KEEPALIVE, "SO_KEEPALIVE"}, {SOL_SOCKET, SO_LINGER, "SO_LINGER"},
      {SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR"}, {SOL_SOCKET, SO_REUSEPORT, "SO_REUSEPORT"},
      {SOL_SOCKET, SO_RCVLOWAT, "SO_RCVLOWAT"},   {SOL_SOCKET, SO_SNDLOWAT, "SO_SNDLOWAT"},
      {SOL_SOCKET, SO_RCVTIMEO_NEW, "SO_RCVTIMEO"}, {SOL_SOCKET, SO_SNDTIMEO_NEW, "SO_SNDTIMEO"},
      {SOL_SOCKET, SO_RCVTIMEO_OLD, "SO_RCVTIMEO"}, {SOL_SOCKET, SO_SNDTIMEO_OLD, "SO_SNDTIMEO"},
      {SOL_SOCKET, SO_BROADCAST, "SO_BROADCAST"}, {SOL_SOCKET, SO_PRIORITY, "SO_PRIORITY"},
      {SOL_SOCKET, SO_MARK, "SO_MARK"},
      {IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY"},  {IPPROTO_TCP, TCP_CORK, "TCP_CORK"},
      {IPPROTO_TCP, TCP_KEEPIDLE, "TCP_KEEPIDLE"}, {IPPROTO_TCP, TCP_KEEPINTVL, "TCP_KEEPINTVL"},
      {IPPROTO_TCP, TCP_KEEPCNT, "TCP_KEEPCNT"},  {IPPROTO_TCP, TCP_USER_TIMEOUT, "TCP_USER_TIMEOUT"},
      {IPPROTO_TCP, TCP_QUICKACK, "TCP_QUICKACK"}, {IPPROTO_TCP, TCP_CONGESTION, "TCP_CONGESTION"},
      {IPPROTO_TCP, TCP_MAXSEG, "TCP_MAXSEG"},    {IPPROTO_TCP, TCP_WINDOW_CLAMP, "TCP_WINDOW_CLAMP"},
      {IPPROTO_TCP, TCP_NOTSENT_LOWAT, "TCP_NOTSENT_LOWAT"},
  };
  for (const auto& o : kOpts)
    if (o.level == level && o.name == optname) return std::string(o.text);
  return fmt::format("{}:{}", level, optname);
}

std::string format_endpoint(uint16_t family, const Endpoint& e) {
  char buf[INET6_ADDRSTRLEN] = "?";
  bool unset = std::all_of(e.addr.begin(), e.addr.begin() + (family == kAfInet ? 4 : 16),
                           [](uint8_t b) { return b == 0; });
  std::string port = e.port ? std::to_string(e.port) : "*";
  if (family == kAfInet) {
    if (unset) return "0.0.0.0:" + port;
    inet_ntop(AF_INET, e.addr.data(), buf, sizeof(buf));
    return fmt::format("{}:{}", buf, port);
  }
  if (family == kAfInet6) {
    if (unset) return "[::]:" + port;
    inet_ntop(AF_INET6, e.addr.data(), buf, sizeof(buf));
    return fmt::format("[{}]:{}", buf, port);
  }
  return "?:" + port;
}

}  // namespace sockscope
