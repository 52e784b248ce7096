// Closing: a close the owner never makes, a peer that never finishes, and
// connections left idle with nothing to notice their death.
#include <algorithm>

#include "diagnosis/rules.h"
#include "model/socket_facts.h"

namespace sockscope::rules {
namespace {

constexpr uint64_t kSolSocket = 1, kSoKeepalive = 9;

bool keepalive_on(const Socket& s) {
  bool on = false;
  for (const auto& o : s.options)
    if (o.level == kSolSocket && o.optname == kSoKeepalive) on = o.value != 0;
  return on;
}

// The last data in and out: the kernel's own times (lrcvtime, lsndtime)
// where a pass read them, which every tier has; else the app's calls.
void add_io(const DiagnoseInput& in, const Socket& s, Finding& f) {
  f.evidence["last_read"] = wall_or_never(in, last_recv_ns(s));
  f.evidence["last_write"] = wall_or_never(in, last_send_ns(s));
}

}  // namespace

void close_wait_leak(const DiagnoseInput& in, Out& out) {
  for (const Socket* s : sockets(in)) {
    if (s->closed || s->state != TcpState::CloseWait) continue;
    double age = age_s(in, s->state_since_ns);
    if (age < in.th.close_wait_s) continue;
    Finding f = about(in, *s, FindingKind::CloseWaitLeak, Severity::Warning, s->state_since_ns);
    f.summary = fmt::format("the peer closed {:.1f} s ago and the owner has not called close(){}", age,
                            s->owner.fd >= 0 ? fmt::format(": fd {} still holds it", s->owner.fd) : "");
    f.evidence["close_wait_since"] = wall(in, s->state_since_ns);
    f.evidence["close_wait_for_s"] = age;
    f.evidence["existed_before_start"] = s->seeded;  // then it is older than this
    f.evidence["fd"] = s->owner.fd;
    f.evidence["rx_queue_bytes"] = s->occ.rx_queue;
    add_io(in, *s, f);
    f.advice = "The process missed the end of the connection (read() returning 0) or lost the fd: close it when "
               "read returns 0. `ss -tanp state close-wait` lists them; `ls -l /proc/PID/fd` shows the fd.";
    out.push_back(std::move(f));
  }
}

void fin_wait2_stuck(const DiagnoseInput& in, Out& out) {
  for (const Socket* s : sockets(in)) {
    if (s->closed || s->state != TcpState::FinWait2) continue;
    double age = age_s(in, s->state_since_ns);
    if (age < in.th.fin_wait2_s) continue;
    Finding f = about(in, *s, FindingKind::FinWait2Stuck, Severity::Warning, s->state_since_ns);
    f.summary = fmt::format("this side closed {:.1f} s ago and the peer has not finished its side", age);
    f.evidence["fin_wait2_since"] = wall(in, s->state_since_ns);
    f.evidence["fin_wait2_for_s"] = age;
    f.evidence["owner_still_holds_fd"] = !s->fd_closed && s->owner.fd >= 0;
    add_io(in, *s, f);
    f.advice = "The peer application has not closed its socket (it sits in CLOSE_WAIT there). Fix the peer; an "
               "orphaned socket here times out after net.ipv4.tcp_fin_timeout, one still held by the process "
               "(after shutdown()) does not.";
    out.push_back(std::move(f));
  }
}

void idle_no_keepalive(const DiagnoseInput& in, Out& out) {
  for (const Socket* s : sockets(in)) {
    // seeded sockets' options were set before sockscope watched: unknown
    // not yet accepted (no fd): the application has not seen it
    if (s->closed || !s->is_tcp() || s->seeded || s->state != TcpState::Established || s->owner.fd < 0 ||
        keepalive_on(*s))
      continue;
    // an accepted socket inherits SO_KEEPALIVE from its listener
    if (uint64_t l = in.tracker.listener_of(s->serial))
      if (const Socket* listener = in.table.find(l); listener && keepalive_on(*listener)) continue;
    uint64_t last = std::max({last_send_ns(*s), last_recv_ns(*s), s->state_since_ns});
    double idle = age_s(in, last);
    if (idle < in.th.idle_s) continue;
    Finding f = about(in, *s, FindingKind::IdleNoKeepalive, Severity::Info, last);
    f.summary = fmt::format("established and idle for {:.0f} s without SO_KEEPALIVE: if the peer or a middlebox "
                            "drops it, this side will not notice",
                            idle);
    f.evidence["idle_since"] = wall(in, last);
    f.evidence["idle_for_s"] = idle;
    f.evidence["so_keepalive"] = false;
    add_io(in, *s, f);
    f.advice = "Set SO_KEEPALIVE (with TCP_KEEPIDLE below the shortest NAT/firewall idle timeout on the path) or an "
               "application-level heartbeat; `ss -to` shows which connections have a keepalive timer.";
    out.push_back(std::move(f));
  }
}

}  // namespace sockscope::rules
