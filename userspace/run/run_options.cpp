#include "run/run_options.h"

namespace sockscope {

TableLimits RunOptions::limits() const {
  return {static_cast<uint64_t>(retention_s * 1e9), max_sockets};
}

LiveOptions RunOptions::live() const {
  LiveOptions l;
  l.loader.ringbuf_bytes = ringbuf_mb << 20;
  l.loader.sample_interval_ns = static_cast<uint64_t>(sample_interval_ms * 1e6);
  l.loader.detail_calls = detail == "calls";
  l.loader.journey = !no_journey;
  l.loader.journey_rate = journey_rate;
  if (pass_interval_s > 0) l.pass_interval_ns = static_cast<uint64_t>(pass_interval_s * 1e9);
  return l;
}

}  // namespace sockscope
