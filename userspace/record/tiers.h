// Which tier each of sockscope's BPF programs belongs to (docs/architecture.md,
// "Two tiers"). The default tier runs nothing per packet, per send/recv or
// per syscall, so it can stay on; the detail tiers are attached when asked.
#pragma once

#include <string>
#include <vector>

#include "model/coverage.h"
#include "record/probe_status.h"

namespace sockscope {

enum class Tier : unsigned char {
  Default,   // state changes, rare events, iterators, cgroup socket hooks
  Syscalls,  // sys_enter/sys_exit: fds, blocking time, every socket call
  Packets,   // per packet and per send/recv: occupancy at each, the journey, devices
};

// By the program's ELF section ("tp_btf/napi_poll", "cgroup/connect4", ...).
Tier tier_of(const std::string& section);
const char* tier_name(Tier t);  // "default", "syscalls", "packets"

// The cgroup socket hooks: the default tier's lifecycle, which
// the syscall hooks replace where they cannot run (or where --detail
// syscalls reports the same calls with fds).
bool is_cgroup_section(const std::string& section);

// What the attached (live) or recorded (trace) programs can measure. A tier counts when any of its programs is attached. No probes at all (a
// model fed by hand): everything counts.
Coverage coverage_of(const std::vector<ProbeStatus>& probes);

}  // namespace sockscope
