// The diagnosis rules: the model and the tracker in, findings out, most
// severe first. One rule per finding kind (rules_*.cpp).
#pragma once

#include <vector>

#include "diagnosis/finding.h"
#include "diagnosis/thresholds.h"
#include "diagnosis/tracker.h"
#include "model/filter.h"
#include "model/reason_names.h"
#include "model/socket_table.h"

namespace sockscope {

struct DiagnoseInput {
  const SocketTable& table;
  const DiagnosisTracker& tracker;
  uint64_t now_ns;          // the end of the window (events' clock)
  int64_t wall_offset_ns;   // for the evidence's wall-clock times
  const Thresholds& th;
  const ReasonNames& reasons;
  const Filter* filter = nullptr;  // only findings about matching sockets (and their processes)
  bool prefilter = true;           // false: every rule walks every admitted socket (tests compare)
  // Filled by diagnose(): the sockets the filter admits, and of those the
  // ones a per-socket rule could flag (rules::may_flag).
  std::vector<const Socket*> admitted = {}, shown = {};
};

// Findings with one cause grouped under it; ordered by severity, then by
// how many sockets a finding covers, then kind, then when it began.
std::vector<Finding> diagnose(const DiagnoseInput& in);

}  // namespace sockscope
