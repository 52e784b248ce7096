// The `nic` output: one row (or JSON object) per network device, then the
// host-wide softnet counts.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/nic_table.h"
#include "model/reason_names.h"

namespace sockscope {

// Devices are named by nic_name() (model/nic_table.h). Drops are the device
// path's, apart from those of socket-level reasons (socket_level_drop()).
// napi: the packets tier measured NAPI polls and queued transmits (else
// they show as '-' and JSON null, never 0).
std::string nic_table_text(const std::vector<const Nic*>& nics, const ReasonNames& names, bool napi = true);
nlohmann::json nic_json(const Nic& n, const ReasonNames& names, bool napi = true);
nlohmann::json nics_json(const std::vector<const Nic*>& nics, const ReasonNames& names, bool napi = true);

// Host-wide, after the devices: how often each CPU's receive softirq ran
// out of NAPI budget or time with packets left (softnet_stat's
// time_squeeze). Text: one line, the CPUs that ran out; "" when never read.
// JSON: {"time_squeeze": total, "time_squeeze_per_cpu": [by CPU number]}.
std::string softnet_text(const Softnet& s);
nlohmann::json softnet_json(const Softnet& s);
// What `nic --json` prints: {"devices": nics_json, "softnet": softnet_json}.
nlohmann::json nic_report_json(const NicTable& t, const ReasonNames& names, bool napi = true);

}  // namespace sockscope
