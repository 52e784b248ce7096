#include "ui/text.h"

#include <time.h>

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace sockscope::ui {

std::string fit(std::string s, int width) {
  if (width <= 0) return {};
  if (s.size() > size_t(width)) s.resize(width);
  return s;
}

std::string left_cut(const std::string& s, size_t w) {
  if (s.size() <= w) return s;
  if (w == 0) return {};
  // appended rather than "~" + substr(): g++ 12 at -O3 warns about that
  // operator+ (-Wrestrict, a false positive in libstdc++'s inlined code)
  std::string out;
  out.reserve(w);
  out += '~';
  out.append(s, s.size() - w + 1);
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string count(uint64_t n) {
  if (n < 100'000) return std::to_string(n);
  if (n < 100'000'000) return fmt::format("{}K", n / 1000);
  return fmt::format("{}M", n / 1'000'000);
}

std::string rate_text(double r) {
  if (r < 0) return "-";
  if (r < 1000) return fmt::format("{:.0f}", r);
  if (r < 100e3) return fmt::format("{:.1f}K", r / 1e3);
  if (r < 1e6) return fmt::format("{:.0f}K", r / 1e3);
  if (r < 100e6) return fmt::format("{:.1f}M", r / 1e6);
  if (r < 1e9) return fmt::format("{:.0f}M", r / 1e6);
  return fmt::format("{:.1f}G", r / 1e9);
}

std::string duration_text(uint64_t ns) {
  uint64_t s = ns / 1'000'000'000;
  if (ns < 1'000'000) return fmt::format("{}us", ns / 1000);
  if (ns < 1'000'000'000) return fmt::format("{}ms", ns / 1'000'000);
  if (s < 60) return fmt::format("{}.{}s", s, ns / 100'000'000 % 10);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, s / 60 % 60);
}

std::string clock_text(uint64_t mono_ns, int64_t wall_offset_ns) {
  int64_t wall = int64_t(mono_ns) + wall_offset_ns;
  time_t secs = wall / 1'000'000'000;
  struct tm tm {};
  localtime_r(&secs, &tm);
  return fmt::format("{:02}:{:02}:{:02}.{:03}", tm.tm_hour, tm.tm_min, tm.tm_sec, wall / 1'000'000 % 1000);
}

std::string bar(double pct, int width) {
  if (width <= 0) return {};
  double p = std::clamp(pct, 0.0, 100.0);
  int full = int(p * width / 100 + 0.5);
  // Something queued, less than half a cell: a tick of its own, so 7 bytes
  // of 128K never look like a full cell (on a 2-cell bar, half the buffer).
  if (p > 0 && full == 0) return kTick + std::string(size_t(width - 1), ' ');
  return std::string(size_t(full), '#') + std::string(size_t(width - full), ' ');
}

std::string sparkline(const std::vector<double>& values, double max, int width) {
  static constexpr std::string_view kLevels = " .:-=+*#";
  if (width <= 0) return {};
  size_t n = std::min(values.size(), size_t(width));
  auto first = values.end() - long(n);
  double top = max > 0 ? max : (n ? *std::max_element(first, values.end()) : 0);
  std::string out(size_t(width) - n, ' ');
  for (auto it = first; it != values.end(); ++it) {
    double v = std::max(*it, 0.0);
    size_t level = top > 0 ? size_t(std::min(v / top, 1.0) * double(kLevels.size() - 1) + 0.5) : 0;
    if (v > 0 && level == 0) level = 1;
    out += kLevels[level];
  }
  return out;
}

}  // namespace sockscope::ui
