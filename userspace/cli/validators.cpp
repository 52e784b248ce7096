#include "cli/validators.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

namespace sockscope {
namespace {

std::string with_unit(double v, const std::string& unit) {
  return unit.empty() ? fmt::format("{}", v) : fmt::format("{} {}", v, unit);
}

}  // namespace

std::string describe(const NumberRule& r) {
  const bool bounded = std::isfinite(r.hi);
  std::string what = r.whole ? "a whole number " : "";
  if (!bounded) return what + (r.lo_open ? "more than " + with_unit(r.lo, r.unit) : with_unit(r.lo, r.unit) + " or more");
  if (r.lo_open) return what + fmt::format("more than {} and at most {}", r.lo, with_unit(r.hi, r.unit));
  return what + fmt::format("from {} to {}", r.lo, with_unit(r.hi, r.unit));
}

std::string check_number(const std::string& text, const NumberRule& r) {
  const char* s = text.c_str();
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(s, &end);
  // strtod also takes "inf" and "nan": not numbers a user means here
  const bool overflow = errno == ERANGE && std::isinf(v);
  if (end == s || *end != '\0' || std::isnan(v) || (std::isinf(v) && !overflow))
    return fmt::format("'{}' is not a number; it must be {}", text, describe(r));
  if (r.whole) {
    // as CLI11 converts integers: base 10, all of it ("80.0" is no port)
    errno = 0;
    std::strtoll(s, &end, 10);
    if (*end != '\0') return fmt::format("{} is not a whole number; it must be {}", text, describe(r));
  }
  if (v < r.lo || (r.lo_open && v == r.lo)) return fmt::format("{} is too small; it must be {}", text, describe(r));
  if (v > r.hi || std::isinf(v)) return fmt::format("{} is too large; it must be {}", text, describe(r));
  return {};
}

CLI::Validator number(NumberRule r) {
  // --help shows the type (UINT, FLOAT) already: "from 1 to 65535" is enough there
  NumberRule shown = r;
  shown.whole = false;
  return CLI::Validator([r](std::string& text) { return check_number(text, r); }, describe(shown));
}

CLI::Validator power_of_two(double lo, double hi, std::string unit) {
  NumberRule r{lo, hi, false, true, unit};
  std::string allowed;
  for (double v = lo; v <= hi; v *= 2) allowed += (allowed.empty() ? "" : v * 2 > hi ? " or " : ", ") + fmt::format("{}", v);
  allowed += unit.empty() ? "" : " " + unit;
  return CLI::Validator(
      [r, allowed](std::string& text) {
        std::string why = check_number(text, r);
        if (!why.empty()) return why;
        auto v = std::strtoull(text.c_str(), nullptr, 10);
        if (v & (v - 1)) return fmt::format("{} is not a power of 2; it must be {}", text, allowed);
        return std::string();
      },
      allowed);
}

}  // namespace sockscope
