#include "model/occupancy_series.h"

#include <algorithm>

namespace sockscope {
namespace {

bool nonzero(OccupancyPoint p) { return p.rx || p.tx; }

void max_into(OccupancyPoint& into, OccupancyPoint p) {
  into.rx = std::max(into.rx, p.rx);
  into.tx = std::max(into.tx, p.tx);
}

}  // namespace

void OccupancySeries::record(uint64_t ts_ns, const Occupancy& o, bool listener) {
  if (listener) record(ts_ns, {o.ack_backlog, 0}, {o.max_ack_backlog, 0});
  else record(ts_ns, {o.rx_queue, o.tx_queue}, {o.rcvbuf, o.sndbuf});
}

void OccupancySeries::record(uint64_t ts_ns, OccupancyPoint queues, OccupancyPoint limits) {
  uint64_t sec = ts_ns / kSecondNs;
  if (!ring_) {
    if (!nonzero(queues)) return;  // most sockets never queue anything: they cost nothing
    ring_.make();
    ring_->head_sec = ring_->nonzero_sec = sec;
    ring_->last_ns = ts_ns;
    ring_->last = queues;
    ring_->limits = limits;
    ring_->slot[sec % kSeconds] = queues;
    return;
  }
  Ring& r = *ring_;
  if (sec > r.head_sec) {
    // the seconds since the newest reading, and this one up to its first
    // reading, held what that reading saw
    uint64_t gap = std::min<uint64_t>(sec - r.head_sec, kSeconds);
    for (uint64_t s = sec - gap + 1; s <= sec; ++s) r.slot[s % kSeconds] = r.last;
    if (nonzero(r.last)) r.nonzero_sec = sec;
    r.head_sec = sec;
  }
  // a reading older than the window (a late record from another CPU) no
  // longer has a second to go to
  if (sec + kSeconds > r.head_sec) {
    max_into(r.slot[sec % kSeconds], queues);
    if (nonzero(queues)) r.nonzero_sec = std::max(r.nonzero_sec, sec);
  }
  if (ts_ns >= r.last_ns) {
    r.last_ns = ts_ns;
    r.last = queues;
    r.limits = limits;
  }
  // empty for a whole window: the same as holding nothing
  if (!nonzero(r.last) && r.head_sec >= r.nonzero_sec + kSeconds) ring_.reset();
}

std::vector<OccupancyPoint> OccupancySeries::last(size_t n, uint64_t now_ns) const {
  n = std::min(n, kSeconds);
  std::vector<OccupancyPoint> out(n);
  if (!ring_) return out;
  const Ring& r = *ring_;
  uint64_t now_sec = now_ns / kSecondNs;
  for (size_t i = 0; i < n; ++i) {
    uint64_t back = n - 1 - i;  // seconds before now's
    if (back > now_sec) continue;
    uint64_t s = now_sec - back;
    if (s > r.head_sec) out[i] = r.last;  // no reading since: still that full
    else if (s + kSeconds > r.head_sec) out[i] = r.slot[s % kSeconds];
  }
  return out;
}

}  // namespace sockscope
