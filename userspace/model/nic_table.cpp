#include "model/nic_table.h"

#include <algorithm>

#include "util/bounded.h"

namespace sockscope {

std::string device_name(uint32_t ifindex, std::string_view name) {
  if (ifindex == 0) return std::string(kNoDevice);
  if (name.empty()) return "if" + std::to_string(ifindex);
  return std::string(name);
}

bool socket_level_drop(std::string_view r) {
  // TCP_CSUM is checked before a socket is looked up (the packet's fault);
  // every other TCP_ reason is a socket's state refusing a segment
  if (r == "TCP_CSUM") return false;
  return r.starts_with("SOCKET_") || r.starts_with("TCP_") || r == "PROTO_MEM";
}

uint64_t socket_level_drops(const Nic& n, const ReasonNames& names) {
  uint64_t out = 0;
  for (const auto& [reason, count] : n.drops_by_reason)
    if (socket_level_drop(names.drop_name(reason))) out += count;
  return out;
}

Nic& NicTable::at(const DevKey& key) {
  auto [it, fresh] = nics_.try_emplace(key);
  it->second.key = key;
  if (!fresh) return it->second;
  first_seen_.push_back(key);
  while (nics_.size() > kMaxDevices && !first_seen_.empty()) {
    const DevKey old = first_seen_.front();
    first_seen_.pop_front();
    if (old == key) {  // never the one being added
      first_seen_.push_back(old);
      continue;
    }
    evicted_ += nics_.erase(old);
  }
  return it->second;
}

void NicTable::apply(const DevStatsUpdate& e) {
  Nic& n = at(e.dev);
  // the name map is read apart from the counters: an update without a name
  // does not mean the device lost it
  if (auto name = comm_view(e.name); !name.empty()) n.name = std::string(name);
  n.c = e.c;
  n.last_update_ns = std::max(n.last_update_ns, e.ts_ns);
}

void NicTable::apply(const DevDropsUpdate& e) {
  Nic& n = at(e.dev);
  if (!put_bounded(n.drops_by_reason, e.reason, e.count, kMaxReasonsPerKey)) ++reasons_refused_;
  n.drops = 0;
  for (const auto& [reason, count] : n.drops_by_reason) n.drops += count;
  n.last_update_ns = std::max(n.last_update_ns, e.ts_ns);
}

void NicTable::apply(const SoftnetUpdate& e) {
  softnet_.time_squeeze = e.time_squeeze;
  softnet_.total = 0;
  for (uint64_t v : e.time_squeeze) softnet_.total += v;
  softnet_.last_update_ns = std::max(softnet_.last_update_ns, e.ts_ns);
}

const Nic* NicTable::find(const DevKey& key) const {
  auto it = nics_.find(key);
  return it == nics_.end() ? nullptr : &it->second;
}

std::vector<const Nic*> NicTable::sorted() const {
  std::vector<const Nic*> out;
  out.reserve(nics_.size());
  for (const auto& [key, n] : nics_) out.push_back(&n);  // the map's order is (netns, ifindex)
  return out;
}

}  // namespace sockscope
