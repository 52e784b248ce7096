// Percentiles of the log-linear latency histograms the kernel keeps
// (struct ss_hist): the bucket math is the ABI header's, not a copy.
#pragma once

#include <cstdint>

#include "model/event.h"

namespace sockscope {

// Lower bound of bucket i, and the first value past it (i + 1's bound).
uint64_t hist_bucket_low(uint32_t i);
uint64_t hist_bucket_high(uint32_t i);

// The q-quantile (0 <= q <= 1) in ns: the bucket holding that sample, with
// linear interpolation inside it, never above max_ns. 0 when empty.
uint64_t percentile(const Histogram& h, double q);

// What `list --json` shows for a histogram, in microseconds.
struct HistSummary {
  uint64_t count = 0;
  double p50_us = 0, p99_us = 0, max_us = 0;
};
HistSummary summarize(const Histogram& h);

}  // namespace sockscope
