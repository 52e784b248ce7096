// A socket's queue occupancy over the last two minutes, one value per
// second: what the detail view draws as sparklines. Time is the events'
// clock (ts_ns), so a replay gives the same series as the live run did.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/event.h"
#include "util/boxed.h"

namespace sockscope {

// Receive and send side of one second (or of the limits).
struct OccupancyPoint {
  uint32_t rx = 0, tx = 0;
  bool operator==(const OccupancyPoint&) const = default;
};

class OccupancySeries {
 public:
  static constexpr size_t kSeconds = 120;
  static constexpr uint64_t kSecondNs = 1'000'000'000;

  // One reading taken at ts_ns. A listener's rx is its accept queue against
  // the backlog, and it has no send side (the kernel puts the backlog in
  // tx_queue, which is a limit, not a queue).
  void record(uint64_t ts_ns, const Occupancy& o, bool listener);
  // queues: rx_queue / tx_queue; limits: what they are measured against.
  void record(uint64_t ts_ns, OccupancyPoint queues, OccupancyPoint limits);

  // The n seconds up to and including now_ns's second, oldest first (n at
  // most kSeconds): per second the highest queues seen, or with no reading
  // in it the last known value. Zero before the first non-empty reading
  // and for seconds that have left the window.
  std::vector<OccupancyPoint> last(size_t n, uint64_t now_ns) const;
  // The limits of the newest reading (rcvbuf / sndbuf; a listener's
  // backlog / 0); zeros when nothing is stored. One pair, not one per
  // second: they change rarely (setsockopt, receive buffer autotuning) and
  // the view draws against one scale.
  OccupancyPoint limits() const { return ring_ ? ring_->limits : OccupancyPoint{}; }

  bool empty() const { return !ring_; }
  // What it holds on the heap: 0, or sizeof(Ring).
  size_t heap_bytes() const { return ring_ ? sizeof(Ring) : 0; }

 private:
  // Memory: 8 bytes (this pointer) per socket whose queues stayed empty;
  // once a queue held data, ~1000 bytes more (120 seconds x 8 bytes plus
  // 40 of bookkeeping), freed again after two minutes of empty queues.
  // 100,000 sockets that all queued data cost ~100 MB, idle ones 0.8 MB.
  struct Ring {
    std::array<OccupancyPoint, kSeconds> slot{};  // second s at s % kSeconds
    uint64_t head_sec = 0;      // the newest second held
    uint64_t nonzero_sec = 0;   // the newest second holding a non-zero value
    uint64_t last_ns = 0;       // the newest reading's time
    OccupancyPoint last;        // its queues: carried into seconds with no reading
    OccupancyPoint limits;      // its limits
  };
  Boxed<Ring> ring_;
};

}  // namespace sockscope
