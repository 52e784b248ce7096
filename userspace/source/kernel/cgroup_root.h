// The root of the cgroup v2 hierarchy, where the default tier's socket
// hooks attach so that they run for every process on the host.
#pragma once

#include <string>

namespace sockscope {

// Where cgroup2 is mounted: /sys/fs/cgroup on a unified host,
// /sys/fs/cgroup/unified on a hybrid one, or any other mount of it. With
// none, one is mounted at /run/sockscope/cgroup2 (the hierarchy always
// exists; mounting only makes it reachable). Returns "" and sets why when
// there is none and mounting failed.
std::string cgroup2_root(std::string& why);

// The mount point of the first cgroup2 line of a /proc/self/mountinfo
// text, or "". Mount points there escape space, tab, newline and backslash
// as octal (\040).
std::string cgroup2_in_mountinfo(const std::string& mountinfo);

}  // namespace sockscope
