// `sockscope diagnose`: watch for a while (or read a trace), then name what
// looks stuck, with the evidence. Exit 0: nothing found; 1: findings.
#include <iostream>

#include "cli/commands.h"
#include "diagnosis/diagnose.h"
#include "output/finding_format.h"
#include "run/session.h"

namespace sockscope {

int cmd_diagnose(const DiagnoseOptions& o) {
  Session run(o.common);
  DiagnosisTracker tracker(run.table());
  uint64_t start = run.src().now_ns();  // live: now; a trace: where it starts
  run.run([&](const Event& e, const Socket* s) { tracker.observe(e, s); });
  uint64_t now = run.end_ns();
  DiagnoseInput in{run.table(), tracker, now, run.src().wall_offset_ns(), o.thresholds, run.src().reason_names(),
                   o.common.filter.empty() ? nullptr : &o.common.filter};
  std::vector<Finding> findings = diagnose(in);
  double window_s = now > start ? double(now - start) / 1e9 : 0;
  if (o.common.json) {
    nlohmann::ordered_json j;
    j["window_s"] = window_s;
    j["findings"] = nlohmann::ordered_json::array();
    for (const Finding& f : findings) j["findings"].push_back(finding_json(f));
    // process names are bytes, not always UTF-8
    std::cout << j.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
  } else {
    std::cout << findings_text(findings, window_s) << std::flush;
  }
  run.finish();
  return findings.empty() ? 0 : 1;
}

}  // namespace sockscope
