// The trace header's metadata: where and when the recording was made, what
// attached, and the recording kernel's reason names (their numbers differ
// between kernels). Stored as one JSON object.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "model/reason_names.h"
#include "record/probe_status.h"

namespace sockscope::trace {

struct Meta {
  std::string host;
  std::string kernel;  // uname -r
  std::string sockscope_version;
  std::string command;         // what was run, for the reader's information
  int64_t wall_offset_ns = 0;  // CLOCK_REALTIME - CLOCK_MONOTONIC at start
  uint64_t start_ns = 0;       // CLOCK_MONOTONIC at start
  uint32_t file_index = 0;     // 0, then 1, 2 … for the files of a rotation
  std::vector<ProbeStatus> probes;  // with each one's tier, and whether it was attached
  uint64_t sample_interval_ns = 0;  // between two iterator passes; 0: not kept (older files)
  ReasonNames reasons;
};

// What a header may hold, far above what a recording writes (about 40
// probes, a few hundred reason names): a file that asks for more is
// refused, not built.
inline constexpr int kMaxMetaDepth = 4;  // the format uses three: the object, probes, a probe
inline constexpr size_t kMaxMetaProbes = 4096;
inline constexpr size_t kMaxMetaReasons = 65536;  // each of drop_reasons, reset_reasons

std::string meta_to_json(const Meta& m);
// Throws std::runtime_error saying what is wrong. Bounded: time linear in
// the text, nesting and counts within the limits above, so a hostile
// header can exhaust neither the stack nor the CPU.
Meta meta_from_json(const std::string& text);

}  // namespace sockscope::trace
