#include "ui/snapshot.h"

#include <unordered_map>

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "model/names.h"
#include "model/socket_facts.h"
#include "output/socket_format.h"

namespace sockscope::ui {

std::string stuck_reason(const Socket& s, uint64_t now_ns) {
  if (!owner_can_act(s)) return {};  // as diagnose: only what a live owner can fix
  auto since = [&](uint64_t t) { return t && now_ns > t ? now_ns - t : 0; };
  if (unread_bytes(s) > 0) {
    // unread: nothing received by the owner since the data could have arrived
    uint64_t last = s.io.last_recv_ns ? s.io.last_recv_ns : s.first_seen_ns;
    if (since(last) > kUnreadStuckNs) return "receive queue not read for over 5 s";
  }
  if (s.state == TcpState::CloseWait && since(s.state_since_ns) > kCloseWaitStuckNs)
    return "peer closed, owner has not closed for over 10 s (CLOSE_WAIT)";
  if (s.state == TcpState::SynSent && s.tcp.retrans_segs > 0) return "SYN retransmitted: no answer from the peer";
  return {};
}

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
  r.closed_ago_ns = s.closed && now_ns > s.closed_ns ? now_ns - s.closed_ns : 0;
  r.age_ns = time_in_state_ns(s, now_ns);
  r.age_known = s.state_since_known;
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
  r.stuck = stuck_reason(s, now_ns);
}

// sorted_sockets()' order, (protocol, local port, remote port, key), as two
// integers, with where the socket's row was made.
struct Order {
  uint64_t ports, key;
  size_t at;
  bool operator<(const Order& o) const { return ports != o.ports ? ports < o.ports : key < o.key; }
};

// Counts per state name; a dozen names at most, so a short list beats a
// map keyed by a string built for every socket.
class StateCounts {
 public:
  void add(std::string_view name) {
    for (auto& [n, c] : counts_)
      if (n == name) {
        ++c;
        return;
      }
    counts_.emplace_back(name, 1);
  }
  void into(std::map<std::string, size_t>& out) const {
    for (const auto& [n, c] : counts_) out[std::string(n)] += c;
  }

 private:
  std::vector<std::pair<std::string_view, size_t>> counts_;
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

// With 100,000 sockets this runs once a second on the view's thread. Each
// socket is read once, in the table's own order, which is mostly their
// order in memory (in sorted order every socket is a cache miss); then
// small keys are sorted and the rows moved into that order.
namespace {

// The rules' findings flag the rows they name: the most severe first.
void flag_findings(Snapshot& snap, const std::vector<Finding>& findings) {
  std::unordered_map<uint64_t, size_t> by_cookie;
  for (size_t i = 0; i < snap.rows.size(); ++i) {
    snap.rows[i].stuck.clear();  // the findings replace the interim heuristic
    if (snap.rows[i].cookie) by_cookie.emplace(snap.rows[i].cookie, i);
  }
  for (const Finding& f : findings) {
    if (!f.cookie || f.severity == Severity::Info) continue;
    // the sockets listed under a cause are flagged with it
    for (const Affected& a : f.affected)
      if (auto at = by_cookie.find(a.cookie); at != by_cookie.end() && snap.rows[at->second].stuck.empty())
        snap.rows[at->second].stuck = fmt::format("{}: caused by {} at {}", finding_kind_name(a.symptom),
                                                  finding_kind_name(f.kind), f.local);
    auto it = by_cookie.find(f.cookie);
    if (it == by_cookie.end()) continue;
    auto& r = snap.rows[it->second];
    if (r.stuck.empty()) r.stuck = std::string(finding_kind_name(f.kind)) + ": " + f.summary;
  }
  if (snap.detail)
    for (const Finding& f : findings)
      if (f.cookie && f.cookie == snap.detail->sock.id.cookie) snap.detail->findings.push_back(f);
}

}  // namespace

Snapshot take(const SocketTable& table, const Source& src, uint64_t now_ns, const Filter* filter,
              uint64_t detail_key, bool live, const DiagnosisTracker* tracker) {
  Snapshot snap;
  StateCounts states;
  std::vector<Order> order;
  order.reserve(table.size());
  snap.rows.reserve(table.size());
  for (const auto& [key, s] : table.sockets()) {
    // the header counts what the command line asked for (--port, -p, ...),
    // as the rows do: a count of sockets the view never shows misleads
    if (filter && !filter->matches(s)) continue;
    states.add(shown_state(s));
    order.push_back({uint64_t(s.id.protocol) << 32 | uint64_t(s.id.local.port) << 16 | s.id.remote.port, s.key,
                     snap.rows.size()});
    fill_row(snap.rows.emplace_back(), s, now_ns);
  }
  states.into(snap.by_state);
  std::sort(order.begin(), order.end());
  permute(snap.rows, order);

  if (detail_key) snap.detail = take_detail(table, detail_key, live);
  for (const Nic* n : table.nics().sorted()) {
    snap.nics.emplace_back();
    snap.nics.back().nic = *n;
  }
  snap.softnet = table.nics().softnet();

  const auto& c = table.counters();
  const auto& d = src.decode_stats();
  snap.events = c.events;
  snap.lost_kernel = c.lost_total();
  snap.lost_user = d.malformed + c.evicted_for_room + c.stats_unmatched;
  for (const auto& p : src.probes())
    if (!p.attached && !p.off) snap.missing_probes.push_back(p.program);
  for (const char* t : {"syscalls", "packets"})
    if (std::any_of(src.probes().begin(), src.probes().end(), [&](const ProbeStatus& p) { return p.attached && p.tier == t; }))
      snap.tiers += std::string("+") + t;
  snap.reasons = src.reason_names();
  snap.now_ns = now_ns;
  snap.wall_offset_ns = src.wall_offset_ns();
  snap.retention_ns = table.limits().retention_ns;
  if (tracker) {
    static const Thresholds kDefaults;
    DiagnoseInput in{table, *tracker, now_ns, snap.wall_offset_ns, kDefaults, snap.reasons, filter};
    flag_findings(snap, diagnose(in));
  }
  return snap;
}

}  // namespace sockscope::ui
