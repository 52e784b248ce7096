// What the source's probes can measure (record/tiers.h derives it from the
// probes attached). Where a tier is off, the views say what it would take
// ("needs --detail ...") instead of showing a zero that looks measured.
#pragma once

namespace sockscope {

struct Coverage {
  bool syscalls = true;  // fds at the call, blocking time, send/recv call counts
  bool packets = true;   // bytes the app moved, queues at every send/recv, high-water marks
  bool operator==(const Coverage&) const = default;
};

}  // namespace sockscope
