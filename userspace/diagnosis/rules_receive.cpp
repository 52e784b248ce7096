// The receiving side: data the owner does not read, and a receive buffer
// too small for what arrives.
#include "diagnosis/rules.h"
#include "model/socket_facts.h"

namespace sockscope::rules {
namespace {

constexpr uint64_t kSolSocket = 1, kSoRcvbuf = 8;

const SockOption* rcvbuf_set(const Socket& s) {
  const SockOption* found = nullptr;
  for (const auto& o : s.options)
    if (o.level == kSolSocket && o.optname == kSoRcvbuf) found = &o;
  return found;
}

}  // namespace

void app_not_reading(const DiagnoseInput& in, Out& out) {
  for (const Socket* s : sockets(in)) {
    // the socket's own fields first: the tracker's lookup is a cache miss
    // per socket, and almost no socket has unread bytes
    if (!owner_can_act(*s) || unread_bytes(*s) == 0) continue;
    const auto* t = in.tracker.socket(s->serial);
    if (!t || !t->rx_queued.since_ns) continue;
    double queued_for = age_s(in, t->rx_queued.since_ns);
    if (queued_for < in.th.unread_s) continue;
    uint64_t last_read = s->io.last_recv_ns;
    bool not_reading = !last_read || age_s(in, last_read) >= in.th.unread_s;
    // a reader that keeps up only partly: the queue grew over the window and is over half its limit
    bool growing = s->occ.rx_queue > t->rx_queue_at_start && rx_use_pct(*s) >= 50;
    if (!not_reading && !growing) continue;
    Finding f = about(in, *s, FindingKind::AppNotReading, not_reading ? Severity::Critical : Severity::Warning,
                      t->rx_queued.since_ns);
    f.summary = not_reading
                    ? fmt::format("{} bytes wait in the receive queue and the owner has not read for {:.1f} s",
                                  unread_bytes(*s), last_read ? age_s(in, last_read) : queued_for)
                    : fmt::format("the receive queue keeps growing ({} -> {} bytes): the owner reads slower than "
                                  "data arrives",
                                  t->rx_queue_at_start, s->occ.rx_queue);
    f.evidence["rx_queue_bytes"] = unread_bytes(*s);
    f.evidence["rx_queue_peak_bytes"] = t->rx_queued.peak;
    f.evidence["rcvbuf_bytes"] = s->occ.rcvbuf;
    f.evidence["rx_use_pct"] = rx_use_pct(*s);  // exact: the text rounds it as every view does
    f.evidence["queued_since"] = wall(in, t->rx_queued.since_ns);
    f.evidence["queued_for_s"] = queued_for;
    f.evidence["last_read"] = wall_or_never(in, last_read);
    f.evidence["recv_calls"] = s->io.recv_calls;
    f.evidence["bytes_received"] = bytes_received(*s) ? nlohmann::json(*bytes_received(*s)) : nlohmann::json();
    f.advice = "The process does not read this socket: see what its threads are doing (/proc/PID/task/*/stack, "
               "a debugger, its logs), whether its event loop is blocked elsewhere, or whether it lost track of the fd.";
    out.push_back(std::move(f));
  }
}

void rcvbuf_limited(const DiagnoseInput& in, Out& out) {
  for (const Socket* s : sockets(in)) {
    uint64_t rcvbuff_drops = drops_named(in, *s, "SOCKET_RCVBUFF");
    uint64_t refusals = s->tcp.rcvqueue_full + s->tcp.udp_queue_fail;
    const SockOption* set = rcvbuf_set(*s);
    bool small = set && set->value < in.th.small_rcvbuf;
    // a small buffer matters when it fills: the window is clamped to it. The
    // buffer as it is now: its peak is the larger default from before the
    // owner shrank it (SO_RCVBUF set after accept())
    bool filled = s->occ.rcvbuf && s->occ_max.rmem_alloc * 2 >= s->occ.rcvbuf;
    if (!owner_can_act(*s)) continue;  // only a live owner can resize its buffer
    if (!rcvbuff_drops && !refusals && !(small && filled)) continue;
    Finding f = about(in, *s, FindingKind::RcvbufLimited, Severity::Warning, set ? set->ts_ns : s->first_seen_ns);
    if (rcvbuff_drops || refusals)
      f.summary = fmt::format("{} packets were dropped because the receive buffer ({} bytes) was full",
                              std::max(rcvbuff_drops, refusals), s->occ.rcvbuf);
    else
      f.summary = fmt::format("SO_RCVBUF was set to {} bytes and the buffer fills: the receive window is clamped "
                              "to it and throughput is limited",
                              set->value);
    f.evidence["socket_rcvbuff_drops"] = rcvbuff_drops;
    f.evidence["rcvqueue_full"] = s->tcp.rcvqueue_full;
    f.evidence["udp_queue_fails"] = s->tcp.udp_queue_fail;
    f.evidence["rcvbuf_bytes"] = s->occ.rcvbuf;
    f.evidence["rmem_peak_bytes"] = s->occ_max.rmem_alloc;
    if (set) {
      f.evidence["so_rcvbuf_set"] = set->value;
      f.evidence["so_rcvbuf_set_at"] = wall(in, set->ts_ns);
    }
    if (s->metrics_ns) f.evidence["rcv_wnd"] = s->metrics.rcv_wnd;
    f.advice = set ? "Remove the SO_RCVBUF setting (the kernel then autotunes up to net.ipv4.tcp_rmem's maximum) or "
                     "raise it; confirm with `ss -tmi` (rb) and `nstat -az TcpExtTCPRcvQDrop UdpRcvbufErrors`."
                   : s->is_tcp() ? "Read faster or raise the buffer (net.ipv4.tcp_rmem's maximum); confirm with "
                                   "`nstat -az TcpExtTCPRcvQDrop` and `ss -tm` (rb)."
                                 : "Read faster or raise the buffer (SO_RCVBUF, capped by net.core.rmem_max); confirm "
                                   "with `nstat -az UdpRcvbufErrors` and `ss -um` (rb).";
    out.push_back(std::move(f));
  }
}

}  // namespace sockscope::rules
