// Rates between two snapshots: bytes/s per socket, events/s, and per
// device packets, bytes, polls and drops per second with their recent
// history for the NIC view's sparklines. Kept by the view's loop; the model
// holds only absolute counts.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <unordered_map>

#include "snapshot.h"

namespace sockscope::ui {

class RateTracker {
 public:
  // Fills snap's rates (rows, events_per_s, nics and their history) from
  // the snapshot before it. Nothing when no time passed on the events'
  // clock (a paused replay keeps the rates it showed).
  void update(Snapshot& snap);
  // Forget everything (a replay went back to its start).
  void reset();

 private:
  struct Prev {
    uint64_t sent, received;
  };
  struct NicPrev {
    DevCounters c;
    uint64_t drops;
    std::deque<double> rx_hist, tx_hist;
    double rx_pps = -1, rx_bps = -1, tx_pps = -1, tx_bps = -1, polls_ps = -1, exhausted_ps = -1, drops_ps = -1;
  };
  uint64_t prev_ns_ = 0;
  uint64_t prev_events_ = 0;
  double events_per_s_ = -1;
  std::unordered_map<uint64_t, Prev> rows_;
  std::unordered_map<uint64_t, std::pair<double, double>> row_rates_;  // kept while paused
  std::map<DevKey, NicPrev> nics_;
};

}  // namespace sockscope::ui
