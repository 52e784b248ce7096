#include "model/socket_facts.h"

#include <algorithm>
#include <tuple>

#include <fmt/format.h>

#include "model/names.h"

namespace sockscope {
namespace {

double pct(uint64_t used, uint64_t limit) { return limit ? 100.0 * double(used) / double(limit) : 0.0; }

}  // namespace

std::string_view state_name_for(const Socket& s, TcpState st) {
  // the kernel keeps a UDP socket in TCP_CLOSE until connect(), then TCP_ESTABLISHED
  if (!s.is_tcp()) return st == TcpState::Established ? "ESTAB" : "UNCONN";
  return tcp_state_name(st);
}

std::string_view socket_state_name(const Socket& s) {
  if (!s.is_tcp() && s.closed) return "CLOSED";
  return state_name_for(s, s.state);
}

std::string_view shown_state(const Socket& s) { return s.closed ? "(closed)" : socket_state_name(s); }

std::string_view end_how_name(EndHow how) {
  switch (how) {
    case EndHow::None: return "";
    case EndHow::Close: return "close";
    case EndHow::Reset: return "reset";
    case EndHow::TimewaitExpired: return "timewait-expired";
    case EndHow::OwnerExited: return "owner-exited";
    case EndHow::Gone: return "gone";
  }
  return "";
}

uint64_t last_send_ns(const Socket& s) { return s.kernel_last_send_ns ? s.kernel_last_send_ns : s.io.last_send_ns; }
uint64_t last_recv_ns(const Socket& s) { return s.kernel_last_recv_ns ? s.kernel_last_recv_ns : s.io.last_recv_ns; }

uint64_t time_in_state_ns(const Socket& s, uint64_t now_ns) {
  if (!s.state_since_known) return 0;
  return s.state_since_ns && now_ns > s.state_since_ns ? now_ns - s.state_since_ns : 0;
}

uint64_t unread_bytes(const Socket& s) {
  bool fin_in = s.state == TcpState::CloseWait || s.state == TcpState::LastAck || s.state == TcpState::Closing;
  return s.occ.rx_queue - (fin_in && s.occ.rx_queue ? 1 : 0);
}

bool owner_can_act(const Socket& s) {
  if (s.closed || s.fd_closed) return false;
  return !s.is_tcp() || (s.state != TcpState::TimeWait && s.state != TcpState::Close);
}

double rx_use_pct(const Socket& s) {
  if (s.state == TcpState::Listen) return pct(s.occ.ack_backlog, s.occ.max_ack_backlog);
  return pct(s.occ.rmem_alloc, s.occ.rcvbuf);
}

double tx_use_pct(const Socket& s) {
  if (s.state == TcpState::Listen) return 0;
  return pct(s.is_tcp() ? s.occ.wmem_queued : s.occ.tx_queue, s.occ.sndbuf);
}

uint64_t total_drops(const Socket& s) {
  uint64_t by_reason = 0;
  for (const auto& [reason, n] : s.drops_by_reason) by_reason += n;
  return std::max(s.tcp.drops, by_reason);
}

std::string owner_text(const Socket& s) {
  if (!s.owner.pid) return "-";
  return fmt::format("{},pid={},fd={}", comm_view(s.owner.comm), s.owner.pid, s.owner.fd);
}

std::vector<const Socket*> sorted_sockets(std::vector<const Socket*> v) {
  std::sort(v.begin(), v.end(), [](const Socket* a, const Socket* b) {
    return std::tuple(a->id.protocol, a->id.local.port, a->id.remote.port, a->key) <
           std::tuple(b->id.protocol, b->id.local.port, b->id.remote.port, b->key);
  });
  return v;
}

std::optional<uint64_t> bytes_sent(const Socket& s) {
  if (s.io.bytes_measured) return s.io.bytes_sent;
  if (s.kernel_ns && s.is_tcp()) return s.kernel.bytes_sent;
  return std::nullopt;
}

std::optional<uint64_t> bytes_received(const Socket& s) {
  if (s.io.bytes_measured) return s.io.bytes_received;
  if (s.kernel_ns && s.is_tcp()) return s.kernel.bytes_received;
  return std::nullopt;
}

SocketRow socket_row(const Socket& s, uint64_t now_ns) {
  return {.netid = protocol_name(s.id.protocol),
          .state = std::string(shown_state(s)),
          .age_ns = time_in_state_ns(s, now_ns),
          .recv_q = s.occ.rx_queue,
          .send_q = s.occ.tx_queue,
          .rcv_pct = rx_use_pct(s),
          .snd_pct = tx_use_pct(s),
          .rx_max = s.occ_max.rx_queue,
          .tx_max = s.occ_max.tx_queue,
          .local = format_endpoint(s.id.family, s.id.local),
          .peer = format_endpoint(s.id.family, s.id.remote),
          .sent = bytes_sent(s),
          .rcvd = bytes_received(s),
          .drops = total_drops(s),
          .retransmits = s.tcp.retrans_segs,
          .process = owner_text(s)};
}

}  // namespace sockscope
