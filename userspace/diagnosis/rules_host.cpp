// Beyond one socket: a device whose receive processing cannot keep up, a
// process whose sockets only grow in number.
#include <algorithm>

#include "diagnosis/rules.h"

namespace sockscope::rules {

void napi_budget_exhausted(const DiagnoseInput& in, Out& out) {
  for (const Nic* n : in.table.nics().sorted()) {
    DevCounters start{};
    if (auto it = in.tracker.devices_at_start().find(n->key); it != in.tracker.devices_at_start().end())
      start = it->second;
    uint64_t polls = n->c.napi_polls - std::min(n->c.napi_polls, start.napi_polls);
    uint64_t full = n->c.napi_budget_exhausted - std::min(n->c.napi_budget_exhausted, start.napi_budget_exhausted);
    if (polls < in.th.napi_min_polls || double(full) < in.th.napi_exhausted_ratio * double(polls)) continue;
    Finding f;
    f.kind = FindingKind::NapiBudgetExhausted;
    f.severity = Severity::Warning;
    f.local = nic_name(*n);
    f.since_ns = in.tracker.start_ns();
    f.summary = fmt::format("{}: {} of {} NAPI polls ({:.0f}%) used their whole budget: receive processing cannot "
                            "keep up with arriving packets",
                            f.local, full, polls, 100.0 * double(full) / double(polls));
    f.evidence["device"] = f.local;
    f.evidence["netns"] = n->key.netns;
    f.evidence["ifindex"] = n->key.ifindex;
    f.evidence["polls"] = polls;
    f.evidence["budget_exhausted"] = full;
    f.evidence["packets"] = n->c.rx_packets;
    f.evidence["drops"] = n->drops - socket_level_drops(*n, in.reasons);  // the device path's, as `nic` counts them
    f.advice = "Spread receive work over more CPUs (RSS queues, RPS, `ethtool -L`), raise net.core.netdev_budget "
               "/ netdev_budget_usecs, or reduce the packet rate (GRO, larger packets); `/proc/net/softnet_stat` "
               "column 3 (time_squeeze) confirms it.";
    out.push_back(std::move(f));
  }
}

void fd_leak(const DiagnoseInput& in, Out& out) {
  for (const auto& [pid, series] : in.tracker.open_by_pid()) {
    if (series.size() < 2) continue;
    if (!admits_pid(in, pid)) continue;
    // only grows: from the last time it fell, never falling since
    size_t from = 0;
    for (size_t i = 1; i < series.size(); ++i)
      if (series[i].open < series[i - 1].open) from = i;
    const auto &a = series[from], &b = series.back();
    if (b.open < a.open + in.th.fd_growth_min || seconds(b.ts_ns - a.ts_ns) < in.th.fd_growth_s) continue;
    // name the process from one of its sockets
    std::string comm;
    for (const auto& [key, s] : in.table.sockets())
      if (s.owner.pid == pid) comm = std::string(comm_view(s.owner.comm));
    Finding f;
    f.kind = FindingKind::FdLeak;
    f.severity = Severity::Warning;
    f.pid = pid;
    f.comm = comm;
    f.since_ns = a.ts_ns;
    double span = seconds(b.ts_ns - a.ts_ns);
    f.summary = fmt::format("{} ({}) holds ever more sockets: {} -> {} open in {:.0f} s, never fewer", comm, pid,
                            a.open, b.open, span);
    f.evidence["open_sockets_from"] = a.open;
    f.evidence["open_sockets_now"] = b.open;
    f.evidence["from"] = wall(in, a.ts_ns);
    f.evidence["to"] = wall(in, b.ts_ns);
    f.evidence["per_minute"] = double(b.open - a.open) * 60 / std::max(span, 1.0);
    f.advice = "The process opens sockets and never closes them: find where it loses them (`ls -l /proc/PID/fd | "
               "grep -c socket` over time, `ss -tanp | grep pid=PID`); it will hit its fd limit (ulimit -n).";
    out.push_back(std::move(f));
  }
}

}  // namespace sockscope::rules
