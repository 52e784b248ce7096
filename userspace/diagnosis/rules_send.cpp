// The sending side: a peer that does not read, and an owner stuck in send().
#include "diagnosis/rules.h"
#include "model/socket_facts.h"

namespace sockscope::rules {

void peer_not_reading(const DiagnoseInput& in, Out& out) {
  for (const Socket* s : sockets(in)) {
    if (!s->is_tcp() || !owner_can_act(*s) || s->state == TcpState::Listen) continue;
    const auto* t = in.tracker.socket(s->serial);
    bool zero_now = t && t->zero_window.since_ns && age_s(in, t->zero_window.since_ns) >= in.th.zero_window_s;
    // the window may not be re-read while it stays zero: persist probes say it did,
    // unless the latest window read is open again (the counters never go down)
    bool open_now = s->metrics_ns && s->metrics.snd_wnd > 0;
    bool probing =
        !open_now && s->tcp.zero_window_received > 0 && s->tcp.persist_probes > 0 && s->occ.tx_queue > 0;
    if (!zero_now && !probing) continue;
    uint64_t since = zero_now ? t->zero_window.since_ns : s->metrics_ns;
    Finding f = about(in, *s, FindingKind::PeerNotReading, Severity::Critical, since);
    f.summary = fmt::format("the peer advertises a zero window: {} bytes wait in the send queue and persist probes "
                            "go out",
                            s->occ.tx_queue);
    f.evidence["tx_queue_bytes"] = s->occ.tx_queue;
    f.evidence["sndbuf_bytes"] = s->occ.sndbuf;
    f.evidence["tx_use_pct"] = tx_use_pct(*s);  // exact: the text rounds it as every view does
    f.evidence["peer_window"] = s->metrics.snd_wnd;
    if (zero_now) {
      f.evidence["zero_window_since"] = wall(in, since);
      f.evidence["zero_window_for_s"] = age_s(in, since);
    }
    f.evidence["zero_windows_received"] = s->tcp.zero_window_received;
    f.evidence["persist_probes"] = s->tcp.persist_probes;
    f.evidence["last_write"] = wall_or_never(in, s->io.last_send_ns);
    f.advice = "The process at the other end does not read its socket: diagnose it there (`sockscope diagnose` on "
               "that host, or `ss -tm` showing its Recv-Q full). Here, confirm with `ss -tno` (Send-Q full and a "
               "`timer:(persist,...)`) and `nstat -az TcpExtTCPWinProbe` (window probes sent).";
    out.push_back(std::move(f));
  }
}

void send_blocked(const DiagnoseInput& in, Out& out) {
  for (const Socket* s : sockets(in)) {
    double longest = seconds(s->io.send_ns_max);
    if (longest < in.th.send_blocked_s || !owner_can_act(*s)) continue;
    Finding f = about(in, *s, FindingKind::SendBlocked, Severity::Warning, s->io.last_send_ns);
    f.summary = fmt::format("a send() on this socket blocked for {:.1f} s: the send buffer was full", longest);
    f.evidence["longest_send_s"] = longest;
    f.evidence["send_calls"] = s->io.send_calls;
    f.evidence["time_in_send_s"] = seconds(s->io.send_ns);
    f.evidence["tx_queue_bytes"] = s->occ.tx_queue;
    f.evidence["tx_queue_peak_bytes"] = s->occ_max.tx_queue;
    f.evidence["sndbuf_bytes"] = s->occ.sndbuf;
    if (s->metrics_ns) f.evidence["peer_window"] = s->metrics.snd_wnd;
    f.evidence["last_send_end"] = wall_or_never(in, s->io.last_send_ns);
    f.advice = "The network or the peer takes data slower than the process writes it. Use non-blocking sends or a "
               "send timeout (SO_SNDTIMEO) so one slow peer cannot stall the process; check the peer and the path "
               "(`ss -ti`: cwnd, rtt, retransmits).";
    out.push_back(std::move(f));
  }
}

}  // namespace sockscope::rules
