// Opening: SYNs nobody answers, connects refused, listeners that cannot
// keep up.
#include <algorithm>
#include <map>

#include "diagnosis/rules.h"

namespace sockscope::rules {
namespace {

bool was_in(const Socket& s, TcpState st) {
  for (const auto& p : s.history)
    if (p.state == st) return true;
  return false;
}

}  // namespace

void syn_unanswered(const DiagnoseInput& in, Out& out) {
  for (const Socket* s : sockets(in)) {
    if (!s->is_tcp() || s->tcp.retrans_segs == 0) continue;
    bool waiting = !s->closed && s->state == TcpState::SynSent;
    // gave up: SYN_SENT straight to CLOSE, never established
    bool gave_up = s->state == TcpState::Close && was_in(*s, TcpState::SynSent) &&
                   !was_in(*s, TcpState::Established) && s->tcp.resets_received == 0;
    if (!waiting && !gave_up) continue;
    uint64_t since = s->history.empty() ? s->first_seen_ns : s->history.front().ts_ns;
    for (const auto& p : s->history)
      if (p.state == TcpState::SynSent) since = p.ts_ns;
    Finding f = about(in, *s, FindingKind::SynUnanswered, Severity::Critical, since);
    f.summary = fmt::format("{} SYN retransmissions to {} with no answer: the peer is unreachable or a firewall "
                            "drops the SYNs, or the server's accept queue is full{}",
                            s->tcp.retrans_segs, f.remote, waiting ? "" : " (the connect gave up)");
    f.evidence["syn_retransmits"] = s->tcp.retrans_segs;
    f.evidence["first_syn"] = wall(in, since);
    f.evidence["waiting_for_s"] = waiting ? age_s(in, since) : 0.0;
    f.evidence["gave_up"] = !waiting;
    f.advice = "Check the path to the peer: is it up and listening, does a firewall drop SYNs (nft list ruleset, "
               "the peer's and middleboxes'), is the route right (`ip route get ADDR`)? `ss -tan state syn-sent` "
               "shows the waiting connects; `nstat -az TcpExtTCPSynRetrans` counts the retransmits.";
    out.push_back(std::move(f));
  }
}

void connection_refused(const DiagnoseInput& in, Out& out) {
  // one finding per process and destination: the latest refused socket names it
  struct Group {
    const Socket* latest = nullptr;
    uint64_t count = 0, first = 0, last = 0;
  };
  // a refused connect is tallied by process too: with none, no socket has one
  if (in.tracker.refused_by_pid().empty()) return;
  std::map<std::pair<uint32_t, std::string>, Group> groups;
  for (const Socket* s : admitted(in)) {  // closed ones too: the tracker knows which were refused
    const auto* t = in.tracker.socket(s->serial);
    if (!t || !t->refused_ns) continue;
    Finding probe = about(in, *s, FindingKind::ConnectionRefused, Severity::Warning, t->refused_ns);
    Group& g = groups[{s->owner.pid, probe.remote}];
    ++g.count;
    if (!g.first || t->refused_ns < g.first) g.first = t->refused_ns;
    if (t->refused_ns >= g.last) g.last = t->refused_ns, g.latest = s;
  }
  for (const auto& [key, g] : groups) {
    if (g.count < in.th.refused_min) continue;
    Finding f = about(in, *g.latest, FindingKind::ConnectionRefused, Severity::Warning, g.first);
    f.summary = fmt::format("{} connect{} to {} refused (answered by RST): nothing listens there", g.count,
                            g.count == 1 ? "" : "s", f.remote);
    f.evidence["refused"] = g.count;
    f.evidence["first"] = wall(in, g.first);
    f.evidence["last"] = wall(in, g.last);
    f.advice = "Nothing listens on that address and port, or a firewall rejects with RST: check the service is up "
               "(`ss -ltn` on the peer) and the address/port the process uses.";
    out.push_back(std::move(f));
  }
}

void accept_queue_overflow(const DiagnoseInput& in, Out& out) {
  for (const Socket* s : sockets(in)) {
    if (!s->is_tcp() || s->state != TcpState::Listen) continue;
    const auto* t = in.tracker.socket(s->serial);
    // The kernel counts a listener's drops (overflows of either queue)
    // in its sk_drops, which ss -m shows as d; the drop-reason hook sees
    // only the ones freed with that reason, which on most paths they are not.
    uint64_t named = drops_named(in, *s, "TCP_LISTEN_OVERFLOW");
    uint64_t base = t && !t->made_in_window ? t->sk_drops_at_start : 0;
    uint64_t listen_drops = t && t->sk_drops_known && s->kernel.sk_drops > base ? s->kernel.sk_drops - base : 0;
    uint64_t overflow = std::max(named, listen_drops);
    bool full = t && t->accept_full.since_ns;
    bool was_full = s->occ_max.max_ack_backlog && s->occ_max.ack_backlog >= s->occ_max.max_ack_backlog;
    if (!overflow && !full && !was_full) continue;
    uint64_t since = full ? t->accept_full.since_ns : s->first_seen_ns;
    Finding f = about(in, *s, FindingKind::AcceptQueueOverflow, Severity::Critical, since);
    const auto* acc = in.tracker.accepts(s->id.cookie);
    uint64_t last_accept = acc ? acc->last_ns : 0;
    f.summary = overflow ? fmt::format("the accept queue is full ({} of {}): {} connection attempts were dropped; "
                                       "the owner accepts too slowly",
                                       s->occ.ack_backlog, s->occ.max_ack_backlog, overflow)
                         : fmt::format("the accept queue reached its limit ({} of {}): the owner accepts too slowly",
                                       s->occ_max.ack_backlog, s->occ.max_ack_backlog);
    f.evidence["accept_queue"] = s->occ.ack_backlog;
    f.evidence["accept_queue_peak"] = s->occ_max.ack_backlog;
    f.evidence["backlog"] = s->occ.max_ack_backlog;
    if (full) f.evidence["full_since"] = wall(in, t->accept_full.since_ns);
    f.evidence["listen_overflow_drops"] = overflow;
    f.evidence["synack_retransmits"] = s->tcp.synack_retrans;
    f.evidence["accepts_in_window"] = acc ? acc->count : 0;
    f.evidence["last_accept"] = wall_or_never(in, last_accept);
    f.advice = "Accept faster (more accepting threads, a non-blocked event loop) or raise the backlog (listen()'s "
               "argument, capped by net.core.somaxconn). Confirm with `ss -ltn` (Recv-Q at Send-Q) and "
               "`nstat -az TcpExtListenOverflows TcpExtListenDrops`.";
    out.push_back(std::move(f));
  }
}

}  // namespace sockscope::rules
