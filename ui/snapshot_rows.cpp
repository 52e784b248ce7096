#include "ui/snapshot_rows.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "model/names.h"
#include "model/socket_facts.h"
#include "output/socket_format.h"

namespace sockscope::ui {
namespace {

// format_endpoint()'s text, without its formatting library for IPv4 (most
// sockets): at 100,000 sockets it was a quarter of take().
std::string endpoint_text(uint16_t family, const Endpoint& e) {
  if (family != kAfInet) return format_endpoint(family, e);
  // Each number goes through a buffer of its own, appended by the length
  // to_chars wrote: one running pointer into a shared buffer made g++ 12 at
  // -O3 see a write past its end on to_chars' error path.
  std::string out;
  out.reserve(21);  // 255.255.255.255:65535
  char num[8];
  auto put = [&](unsigned v) { out.append(num, std::to_chars(num, num + sizeof(num), v).ptr); };
  for (int i = 0; i < 4; ++i) {
    if (i) out += '.';
    put(e.addr[i]);
  }
  out += ':';
  if (e.port) put(e.port);
  else out += '*';
  return out;
}

}  // namespace

// socket_row()'s values without its process text, written into the row in place.
void fill_row(Snapshot::Row& r, const Socket& s, uint64_t now_ns) {
  r.key = s.key;
  r.cookie = s.id.cookie;
  r.pid = s.owner.pid;
  r.fd = s.owner.fd;
  r.comm = s.owner.pid ? comm_view(s.owner.comm) : "-";
  r.proto = protocol_name(s.id.protocol);
  r.local = endpoint_text(s.id.family, s.id.local);
  r.remote = endpoint_text(s.id.family, s.id.remote);
  r.local_port = s.id.local.port;
  r.remote_port = s.id.remote.port;
  r.state = shown_state(s);
  r.tcp_state = s.state;
  r.closed = s.closed;
  // as time_in_state_ns(): no age for a state entered before start-up
  r.state_since_ns = s.state_since_known ? s.state_since_ns : 0;
  r.closed_at_ns = s.closed ? s.closed_ns : 0;
  r.age_known = s.state_since_known;
  set_ages(r, now_ns);
  r.order = uint64_t(s.id.protocol) << 32 | uint64_t(s.id.local.port) << 16 | s.id.remote.port;
  r.recv_q = s.occ.rx_queue;
  r.send_q = s.occ.tx_queue;
  r.rx_pct = rx_use_pct(s);
  r.tx_pct = tx_use_pct(s);
  r.bytes_known = bytes_sent(s).has_value();
  r.bytes_sent = bytes_sent(s).value_or(0);
  r.bytes_received = bytes_received(s).value_or(0);
  r.drops = total_drops(s);
  r.retransmits = s.tcp.retrans_segs;
  r.rtt = rtt_text(s);
  r.cwnd = s.is_tcp() && s.metrics_ns ? s.metrics.cwnd : 0;
}

void set_ages(Snapshot::Row& r, uint64_t now_ns) {
  r.age_ns = r.state_since_ns && now_ns > r.state_since_ns ? now_ns - r.state_since_ns : 0;
  r.closed_ago_ns = r.closed && now_ns > r.closed_at_ns ? now_ns - r.closed_at_ns : 0;
}

namespace {

// sorted_sockets()' order, (protocol, local port, remote port, key), as two
// integers, with where the socket's row was made.
struct Order {
  uint64_t ports, key;
  size_t at;
  bool operator<(const Order& o) const { return model_order_before(ports, key, o.ports, o.key); }
};

// Puts rows[order[i].at] at i for every i, moving each row once, in place
// (a second vector of 100,000 rows would cost as much again in page
// faults). The rows of a cycle are scattered over 36 MB: fetching a few
// ahead on the cycle overlaps their cache misses, which halves the time.
void permute(std::vector<Snapshot::Row>& rows, std::vector<Order>& order) {
  constexpr size_t kDone = size_t(-1), kAhead = 4;
  for (size_t i = 0; i < order.size(); ++i) {
    if (order[i].at == kDone || order[i].at == i) continue;
    // follow the cycle through i: each place takes the row it wants
    size_t ahead = i;
    for (size_t k = 0; k < kAhead && order[ahead].at != i; ++k) ahead = order[ahead].at;
    Snapshot::Row held = std::move(rows[i]);
    size_t to = i;
    while (order[to].at != i) {
      if (order[ahead].at != i) {
        ahead = order[ahead].at;
        const char* p = reinterpret_cast<const char*>(&rows[ahead]);
        for (size_t off = 0; off < sizeof(Snapshot::Row); off += 64) __builtin_prefetch(p + off, 1);
      }
      size_t from = order[to].at;
      rows[to] = std::move(rows[from]);
      order[to].at = kDone;
      to = from;
    }
    rows[to] = std::move(held);
    order[to].at = kDone;
  }
}

}  // namespace

void sort_rows(std::vector<Snapshot::Row>& rows) {
  std::vector<Order> order;
  order.reserve(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) order.push_back({rows[i].order, rows[i].key, i});
  if (std::is_sorted(order.begin(), order.end())) return;
  std::sort(order.begin(), order.end());
  permute(rows, order);
}

FindingFlags finding_flags(const std::vector<Finding>& findings) {
  FindingFlags flags;
  for (const Finding& f : findings) {
    if (!f.cookie || f.severity == Severity::Info) continue;
    // the sockets listed under a cause are flagged with it
    for (const Affected& a : f.affected)
      if (a.cookie)
        flags.try_emplace(a.cookie, fmt::format("{}: caused by {} at {}", finding_kind_name(a.symptom),
                                                finding_kind_name(f.kind), f.local));
    flags.try_emplace(f.cookie, std::string(finding_kind_name(f.kind)) + ": " + f.summary);
  }
  return flags;
}

}  // namespace sockscope::ui
