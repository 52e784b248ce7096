// Network devices: receive and transmit counters (the kernel's own), NAPI
// counters (the per-packet hooks, when on), and drops by reason. Keyed by
// network namespace and ifindex, since an ifindex is only unique inside its
// netns. And, host-wide, the receive softirq's per-CPU time_squeeze.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "model/event.h"
#include "model/reason_names.h"

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

// How every view, command and finding names a device: its name; "if7" when
// the name was never read; kNoDevice for ifindex 0, which stands for no
// device at all: drops of packets that no device held (skb->dev NULL:
// made on this host, or past the device by then) and the NAPI polls of the
// per-CPU backlog (netif_rx's queue: loopback, veth, RPS), which has none.
inline constexpr std::string_view kNoDevice = "(no device)";
std::string device_name(uint32_t ifindex, std::string_view name);
inline std::string nic_name(const Nic& n) { return device_name(n.key.ifindex, n.name); }

// Drop reasons of the socket layer (the socket's buffer full, its filter,
// TCP refusing a segment for its sequence or window, the protocol's
// memory): drops that a device's row counts because the packet came in
// through it, but that no device made. Names as ReasonNames gives them.
bool socket_level_drop(std::string_view reason_name);
// Of a device's drops, those of socket-level reasons.
uint64_t socket_level_drops(const Nic& n, const ReasonNames& names);

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
  // Bounds, kept on every insert: past kMaxDevices the device first seen
  // goes (a host with that many has them come and go: containers'
  // veths); past kMaxReasonsPerKey a device's new reason is refused.
  static constexpr size_t kMaxDevices = 65536;
  uint64_t evicted() const { return evicted_; }
  uint64_t reasons_refused() const { return reasons_refused_; }

 private:
  Nic& at(const DevKey& key);

  std::map<DevKey, Nic> nics_;
  std::deque<DevKey> first_seen_;  // nics_'s keys, oldest first (may name one already evicted)
  uint64_t evicted_ = 0, reasons_refused_ = 0;
  Softnet softnet_;
};

}  // namespace sockscope
