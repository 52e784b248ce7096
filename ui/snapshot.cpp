#include "ui/snapshot.h"

#include <unordered_map>

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "model/names.h"
#include "model/socket_facts.h"
#include "output/socket_format.h"
#include "ui/snapshot_rows.h"

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


// The rules' findings flag the rows they name (replacing the interim
// heuristic).
void flag_rows(Snapshot& snap, const std::vector<Finding>& findings) {
  const FindingFlags flags = finding_flags(findings);
  for (auto& r : snap.rows) {
    auto it = r.cookie ? flags.find(r.cookie) : flags.end();
    if (it == flags.end()) r.stuck.clear();
    else r.stuck = it->second;
  }
}

}  // namespace

Snapshot take_rest(const SocketTable& table, const Source& src, uint64_t now_ns, uint64_t detail_key, bool live) {
  Snapshot snap;
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
  return snap;
}

std::vector<Finding> view_findings(const SocketTable& table, const DiagnosisTracker& tracker, Snapshot& snap,
                                   const Filter* filter) {
  static const Thresholds kDefaults;
  DiagnoseInput in{table, tracker, snap.now_ns, snap.wall_offset_ns, kDefaults, snap.reasons, filter};
  std::vector<Finding> findings = diagnose(in);
  if (snap.detail)
    for (const Finding& f : findings)
      if (f.cookie && f.cookie == snap.detail->sock.id.cookie) snap.detail->findings.push_back(f);
  return findings;
}

// With 100,000 sockets this ran once a second on the view's thread (top
// now copies only the rows that changed: row_delta.h). Each socket is read
// once, in the table's own order, which is mostly their order in memory
// (in sorted order every socket is a cache miss); then small keys are
// sorted and the rows moved into that order.
Snapshot take(const SocketTable& table, const Source& src, uint64_t now_ns, const Filter* filter,
              uint64_t detail_key, bool live, const DiagnosisTracker* tracker) {
  Snapshot snap = take_rest(table, src, now_ns, detail_key, live);
  StateCounts states;
  snap.rows.reserve(table.size());
  for (const auto& [key, s] : table.sockets()) {
    // the header counts what the command line asked for (--port, -p, ...),
    // as the rows do: a count of sockets the view never shows misleads
    if (filter && !filter->matches(s)) continue;
    states.add(shown_state(s));
    Snapshot::Row& r = snap.rows.emplace_back();
    fill_row(r, s, now_ns);
    if (!tracker) r.stuck = stuck_reason(s, now_ns);
  }
  states.into(snap.by_state);
  sort_rows(snap.rows);
  if (tracker) flag_rows(snap, view_findings(table, *tracker, snap, filter));
  return snap;
}

}  // namespace sockscope::ui
