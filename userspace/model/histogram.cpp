#include "model/histogram.h"

#include <algorithm>

#include "bpf/abi/sockscope_abi.h"

namespace sockscope {

static_assert(kHistBuckets == SS_HIST_BUCKETS, "Histogram and struct ss_hist disagree");

namespace {

// Bytes from a file can hold any max_ns: no overflow in the conversion.
uint64_t to_ns(double v) {
  if (!(v > 0)) return 0;
  if (v >= 18446744073709549568.0) return UINT64_MAX;
  return uint64_t(v + 0.5);
}

}  // namespace

uint64_t hist_bucket_low(uint32_t i) { return ss_hist_bucket_low(i); }

uint64_t hist_bucket_high(uint32_t i) {
  // the last bucket also holds everything beyond it: no upper bound
  return i + 1 < kHistBuckets ? ss_hist_bucket_low(i + 1) : UINT64_MAX;
}

uint64_t percentile(const Histogram& h, double q) {
  q = std::clamp(q, 0.0, 1.0);
  // The buckets, not count, are the ranks: the kernel updates the fields
  // one by one, so a read can catch count a sample ahead of the buckets.
  uint64_t total = 0;
  size_t top = 0;  // highest non-empty bucket
  for (size_t i = 0; i < h.buckets.size(); ++i)
    if (h.buckets[i]) {
      total += h.buckets[i];
      top = i;
    }
  if (total == 0) return 0;
  if (total == 1 && h.max_ns) return h.max_ns;  // the one sample is known exactly

  double rank = q * double(total);
  uint64_t before = 0;
  for (size_t i = 0; i < h.buckets.size(); ++i) {
    uint64_t n = h.buckets[i];
    if (!n) continue;
    if (double(before + n) >= rank || i == top) {
      double lo = double(hist_bucket_low(uint32_t(i)));
      double hi = double(hist_bucket_high(uint32_t(i)));
      // no sample is above max: it bounds the top bucket (and the open last one)
      if (i == top && h.max_ns) hi = std::min(hi, double(h.max_ns));
      if (hist_bucket_high(uint32_t(i)) == UINT64_MAX && !h.max_ns) hi = lo;
      hi = std::max(hi, lo);
      double within = std::clamp((rank - double(before)) / double(n), 0.0, 1.0);
      uint64_t v = to_ns(lo + (hi - lo) * within);
      return h.max_ns ? std::min(v, h.max_ns) : v;
    }
    before += n;
  }
  return 0;  // not reached: the top bucket returns
}

HistSummary summarize(const Histogram& h) {
  HistSummary s;
  s.count = h.count;
  if (!h.count) return s;
  s.p50_us = double(percentile(h, 0.50)) / 1000.0;
  s.p99_us = double(percentile(h, 0.99)) / 1000.0;
  s.max_us = double(h.max_ns) / 1000.0;
  return s;
}

}  // namespace sockscope
