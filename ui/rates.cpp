#include "ui/rates.h"

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

// dt_s < 0: the first snapshot, nothing to compare with.
void RateTracker::step(Snapshot& snap, double dt_s) {
  const uint64_t gen = ++generation_;
  rows_.reserve(snap.rows.size());
  for (auto& row : snap.rows) {
    auto [it, fresh] = rows_.try_emplace(row.key);
    RowPrev& p = it->second;
    // a row first seen now has no count before it: unknown, not everything it ever moved
    bool unknown = fresh || !row.bytes_known;
    p.rx_rate = unknown ? -1 : per_s(row.bytes_received, p.received, dt_s);
    p.tx_rate = unknown ? -1 : per_s(row.bytes_sent, p.sent, dt_s);
    p.received = row.bytes_received;
    p.sent = row.bytes_sent;
    p.seen = gen;
    row.rx_rate = p.rx_rate;
    row.tx_rate = p.tx_rate;
  }
  // rows that left the snapshot (expired, evicted) are forgotten; rows_ now
  // holds every key of snap.rows, so when it holds more, some are stale
  if (rows_.size() > snap.rows.size()) std::erase_if(rows_, [&](const auto& kv) { return kv.second.seen != gen; });

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
  for (auto& row : snap.rows) {
    auto it = rows_.find(row.key);
    if (it == rows_.end()) continue;  // new since: unknown
    row.rx_rate = it->second.rx_rate;
    row.tx_rate = it->second.tx_rate;
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
