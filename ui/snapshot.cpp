#include "snapshot.h"

#include "output/socket_format.h"

namespace sockscope::ui {

std::string stuck_reason(const Socket& s, uint64_t now_ns) {
  if (s.closed) return {};
  auto since = [&](uint64_t t) { return t && now_ns > t ? now_ns - t : 0; };
  if (s.occ.rx_queue > 0) {
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

Snapshot::Row row_of(const Socket& s, uint64_t now_ns) {
  ListRow l = list_row(s, now_ns);
  Snapshot::Row r;
  r.key = s.key;
  r.cookie = s.id.cookie;
  r.pid = s.owner.pid;
  r.fd = s.owner.fd;
  r.comm = s.owner.pid ? std::string(comm_view(s.owner.comm)) : "-";
  r.proto = std::string(l.netid);
  r.local = std::move(l.local);
  r.remote = std::move(l.peer);
  r.local_port = s.id.local.port;
  r.remote_port = s.id.remote.port;
  r.state = std::move(l.state);
  r.closed = s.closed;
  r.closed_ago_ns = s.closed && now_ns > s.closed_ns ? now_ns - s.closed_ns : 0;
  r.age_ns = l.age_ns;
  r.recv_q = l.recv_q;
  r.send_q = l.send_q;
  r.rx_pct = l.rcv_pct;
  r.tx_pct = l.snd_pct;
  r.bytes_sent = s.io.bytes_sent;
  r.bytes_received = s.io.bytes_received;
  r.drops = l.drops;
  r.retransmits = l.retransmits;
  r.rtt = rtt_text(s);
  r.stuck = stuck_reason(s, now_ns);
  return r;
}

}  // namespace

Snapshot take(const SocketTable& table, const Source& src, uint64_t now_ns, const Filter* filter,
              uint64_t detail_key, bool live) {
  Snapshot snap;
  std::vector<const Socket*> shown;
  shown.reserve(table.size());
  for (const auto& [key, s] : table.sockets()) {
    ++snap.by_state[s.closed ? "(closed)" : std::string(socket_state_name(s))];
    if (!filter || filter->matches(s)) shown.push_back(&s);
  }
  shown = sorted_sockets(std::move(shown));
  snap.rows.reserve(shown.size());
  for (const Socket* s : shown) snap.rows.push_back(row_of(*s, now_ns));
  if (detail_key) snap.detail = take_detail(table, detail_key, live);
  for (const Nic* n : table.nics().sorted()) {
    snap.nics.emplace_back();
    snap.nics.back().nic = *n;
  }

  const auto& c = table.counters();
  const auto& d = src.decode_stats();
  snap.events = c.events;
  snap.lost_kernel = c.lost_total();
  snap.lost_user = d.malformed + c.evicted_for_room + c.stats_unmatched;
  snap.lost = snap.lost_kernel + snap.lost_user;
  for (const auto& p : src.probes())
    if (!p.attached) snap.missing_probes.push_back(p.program);
  snap.probes_missing = snap.missing_probes.size();
  snap.reasons = src.reason_names();
  snap.now_ns = now_ns;
  snap.wall_offset_ns = src.wall_offset_ns();
  snap.retention_ns = table.limits().retention_ns;
  return snap;
}

}  // namespace sockscope::ui
