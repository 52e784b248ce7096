#include "diagnosis/diagnose.h"

#include <time.h>

#include <algorithm>
#include <tuple>

#include <fmt/format.h>

#include "diagnosis/rules.h"
#include "model/socket_facts.h"

namespace sockscope {
namespace rules {

Finding about(const DiagnoseInput& in, const Socket& s, FindingKind k, Severity sev, uint64_t since_ns) {
  SocketRow l = socket_row(s, in.now_ns);
  Finding f;
  f.kind = k;
  f.severity = sev;
  f.cookie = s.id.cookie;
  f.pid = s.owner.pid;
  f.comm = s.owner.pid ? std::string(comm_view(s.owner.comm)) : "";
  f.fd = s.owner.fd;
  f.local = l.local;
  f.remote = l.peer;
  f.state = l.state;
  f.since_ns = since_ns;
  return f;
}

const std::vector<const Socket*>& sockets(const DiagnoseInput& in) { return in.shown; }

const std::vector<const Socket*>& admitted(const DiagnoseInput& in) { return in.admitted; }

bool may_flag(const DiagnoseInput& in, const Socket& s) {
  // app_not_reading, rcvbuf_limited, peer_not_reading, send_blocked: only
  // an owner that can act
  if (owner_can_act(s)) return true;
  if (s.is_tcp()) {
    // syn_unanswered, retransmit_storm: retransmits, in any state
    if (s.tcp.retrans_segs > 0) return true;
    // accept_queue_overflow
    if (s.state == TcpState::Listen) return true;
    // close_wait_leak, fin_wait2_stuck, idle_no_keepalive
    if (!s.closed && (s.state == TcpState::CloseWait || s.state == TcpState::FinWait2 ||
                      s.state == TcpState::Established))
      return true;
  }
  return !in.prefilter;
}

nlohmann::ordered_json wall_or_never(const DiagnoseInput& in, uint64_t ts) {
  return ts ? nlohmann::ordered_json(wall(in, ts)) : nlohmann::ordered_json(nullptr);
}

uint64_t drops_named(const DiagnoseInput& in, const Socket& s, std::string_view name) {
  uint64_t n = 0;
  for (const auto& [reason, count] : s.drops_by_reason)
    if (auto it = in.reasons.drop.find(reason); it != in.reasons.drop.end() && it->second == name) n += count;
  return n;
}

bool admits_pid(const DiagnoseInput& in, uint32_t pid) {
  if (!in.filter || in.filter->pids.empty()) return true;
  return std::find(in.filter->pids.begin(), in.filter->pids.end(), pid) != in.filter->pids.end();
}

std::string wall(const DiagnoseInput& in, uint64_t ts) {
  int64_t w = int64_t(ts) + in.wall_offset_ns;
  time_t secs = w / 1'000'000'000;
  struct tm tm {};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, w / 1'000'000 % 1000);
}

double seconds(uint64_t ns) { return double(ns) / 1e9; }

double age_s(const DiagnoseInput& in, uint64_t t) { return t && in.now_ns > t ? seconds(in.now_ns - t) : 0; }

}  // namespace rules

std::vector<Finding> diagnose(const DiagnoseInput& given) {
  // the sockets once for all the rules (the live view runs them every refresh)
  DiagnoseInput in = given;
  if (in.filter && in.filter->empty()) in.filter = nullptr;  // admits all: no test per socket
  in.admitted.reserve(in.table.size());
  for (const auto& [key, s] : in.table.sockets()) {
    if (in.filter && !in.filter->matches(s)) continue;
    in.admitted.push_back(&s);
    if (rules::may_flag(in, s)) in.shown.push_back(&s);
  }
  rules::Out out;
  for (auto* rule : {rules::app_not_reading, rules::rcvbuf_limited, rules::peer_not_reading, rules::send_blocked,
                     rules::close_wait_leak, rules::fin_wait2_stuck, rules::idle_no_keepalive,
                     rules::syn_unanswered, rules::connection_refused, rules::accept_queue_overflow,
                     rules::retransmit_storm, rules::rst_storm, rules::napi_budget_exhausted, rules::fd_leak})
    rule(in, out);
  rules::group_by_cause(in, out);
  // most severe first, then the causes that affect the most sockets
  std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) {
    if (a.severity != b.severity) return a.severity > b.severity;
    if (a.affected.size() != b.affected.size()) return a.affected.size() > b.affected.size();
    if (a.kind != b.kind) return a.kind < b.kind;
    // the rest only makes the order the same however the table iterates
    return std::tie(a.since_ns, a.cookie, a.pid, a.local) < std::tie(b.since_ns, b.cookie, b.pid, b.local);
  });
  return out;
}

}  // namespace sockscope
