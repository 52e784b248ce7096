// A Source that delivers nothing and answers with what it was given: for
// code that only reads a source's names, counts and probes (the live
// view's snapshot), in tests and benchmarks.
#pragma once

#include <utility>
#include <vector>

#include "source/source.h"

namespace sockscope::synth {

class StaticSource : public Source {
 public:
  explicit StaticSource(ReasonNames names = {}) : names_(std::move(names)) {}
  bool poll(int, const EventSink&) override { return false; }
  void flush(const EventSink&) override {}
  int64_t wall_offset_ns() const override { return 0; }
  uint64_t now_ns() const override { return 0; }
  const DecodeStats& decode_stats() const override { return stats_; }
  const ReasonNames& reason_names() const override { return names_; }
  const std::vector<ProbeStatus>& probes() const override { return probes_; }

  DecodeStats stats_;
  ReasonNames names_;
  std::vector<ProbeStatus> probes_;
};

}  // namespace sockscope::synth
