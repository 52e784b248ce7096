// Network devices as the kernel's per-device maps report them: receive,
// NAPI and transmit counters, and drops by reason. Keyed by network
// namespace and ifindex, since an ifindex is only unique inside its netns.
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

class NicTable {
 public:
  // Both carry absolute values: the latest replaces what was there.
  void apply(const DevStatsUpdate& e);
  void apply(const DevDropsUpdate& e);

  const Nic* find(const DevKey& key) const;
  // By netns, then ifindex.
  std::vector<const Nic*> sorted() const;
  size_t size() const { return nics_.size(); }

 private:
  Nic& at(const DevKey& key);

  std::map<DevKey, Nic> nics_;
};

}  // namespace sockscope
