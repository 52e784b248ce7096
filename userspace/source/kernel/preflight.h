// Checks made before touching BPF, each failing with what to do about it.
#pragma once

namespace sockscope {

// Root or CAP_BPF+CAP_PERFMON, kernel BTF, and tracefs (mounted here if
// it is not yet). Throws UserError.
void preflight_live();

// Where tracefs is mounted ("/sys/kernel/tracing" or the debugfs path).
const char* tracefs_root();

}  // namespace sockscope
