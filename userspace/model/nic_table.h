// Network devices: receive and transmit counters (the kernel's own), NAPI
// counters (the per-packet hooks, when on), and drops by reason. Keyed by
// network namespace and ifindex, since an ifindex is only unique inside its
// netns. And, host-wide, the receive softirq's per-CPU time_squeeze.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "model/event.h"

namespace sockscope {

struct Nic {
  DevKey key;
  std::string name;  // empty until an update names it
  DevCounters c;
  std::map<uint32_t, uint64_t> drops_by_reason;  // kernel drop reason -> count
  uint64_t drops = 0;                            // their sum
  uint64_t last_update_ns = 0;
};

// /proc/net/softnet_stat's time_squeeze: per CPU, not per device.
struct Softnet {
  std::vector<uint64_t> time_squeeze;  // by CPU number; empty until read
  uint64_t total = 0;                  // their sum
  uint64_t last_update_ns = 0;
};

class NicTable {
 public:
  // All carry absolute values: the latest replaces what was there.
  void apply(const DevStatsUpdate& e);
  void apply(const DevDropsUpdate& e);
  void apply(const SoftnetUpdate& e);

  const Nic* find(const DevKey& key) const;
  // By netns, then ifindex.
  std::vector<const Nic*> sorted() const;
  size_t size() const { return nics_.size(); }
  const Softnet& softnet() const { return softnet_; }

 private:
  Nic& at(const DevKey& key);

  std::map<DevKey, Nic> nics_;
  Softnet softnet_;
};

}  // namespace sockscope
