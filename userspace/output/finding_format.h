// `diagnose` output: a report for people, or {"findings": [...]}.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "diagnosis/finding.h"

namespace sockscope {

nlohmann::ordered_json finding_json(const Finding& f);
// width: wrap the prose to this many columns.
std::string findings_text(const std::vector<Finding>& findings, double window_s, int width = 100);

}  // namespace sockscope
