#include "ui/rates.h"

#include <algorithm>

#include "ui/snapshot_rows.h"

namespace sockscope::ui {
namespace {

// Per second from two absolute counts; unknown (-1) when the count went
// backwards, since the unsigned difference would be a huge false rate.
double per_s(uint64_t now, uint64_t before, double dt_s) {
  if (dt_s <= 0 || now < before) return -1;
  return double(now - before) / dt_s;
}

void push_capped(std::vector<double>& h, double v) {
  h.push_back(v);
  if (h.size() > kNicHistory) h.erase(h.begin(), h.end() - long(kNicHistory));
}

}  // namespace

void RateTracker::update(Snapshot& snap) {
  if (have_prev_ && snap.now_ns < prev_ns_) reset();  // sought back: the counts before mean nothing now
  if (!have_prev_) {
    step(snap, -1);
    return;
  }
  if (snap.now_ns - prev_ns_ < kMinRateStepNs) {
    keep(snap);
    return;
  }
  step(snap, double(snap.now_ns - prev_ns_) / 1e9);
}

void RateTracker::reset() { *this = RateTracker(); }

// The last step's entry for r, or null; at is where the walk stands (0 to
// begin). Rows in the model's order only move it forward; a row out of
// that order (never top's) is looked up by binary search.
const RateTracker::RowPrev* RateTracker::prev_of(const Snapshot::Row& r, size_t& at) const {
  auto before = [](const RowPrev& p, const Snapshot::Row& row) {
    return model_order_before(p.order, p.key, row.order, row.key);
  };
  if (at > 0 && at <= rows_.size() && !before(rows_[at - 1], r))
    at = size_t(std::lower_bound(rows_.begin(), rows_.end(), r, before) - rows_.begin());
  while (at < rows_.size() && before(rows_[at], r)) ++at;
  return at < rows_.size() && rows_[at].order == r.order && rows_[at].key == r.key ? &rows_[at] : nullptr;
}

// dt_s < 0: the first snapshot, nothing to compare with.
void RateTracker::step(Snapshot& snap, double dt_s) {
  const uint64_t gen = ++generation_;
  spare_.clear();
  spare_.reserve(snap.rows.size());
  size_t at = 0;
  for (auto& row : snap.rows) {
    const RowPrev* p = prev_of(row, at);
    // a row first seen now has no count before it: unknown, not everything it ever moved
    bool unknown = !p || !row.bytes_known;
    row.rx_rate = unknown ? -1 : per_s(row.bytes_received, p->received, dt_s);
    row.tx_rate = unknown ? -1 : per_s(row.bytes_sent, p->sent, dt_s);
    spare_.push_back({row.order, row.key, row.bytes_sent, row.bytes_received, row.rx_rate, row.tx_rate});
  }
  // rows that left the snapshot (expired, evicted) are not carried on
  std::swap(rows_, spare_);
  auto before = [](const RowPrev& a, const RowPrev& b) { return model_order_before(a.order, a.key, b.order, b.key); };
  if (!std::is_sorted(rows_.begin(), rows_.end(), before)) std::sort(rows_.begin(), rows_.end(), before);

  events_per_s_ = per_s(snap.events, prev_events_, dt_s);
  snap.events_per_s = events_per_s_;
  const bool squeeze_known = !snap.softnet.time_squeeze.empty();
  squeeze_ps_ = have_squeeze_ && squeeze_known ? per_s(snap.softnet.total, prev_squeeze_, dt_s) : -1;
  have_squeeze_ = squeeze_known;
  prev_squeeze_ = snap.softnet.total;
  snap.squeeze_ps = squeeze_ps_;

  for (auto& n : snap.nics) {
    auto [it, fresh] = nics_.try_emplace(n.nic.key);
    NicPrev& p = it->second;
    double dt = fresh ? -1 : dt_s;
    const DevCounters& c = n.nic.c;
    p.rx_pps = per_s(c.rx_packets, p.c.rx_packets, dt);
    p.rx_bps = per_s(c.rx_bytes, p.c.rx_bytes, dt);
    p.tx_pps = per_s(c.tx_packets, p.c.tx_packets, dt);
    p.tx_bps = per_s(c.tx_bytes, p.c.tx_bytes, dt);
    p.polls_ps = per_s(c.napi_polls, p.c.napi_polls, dt);
    p.exhausted_ps = per_s(c.napi_budget_exhausted, p.c.napi_budget_exhausted, dt);
    // the device path's drops, as the NIC view's DROPS column counts them
    uint64_t drops = n.nic.drops - socket_level_drops(n.nic, snap.reasons);
    p.drops_ps = per_s(drops, p.drops, dt);
    if (dt > 0) {
      push_capped(p.rx_hist, p.rx_bps);
      push_capped(p.tx_hist, p.tx_bps);
    }
    p.c = c;
    p.drops = drops;
    p.seen = gen;
  }
  std::erase_if(nics_, [&](const auto& kv) { return kv.second.seen != gen; });
  keep_nics(snap);

  have_prev_ = true;
  prev_ns_ = snap.now_ns;
  prev_events_ = snap.events;
}

// The rates of the last step, for a snapshot taken too soon after it.
void RateTracker::keep(Snapshot& snap) const {
  size_t at = 0;
  for (auto& row : snap.rows) {
    const RowPrev* p = prev_of(row, at);
    if (!p) continue;  // new since: unknown
    row.rx_rate = p->rx_rate;
    row.tx_rate = p->tx_rate;
  }
  snap.events_per_s = events_per_s_;
  snap.squeeze_ps = squeeze_ps_;
  keep_nics(snap);
}

void RateTracker::keep_nics(Snapshot& snap) const {
  for (auto& n : snap.nics) {
    auto it = nics_.find(n.nic.key);
    if (it == nics_.end()) continue;
    const NicPrev& p = it->second;
    n.rx_pps = p.rx_pps;
    n.rx_bps = p.rx_bps;
    n.tx_pps = p.tx_pps;
    n.tx_bps = p.tx_bps;
    n.polls_ps = p.polls_ps;
    n.exhausted_ps = p.exhausted_ps;
    n.drops_ps = p.drops_ps;
    n.rx_bps_history = p.rx_hist;
    n.tx_bps_history = p.tx_hist;
  }
}

}  // namespace sockscope::ui
