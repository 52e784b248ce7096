// Synthetic raw records shaped like a busy host's: many TCP connections,
// each opened, used and closed, with the occupancy samples, syscalls, state
// changes and stats-map reads the live source would deliver. For the replay
// benchmark, the trace-file tests and the fuzzer's seed corpus.
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "record/raw_record.h"

namespace sockscope::synth {

struct Options {
  uint32_t connections = 1000;
  uint32_t samples_per_connection = 40;  // occupancy samples while open
  uint32_t concurrent = 200;             // connections open at once
  uint64_t start_ns = 1'000'000'000;
  uint64_t seed = 1;
};

using Out = std::function<void(RawKind, std::span<const uint8_t>)>;

// Calls out once per record, in time order. Returns the records made.
uint64_t generate(const Options& o, const Out& out);

}  // namespace sockscope::synth
