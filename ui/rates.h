// Rates between two snapshots: bytes/s per socket, events/s, and per
// device packets, bytes, polls and drops per second with their recent
// history for the NIC view's sparklines. Kept by the view's loop; the model
// holds only absolute counts.
//
// Time is the events' clock (Snapshot::now_ns), so a replay at any speed
// shows the rates it recorded. A step shorter than kMinRateStepNs (a redraw
// right after a key, a paused replay) keeps the rates shown before: the
// kernel's counters are read every 250 ms, and a shorter window would show
// zeros and spikes. A counter that went backwards (a socket reused, a
// replay sought back) makes that rate unknown (-1) for one step.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "ui/snapshot.h"

namespace sockscope::ui {

inline constexpr uint64_t kMinRateStepNs = 250'000'000;

class RateTracker {
 public:
  // Fills snap's rates (rows, events_per_s, nics and their history) from
  // the snapshot before it. Less than kMinRateStepNs later on the events'
  // clock (a paused replay, a redraw after a key), the last step's rates.
  void update(Snapshot& snap);
  // Forget everything (a replay went back to its start).
  void reset();

 private:
  // A row's counts and rates at the last step, under its place in the
  // model's order.
  struct RowPrev {
    uint64_t order = 0, key = 0;
    uint64_t sent = 0, received = 0;
    double rx_rate = -1, tx_rate = -1;
  };
  struct NicPrev {
    DevCounters c;
    uint64_t drops = 0;
    double rx_pps = -1, rx_bps = -1, tx_pps = -1, tx_bps = -1, polls_ps = -1, exhausted_ps = -1, drops_ps = -1;
    std::vector<double> rx_hist, tx_hist;  // oldest first, at most kNicHistory
    uint64_t seen = 0;
  };
  void step(Snapshot& snap, double dt_s);
  void keep(Snapshot& snap) const;
  void keep_nics(Snapshot& snap) const;
  const RowPrev* prev_of(const Snapshot::Row& r, size_t& at) const;

  bool have_prev_ = false;
  uint64_t prev_ns_ = 0;
  uint64_t prev_events_ = 0;
  double events_per_s_ = -1;
  bool have_squeeze_ = false;  // a softnet reading to compare with
  uint64_t prev_squeeze_ = 0;
  double squeeze_ps_ = -1;
  uint64_t generation_ = 0;
  // The last step's rows in the model's order, (order, key): top's rows
  // come in that order, so one sequential walk pairs them with the next
  // rows. (A hash lookup per row cost more than the rest of a redraw with
  // 262,144 rows under churn.) A row whose ports changed since (bound,
  // connected) is not found: its rate is unknown for one step.
  std::vector<RowPrev> rows_, spare_;
  std::map<DevKey, NicPrev> nics_;
};

}  // namespace sockscope::ui
