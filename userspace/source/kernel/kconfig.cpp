#include "source/kernel/kconfig.h"

#include <fmt/format.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <thread>

namespace sockscope {

namespace {

bool readable(const std::string& path) { return access(path.c_str(), R_OK) == 0; }

// "now at N nsecs" and the first "jiffies: N" of /proc/timer_list, read
// in one go so that both belong to the same instant (within a tick).
bool timer_reading(uint64_t* ns, uint64_t* jiffies) {
  std::ifstream f("/proc/timer_list");
  std::string line;
  bool have_ns = false;
  while (std::getline(f, line)) {
    if (!have_ns && std::sscanf(line.c_str(), "now at %lu nsecs", ns) == 1) have_ns = true;
    if (have_ns && std::sscanf(line.c_str(), "jiffies: %lu", jiffies) == 1) return true;
  }
  return false;
}

}  // namespace

unsigned hz_from(uint64_t ns0, uint64_t jiffies0, uint64_t ns1, uint64_t jiffies1) {
  if (ns1 <= ns0 || jiffies1 <= jiffies0) return 0;
  double hz = static_cast<double>(jiffies1 - jiffies0) * 1e9 / static_cast<double>(ns1 - ns0);
  unsigned best = 0;
  double best_err = 0;
  for (unsigned c : {100u, 250u, 300u, 1000u}) {
    double err = std::fabs(hz - c) / c;
    if (!best || err < best_err) best = c, best_err = err;
  }
  // a reading off by more than a fifth is not one of these rates, or the
  // clock jumped: better no ages than wrong ones
  return best_err <= 0.2 ? best : 0;
}

std::string kconfig_fallback(std::string* note) {
  utsname u{};
  uname(&u);
  if (readable("/proc/config.gz") || readable(std::string("/boot/config-") + u.release)) return "";
  uint64_t ns0 = 0, j0 = 0, ns1 = 0, j1 = 0;
  unsigned hz = 0;
  if (timer_reading(&ns0, &j0)) {
    // 120 ms: 12 ticks at 100 Hz, enough to tell 250 from 300 as well
    std::this_thread::sleep_for(std::chrono::milliseconds(120));
    if (timer_reading(&ns1, &j1)) hz = hz_from(ns0, j0, ns1, j1);
  }
  if (note)
    *note = hz ? fmt::format("no kernel config (/proc/config.gz, /boot/config-{}): the tick rate, measured, is {} Hz",
                             u.release, hz)
               : fmt::format("no kernel config (/proc/config.gz, /boot/config-{}) and no tick rate from "
                             "/proc/timer_list: TCP timer ages are shown as unknown",
                             u.release);
  return fmt::format("CONFIG_HZ={}\n", hz);
}

}  // namespace sockscope
