#include "socket_format.h"

#include <algorithm>
#include <tuple>

#include <fmt/format.h>

#include "../model/names.h"

namespace sockscope {
namespace {

double pct(uint64_t used, uint64_t limit) { return limit ? 100.0 * double(used) / double(limit) : 0.0; }

std::string age(uint64_t ns) {
  uint64_t s = ns / 1'000'000'000;
  if (s < 60) return fmt::format("{}.{}s", s, ns / 100'000'000 % 10);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, s / 60 % 60);
}

std::string bytes(uint64_t b) {
  if (b < 10'000) return std::to_string(b);
  if (b < 10'000'000) return fmt::format("{}K", b / 1000);
  if (b < 10'000'000'000) return fmt::format("{}M", b / 1'000'000);
  return fmt::format("{}G", b / 1'000'000'000);
}

std::string process(const Socket& s) {
  if (!s.owner.pid) return "-";
  return fmt::format("{},pid={},fd={}", comm_view(s.owner.comm), s.owner.pid, s.owner.fd);
}

}  // namespace

double rx_use_pct(const Socket& s) {
  if (s.state == TcpState::Listen) return pct(s.occ.ack_backlog, s.occ.max_ack_backlog);
  return pct(s.occ.rmem_alloc, s.occ.rcvbuf);
}

double tx_use_pct(const Socket& s) {
  if (s.state == TcpState::Listen) return 0;
  return pct(s.is_tcp() ? s.occ.wmem_queued : s.occ.tx_queue, s.occ.sndbuf);
}

std::vector<const Socket*> sorted_sockets(std::vector<const Socket*> v) {
  std::sort(v.begin(), v.end(), [](const Socket* a, const Socket* b) {
    return std::tuple(a->id.protocol, a->id.local.port, a->id.remote.port, a->key) <
           std::tuple(b->id.protocol, b->id.local.port, b->id.remote.port, b->key);
  });
  return v;
}

std::string list_table(const std::vector<const Socket*>& sockets, uint64_t now_ns) {
  std::string out = fmt::format("{:<5} {:<11} {:>7} {:>7} {:>7} {:>5} {:>5} {:>7} {:>7} {:<28} {:<28} {:>7} {:>7} {}\n",
                                "Netid", "State", "Age", "Recv-Q", "Send-Q", "Rcv%", "Snd%", "RxMax", "TxMax",
                                "Local Address:Port", "Peer Address:Port", "Sent", "Rcvd", "Process");
  for (const Socket* s : sockets) {
    std::string state(socket_state_name(*s));
    if (s->closed) state = "(closed)";
    uint64_t since = s->state_since_ns && now_ns > s->state_since_ns ? now_ns - s->state_since_ns : 0;
    out += fmt::format("{:<5} {:<11} {:>7} {:>7} {:>7} {:>5.1f} {:>5.1f} {:>7} {:>7} {:<28} {:<28} {:>7} {:>7} {}\n",
                       protocol_name(s->id.protocol), state, age(since), s->occ.rx_queue, s->occ.tx_queue,
                       rx_use_pct(*s), tx_use_pct(*s), s->occ_max.rx_queue, s->occ_max.tx_queue,
                       format_endpoint(s->id.family, s->id.local), format_endpoint(s->id.family, s->id.remote),
                       bytes(s->io.bytes_sent), bytes(s->io.bytes_received), process(*s));
  }
  return out;
}

nlohmann::json socket_json(const Socket& s, uint64_t now_ns) {
  nlohmann::json j;
  j["cookie"] = s.id.cookie;
  j["family"] = family_name(s.id.family);
  j["proto"] = protocol_name(s.id.protocol);
  j["state"] = socket_state_name(s);
  j["closed"] = s.closed;
  j["seeded"] = s.seeded;
  j["local"] = format_endpoint(s.id.family, s.id.local);
  j["remote"] = format_endpoint(s.id.family, s.id.remote);
  j["netns"] = s.id.netns;
  j["pid"] = s.owner.pid;
  j["comm"] = std::string(comm_view(s.owner.comm));
  j["fd"] = s.owner.fd;
  j["state_since_ns"] = s.state_since_ns;
  j["time_in_state_ns"] = s.state_since_ns && now_ns > s.state_since_ns ? now_ns - s.state_since_ns : 0;
  j["rx_queue"] = s.occ.rx_queue;
  j["tx_queue"] = s.occ.tx_queue;
  j["rcvbuf"] = s.occ.rcvbuf;
  j["sndbuf"] = s.occ.sndbuf;
  j["rmem_alloc"] = s.occ.rmem_alloc;
  j["wmem_queued"] = s.occ.wmem_queued;
  j["rx_use_pct"] = rx_use_pct(s);
  j["tx_use_pct"] = tx_use_pct(s);
  j["rx_queue_max"] = s.occ_max.rx_queue;
  j["tx_queue_max"] = s.occ_max.tx_queue;
  j["rmem_alloc_max"] = s.occ_max.rmem_alloc;
  j["wmem_queued_max"] = s.occ_max.wmem_queued;
  if (s.state == TcpState::Listen) {
    j["accept_queue"] = s.occ.ack_backlog;
    j["accept_queue_max"] = s.occ_max.ack_backlog;
    j["backlog"] = s.occ.max_ack_backlog;
  }
  j["bytes_sent"] = s.io.bytes_sent;
  j["bytes_received"] = s.io.bytes_received;
  j["send_calls"] = s.io.send_calls;
  j["recv_calls"] = s.io.recv_calls;
  j["send_ns_max"] = s.io.send_ns_max;
  j["recv_ns_max"] = s.io.recv_ns_max;
  j["last_send_ns"] = s.io.last_send_ns;
  j["last_recv_ns"] = s.io.last_recv_ns;
  auto& h = j["history"] = nlohmann::json::array();
  for (const auto& p : s.history) h.push_back({{"state", tcp_state_name(p.state)}, {"ts_ns", p.ts_ns}});
  auto& o = j["options"] = nlohmann::json::array();
  for (const auto& x : s.options)
    o.push_back({{"option", sockopt_name(x.level, x.optname)}, {"value", x.value}, {"ts_ns", x.ts_ns}});
  return j;
}

}  // namespace sockscope
