// Loss: sustained retransmits on one connection, and resets in bulk.
#include <algorithm>
#include <vector>

#include "diagnosis/rules.h"
#include "model/socket_facts.h"

namespace sockscope::rules {
namespace {

// Resets over the tally's own span, at least one second.
double rate(const DiagnosisTracker::Tally& t) {
  return double(t.count) / std::max(1.0, seconds(t.last_ns - t.first_ns));
}

}  // namespace

void retransmit_storm(const DiagnoseInput& in, Out& out) {
  for (const Socket* s : sockets(in)) {
    if (!s->is_tcp() || s->tcp.retrans_segs < in.th.retrans_min) continue;
    if (s->state == TcpState::SynSent || !(s->state == TcpState::Established || s->closed || s->history.size() > 1))
      continue;  // unanswered SYNs are syn-unanswered
    const auto* t = in.tracker.socket(s->serial);
    if (!t || t->retransmits.count == 0) continue;
    // sustained: spread over at least a second of the window
    double span = seconds(t->retransmits.last_ns - t->retransmits.first_ns);
    double observed = std::max(1.0, seconds(in.now_ns - std::max(s->first_seen_ns, in.tracker.start_ns())));
    double per_s = double(s->tcp.retrans_segs) / observed;
    if (span < 1 || per_s < in.th.retrans_per_s) continue;
    Finding f = about(in, *s, FindingKind::RetransmitStorm, Severity::Warning, t->retransmits.first_ns);
    f.summary = fmt::format("{} segments retransmitted ({:.1f}/s over {:.1f} s): packets to or from {} are being "
                            "lost",
                            s->tcp.retrans_segs, per_s, observed, f.remote);
    f.evidence["retransmits"] = s->tcp.retrans_segs;
    f.evidence["retransmits_per_s"] = per_s;
    f.evidence["first_retransmit"] = wall(in, t->retransmits.first_ns);
    f.evidence["last_retransmit"] = wall(in, t->retransmits.last_ns);
    f.evidence["retransmits_failed"] = s->tcp.retrans_failed;
    f.evidence["bytes_sent"] = bytes_sent(*s) ? nlohmann::json(*bytes_sent(*s)) : nlohmann::json();
    auto drops = nlohmann::ordered_json::object();
    for (const auto& [reason, count] : s->drops_by_reason) drops[in.reasons.drop_name(reason)] = count;
    f.evidence["drops_by_reason"] = drops;
    if (s->metrics_ns) {
      f.evidence["srtt_us"] = s->metrics.srtt_us;
      f.evidence["cwnd"] = s->metrics.cwnd;
    }
    f.advice = "Find where packets are lost: the drop reasons above (NETFILTER_DROP: a firewall rule), `ip -s link` "
               "on each hop for errors and drops, `tc -s qdisc` for queue drops, `ss -ti` for retrans/lost; "
               "`nstat -az TcpRetransSegs` confirms the count.";
    out.push_back(std::move(f));
  }
}

void rst_storm(const DiagnoseInput& in, Out& out) {
  for (const auto& [pid, t] : in.tracker.resets_by_pid()) {
    if (t.count < in.th.resets_min || rate(t) < in.th.resets_per_s) continue;
    if (!admits_pid(in, pid)) continue;
    Finding f;
    f.kind = FindingKind::RstStorm;
    f.severity = Severity::Warning;
    f.pid = pid;
    f.comm = t.comm;
    f.since_ns = t.first_ns;
    f.summary = fmt::format("{} resets sent or received by {} ({}) in {:.1f} s", t.count, t.comm, pid,
                            seconds(t.last_ns - t.first_ns));
    f.evidence["resets"] = t.count;
    f.evidence["per_s"] = rate(t);
    f.evidence["first"] = wall(in, t.first_ns);
    f.evidence["last"] = wall(in, t.last_ns);
    f.advice = "Many connections of this process end abruptly: look at what it connects to (connects refused, a peer "
               "aborting) or whether it aborts them itself (SO_LINGER 0, closing with unread data). "
               "`nstat -az TcpOutRsts TcpExtTCPAbortOnData` counts them.";
    out.push_back(std::move(f));
  }
  for (const auto& [where, t] : in.tracker.resets_by_port()) {
    if (t.count < in.th.resets_min || rate(t) < in.th.resets_per_s || t.pid) continue;  // owned: reported above
    if (in.filter && !in.filter->ports.empty() &&
        std::find(in.filter->ports.begin(), in.filter->ports.end(), where.second) == in.filter->ports.end())
      continue;
    if (in.filter && in.filter->ss) {
      // the expression sees the port's local end; it has no peer and no state
      SockId id;
      id.protocol = kProtoTcp;
      id.netns = where.first;
      id.local.port = where.second;
      if (!in.filter->ss->matches_addresses(id)) continue;
    }
    Finding f;
    f.kind = FindingKind::RstStorm;
    f.severity = Severity::Warning;
    f.local = fmt::format("*:{}", where.second);
    f.since_ns = t.first_ns;
    f.summary = fmt::format("{} resets for local port {} in {:.1f} s: connections to a port where nothing listens",
                            t.count, where.second, seconds(t.last_ns - t.first_ns));
    f.evidence["resets"] = t.count;
    f.evidence["per_s"] = rate(t);
    f.evidence["netns"] = where.first;
    f.evidence["port"] = where.second;
    f.evidence["first"] = wall(in, t.first_ns);
    f.evidence["last"] = wall(in, t.last_ns);
    f.advice = "Clients keep connecting to a port with no listener: start the service or point the clients "
               "elsewhere; `nstat -az TcpOutRsts` counts the resets sent.";
    out.push_back(std::move(f));
  }
}

}  // namespace sockscope::rules
