// The `nic` output: one row (or JSON object) per network device.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/nic_table.h"
#include "model/reason_names.h"

namespace sockscope {

// The device's name; "(none)" for ifindex 0 (no device, or the backlog
// NAPI); "if7" when the name was never read.
std::string nic_name(const Nic& n);

std::string nic_table_text(const std::vector<const Nic*>& nics, const ReasonNames& names);
nlohmann::json nic_json(const Nic& n, const ReasonNames& names);
nlohmann::json nics_json(const std::vector<const Nic*>& nics, const ReasonNames& names);

}  // namespace sockscope
