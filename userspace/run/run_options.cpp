#include "run/run_options.h"

#include <algorithm>

namespace sockscope {

TableLimits RunOptions::limits() const {
  return {static_cast<uint64_t>(retention_s * 1e9), max_sockets};
}

LiveOptions RunOptions::live() const {
  LiveOptions l;
  l.loader.ringbuf_bytes = ringbuf_mb << 20;
  l.loader.wakeup_bytes = wakeup_bytes_for(l.loader.ringbuf_bytes);
  l.loader.sample_interval_ns = static_cast<uint64_t>(sample_interval_ms * 1e6);
  auto has = [&](const char* t) { return std::find(detail.begin(), detail.end(), t) != detail.end(); };
  l.loader.detail_calls = has("calls");
  l.loader.detail_syscalls = has("syscalls") || l.loader.detail_calls;
  l.loader.detail_packets = has("packets");
  // one process asked for: the detail programs leave at once for any other
  if (filter.pids.size() == 1) l.loader.detail_pid = filter.pids[0];
  // one port: the packets tier's per-socket programs leave at once for others
  if (filter.ports.size() == 1) {
    l.loader.detail_port = filter.ports[0];
  } else if (filter.ss) {
    // an ss filter that admits only sockets with this port at one end
    // (`dport = :443`, `( sport = :443 or dport = :443 )`); port 0 would
    // mean "any" to the kernel side
    if (auto p = implied_port(*filter.ss); p && *p) l.loader.detail_port = *p;
  }
  l.loader.journey = !no_journey;
  l.loader.journey_rate = journey_rate;
  if (pass_interval_s > 0) l.pass_interval_ns = static_cast<uint64_t>(pass_interval_s * 1e9);
  return l;
}

}  // namespace sockscope
