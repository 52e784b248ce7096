// Small text pieces the screens share: cutting to width, numbers, times,
// bars and sparklines. ASCII only, so any terminal and capture-pane show
// them the same.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sockscope::ui {

// Cut to width columns (nothing when width <= 0).
std::string fit(std::string s, int width);
// Cut from the left, keeping the end (an endpoint's port) visible: "~.1:80".
std::string left_cut(const std::string& s, size_t width);
std::string lower(std::string_view s);
// "12345", "123K", "45M".
std::string count(uint64_t n);
// Bytes/s: "0", "980", "12K", "3.4M", "1.2G"; "-" when rate < 0 (unknown).
std::string rate_text(double rate);
// "850ms", "3.2s", "4m05s", "2h10m".
std::string duration_text(uint64_t ns);
// "12:04:05.123" on the wall clock.
std::string clock_text(uint64_t mono_ns, int64_t wall_offset_ns);
// A bar of width cells filled to pct (0..100, clamped); only the cells,
// no brackets. Three looks that never meet: all blank (0), one tick
// "|   " (more than 0, less than half a cell), '#' cells in proportion
// ("##  " half full).
inline constexpr char kTick = '|';
std::string bar(double pct, int width);
// One character per value, scaled to max (0: the values' own maximum),
// the newest at the right, padded on the left to width; levels " .:-=+*#".
std::string sparkline(const std::vector<double>& values, double max, int width);

}  // namespace sockscope::ui
