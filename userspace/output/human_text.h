// One spelling for each quantity shown to people, whichever command or view
// shows it (list, top, diagnose, watch, nic); JSON keeps the exact values
// (full precision, null) instead.
#pragma once

#include <string>
#include <string_view>

#include <fmt/format.h>

namespace sockscope {

// A buffer's use rounded to a whole percent: "102%" (over 100 when the
// kernel let the queue pass its limit).
inline std::string percent_text(double pct) { return fmt::format("{:.0f}%", pct); }
// "102% of rcvbuf".
inline std::string percent_of(double pct, std::string_view limit) {
  return fmt::format("{} of {}", percent_text(pct), limit);
}
// A time that never came (JSON: null): no read yet, no accept yet.
inline constexpr std::string_view kNever = "never";
// An amount sockscope could not measure (a JSON null that is not a time).
inline constexpr std::string_view kNotMeasured = "not-measured";
// Seconds to a tenth: "24.8s".
inline std::string seconds_text(double s) { return fmt::format("{:.1f}s", s); }

}  // namespace sockscope
