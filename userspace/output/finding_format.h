// `diagnose` output: a report for people, or {"findings": [...]}.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "diagnosis/finding.h"

namespace sockscope {

nlohmann::ordered_json finding_json(const Finding& f);
// A finding's evidence for people, as diagnose and the live view's detail
// show it: "key=value" pairs, buffer use, seconds and "never" spelled as
// everywhere else (output/human_text.h); finding_json keeps them exact.
std::string evidence_text(const nlohmann::ordered_json& evidence);
// width: wrap the prose to this many columns.
std::string findings_text(const std::vector<Finding>& findings, double window_s, int width = 100);

}  // namespace sockscope
