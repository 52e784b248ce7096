// Whether one BPF program attached, and why not: shown at start-up, kept
// in trace files, shown again when a trace is read.
#pragma once

#include <string>

namespace sockscope {

struct ProbeStatus {
  std::string program;  // BPF program name
  std::string target;   // e.g. "tp_btf/inet_sock_set_state"
  bool attached = false;
  std::string reason;   // why not, when not
  std::string tier = "default";  // "default", "syscalls" or "packets" (record/tiers.h)
  bool off = false;     // a detail tier not asked for: not attached, and not missing
};

}  // namespace sockscope
