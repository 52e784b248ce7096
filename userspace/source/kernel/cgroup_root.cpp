#include "source/kernel/cgroup_root.h"

#include <sys/mount.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace sockscope {
namespace {

constexpr const char* kOwnMount = "/run/sockscope/cgroup2";

std::string unescape_octal(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      const char* d = s.c_str() + i + 1;
      if (d[0] >= '0' && d[0] <= '3' && d[1] >= '0' && d[1] <= '7' && d[2] >= '0' && d[2] <= '7') {
        out += char((d[0] - '0') * 64 + (d[1] - '0') * 8 + (d[2] - '0'));
        i += 3;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

}  // namespace

std::string cgroup2_in_mountinfo(const std::string& mountinfo) {
  // id parent major:minor root mount-point options [optional...] - fstype source super-options
  std::istringstream in(mountinfo);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string field, point;
    for (int i = 0; i < 5 && f >> field; ++i)
      if (i == 4) point = field;
    while (f >> field && field != "-") {
    }
    std::string fstype;
    if (field == "-" && f >> fstype && fstype == "cgroup2" && !point.empty()) return unescape_octal(point);
  }
  return "";
}

std::string cgroup2_root(std::string& why) {
  std::ifstream f("/proc/self/mountinfo");
  std::stringstream text;
  text << f.rdbuf();
  if (std::string at = cgroup2_in_mountinfo(text.str()); !at.empty()) return at;
  mkdir("/run/sockscope", 0700);
  if (mkdir(kOwnMount, 0700) != 0 && errno != EEXIST) {
    why = fmt::format("cgroup v2 is not mounted and creating {} failed: {}", kOwnMount, std::strerror(errno));
    return "";
  }
  if (mount("none", kOwnMount, "cgroup2", 0, nullptr) != 0) {
    why = fmt::format("cgroup v2 is not mounted and mounting it at {} failed: {}", kOwnMount, std::strerror(errno));
    return "";
  }
  return kOwnMount;
}

}  // namespace sockscope
